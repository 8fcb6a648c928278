import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import type { Repository } from '../core/model/repository.js';
import type { RolloutState } from '../core/state/types.js';
import { aHostState } from '../test-support/state-builder.js';
import { ConfigError, UsageError } from '../errors.js';
import { loadRepository } from './load-repo.js';
import { loadObservedState } from './load-state.js';
import { acquireRepoLock } from './repo-lock.js';
import { serialiseRolloutState } from './rollout-state.js';
import { foldShardProgress, mergeStateFrom } from './shard-state.js';

const AT = DateTime.fromISO('2026-12-01T00:00:00Z', { zone: 'UTC' });
const dirs: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function scratch(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'patchctl-shard-state-'));
  dirs.push(dir);
  return dir;
}

function write(dir: string, rel: string, text: string): void {
  mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  writeFileSync(path.join(dir, rel), text);
}

/** A repository with two hosts and one rollout of two rings. */
function repo(): { dir: string; repository: Repository } {
  const dir = scratch();
  write(dir, 'patchctl.yaml', 'apiVersion: patchctl/v1\nkind: Config\nmetadata:\n  name: lab\nspec: {}\n');
  write(
    dir,
    'inventory/lab.yaml',
    'apiVersion: patchctl/v1\nkind: Inventory\nmetadata:\n  name: lab\nspec:\n  hosts:\n    - name: web-01\n      address: 192.0.2.10\n    - name: db-01\n      address: 192.0.2.11\n',
  );
  write(
    dir,
    'rollouts/servers.yaml',
    'apiVersion: patchctl/v1\nkind: Rollout\nmetadata:\n  name: servers\nspec:\n  rings:\n    - name: canary\n      percent: 50\n    - name: broad\n      rest: true\n',
  );
  return { dir, repository: loadRepository(dir, { at: AT }).repository };
}

const hostJson = (host: string, scannedAt: string): string =>
  `${JSON.stringify(aHostState(host, [], { scannedAt }), null, 2)}\n`;

function progress(over: Partial<RolloutState>): string {
  return serialiseRolloutState({
    formatVersion: 1,
    rollout: 'servers',
    updatedAt: '2026-12-01T01:00:00Z',
    rings: {},
    ...over,
  });
}

/** A shard job's checkout: a copy of the repository. */
function checkout(dir: string): string {
  const job = scratch();
  cpSync(dir, job, { recursive: true });
  return job;
}

describe('mergeStateFrom', () => {
  it("takes each shard's newer host state, journals and ring progress, and nothing else", () => {
    const { dir, repository } = repo();
    write(dir, 'state/hosts/web-01.json', hostJson('web-01', '2026-12-01T00:00:00Z'));
    write(dir, 'state/hosts/db-01.json', hostJson('db-01', '2026-12-01T00:00:00Z'));
    const one = checkout(dir);
    const two = checkout(dir);
    write(one, 'state/hosts/web-01.json', hostJson('web-01', '2026-12-01T02:00:00Z'));
    write(one, 'state/runs/r1.jsonl', '{"type":"run-started"}\n');
    write(one, 'state/rollouts/shards/servers.1-of-2.json', progress({ shard: { index: 1, count: 2 } }));
    write(two, 'state/hosts/db-01.json', hostJson('db-01', '2026-12-01T03:00:00Z'));
    write(two, 'state/runs/r2.jsonl', '{"type":"run-started"}\n');
    write(two, 'state/apply.shard-2-of-2.lock', '{}');

    const merged = mergeStateFrom(dir, repository, [one, path.join(two, 'state')]);
    expect(merged.written.map((f) => path.relative(dir, f)).sort()).toEqual([
      'state/hosts/db-01.json',
      'state/hosts/web-01.json',
      'state/rollouts/shards/servers.1-of-2.json',
      'state/runs/r1.jsonl',
      'state/runs/r2.jsonl',
    ]);
    expect(merged.sources).toEqual([
      { dir: one, hosts: 1, runs: 1, rollouts: 1 },
      { dir: path.join(two, 'state'), hosts: 1, runs: 1, rollouts: 0 },
    ]);
    expect(readFileSync(path.join(dir, 'state/hosts/db-01.json'), 'utf8')).toContain('2026-12-01T03:00:00Z');
    expect(existsSync(path.join(dir, 'state/apply.shard-2-of-2.lock'))).toBe(false);
    // A second merge of the same shards changes nothing.
    expect(mergeStateFrom(dir, repository, [one, two]).written).toEqual([]);
  });

  it('keeps the longer of two copies of a journal (it is only appended to)', () => {
    const { dir, repository } = repo();
    write(dir, 'state/runs/r1.jsonl', 'a\n');
    const job = checkout(dir);
    write(job, 'state/runs/r1.jsonl', 'a\nb\n');
    mergeStateFrom(dir, repository, [job]);
    expect(readFileSync(path.join(dir, 'state/runs/r1.jsonl'), 'utf8')).toBe('a\nb\n');
  });

  it('refuses conflicting copies and invalid files, naming them, and writes nothing', () => {
    const { dir, repository } = repo();
    write(dir, 'state/runs/r1.jsonl', 'a\n');
    const job = checkout(dir);
    write(job, 'state/runs/r1.jsonl', 'b\n');
    write(job, 'state/hosts/web-01.json', hostJson('web-01', '2026-12-01T02:00:00Z'));
    expect(() => mergeStateFrom(dir, repository, [job])).toThrow(UsageError);
    expect(() => mergeStateFrom(dir, repository, [job])).toThrow(
      `${path.join(dir, 'state/runs/r1.jsonl')} and ${path.join(job, 'state/runs/r1.jsonl')} differ`,
    );
    expect(existsSync(path.join(dir, 'state/hosts/web-01.json'))).toBe(false);

    const bad = checkout(dir);
    rmSync(path.join(bad, 'state/runs/r1.jsonl'));
    write(bad, 'state/hosts/db-01.json', '{\n  "formatVersion": 1,\n  "host": 7\n}\n');
    try {
      mergeStateFrom(dir, repository, [bad]);
      throw new Error('merged an invalid file');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).message).toContain(`${path.join(bad, 'state/hosts/db-01.json')}:3:`);
    }
    expect(existsSync(path.join(dir, 'state/hosts/db-01.json'))).toBe(false);
  });

  it('refuses a folder that is neither a checkout nor a state folder', () => {
    const { dir, repository } = repo();
    expect(() => mergeStateFrom(dir, repository, [scratch()])).toThrow(
      /neither a checkout with state\/ nor a state folder/,
    );
  });
});

