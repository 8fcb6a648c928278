import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Plan } from '../core/plan/types.js';
import { InputFileError, StalePlanError } from '../errors.js';
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
    writeFileSync(file, JSON.stringify({ ...aPlan(), summary: {} }));
    expect(() => readPlanFile(file)).toThrow(/is not a valid plan: \/summary/);
    expect(() => readPlanFile(path.join(dir, 'missing.json'))).toThrow(/cannot read plan .*ENOENT/);
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
