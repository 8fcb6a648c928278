// Issue 12, "Secrets leak" and "Host text reaches terminals and CI logs raw", end to end on the
// simulated fleet (over SSH, in this process): hosts whose apt errors carry a private repository
// token and terminal escapes, and whose health check prints workflow commands. Through scan →
// state → plan (text, Markdown, JSON, --out) → apply (its output, journal, saved plan) → report
// (every format, the CI job summary) → validate --format github, no form of the secret and no
// control sequence or workflow command is left, and the information is still there, escaped.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { secretForms } from '../../platform/redact.js';
import type { SimFleet } from '../../sim/fleet.js';
import { startSimFleet } from '../../sim/fleet.js';
import { captureIo } from '../../test-support/capture-io.js';
import { main } from '../main.js';

/** A long canary with the characters escaping changes: `"`, `\`, `%`, `@`, `:`. */
const CANARY = 'C4nary"t0ken\\with%40@:s3cr3t';
const repoUrl = (() => {
  const u = new URL('https://ci@apt.example/private');
  u.password = CANARY;
  return u.href;
})();

/** What a compromised or misconfigured host prints. */
const HOSTILE = [
  `E: Failed to fetch ${repoUrl}/dists/bookworm/InRelease  401  Unauthorized`,
  `E: token=${CANARY} \u001b[2J\u001b[1;1H\u001b[8mhidden failure\u001b[0m\r`,
  '::add-mask::x',
  '  ::error file=x,line=1::fake annotation',
  '::stop-commands::pwned',
  'see ##[error]fake and \u202eevil\u202c \u009b31m',
  '=HYPERLINK("http://evil.example","click")',
].join('\n');

const ENV = { REPO_TOKEN: CANARY };

/** Every form of the canary that would give it away. */
const FORMS = secretForms(CANARY);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Commands the GitHub Actions runner would run (ActionCommand.TryParseV2 / TryParse), Azure's too. */
function commandsIn(text: string): string[] {
  return text.split(/\r\n|\r|\n/).filter((line) => {
    const trimmed = line.replace(/^[\s\u0085]+/, '');
    return (trimmed.startsWith('::') && trimmed.indexOf('::', 2) > 2) || /##\[|##vso\[/i.test(line);
  });
}

function expectClean(where: string, text: string, { csv = false } = {}): void {
  expect([where, FORMS.filter((f) => text.includes(f))]).toEqual([where, []]);
  const body = csv ? text.replace(/\r\n/g, '\n').replace(/"[^"]*"/g, (q) => q.replace(/\r/g, '')) : text;
  expect([where, CONTROL.exec(body)?.[0]]).toEqual([where, undefined]);
  expect([where, commandsIn(text)]).toEqual([where, []]);
}

