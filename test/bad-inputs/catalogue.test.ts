// Every broken repository of cases.ts must fail `patchctl validate` with exit 3, the right
// diagnostics at the right file:line:col, no stack trace, and nothing written.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import type { BadInputCase } from './cases.js';
import { CASES } from './cases.js';
import type { JsonDiagnostic, ResolvedExpectation, RunResult } from './harness.js';
import {
  DEFAULT_AT,
  ROOT,
  STACK_TRACE,
  applyEdits,
  brief,
  misplacedDiagnostics,
  resolveExpectation,
  scratchCopy,
  snapshotTree,
  validateInProcess,
  validateSubprocess,
} from './harness.js';

/** The expected diagnostics that are not in the output, described for the failure message. */
function missing(expected: readonly ResolvedExpectation[], got: readonly JsonDiagnostic[]): string[] {
  return expected
    .filter(
      (e) =>
        !got.some(
          (d) =>
            d.code === e.code &&
            d.file === e.file &&
            d.line === e.line &&
            d.col === e.col &&
            d.severity === e.severity,
        ),
    )
    .map((e) => `${e.file}:${e.line}:${e.col} ${e.severity} ${e.code}`);
}

function assertFailsAsExpected(
  c: BadInputCase,
  repo: string,
  expected: ResolvedExpectation[],
  r: RunResult,
): void {
  const report = `case ${c.name}\nexit ${r.exitCode}\nstderr: ${r.stderr}\nreported:\n  ${brief(r.diagnostics).join('\n  ')}`;
  expect(r.stderr).not.toMatch(STACK_TRACE);
  expect(r.stderr).not.toMatch(/internal error/);
  if (r.exitCode !== 3) throw new Error(`expected exit 3\n${report}`);
  if (!r.diagnostics) throw new Error(`stdout is not a JSON list\n${report}\nstdout: ${r.stdout}`);
  const notFound = missing(expected, r.diagnostics);
  if (notFound.length > 0) throw new Error(`not reported: ${notFound.join(', ')}\n${report}`);
  expect(misplacedDiagnostics(repo, r.diagnostics)).toEqual([]);
}

/** Copies base, applies the case, runs `run` on it, and checks the outcome and the tree. */
async function runCase(c: BadInputCase, run: (dir: string) => Promise<RunResult> | RunResult): Promise<void> {
  const scratch = scratchCopy();
  try {
    applyEdits(scratch.repo, c.edits);
    const expected = c.expect.map((e) => resolveExpectation(scratch.repo, e));
    const before = snapshotTree(scratch.dir);
    const result = await run(path.join(scratch.repo, c.root ?? ''));
    expect(snapshotTree(scratch.dir)).toEqual(before);
    assertFailsAsExpected(c, scratch.repo, expected, result);
  } finally {
    scratch.remove();
  }
}

describe('the base repository', () => {
  it.each([false, true])('validates without any diagnostic (strict: %s)', async (strict) => {
    const scratch = scratchCopy();
    try {
      const before = snapshotTree(scratch.dir);
      const r = await validateInProcess(scratch.repo, DEFAULT_AT, strict);
      expect(r.stderr).toBe('');
      expect(brief(r.diagnostics)).toEqual([]);
      expect(r.exitCode).toBe(0);
      expect(snapshotTree(scratch.dir)).toEqual(before);
    } finally {
      scratch.remove();
    }
  });
});

