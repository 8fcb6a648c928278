// Property tests: random single-file mutations of base/ never crash `patchctl validate`, every
// diagnostic points at a real place in the repository, and the mutations that are certainly
// invalid fail with exit 3 and an error in the mutated file (on the mutated line where that is
// where the problem is). Fixed seed, about 200 runs in all.
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { JsonDiagnostic } from './harness.js';
import {
  BASE_DIR,
  STACK_TRACE,
  brief,
  misplacedDiagnostics,
  scratchCopy,
  snapshotTree,
  validateInProcess,
} from './harness.js';

// MUTATION_SEED and MUTATION_RUNS (a multiplier) search further than the default, e.g. before a release.
const SEED = Number(process.env.MUTATION_SEED ?? 20261201);
const RUNS = Number(process.env.MUTATION_RUNS ?? 1);

// ------------------------------------------------------------------------------ reading base/

/** One `key: value` line of a YAML file of base/, with what the mutations need to know about it. */
interface Site {
  file: string;
  /** 0-based line index. */
  line: number;
  indent: number;
  /** The line starts a sequence item (`- key: value`). */
  dash: boolean;
  key: string;
  /** Text after `key: ` (empty for a key whose value is on the following lines). */
  value: string;
  /** Keys of the enclosing mappings, outermost first. */
  parents: string[];
  /** The kind of the document the line is in. */
  kind: string;
}

function listFiles(dir: string, rel = ''): string[] {
  return readdirSync(path.join(dir, rel))
    .sort()
    .flatMap((name) => {
      const child = rel === '' ? name : `${rel}/${name}`;
      return statSync(path.join(dir, child)).isDirectory() ? listFiles(dir, child) : [child];
    });
}

const LINE = /^( *)(- )?([A-Za-z][A-Za-z0-9_]*):(?: (.*))?$/;

function sitesOf(file: string, text: string): Site[] {
  const lines = text.split('\n');
  // Kind of each line's document (documents are separated by `---`).
  const kinds: string[] = [];
  let start = 0;
  for (let i = 0; i <= lines.length; i++) {
    if (i === lines.length || lines[i] === '---') {
      const kindLine = lines.slice(start, i).find((l) => l.startsWith('kind: '));
      const kind = kindLine ? kindLine.slice('kind: '.length).trim() : '';
      for (let j = start; j < i; j++) kinds[j] = kind;
      start = i + 1;
    }
  }
  const sites: Site[] = [];
  const stack: { col: number; key: string }[] = [];
  lines.forEach((text, line) => {
    const m = LINE.exec(text);
    if (!m) return;
    const indent = (m[1] ?? '').length;
    const dash = m[2] !== undefined;
    const key = m[3] ?? '';
    const value = (m[4] ?? '').trim();
    const col = indent + (dash ? 2 : 0);
    while (stack.length > 0 && (stack[stack.length - 1]?.col ?? -1) >= (dash ? indent : col)) stack.pop();
    sites.push({
      file,
      line,
      indent,
      dash,
      key,
      value,
      parents: stack.map((s) => s.key),
      kind: kinds[line] ?? '',
    });
    if (value === '') stack.push({ col, key });
  });
  return sites;
}

const FILES = listFiles(BASE_DIR);
const YAML_FILES = FILES.filter((f) => f.endsWith('.yaml'));
const TEXT: Record<string, string> = Object.fromEntries(
  FILES.map((f) => [f, readFileSync(path.join(BASE_DIR, f), 'utf8')]),
);
const SITES: Site[] = YAML_FILES.flatMap((f) => sitesOf(f, TEXT[f] ?? ''));

const parentOf = (s: Site): string => s.parents[s.parents.length - 1] ?? '';

/** Fields whose value is free text (or a path), where any string may be valid. */
function isFreeText(s: Site): boolean {
  if (['description', 'reason', 'ticket', 'identityFile', 'authorName', 'authorEmail'].includes(s.key))
    return true;
  if (s.key === 'owner' && !['labels', 'matchLabels'].includes(parentOf(s))) return true;
  return parentOf(s) === 'paths';
}