describe('a hostile host, end to end', () => {
  let fleet: SimFleet;
  let scratch: string;
  let dir: string;

  beforeAll(async () => {
    fleet = await startSimFleet({
      hosts: 2,
      seed: 12,
      rebootDelayMs: 20,
      rebootDowntimeMs: 50,
      tamper: (_host, command, reply) => {
        if (/'apt-get'.*'update'/.test(command)) return { ...reply, exitCode: 100, stderr: `${HOSTILE}\n` };
        if (command.includes('fleet-health'))
          return { ...reply, exitCode: 1, stdout: '', stderr: `${HOSTILE}\n` };
        return reply;
      },
    });
    scratch = mkdtempSync(path.join(tmpdir(), 'patchctl-hostile-'));
    dir = fleet.writeRepository(path.join(scratch, 'repo'));
    // The canary ring's health check is the host's own program: its output is host text.
    const rollout = path.join(dir, 'rollouts/lab.yaml');
    const text = readFileSync(rollout, 'utf8');
    const withCheck = text.replace(
      '    - name: canary\n      groups: [canary]\n',
      '    - name: canary\n      groups: [canary]\n      healthCheck:\n        command: [/usr/local/bin/fleet-health]\n',
    );
    expect(withCheck).not.toBe(text);
    writeFileSync(rollout, withCheck);
  }, 60_000);
  afterAll(async () => {
    await fleet.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  async function patchctl(args: string[], env: Record<string, string> = {}) {
    const io = captureIo({ cwd: dir, env: { ...ENV, ...env } });
    const code = await main([...args, '-C', dir], io);
    return { code, ...io.text() };
  }

  function filesUnder(rel: string): string[] {
    const abs = path.join(dir, rel);
    return readdirSync(abs, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile())
      .map((e) => path.join(e.parentPath, e.name));
  }

  it('scan prints the apt error redacted and escaped, and stores no secret', async () => {
    const r = await patchctl(['scan']);
    expect(r.stderr).toBe('');
    expectClean('scan output', r.stdout);
    expect(r.stdout).toContain('https://ci:[redacted]@apt.example/private');
    for (const file of filesUnder('state')) expectClean(file, readFileSync(file, 'utf8'));
  }, 60_000);

  it('plan shows a stored host error redacted and escaped, in text, Markdown, JSON and --out', async () => {
    // A state written before this fix (or by a hostile shard): the error holds the raw secret.
    const file = path.join(dir, 'state/hosts/lab-02.json');
    const state = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(file, `${JSON.stringify({ ...state, reachable: false, error: HOSTILE }, null, 2)}\n`);
    try {
      const text = await patchctl(['plan']);
      expect(text.code).toBe(0);
      expectClean('plan text', text.stdout);
      expect(text.stdout).toContain('[redacted]');
      expect(text.stdout).toContain('\\x1b[8mhidden failure'); // visible, not concealed
      expect(text.stdout).toContain('\\u202eevil');

      const markdown = await patchctl(['plan', '--format', 'markdown']);
      expectClean('plan markdown', markdown.stdout);
      expect(markdown.stdout).toContain('&#92;x1b&#91;8mhidden failure');
      expect(markdown.stdout).toContain('https://ci:[redacted]&#64;apt.example');

      const json = await patchctl(['plan', '--format', 'json', '--out', 'plan.json']);
      expectClean('plan json', json.stdout);
      const planned = JSON.parse(json.stdout) as { rings: { hosts: { host: string; note?: string }[] }[] };
      const note = planned.rings.flatMap((r) => r.hosts).find((h) => h.host === 'lab-02')?.note ?? '';
      expect(note).toContain('hidden failure');
      expect(note).toContain('[redacted]');
      expectClean('plan.json', readFileSync(path.join(dir, 'plan.json'), 'utf8'));
    } finally {
      // Put the host back for apply.
      writeFileSync(file, `${JSON.stringify(state, null, 2)}\n`);
    }
  }, 60_000);

  it('apply shows a failing health check’s output redacted and escaped, and journals no secret', async () => {
    const r = await patchctl(['apply', '--auto-approve'], { GITHUB_ACTIONS: 'true' });
    expect(r.code).toBe(1); // the canary failed its health check: the rollout halts
    expectClean('apply stdout', r.stdout);
    expectClean('apply stderr', r.stderr);
    expect(r.stdout).toMatch(/✗ lab-01: health-check-failed: .*health check/);
    expect(r.stdout).toContain('hidden failure');
    expect(r.stdout).toContain('[redacted]');
    const runs = filesUnder('state/runs');
    expect(runs.some((f) => f.endsWith('.jsonl'))).toBe(true);
    for (const file of runs) expectClean(file, readFileSync(file, 'utf8'));
    const journal = runs
      .filter((f) => f.endsWith('.jsonl'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('');
    expect(journal).toContain('hidden failure');
  }, 120_000);

  it('report writes every format and the job summary with no secret and no control sequence', async () => {
    const summary = path.join(scratch, 'step-summary.md');
    writeFileSync(summary, '');
    const r = await patchctl(['report', '--format', 'md,json,csv,junit'], {
      GITHUB_ACTIONS: 'true',
      GITHUB_STEP_SUMMARY: summary,
    });
    expect(r.code).toBe(0);
    expectClean('report output', r.stdout + r.stderr);
    const written = filesUnder('reports');
    expect(written.map((f) => path.basename(f))).toEqual(
      expect.arrayContaining(['compliance.md', 'compliance.json', 'compliance.csv', 'compliance.xml']),
    );
    for (const file of written) expectClean(file, readFileSync(file, 'utf8'), { csv: file.endsWith('.csv') });
    expectClean('job summary', readFileSync(summary, 'utf8'));
    const md = readFileSync(path.join(dir, 'reports/compliance.md'), 'utf8');
    expect(md).toContain('hidden failure');
    const csv = readFileSync(path.join(dir, 'reports/compliance.csv'), 'utf8');
    expect(csv).toContain('hidden failure');
    for (const file of filesUnder('state')) expectClean(file, readFileSync(file, 'utf8'));
  }, 60_000);

  it('validate keeps its own annotations and defuses any other, in text and github formats', async () => {
    // A pull request can name a file anything: the name is in every diagnostic about it.
    const hostileName = path.join(
      dir,
      'exceptions',
      'x\u001b[2J\u001b[8m\n::error::fake ##[error]y\u202e.yaml',
    );
    mkdirSync(path.dirname(hostileName), { recursive: true });
    writeFileSync(hostileName, 'apiVersion: patchctl/v1\nkind: PatchException\nmetadata: [\n');
    try {
      const github = await patchctl(['validate', '--format', 'github'], { GITHUB_ACTIONS: 'true' });
      expect(github.code).toBe(3);
      const lines = github.stdout.split('\n').filter((l) => l !== '');
      expect(lines.length).toBeGreaterThan(0);
      // Every line is one of patchctl's own annotations, whole: nothing else became a command.
      for (const line of lines)
        expect(line).toMatch(/^::(error|warning) (file=[^:,]*,line=\d+,col=\d+,)?title=patchctl [a-z-]+::/);
      expect(CONTROL.exec(github.stdout)).toBeNull();
      expect(github.stdout).toContain('%0A%3A%3Aerror%3A%3Afake');

      const text = await patchctl(['validate'], { GITHUB_ACTIONS: 'true' });
      expect(text.code).toBe(3);
      expectClean('validate text', text.stdout + text.stderr);
      expect(text.stdout).toContain('x\\x1b[2J\\x1b[8m\\n::error::fake ##\\u005berror]y\\u202e.yaml');
    } finally {
      rmSync(hostileName);
    }
  }, 60_000);
});
