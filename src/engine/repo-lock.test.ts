import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { RepoLockInfo } from './repo-lock.js';
import {
  RepoLockedError,
  acquireRepoLock,
  forceUnlock,
  processStartTime,
  readRepoLock,
  repoLockPath,
  stateDirOf,
} from './repo-lock.js';

const now = () => new Date('2026-11-23T09:00:00Z');
let root: string;
let stateDir: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'patchctl-repo-lock-'));
  stateDir = path.join(root, 'state');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function writeLock(overrides: Partial<RepoLockInfo>): RepoLockInfo {
  const info: RepoLockInfo = {
    formatVersion: 1,
    id: '1b2c3d4e-0000-4000-8000-000000000001',
    operation: 'apply',
    who: 'root@ci-7',
    hostname: 'ci-7',
    pid: 4242,
    pidStartTime: null,
    createdAt: '2026-11-22T09:00:00.000Z',
    runId: 'run-17',
    ...overrides,
  };
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(repoLockPath(stateDir), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

/** A pid that was alive a moment ago and is not any more. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', '']);
  expect(child.status).toBe(0);
  return child.pid;
}

describe('acquireRepoLock', () => {
  it('creates the state folder and a lock naming its holder, and release removes it', () => {
    const lock = acquireRepoLock(stateDir, { operation: 'apply', planDigest: 'sha256:ab', runId: 'r1' }, now);
    expect(lock.path).toBe(path.join(stateDir, 'apply.lock'));
    const onDisk = JSON.parse(readFileSync(lock.path, 'utf8')) as RepoLockInfo;
    expect(onDisk).toEqual(lock.info);
    expect(onDisk).toEqual({
      formatVersion: 1,
      id: lock.id,
      operation: 'apply',
      who: `${os.userInfo().username}@${os.hostname()}`,
      hostname: os.hostname(),
      pid: process.pid,
      pidStartTime: processStartTime(process.pid),
      createdAt: '2026-11-23T09:00:00.000Z',
      planDigest: 'sha256:ab',
      runId: 'r1',
    });
    expect(lock.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(lock.takenOverFrom).toBeUndefined();
    expect(readRepoLock(stateDir)).toEqual(lock.info);
    lock.release();
    expect(existsSync(lock.path)).toBe(false);
    expect(readRepoLock(stateDir)).toBeUndefined();
    lock.release(); // idempotent
    const again = acquireRepoLock(stateDir, { operation: 'apply' }, now);
    expect(again.id).not.toBe(lock.id);
    expect(again.info).not.toHaveProperty('planDigest');
    again.release();
  });

  it('refuses a second apply while the first holds the lock, naming the holder and the way out', () => {
    const first = acquireRepoLock(stateDir, { operation: 'apply', runId: 'run-1' }, now);
    let caught: unknown;
    try {
      acquireRepoLock(stateDir, { operation: 'apply' }, now);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(RepoLockedError);
    const err = caught as RepoLockedError;
    expect(err.exitCode).toBe(1);
    expect(err.holder).toEqual(first.info);
    expect(err.message).toBe(
      `the repository is locked by apply run run-1 (id ${first.id}, ${first.info.who}, pid ${process.pid}, ` +
        `since 2026-11-23T09:00:00.000Z); if that run is gone, remove the lock with: patchctl force-unlock ${first.id}`,
    );
    expect(readRepoLock(stateDir)?.id).toBe(first.id);
    first.release();
  });

  it('takes over a lock left on this host by a process that is gone', () => {
    const stale = writeLock({ hostname: os.hostname(), pid: deadPid() });
    const lock = acquireRepoLock(stateDir, { operation: 'apply' }, now);
    expect(lock.takenOverFrom).toEqual(stale);
    expect(readRepoLock(stateDir)?.id).toBe(lock.id);
    lock.release();
  });

  it('never takes over a lock from another host, even if its pid is unused here', () => {
    const foreign = writeLock({ hostname: 'elsewhere.example', pid: deadPid() });
    expect(() => acquireRepoLock(stateDir, { operation: 'apply' }, now)).toThrow(
      /locked by apply run run-17 \(id 1b2c3d4e-0000-4000-8000-000000000001, root@ci-7, pid \d+, since 2026-11-22T09:00:00.000Z\)/,
    );
    expect(readRepoLock(stateDir)).toEqual(foreign);
  });

  const startTime = processStartTime(process.pid);
  (startTime === null ? it.skip : it)(
    'treats a live pid with another start time as reused (stale), the same start time as held',
    () => {
      writeLock({ hostname: os.hostname(), pid: process.pid, pidStartTime: (startTime ?? 0) + 1 });
      const lock = acquireRepoLock(stateDir, { operation: 'apply' }, now);
      expect(lock.takenOverFrom?.pid).toBe(process.pid);
      lock.release();
      const held = writeLock({ hostname: os.hostname(), pid: process.pid, pidStartTime: startTime });
      expect(() => acquireRepoLock(stateDir, { operation: 'apply' }, now)).toThrow(RepoLockedError);
      expect(readRepoLock(stateDir)).toEqual(held);
    },
  );

  it('is blocked by a lock file it cannot read, and names the file', () => {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(repoLockPath(stateDir), '{ half a lo');
    expect(() => acquireRepoLock(stateDir, { operation: 'apply' }, now)).toThrow(
      `the repository lock ${repoLockPath(stateDir)} is unreadable (it is not valid JSON); check that no patchctl apply is running on this repository, then delete the file by hand`,
    );
    expect(readFileSync(repoLockPath(stateDir), 'utf8')).toBe('{ half a lo');
    writeFileSync(repoLockPath(stateDir), '{"hello": 1}');
    expect(() => readRepoLock(stateDir)).toThrow(/unreadable \(it is not a patchctl lock\)/);
  });

  it('release leaves alone a lock that is no longer ours', () => {
    const lock = acquireRepoLock(stateDir, { operation: 'apply' }, now);
    forceUnlock(stateDir, lock.id);
    const next = acquireRepoLock(stateDir, { operation: 'apply' }, now);
    lock.release();
    expect(readRepoLock(stateDir)?.id).toBe(next.id);
    next.release();
    expect(readRepoLock(stateDir)).toBeUndefined();
  });
});

describe('forceUnlock', () => {
  it('removes the lock only when given its id', () => {
    const held = writeLock({});
    expect(() => forceUnlock(stateDir, 'wrong-id')).toThrow(
      `the repository lock is not wrong-id: it is held by apply run run-17 (id ${held.id}, root@ci-7, pid 4242, since 2026-11-22T09:00:00.000Z); nothing was removed`,
    );
    expect(readRepoLock(stateDir)).toEqual(held);
    expect(forceUnlock(stateDir, held.id)).toEqual(held);
    expect(existsSync(repoLockPath(stateDir))).toBe(false);
  });

  it("finds a shard's lock by its id, next to the repository lock", () => {
    const held = writeLock({});
    const shard = acquireRepoLock(
      stateDir,
      { operation: 'apply', runId: 'r2', shard: { index: 2, count: 3 } },
      () => new Date(),
    );
    expect(path.basename(shard.path)).toBe('apply.shard-2-of-3.lock');
    expect(() => forceUnlock(stateDir, 'wrong-id')).toThrow(
      /no repository lock is wrong-id: they are held by apply run run-17 .*; apply run r2 of shard 2\/3 /,
    );
    expect(forceUnlock(stateDir, shard.id).shard).toBe('2/3');
    expect(existsSync(shard.path)).toBe(false);
    expect(readRepoLock(stateDir)).toEqual(held);
  });

  it('says so when there is no lock', () => {
    let caught: unknown;
    try {
      forceUnlock(stateDir, 'any');
    } catch (err) {
      caught = err;
    }
    expect((caught as Error).message).toMatch(/^there is no repository lock/);
    expect((caught as { exitCode: number }).exitCode).toBe(1);
  });
});

describe('stateDirOf', () => {
  it('follows paths.state and defaults to state/', () => {
    expect(stateDirOf('/r', { config: undefined })).toBe('/r/state');
    const config = { doc: { spec: { paths: { state: 'var/patch-state' } } } };
    expect(stateDirOf('/r', { config } as unknown as Parameters<typeof stateDirOf>[1])).toBe(
      '/r/var/patch-state',
    );
  });
});