/** Required fields written on one line: deleting the line leaves the document invalid. */
function isRequiredLine(s: Site): boolean {
  if (s.value === '') return false;
  if (s.parents.length === 0) return s.key === 'apiVersion' || s.key === 'kind';
  const parent = parentOf(s);
  if (parent === 'metadata') return s.key === 'name';
  if (s.dash && parent === 'hosts' && s.key === 'name') return true;
  if (s.dash && parent === 'rings' && s.key === 'name') return true;
  if (parent === 'pins') return s.key === 'package' || s.key === 'version';
  if (parent === 'matchExpressions') return s.key === 'key' || s.key === 'operator';
  if (['pre', 'post', 'healthCheck'].includes(parent)) return s.key === 'command';
  if (parent === 'spec' && s.kind === 'MaintenanceWindow')
    return ['timezone', 'duration', 'groups'].includes(s.key);
  if (parent === 'spec' && s.kind === 'PatchException') return ['reason', 'owner', 'expires'].includes(s.key);
  return false;
}

/** References to other documents, hosts or feeds, with the items of their flow lists. */
function isReference(s: Site): boolean {
  const p = parentOf(s);
  switch (s.kind) {
    case 'Group':
      return p === 'spec' && ['hosts', 'exclude', 'groups', 'excludeGroups'].includes(s.key);
    case 'Rollout':
      return (p === 'rings' && s.key === 'groups') || (p === 'spec' && s.key === 'appliesTo');
    case 'MaintenanceWindow':
    case 'Blackout':
      return p === 'spec' && s.key === 'groups';
    case 'PatchPolicy':
      return (
        (p === 'appliesTo' && s.key === 'groups') ||
        (p === 'spec' && (s.key === 'windows' || s.key === 'rollout')) ||
        (p === 'emergency' && s.key === 'feeds')
      );
    case 'PatchException':
      return p === 'spec' && (s.key === 'hosts' || s.key === 'groups');
    default:
      return false;
  }
}

const SCALAR_SITES = SITES.filter((s) => s.value !== '' && !s.value.startsWith('#'));
const STRICT_SCALAR_SITES = SCALAR_SITES.filter((s) => !isFreeText(s));
const REQUIRED_SITES = SITES.filter(isRequiredLine);
const KEY_SITES = SITES.filter((s) => !s.dash);
const REFERENCE_SITES = SITES.filter((s) => isReference(s) && s.value !== '');
const INDENTED_LINES = YAML_FILES.flatMap((file) =>
  (TEXT[file] ?? '')
    .split('\n')
    .map((text, line) => ({ file, line, text }))
    .filter((l) => /^ {2,}\S/.test(l.text) && !l.text.trimStart().startsWith('#')),
);

// ------------------------------------------------------------------------------ mutations

interface Mutation {
  /** What was done, for the failure message. */
  label: string;
  file: string;
  text: string;
  /** The result is invalid whatever else holds. */
  certain: boolean;
  /** When certain: an error must be on one of these 1-based lines of `file` (undefined: anywhere in it). */
  lines?: readonly number[];
}

const lines = (text: string): string[] => text.split('\n');
const replaceLine = (text: string, index: number, by: string[]): string => {
  const all = lines(text);
  all.splice(index, 1, ...by);
  return all.join('\n');
};
const lineText = (s: Site): string => lines(TEXT[s.file] ?? '')[s.line] ?? '';
const keyPrefix = (s: Site): string => `${' '.repeat(s.indent)}${s.dash ? '- ' : ''}${s.key}:`;

const META = [';', '|', '&', '&&', '$(id)', '`id`', '>', '<', '\n', '$HOME', ';reboot'];