describe('the catalogue', () => {
  it('has at least 100 cases the validator passes today, with unique names', () => {
    const names = CASES.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    for (const name of names) expect(name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(CASES.filter((c) => c.knownBug === undefined).length).toBeGreaterThanOrEqual(100);
  });

  // A known-bug case passes whenever it fails, so its setup must be checked on its own: edits
  // that apply and markers that resolve, or it would pass for the wrong reason forever. (jest
  // refuses an empty table, and no case is a known bug today.)
  const knownBugs = CASES.filter((c) => c.knownBug !== undefined).map((c) => [c.name, c] as const);
  if (knownBugs.length > 0) {
    it.each(knownBugs)('known-bug case %s is well-formed', (_name, c) => {
      const scratch = scratchCopy();
      try {
        applyEdits(scratch.repo, c.edits);
        for (const e of c.expect) expect(() => resolveExpectation(scratch.repo, e)).not.toThrow();
      } finally {
        scratch.remove();
      }
    });
  }

  it('expects every diagnostic code the loader and the rules can emit', () => {
    const emitted = emittedCodes();
    const expected = new Set(CASES.filter((c) => !c.knownBug).flatMap((c) => c.expect.map((e) => e.code)));
    expect([...emitted].filter((code) => !expected.has(code)).sort()).toEqual([]);
    // And no case expects a code that nothing emits (a typo would only ever fail).
    expect([...expected].filter((code) => !emitted.has(code)).sort()).toEqual([]);
  });
});

describe('broken repositories fail validate with exit 3 and a diagnostic at the right place', () => {
  for (const c of CASES) {
    // KNOWN_BUGS=show runs the known-bug cases as ordinary tests, to see how they fail today.
    const test = c.knownBug === undefined || process.env.KNOWN_BUGS === 'show' ? it : it.failing;
    test(`${c.name}: ${c.description}${c.knownBug ? ` [known bug: ${c.knownBug}]` : ''}`, () =>
      runCase(c, (dir) => validateInProcess(dir, c.at ?? DEFAULT_AT, c.strict === true)));
  }
});

/** A few cases through the real launcher, to prove the process itself exits 3 without a trace. */
const SUBPROCESS_CASES = [
  'yaml-alias-bomb',
  'yaml-custom-tag-python-object',
  'meta-host-name-semicolon',
  'group-cycle-three',
  'real-ansible-ini-as-yaml',
  'real-osv-no-introduced',
  // The process neither hangs on a FIFO nor dies on a directory where a file belongs.
  'fifo-in-inventory',
  'config-is-a-directory',
];

describe('the same through `node bin/patchctl` (needs npm run build)', () => {
  for (const name of SUBPROCESS_CASES) {
    const c = CASES.find((x) => x.name === name);
    it(name, () => {
      if (!c) throw new Error(`no case named ${name}`);
      return runCase(c, (dir) => validateSubprocess(dir, c.at ?? DEFAULT_AT, c.strict === true));
    });
  }
});

/** Codes written in the loader and the model (string literals, plus the two built from a template). */
function emittedCodes(): Set<string> {
  const dir = path.join(ROOT, 'src', 'core', 'model');
  const sources = [
    ...readdirSync(dir).map((f) => path.join(dir, f)),
    ...readdirSync(path.join(dir, 'rules')).map((f) => path.join(dir, 'rules', f)),
    path.join(ROOT, 'src', 'engine', 'load-repo.ts'),
    // The CSV feeds (KEV's CSV form, EPSS), read for advisories.ts.
    ...readdirSync(path.join(ROOT, 'src', 'core', 'vuln', 'feeds')).map((f) =>
      path.join(ROOT, 'src', 'core', 'vuln', 'feeds', f),
    ),
  ].filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const patterns = [
    /code: '([a-z0-9-]+)'/g,
    /diagnostic\(\s*'(?:error|warning)',\s*'([a-z0-9-]+)'/g,
    /\berror\(\s*'([a-z0-9-]+)'/g,
    /\bd\(\s*'([a-z0-9-]+)'/g,
    /return '(yaml-[a-z0-9-]+)'/g,
  ];
  const codes = new Set<string>();
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    for (const re of patterns) for (const m of text.matchAll(re)) if (m[1]) codes.add(m[1]);
    // references.ts: `unknown-${target}`; advisories.ts: `invalid-${kind}`.
    if (text.includes('`unknown-${')) {
      for (const t of ['group', 'window', 'rollout', 'host', 'advisory-feed']) codes.add(`unknown-${t}`);
    }
    if (text.includes('`invalid-${kind}`'))
      for (const k of ['kev', 'osv', 'findings', 'sync']) codes.add(`invalid-${k}`);
  }
  return codes;
}
