import { spawnSync } from 'node:child_process';
import {
  existsSync,
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
import { checkRolloutStateFile } from '../core/state/check-state.js';
import type { RingProgress, RolloutState } from '../core/state/types.js';
import { InputFileError } from '../errors.js';
import { bundledStateSchemas } from './load-state.js';
import { nextRingProgress, recordRingEvent, serialiseRolloutState } from './rollout-state.js';

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const OTHER_DIGEST = `sha256:${'cd'.repeat(32)}`;
const T1 = '2026-12-01T02:00:00Z';
const T2 = '2026-12-01T03:10:00Z';
const T3 = '2026-12-02T02:05:00Z';

describe('nextRingProgress', () => {
  const started: RingProgress = { status: 'in-progress', startedAt: T1 };

  it('starts a ring: in progress since the event, whatever came before', () => {
    expect(nextRingProgress(undefined, { kind: 'started', at: T1 })).toStrictEqual(started);
    const halted: RingProgress = {
      status: 'halted',
      startedAt: T1,
      finishedAt: T2,
      failures: 2,
      haltedReason: 'x',
    };
    expect(nextRingProgress(halted, { kind: 'started', at: T3 })).toStrictEqual({
      status: 'in-progress',
      startedAt: T3,
    });
  });

  it('completes a started ring: keeps startedAt, sets finishedAt, healthySince and failures', () => {
    expect(nextRingProgress(started, { kind: 'completed', at: T2, failures: 1 })).toStrictEqual({
      status: 'completed',
      startedAt: T1,
      finishedAt: T2,
      healthySince: T2,
      failures: 1,
    });
  });

  it('completes a ring it never saw start without inventing a startedAt', () => {
    expect(nextRingProgress(undefined, { kind: 'completed', at: T2, failures: 0 })).toStrictEqual({
      status: 'completed',
      finishedAt: T2,
      healthySince: T2,
      failures: 0,
    });
  });

  it('halts with the reason and no healthySince', () => {
    const halted = nextRingProgress(started, {
      kind: 'halted',
      at: T2,
      failures: 3,
      reason: 'failure budget exceeded: 3 of 4 hosts failed',
    });
    expect(halted).toStrictEqual({
      status: 'halted',
      startedAt: T1,
      finishedAt: T2,
      failures: 3,
      haltedReason: 'failure budget exceeded: 3 of 4 hosts failed',
    });
  });

  it('keeps an unfinished ring in progress, with its start and the failures so far', () => {
    expect(nextRingProgress(started, { kind: 'unfinished', at: T2, failures: 1 })).toStrictEqual({
      status: 'in-progress',
      startedAt: T1,
      failures: 1,
    });
    expect(nextRingProgress(undefined, { kind: 'unfinished', at: T2, failures: 0 })).toStrictEqual({
      status: 'in-progress',
      failures: 0,
    });
  });
});

describe('serialiseRolloutState', () => {
  it('writes fixed key orders, rings sorted by name, two-space JSON ending in a newline', () => {
    // Keys deliberately given out of order.
    const state = {
      rings: {
        pilot: { failures: 0, startedAt: T1, status: 'in-progress' },
        broad: { status: 'pending' },
        canary: { healthySince: T2, failures: 0, finishedAt: T2, startedAt: T1, status: 'completed' },
      },
      updatedAt: T2,
      planDigest: DIGEST,
      rollout: 'standard',
      formatVersion: 1,
    } as RolloutState;
    const text = serialiseRolloutState(state);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toBe(`${JSON.stringify(JSON.parse(text), null, 2)}\n`);
    const body = JSON.parse(text) as RolloutState;
    expect(Object.keys(body)).toEqual(['formatVersion', 'rollout', 'planDigest', 'updatedAt', 'rings']);
    expect(Object.keys(body.rings)).toEqual(['broad', 'canary', 'pilot']);
    expect(Object.keys(body.rings.canary ?? {})).toEqual([
      'status',
      'startedAt',
      'finishedAt',
      'healthySince',
      'failures',
    ]);
    expect(Object.keys(body.rings.pilot ?? {})).toEqual(['status', 'startedAt', 'failures']);
    expect(body).toEqual(state);
  });

  it('leaves out a missing planDigest and undefined ring fields', () => {
    const text = serialiseRolloutState({
      formatVersion: 1,
      rollout: 'r',
      updatedAt: T1,
      rings: { a: { status: 'halted', startedAt: undefined, haltedReason: 'why', failures: 2 } },
    });
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(body)).toEqual(['formatVersion', 'rollout', 'updatedAt', 'rings']);
    expect(body.rings).toStrictEqual({ a: { status: 'halted', failures: 2, haltedReason: 'why' } });
  });

  it('is read back unchanged by the state checker', () => {
    const state: RolloutState = {
      formatVersion: 1,
      rollout: 'standard',
      planDigest: DIGEST,
      updatedAt: T2,
      rings: {
        canary: { status: 'completed', startedAt: T1, finishedAt: T2, healthySince: T2, failures: 0 },
      },
    };
    const read = checkRolloutStateFile(
      'state/rollouts/standard.json',
      serialiseRolloutState(state),
      bundledStateSchemas(),
    );
    expect(read.diagnostics).toEqual([]);
    expect(read.state).toEqual(state);
  });
});