/** Any scalar (or flow list) of a field with a safe pattern replaced by a string with a shell metacharacter. */
const metacharMutation: fc.Arbitrary<Mutation> = fc
  .tuple(
    fc.constantFrom(...STRICT_SCALAR_SITES),
    fc.constantFrom(...META),
    fc.constantFrom('fra', 'x', 'web-01'),
  )
  .map(([s, meta, word]) => {
    const value = JSON.stringify(`${word}${meta}${word}`);
    return {
      label: `${s.file}:${s.line + 1} ${s.key}: ${s.value} → ${value}`,
      file: s.file,
      text: replaceLine(TEXT[s.file] ?? '', s.line, [`${keyPrefix(s)} ${value}`]),
      certain: true,
      lines: [s.line + 1],
    };
  });

/** The same in a free-text field: may be valid. */
const freeTextMutation: fc.Arbitrary<Mutation> = fc
  .tuple(fc.constantFrom(...SCALAR_SITES.filter(isFreeText)), fc.constantFrom(...META))
  .map(([s, meta]) => ({
    label: `${s.file}:${s.line + 1} ${s.key} (free text) → ${JSON.stringify(meta)}`,
    file: s.file,
    text: replaceLine(TEXT[s.file] ?? '', s.line, [`${keyPrefix(s)} ${JSON.stringify(`x${meta}x`)}`]),
    certain: false,
  }));

/** A required field's line deleted: the problem is reported at the enclosing mapping, or as a YAML error. */
const deleteRequiredMutation: fc.Arbitrary<Mutation> = fc.constantFrom(...REQUIRED_SITES).map((s) => ({
  label: `${s.file}:${s.line + 1} deleted (${lineText(s).trim()})`,
  file: s.file,
  text: replaceLine(TEXT[s.file] ?? '', s.line, []),
  certain: true,
}));

/**
 * A `key:` line written twice: a duplicate key, reported at the copy, or (a known bug, see the
 * catalogue's yaml-duplicate-block-key) at the end of the original when its value is on the
 * following lines.
 */
const duplicateKeyMutation: fc.Arbitrary<Mutation> = fc.constantFrom(...KEY_SITES).map((s) => ({
  label: `${s.file}:${s.line + 1} duplicated (${lineText(s).trim()})`,
  file: s.file,
  text: replaceLine(TEXT[s.file] ?? '', s.line, [lineText(s), lineText(s)]),
  certain: true,
  lines: s.value === '' ? [s.line + 1, s.line + 2] : [s.line + 2],
}));

/** One name in a reference replaced by a name nothing defines. */
const renameReferenceMutation: fc.Arbitrary<Mutation> = fc
  .tuple(fc.constantFrom(...REFERENCE_SITES), fc.stringMatching(/^zz[a-z0-9]{1,8}$/), fc.nat())
  .map(([s, unknown, pick]) => {
    const items = s.value.startsWith('[')
      ? s.value
          .slice(1, -1)
          .split(',')
          .map((x) => x.trim())
      : [s.value];
    const index = pick % items.length;
    items[index] = unknown;
    const value = s.value.startsWith('[') ? `[${items.join(', ')}]` : unknown;
    return {
      label: `${s.file}:${s.line + 1} ${s.key}: ${s.value} → ${value}`,
      file: s.file,
      text: replaceLine(TEXT[s.file] ?? '', s.line, [`${keyPrefix(s)} ${value}`]),
      certain: true,
      lines: [s.line + 1],
    };
  });

/** A field no schema has, next to a one-line field (in a labels map it is a label with a number). */
const unknownFieldMutation: fc.Arbitrary<Mutation> = fc
  .tuple(fc.constantFrom(...SCALAR_SITES), fc.stringMatching(/^zz[A-Za-z]{1,8}$/))
  .map(([s, key]) => {
    const col = s.indent + (s.dash ? 2 : 0);
    return {
      label: `${s.file}: "${key}: 1" inserted after line ${s.line + 1}`,
      file: s.file,
      text: replaceLine(TEXT[s.file] ?? '', s.line, [lineText(s), `${' '.repeat(col)}${key}: 1`]),
      certain: true,
      lines: [s.line + 2],
    };
  });

