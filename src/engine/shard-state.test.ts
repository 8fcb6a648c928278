import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
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

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const R1 = '20261201T010000Z-0000aaaa';
const R2 = '20261201T020000Z-0000bbbb';
/** One journal line: a run-started event of `runId`, as apply writes it. */
const started = (runId: string): string =>
  `${JSON.stringify({ type: 'run-started', at: '2026-12-01T01:00:00Z', runId, planDigest: DIGEST })}\n`;
const hostFinished = (runId: string, over: Record<string, unknown> = {}): string =>
  `${JSON.stringify({
    type: 'host-finished',
    at: '2026-12-01T01:05:00Z',
    runId,
    planDigest: DIGEST,
    host: 'web-01',
    ring: 'canary',
    status: 'patched',
    actions: [{ package: 'openssl', from: '3.0.15-1', to: '3.0.17-1' }],
    ...over,
  })}\n`;

/** Every path under `dir` with its size and modification time (links not followed). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const st = lstatSync(path.join(dir, name));
    out[name] = `${st.isFile() ? 'file' : st.isDirectory() ? 'dir' : 'other'} ${st.size} ${st.mtimeMs}`;
  }
  return out;
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
    write(one, `state/runs/${R1}.jsonl`, started(R1));
    write(one, 'state/rollouts/shards/servers.1-of-2.json', progress({ shard: { index: 1, count: 2 } }));
    write(two, 'state/hosts/db-01.json', hostJson('db-01', '2026-12-01T03:00:00Z'));
    write(two, `state/runs/${R2}.jsonl`, started(R2));
    write(two, 'state/apply.shard-2-of-2.lock', '{}');

    const merged = mergeStateFrom(dir, repository, [one, path.join(two, 'state')]);
    expect(merged.written.map((f) => path.relative(dir, f)).sort()).toEqual([
      'state/hosts/db-01.json',
      'state/hosts/web-01.json',
      'state/rollouts/shards/servers.1-of-2.json',
      `state/runs/${R1}.jsonl`,
      `state/runs/${R2}.jsonl`,
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
    write(dir, `state/runs/${R1}.jsonl`, started(R1));
    const job = checkout(dir);
    write(job, `state/runs/${R1}.jsonl`, started(R1) + hostFinished(R1));
    mergeStateFrom(dir, repository, [job]);
    expect(readFileSync(path.join(dir, `state/runs/${R1}.jsonl`), 'utf8')).toBe(
      started(R1) + hostFinished(R1),
    );
  });

  it('refuses conflicting copies and invalid files, naming them, and writes nothing', () => {
    const { dir, repository } = repo();
    write(dir, `state/runs/${R1}.jsonl`, started(R1));
    const job = checkout(dir);
    write(job, `state/runs/${R1}.jsonl`, started(R2).replace(R2, R1).replace('01:00:00', '01:00:01'));
    write(job, 'state/hosts/web-01.json', hostJson('web-01', '2026-12-01T02:00:00Z'));
    expect(() => mergeStateFrom(dir, repository, [job])).toThrow(UsageError);
    expect(() => mergeStateFrom(dir, repository, [job])).toThrow(
      `${path.join(dir, `state/runs/${R1}.jsonl`)} and ${path.join(job, `state/runs/${R1}.jsonl`)} differ`,
    );
    expect(existsSync(path.join(dir, 'state/hosts/web-01.json'))).toBe(false);

    const bad = checkout(dir);
    rmSync(path.join(bad, `state/runs/${R1}.jsonl`));
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

describe('mergeStateFrom: a shard checkout is not trusted', () => {
  /** Runs the merge, expecting it to refuse; returns the message. Nothing may have been written. */
  function refused(dir: string, repository: Repository, sources: string[]): string {
    const before = snapshot(path.join(dir, 'state'));
    let message = '';
    try {
      mergeStateFrom(dir, repository, sources);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).not.toBe('');
    expect(snapshot(path.join(dir, 'state'))).toEqual(before);
    return message;
  }

  it('never follows a link: runs/x.jsonl → a secret outside is refused, not copied', () => {
    const { dir, repository } = repo();
    const job = checkout(dir);
    const secret = path.join(scratch(), 'shadow');
    writeFileSync(secret, 'root:$6$secret:19000:0:99999:7:::\n');
    mkdirSync(path.join(job, 'state/runs'), { recursive: true });
    symlinkSync(secret, path.join(job, `state/runs/${R1}.jsonl`));
    write(job, 'state/hosts/web-01.json', hostJson('web-01', '2026-12-01T02:00:00Z'));
    const message = refused(dir, repository, [job]);
    expect(message).toContain(
      `${path.join(job, `state/runs/${R1}.jsonl`)}:1:1 error unsafe-shard-file: ${path.join(job, `state/runs/${R1}.jsonl`)} is a symbolic link: patchctl never follows links in a shard checkout`,
    );
    expect(message).not.toContain('$6$secret');
    // Not even a link that stays inside the checkout.
    rmSync(path.join(job, `state/runs/${R1}.jsonl`));
    write(job, 'state/runs/elsewhere.txt', started(R1));
    symlinkSync('elsewhere.txt', path.join(job, `state/runs/${R1}.jsonl`));
    expect(refused(dir, repository, [job])).toContain('is a symbolic link');
  });

  it('never follows a linked folder: hosts/, runs/, rollouts/ or the state folder itself', () => {
    const { dir, repository } = repo();
    const outside = scratch();
    write(outside, `${R1}.jsonl`, started(R1));
    write(outside, 'web-01.json', hostJson('web-01', '2026-12-01T02:00:00Z'));
    for (const [link, target] of [
      ['state/runs', outside],
      ['state/hosts', outside],
      ['state/rollouts', outside],
    ] as const) {
      const job = checkout(dir);
      rmSync(path.join(job, link), { recursive: true, force: true });
      mkdirSync(path.dirname(path.join(job, link)), { recursive: true });
      symlinkSync(target, path.join(job, link));
      expect(refused(dir, repository, [job])).toContain(`${path.join(job, link)} is a symbolic link`);
    }
    const job = checkout(dir);
    rmSync(path.join(job, 'state'), { recursive: true, force: true });
    mkdirSync(path.join(outside, 'hosts'));
    symlinkSync(outside, path.join(job, 'state'));
    expect(refused(dir, repository, [job])).toContain(`${path.join(job, 'state')} is a symbolic link`);
  });

  it('reads only regular files of a bounded size: a FIFO or a folder named like a journal is refused', () => {
    const { dir, repository } = repo();
    const job = checkout(dir);
    mkdirSync(path.join(job, 'state/runs'), { recursive: true });
    expect(spawnSync('mkfifo', [path.join(job, `state/runs/${R1}.jsonl`)]).status).toBe(0);
    mkdirSync(path.join(job, `state/runs/${R2}.jsonl`));
    write(job, 'state/hosts/db-01.json', `${' '.repeat(17 * 1024 * 1024)}{}`);
    const message = refused(dir, repository, [job]);
    expect(message).toContain(
      `${path.join(job, `state/runs/${R1}.jsonl`)} is a named pipe (FIFO), not a regular file`,
    );
    expect(message).toContain(
      `${path.join(job, `state/runs/${R2}.jsonl`)} is a directory, not a regular file`,
    );
    expect(message).toContain(`${path.join(job, 'state/hosts/db-01.json')} is larger than 16 MiB`);
  });

  it('refuses files whose names patchctl would not have written', () => {
    const { dir, repository } = repo();
    const job = checkout(dir);
    write(job, 'state/runs/notes.jsonl', started(R1));
    write(job, 'state/runs/x.plan.json', '{}');
    write(job, 'state/hosts/web 01.json', hostJson('web-01', '2026-12-01T02:00:00Z'));
    write(job, 'state/rollouts/shards/servers.json', progress({}));
    // Not state files, never read: left alone.
    write(job, 'state/runs/README.md', 'notes');
    write(job, 'state/hosts/.gitkeep', '');
    const message = refused(dir, repository, [job]);
    for (const rel of [
      'state/runs/notes.jsonl',
      'state/runs/x.plan.json',
      'state/hosts/web 01.json',
      'state/rollouts/shards/servers.json',
    ])
      expect(message).toContain(`${path.join(job, rel)} is not named as patchctl names its state files`);
    expect(message).not.toContain('README.md');
    expect(message).not.toContain('.gitkeep');
  });

  it('validates every journal line: wrong types or an unknown status refuse the merge at file:line:col', () => {
    const { dir, repository } = repo();
    const job = checkout(dir);
    const badTypes = hostFinished(R1, { actions: [{ package: 'openssl', from: 1, to: '2' }] });
    const unknown = hostFinished(R2, { status: 'done' });
    write(job, `state/runs/${R1}.jsonl`, started(R1) + badTypes);
    write(job, `state/runs/${R2}.jsonl`, started(R2) + unknown + started(R2));
    write(job, 'state/hosts/web-01.json', hostJson('web-01', '2026-12-01T02:00:00Z'));
    const message = refused(dir, repository, [job]);
    expect(message).toContain(
      `${path.join(job, `state/runs/${R1}.jsonl`)}:2:${badTypes.indexOf('1,"to"') + 1} error invalid-journal-event: actions[0].from must be of type string`,
    );
    expect(message).toContain(
      `${path.join(job, `state/runs/${R2}.jsonl`)}:2:${unknown.indexOf('"done"') + 1} error invalid-journal-event: status "done" must be one of patched,`,
    );
    // A last line cut short by a crash is what readers drop: it does not stop a merge.
    const cut = checkout(dir);
    write(cut, `state/runs/${R1}.jsonl`, started(R1) + hostFinished(R1).slice(0, 40));
    expect(mergeStateFrom(dir, repository, [cut]).written).toEqual([
      path.join(dir, `state/runs/${R1}.jsonl`),
    ]);
  });

  it('validates every saved plan against the plan schema, at file:line:col', () => {
    const { dir, repository } = repo();
    const job = checkout(dir);
    write(job, `state/runs/${R1}.plan.json`, '{\n  "formatVersion": 1,\n  "rings": "all"\n}\n');
    write(job, `state/runs/${R2}.plan.json`, '{"formatVersion": 1, "formatVersion": 1}');
    const message = refused(dir, repository, [job]);
    expect(message).toContain(
      `${path.join(job, `state/runs/${R1}.plan.json`)}:1:1 error invalid-plan: not a valid plan: the document is missing required field "createdAt"`,
    );
    expect(message).toContain(
      `${path.join(job, `state/runs/${R2}.plan.json`)}:1:22 error json-duplicate-key:`,
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
