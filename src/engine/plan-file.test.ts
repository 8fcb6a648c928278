import { spawnSync } from 'node:child_process';
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Plan } from '../core/plan/types.js';
import { InputFileError, StalePlanError, UsageError } from '../errors.js';
import { digestInputs, diffInputs } from './inputs-digest.js';
import { assertPlanFresh, readPlanFile, serialisePlan, writePlanFile } from './plan-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-planfile-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const inputs = new Map([
  ['inventory/a.yaml', 'a'.repeat(64)],
  ['state/hosts/web-1.json', 'b'.repeat(64)],
]);
function aPlan(): Plan {
  const d = digestInputs(inputs);
  return {
    formatVersion: 1,
    createdAt: '2026-12-01T00:00:00Z',
    at: '2026-12-01T00:00:00Z',
    inputsDigest: d.digest,
    inputs: d.files,
    gitCommit: null,
    summary: { hosts: 0, hostsWithChanges: 0, updates: 0, reboots: 0, skipped: 0 },
    rings: [],
  };
}

/** The 1-based line of `file` on which `marker` first occurs. */
function lineOf(file: string, marker: string): number {
  const text = readFileSync(file, 'utf8');
  return text.slice(0, text.indexOf(marker)).split('\n').length;
}

describe('inputs digest', () => {
  it('does not depend on the order files were read in, and changes with any byte', () => {
    const a = digestInputs(inputs);
    const b = digestInputs(new Map([...inputs].reverse()));
    expect(a).toEqual(b);
    expect(a.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const c = digestInputs(new Map([...inputs, ['state/hosts/web-1.json', 'c'.repeat(64)]]));
    expect(c.digest).not.toBe(a.digest);
  });
  it('names changed, added and removed files', () => {
    expect(diffInputs({ a: '1', b: '2', c: '3' }, { a: '1', b: '9', d: '4' })).toEqual({
      changed: ['b'],
      added: ['d'],
      removed: ['c'],
    });
  });
});

describe('plan files', () => {
  it('round-trips through an atomic write', () => {
    const file = path.join(dir, 'plan.json');
    writePlanFile(file, aPlan());
    expect(readFileSync(file, 'utf8')).toBe(serialisePlan(aPlan()));
    expect(readPlanFile(file)).toEqual(aPlan());
  });
  it('refuses unknown format versions, non-plans and broken JSON, with the file named', () => {
    const file = path.join(dir, 'plan.json');
    writeFileSync(file, JSON.stringify({ ...aPlan(), formatVersion: 2 }));
    expect(() => readPlanFile(file)).toThrow(/plan format version 2; this patchctl reads version 1/);
    writeFileSync(file, '{"hello": 1}');
    expect(() => readPlanFile(file)).toThrow(/is not a patchctl plan/);
    writeFileSync(file, '{"formatVersion": 1');
    expect(() => readPlanFile(file)).toThrow(InputFileError);
    expect(() => readPlanFile(file)).toThrow(
      /plan\.json:1:20: not a plan: invalid JSON: unexpected end of file/,
    );
    writeFileSync(file, serialisePlan({ ...aPlan(), summary: {} as Plan['summary'] }));
    expect(() => readPlanFile(file)).toThrow(
      `${file}:${lineOf(file, '"summary"')}:14: not a valid plan: summary is missing required field "hosts" (and 4 more)`,
    );
    expect(() => readPlanFile(path.join(dir, 'missing.json'))).toThrow(/cannot read plan .*ENOENT/);
  });

  it('refuses a repeated key, at the second one: JSON readers disagree on which one counts', () => {
    const file = path.join(dir, 'plan.json');
    // A reviewer reading the diff sees the first inputsDigest; JSON.parse keeps the last.
    const text = serialisePlan(aPlan()).replace(
      '"gitCommit": null,',
      `"gitCommit": null,\n  "inputsDigest": "sha256:${'0'.repeat(64)}",`,
    );
    writeFileSync(file, text);
    expect(() => readPlanFile(file)).toThrow(
      `${file}:${lineOf(file, `"sha256:${'0'.repeat(64)}"`)}:3: not a plan: duplicate key "inputsDigest"`,
    );
  });

  it('refuses wrong types inside the plan at their line and column', () => {
    const file = path.join(dir, 'plan.json');
    const plan = aPlan();
    const text = serialisePlan(plan).replace('"hosts": 0', '"hosts": "0"');
    writeFileSync(file, text);
    expect(() => readPlanFile(file)).toThrow(
      `${file}:${lineOf(file, '"hosts": "0"')}:14: not a valid plan: summary.hosts must be of type integer`,
    );
  });

  it('reads only a regular file: a FIFO or a directory is refused without blocking', () => {
    const fifo = path.join(dir, 'plan.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(() => readPlanFile(fifo)).toThrow(`plan ${fifo} is a named pipe (FIFO), not a regular file`);
    mkdirSync(path.join(dir, 'plan-dir.json'));
    expect(() => readPlanFile(path.join(dir, 'plan-dir.json'))).toThrow(/is a directory, not a regular file/);
    // A link is followed (the user points at the plan), to a regular file only.
    writePlanFile(path.join(dir, 'real.json'), aPlan());
    symlinkSync(path.join(dir, 'real.json'), path.join(dir, 'link.json'));
    expect(readPlanFile(path.join(dir, 'link.json'))).toEqual(aPlan());
    symlinkSync('/dev/zero', path.join(dir, 'zero.json'));
    expect(() => readPlanFile(path.join(dir, 'zero.json'))).toThrow(
      /is a character device, not a regular file/,
    );
  });

  it('never replaces anything but a regular file: a FIFO, a link or a directory at --out stays', () => {
    const fifo = path.join(dir, 'out.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    expect(() => writePlanFile(fifo, aPlan())).toThrow(UsageError);
    expect(() => writePlanFile(fifo, aPlan())).toThrow(
      `${fifo} is a named pipe (FIFO): patchctl only ever replaces a regular file, so nothing was written`,
    );
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    const target = path.join(dir, 'target.txt');
    writeFileSync(target, 'keep me\n');
    symlinkSync(target, path.join(dir, 'out-link.json'));
    expect(() => writePlanFile(path.join(dir, 'out-link.json'), aPlan())).toThrow(
      /is a symbolic link: patchctl only ever replaces a regular file/,
    );
    expect(lstatSync(path.join(dir, 'out-link.json')).isSymbolicLink()).toBe(true);
    expect(readFileSync(target, 'utf8')).toBe('keep me\n');
    mkdirSync(path.join(dir, 'out-dir'));
    expect(() => writePlanFile(path.join(dir, 'out-dir'), aPlan())).toThrow(
      /is a directory: patchctl only ever replaces/,
    );
    // No temporary file is left behind either.
    expect(readdirSync(dir).sort()).toEqual(['out-dir', 'out-link.json', 'out.fifo', 'target.txt']);
    // A regular file is replaced as before.
    writeFileSync(path.join(dir, 'old.json'), 'old');
    writePlanFile(path.join(dir, 'old.json'), aPlan());
    expect(readPlanFile(path.join(dir, 'old.json'))).toEqual(aPlan());
  });
  it('accepts a fresh plan and refuses a stale one, naming what changed', () => {
    const plan = aPlan();
    expect(() => assertPlanFresh(plan, digestInputs(inputs))).not.toThrow();
    const now = digestInputs(
      new Map([
        ['inventory/a.yaml', 'f'.repeat(64)],
        ['groups/new.yaml', 'e'.repeat(64)],
      ]),
    );
    let error: unknown;
    try {
      assertPlanFresh(plan, now);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StalePlanError);
    expect((error as StalePlanError).message).toBe(
      'the plan is stale: its inputs changed since it was made (changed inventory/a.yaml, added groups/new.yaml, removed state/hosts/web-1.json); run patchctl plan again',
    );
    expect((error as StalePlanError).changedFiles).toEqual([
      'inventory/a.yaml',
      'groups/new.yaml',
      'state/hosts/web-1.json',
    ]);
  });
});