/** The file cut in the middle of a line (YAML or JSON). A cut YAML file can still be valid. */
const truncateMutation: fc.Arbitrary<Mutation> = fc
  .tuple(
    fc.constantFrom(...FILES.filter((f) => f.endsWith('.yaml') || f.endsWith('.json'))),
    fc.double({ min: 0, max: 1, noNaN: true }),
  )
  .map(([file, where]) => {
    const text = TEXT[file] ?? '';
    // Offsets strictly inside a line: not at its start, not at its end.
    const inside: number[] = [];
    for (let i = 1; i < text.length; i++) if (text[i] !== '\n' && text[i - 1] !== '\n') inside.push(i);
    const offset = inside[Math.min(inside.length - 1, Math.floor(where * inside.length))] ?? 1;
    const cut = text.slice(0, offset);
    const json = file.endsWith('.json');
    // A prefix of a JSON object is never JSON: the error is where the text ends.
    return {
      label: `${file} cut after ${offset} characters`,
      file,
      text: cut,
      certain: json,
      ...(json ? { lines: [lines(cut).length] } : {}),
    };
  });

/** Random text (YAML punctuation, control characters, any Unicode) inserted anywhere in a YAML file. */
const garbageMutation: fc.Arbitrary<Mutation> = fc
  .tuple(
    fc.constantFrom(...YAML_FILES),
    fc.double({ min: 0, max: 1, noNaN: true }),
    fc.oneof(
      fc.string({ unit: fc.constantFrom(...'[]{}:,-?#&*!|>\'"%@`\t\n '.split('')), maxLength: 6 }),
      fc.string({ unit: 'binary', maxLength: 6 }),
    ),
  )
  .map(([file, where, junk]) => {
    const text = TEXT[file] ?? '';
    const offset = Math.floor(where * text.length);
    return {
      label: `${file}: ${JSON.stringify(junk)} inserted at offset ${offset}`,
      file,
      text: text.slice(0, offset) + junk + text.slice(offset),
      certain: false,
    };
  });

/** The indentation of a line replaced by a tab. */
const tabMutation: fc.Arbitrary<Mutation> = fc.constantFrom(...INDENTED_LINES).map((l) => ({
  label: `${l.file}:${l.line + 1} indented with a tab`,
  file: l.file,
  text: replaceLine(TEXT[l.file] ?? '', l.line, [`\t${l.text.trimStart()}`]),
  certain: true,
  lines: [l.line + 1],
}));

/** A value given an application tag. */
const customTagMutation: fc.Arbitrary<Mutation> = fc
  .tuple(fc.constantFrom(...SCALAR_SITES), fc.constantFrom('!custom', '!!python/object', '!!binary', '!Ref'))
  .map(([s, tag]) => ({
    label: `${s.file}:${s.line + 1} ${s.key}: ${tag} ${s.value}`,
    file: s.file,
    text: replaceLine(TEXT[s.file] ?? '', s.line, [`${keyPrefix(s)} ${tag} ${s.value}`]),
    certain: true,
    lines: [s.line + 1],
  }));

// ------------------------------------------------------------------------------ the property

/**
 * `exactColumns: false` only checks the line numbers of diagnostics in the mutated file: after
 * some syntax errors, positions later in the file drift up and may land past the end of a line
 * (a known bug: the catalogue's yaml-error-line-after-multiline-scalar and
 * yaml-error-shifts-later-documents). Lines only ever drift up, so they stay inside the file.
 */