describe('foldShardProgress', () => {
  const canaryDone = (at: string) => ({
    status: 'completed' as const,
    startedAt: '2026-12-01T00:30:00Z',
    finishedAt: at,
    healthySince: at,
    failures: 0,
  });

  it("writes the shards' merged progress into the rollout file and removes theirs", () => {
    const { dir, repository } = repo();
    write(dir, 'state/rollouts/servers.json', progress({ updatedAt: '2026-12-01T00:00:00Z' }));
    for (const index of [1, 2])
      write(
        dir,
        `state/rollouts/shards/servers.${index}-of-2.json`,
        progress({
          shard: { index, count: 2 },
          updatedAt: `2026-12-01T0${index}:00:00Z`,
          rings: { canary: canaryDone(`2026-12-01T0${index}:00:00Z`) },
        }),
      );
    const before = loadObservedState(dir, repository).state.rollouts.get('servers');
    const fold = foldShardProgress(dir, repository);
    expect(fold.removed.map((f) => path.basename(f))).toEqual(['servers.1-of-2.json', 'servers.2-of-2.json']);
    expect(fold.written.map((f) => path.relative(dir, f))).toEqual(['state/rollouts/servers.json']);
    const main = JSON.parse(
      readFileSync(path.join(dir, 'state/rollouts/servers.json'), 'utf8'),
    ) as RolloutState;
    expect(main.rings.canary).toEqual({
      ...canaryDone('2026-12-01T02:00:00Z'),
      startedAt: '2026-12-01T00:30:00Z',
    });
    // Readers saw the same progress before the fold as after it.
    expect(loadObservedState(dir, repository).state.rollouts.get('servers')).toEqual(before);
  });

  it('leaves the files alone while a shard holds its lock here', () => {
    const { dir, repository } = repo();
    write(
      dir,
      'state/rollouts/shards/servers.1-of-2.json',
      progress({ shard: { index: 1, count: 2 }, rings: { canary: { status: 'in-progress' } } }),
    );
    const lock = acquireRepoLock(
      path.join(dir, 'state'),
      { operation: 'apply', shard: { index: 2, count: 2 } },
      () => new Date(),
    );
    try {
      const fold = foldShardProgress(dir, repository);
      expect(fold.skipped).toContain('apply.shard-2-of-2.lock');
      expect(existsSync(path.join(dir, 'state/rollouts/shards/servers.1-of-2.json'))).toBe(true);
    } finally {
      lock.release();
    }
    expect(foldShardProgress(dir, repository).removed).toHaveLength(1);
  });
});