describe('recordRingEvent', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'patchctl-rollout-state-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const fileOf = (rel: string): string => path.join(dir, rel);
  const read = (rel: string): RolloutState => JSON.parse(readFileSync(fileOf(rel), 'utf8')) as RolloutState;
  const checked = (rel: string) =>
    checkRolloutStateFile(rel, readFileSync(fileOf(rel), 'utf8'), bundledStateSchemas());

  it('creates state/rollouts/<rollout>.json for the first event, schema-valid', () => {
    const rel = recordRingEvent(dir, 'state', 'standard', 'canary', DIGEST, { kind: 'started', at: T1 });
    expect(rel).toBe('state/rollouts/standard.json');
    expect(read(rel)).toStrictEqual({
      formatVersion: 1,
      rollout: 'standard',
      planDigest: DIGEST,
      updatedAt: T1,
      rings: { canary: { status: 'in-progress', startedAt: T1 } },
    });
    const c = checked(rel);
    expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(c.state).toBeDefined();
    // Written atomically: no temp file left behind.
    expect(readdirSync(path.join(dir, 'state', 'rollouts'))).toEqual(['standard.json']);
  });

  it('updates an existing file: the ring moves on, other rings are kept, digest and time are new', () => {
    const rel = recordRingEvent(dir, 'state', 'standard', 'canary', OTHER_DIGEST, {
      kind: 'started',
      at: T1,
    });
    recordRingEvent(dir, 'state', 'standard', 'canary', OTHER_DIGEST, {
      kind: 'completed',
      at: T2,
      failures: 0,
    });
    recordRingEvent(dir, 'state', 'standard', 'pilot', DIGEST, { kind: 'started', at: T3 });
    expect(read(rel)).toStrictEqual({
      formatVersion: 1,
      rollout: 'standard',
      planDigest: DIGEST,
      updatedAt: T3,
      rings: {
        canary: { status: 'completed', startedAt: T1, finishedAt: T2, healthySince: T2, failures: 0 },
        pilot: { status: 'in-progress', startedAt: T3 },
      },
    });
    const c = checked(rel);
    expect(c.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    expect(c.diagnostics).toEqual([]);
  });

  it('keeps the startedAt of the file when a ring halts in a later run', () => {
    const rel = recordRingEvent(dir, 'state', 'standard', 'pilot', DIGEST, { kind: 'started', at: T1 });
    recordRingEvent(dir, 'state', 'standard', 'pilot', DIGEST, {
      kind: 'halted',
      at: T3,
      failures: 2,
      reason: 'failure budget exceeded',
    });
    expect(read(rel).rings.pilot).toStrictEqual({
      status: 'halted',
      startedAt: T1,
      finishedAt: T3,
      failures: 2,
      haltedReason: 'failure budget exceeded',
    });
    expect(checked(rel).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('keeps one file per rollout, under the configured state folder', () => {
    const a = recordRingEvent(dir, path.join('data', 'state'), 'linux', 'canary', DIGEST, {
      kind: 'started',
      at: T1,
    });
    const b = recordRingEvent(dir, path.join('data', 'state'), 'windows', 'canary', DIGEST, {
      kind: 'started',
      at: T2,
    });
    expect([a, b]).toEqual(['data/state/rollouts/linux.json', 'data/state/rollouts/windows.json']);
    expect(read(a).rollout).toBe('linux');
    expect(read(b).rollout).toBe('windows');
    expect(existsSync(path.join(dir, 'state'))).toBe(false);
  });

  it('replaces a file it cannot read instead of failing', () => {
    mkdirSync(path.join(dir, 'state', 'rollouts'), { recursive: true });
    writeFileSync(path.join(dir, 'state', 'rollouts', 'standard.json'), '{"formatVersion": 1, "roll');
    const rel = recordRingEvent(dir, 'state', 'standard', 'canary', DIGEST, { kind: 'started', at: T1 });
    expect(read(rel).rings).toStrictEqual({ canary: { status: 'in-progress', startedAt: T1 } });
    expect(checked(rel).diagnostics).toEqual([]);
  });

  it('makes no path of a rollout name that is not one: nothing is written outside the repository', () => {
    // Before: a plan's ring with rollout "../../../../outside" wrote a file outside the repository.
    for (const rollout of ['../../../../outside', '../x', 'a/b', '', '.hidden', 'x\u0000y']) {
      expect(() =>
        recordRingEvent(dir, 'state', rollout, 'canary', DIGEST, { kind: 'started', at: T1 }),
      ).toThrow(InputFileError);
    }
    expect(() =>
      recordRingEvent(
        dir,
        'state',
        'ok',
        'canary',
        DIGEST,
        { kind: 'started', at: T1 },
        {
          index: -1,
          count: 2,
        },
      ),
    ).toThrow(/is not a shard/);
    expect(readdirSync(dir)).toEqual([]);
    expect(existsSync(path.join(path.dirname(dir), 'outside.json'))).toBe(false);
  });

  it('reads only a regular file inside the repository: a FIFO or a link out of it is refused', () => {
    mkdirSync(path.join(dir, 'state', 'rollouts'), { recursive: true });
    const fifo = path.join(dir, 'state', 'rollouts', 'standard.json');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // Before: readFileSync blocked for ever on the FIFO.
    expect(() =>
      recordRingEvent(dir, 'state', 'standard', 'canary', DIGEST, { kind: 'started', at: T1 }),
    ).toThrow('state/rollouts/standard.json is a named pipe (FIFO), not a regular file');
    const outside = mkdtempSync(path.join(tmpdir(), 'patchctl-outside-'));
    try {
      writeFileSync(path.join(outside, 'x.json'), '{}');
      symlinkSync(path.join(outside, 'x.json'), path.join(dir, 'state', 'rollouts', 'linked.json'));
      expect(() =>
        recordRingEvent(dir, 'state', 'linked', 'canary', DIGEST, { kind: 'started', at: T1 }),
      ).toThrow(/state\/rollouts\/linked\.json leads out of .* through a symbolic link/);
      expect(readFileSync(path.join(outside, 'x.json'), 'utf8')).toBe('{}');
    } finally {
      rmSync(outside, { recursive: true, force: true });
    }
  });
});

describe('ring progress for per-update gating and releases (issue 13)', () => {
  const started = nextRingProgress(undefined, { kind: 'started', at: T1 });

  it('records what the ring ran at completion and the hosts that failed; keeps both across later events', () => {
    const done = nextRingProgress(started, {
      kind: 'completed',
      at: T2,
      failures: 1,
      versions: { deb: { 'zlib1g:amd64': '1:1.2.13', 'openssl:amd64': '3.0.17-1' } },
      failedHosts: ['web-2', 'web-1', 'web-2'],
    });
    expect(done).toMatchObject({
      status: 'completed',
      failedHosts: ['web-1', 'web-2'],
      versions: { deb: { 'openssl:amd64': '3.0.17-1', 'zlib1g:amd64': '1:1.2.13' } },
    });
    expect(Object.keys(done.versions?.deb ?? {})).toEqual(['openssl:amd64', 'zlib1g:amd64']);
    // A new wave: in progress, then halted; what the ring ran at its last completion stays.
    const again = nextRingProgress(done, { kind: 'started', at: T3 });
    expect(again.versions).toEqual(done.versions);
    const halted = nextRingProgress(again, {
      kind: 'halted',
      at: T3,
      failures: 1,
      reason: 'failure budget exceeded',
      failedHosts: ['web-3'],
    });
    expect(halted).toMatchObject({ status: 'halted', failedHosts: ['web-3'], versions: done.versions });
  });

  it('a release puts a halted ring back in progress, recording who, when, why and the halt it cleared', () => {
    const halted = nextRingProgress(started, { kind: 'halted', at: T2, failures: 2, reason: 'budget' });
    const released = nextRingProgress(halted, {
      kind: 'released',
      at: T3,
      by: 'ops@laptop',
      reason: 'checked',
    });
    expect(released).toEqual({
      status: 'in-progress',
      startedAt: T1,
      failures: 2,
      released: { at: T3, by: 'ops@laptop', reason: 'checked', haltedReason: 'budget' },
    });
  });

  it('writes the new fields schema-valid and in a stable order', () => {
    const state: RolloutState = {
      formatVersion: 1,
      rollout: 'servers',
      updatedAt: T3,
      rings: {
        canary: {
          released: { reason: 'checked', by: 'ops@laptop', at: T3 },
          failedHosts: ['web-1'],
          versions: { rpm: { 'b:x86_64': '2-1' }, deb: { z: '1', a: '2' } },
          status: 'in-progress',
        },
      },
    };
    const text = serialiseRolloutState(state);
    expect(text.indexOf('"deb"')).toBeLessThan(text.indexOf('"rpm"'));
    expect(text.indexOf('"a"')).toBeLessThan(text.indexOf('"z"'));
    const read = checkRolloutStateFile('state/rollouts/servers.json', text, bundledStateSchemas());
    expect(read.diagnostics).toEqual([]);
    expect(read.state?.rings.canary).toEqual(state.rings.canary);
  });
});