async function check(m: Mutation, { exactColumns = true } = {}): Promise<void> {
  const scratch = scratchCopy();
  try {
    writeFileSync(path.join(scratch.repo, m.file), m.text);
    const before = snapshotTree(scratch.dir);
    const r = await validateInProcess(scratch.repo);
    const context = `${m.label}\nexit ${r.exitCode}\nstderr: ${r.stderr}\n${brief(r.diagnostics).join('\n')}`;
    // Never a crash: no exception out of main(), no internal error, no stack trace.
    if (r.exitCode === -1 || r.stderr !== '' || STACK_TRACE.test(r.stderr))
      throw new Error(`crash: ${context}`);
    if (r.exitCode !== 0 && r.exitCode !== 3) throw new Error(`exit ${r.exitCode}: ${context}`);
    const diagnostics: JsonDiagnostic[] = r.diagnostics ?? [];
    if (!r.diagnostics) throw new Error(`stdout is not JSON: ${context}`);
    const checkedExactly = exactColumns ? diagnostics : diagnostics.filter((d) => d.file !== m.file);
    const misplaced = misplacedDiagnostics(scratch.repo, checkedExactly);
    const lineCount = m.text.split('\n').length;
    for (const d of diagnostics) {
      if (d.file === m.file && (d.line === null || d.line < 1 || d.line > lineCount))
        misplaced.push(`${d.file}:${d.line}:${d.col} ${d.code}: line outside the file`);
    }
    if (misplaced.length > 0)
      throw new Error(`positions outside the files: ${misplaced.join('; ')}\n${context}`);
    if (JSON.stringify(snapshotTree(scratch.dir)) !== JSON.stringify(before))
      throw new Error(`wrote files: ${context}`);
    if ((r.exitCode === 3) !== diagnostics.some((d) => d.severity === 'error'))
      throw new Error(`exit code and errors disagree: ${context}`);
    if (!m.certain) return;
    if (r.exitCode !== 3) throw new Error(`accepted: ${context}`);
    const inFile = diagnostics.filter((d) => d.severity === 'error' && d.file === m.file);
    if (inFile.length === 0) throw new Error(`no error in ${m.file}: ${context}`);
    const wanted = m.lines;
    if (wanted && !inFile.some((d) => d.line !== null && wanted.includes(d.line)))
      throw new Error(`no error on line ${wanted.join(' or ')} of ${m.file}: ${context}`);
  } finally {
    scratch.remove();
  }
}

const property = (arb: fc.Arbitrary<Mutation>, numRuns: number, options: { exactColumns?: boolean } = {}) =>
  fc.assert(
    fc.asyncProperty(arb, (m) => check(m, options)),
    { seed: SEED, numRuns: Math.max(1, Math.round(numRuns * RUNS)) },
  );

describe('mutations of the base repository', () => {
  it('base/ was read as expected', () => {
    // Guards the generators: if base/ changes shape, the sites they draw from must not vanish.
    expect(YAML_FILES.length).toBeGreaterThanOrEqual(10);
    expect(STRICT_SCALAR_SITES.length).toBeGreaterThan(100);
    expect(REQUIRED_SITES.map((s) => s.key)).toEqual(
      expect.arrayContaining([
        'apiVersion',
        'kind',
        'name',
        'duration',
        'owner',
        'expires',
        'version',
        'operator',
      ]),
    );
    expect(new Set(REFERENCE_SITES.map((s) => s.key))).toEqual(
      new Set(['hosts', 'exclude', 'groups', 'excludeGroups', 'windows', 'rollout', 'feeds']),
    );
  });

  it('a shell metacharacter in any pattern-checked field is an error on that line', () =>
    property(metacharMutation, 35));
  it('a shell metacharacter in a free-text field never crashes', () => property(freeTextMutation, 10));
  it('a deleted required line is an error in that file', () => property(deleteRequiredMutation, 25));
  it('a duplicated key is an error on the copy', () => property(duplicateKeyMutation, 25));
  it('a reference to an unknown name is an error on that line', () => property(renameReferenceMutation, 25));
  it('an unknown field is an error on its line', () => property(unknownFieldMutation, 20));
  it('a file cut mid-line never crashes (and a cut JSON feed is an error on its last line)', () =>
    property(truncateMutation, 25));
  it('random text inserted anywhere never crashes', () =>
    property(garbageMutation, 30, { exactColumns: false }));
  it('a tab as indentation is an error on that line', () => property(tabMutation, 15));
  it('an application tag is an error on that line', () => property(customTagMutation, 15));
});
