import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { RepoLockInfo } from '../../engine/repo-lock.js';
import { acquireRepoLock, processStartTime, repoLockPath } from '../../engine/repo-lock.js';
import { captureIo } from '../../test-support/capture-io.js';
import { main } from '../main.js';

const starter = new URL('../../../examples/starter/', import.meta.url);
const now = () => new Date('2026-11-23T09:00:00Z');
let dir: string;
beforeEach(() => {
  dir = path.join(mkdtempSync(path.join(tmpdir(), 'patchctl-force-unlock-')), 'repo');
  cpSync(starter, dir, { recursive: true, dereference: true });
});
afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

/** A lock file as an apply on another machine (or a process gone from this one) left it. */
function leftLock(stateDir: string, overrides: Partial<RepoLockInfo> = {}): RepoLockInfo {
  const info: RepoLockInfo = {
    formatVersion: 1,
    id: '1b2c3d4e-0000-4000-8000-000000000009',
    operation: 'apply',
    who: 'ops@ci-7',
    hostname: 'ci-7.example',
    pid: 4242,
    pidStartTime: null,
    createdAt: '2026-11-23T09:00:00.000Z',
    runId: 'run-9',
    ...overrides,
  };
  mkdirSync(stateDir, { recursive: true });
  writeFileSync(repoLockPath(stateDir), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

async function run(...args: string[]) {
  const io = captureIo({ cwd: dir });
  const code = await main(['force-unlock', ...args], io);
  return { code, ...io.text() };
}

describe('patchctl force-unlock', () => {
  it('removes the lock with the given id and says whose it was', async () => {
    const lock = leftLock(path.join(dir, 'state'));
    const r = await run(lock.id);
    expect(r).toEqual({
      code: 0,
      stdout: `Lock ${lock.id} removed (it was held by apply run run-9, ops@ci-7, pid 4242, since 2026-11-23T09:00:00.000Z).\n`,
      stderr: '',
    });
    expect(existsSync(repoLockPath(path.join(dir, 'state')))).toBe(false);
  });

  it('removes the lock of a process that is gone from this machine', async () => {
    const dead = spawnSync(process.execPath, ['-e', '']).pid;
    const lock = leftLock(path.join(dir, 'state'), { hostname: os.hostname(), pid: dead });
    expect((await run(lock.id)).code).toBe(0);
    expect(existsSync(repoLockPath(path.join(dir, 'state')))).toBe(false);
  });

  it('refuses the lock of an apply still running on this machine unless --force (issue 12)', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    children.push(child);
    const pid = child.pid ?? 0;
    const lock = leftLock(path.join(dir, 'state'), {
      hostname: os.hostname(),
      pid,
      pidStartTime: processStartTime(pid),
    });
    const refused = await run(lock.id);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toBe(
      `patchctl: the repository lock ${lock.id} is held by apply run run-9, ops@ci-7, pid ${pid}, since 2026-11-23T09:00:00.000Z, ` +
        `and that process is running on this machine; nothing was removed. Stop that apply (Ctrl-C, or kill ${pid}) ` +
        `and its lock goes with it; to remove the lock anyway, while it runs: patchctl force-unlock ${lock.id} --force\n`,
    );
    expect(JSON.parse(readFileSync(repoLockPath(path.join(dir, 'state')), 'utf8'))).toEqual(lock);
    const forced = await run(lock.id, '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toMatch(new RegExp(`^Lock ${lock.id} removed \\(it was held by apply run run-9, `));
    expect(existsSync(repoLockPath(path.join(dir, 'state')))).toBe(false);
  });

  it("refuses this very process's own lock too (an apply running here)", async () => {
    const lock = acquireRepoLock(path.join(dir, 'state'), { operation: 'apply', runId: 'run-9' }, now);
    expect((await run(lock.id)).code).toBe(1);
    expect(existsSync(lock.path)).toBe(true);
    expect((await run(lock.id, '--force')).code).toBe(0);
    expect(existsSync(lock.path)).toBe(false);
    lock.release(); // no longer ours: nothing happens
  });

  it('says what a FIFO in place of the lock is, instead of waiting on it for ever (issue 12)', async () => {
    const file = repoLockPath(path.join(dir, 'state'));
    mkdirSync(path.dirname(file), { recursive: true });
    expect(spawnSync('mkfifo', [file]).status).toBe(0);
    const r = await run('any-id');
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `patchctl: the repository lock ${file} is unreadable (it is a named pipe (FIFO), not a regular file); ` +
        'check that no patchctl apply is running on this repository, then delete the file by hand\n',
    );
  });

  it('refuses another id and leaves the lock in place (exit 1)', async () => {
    const lock = acquireRepoLock(path.join(dir, 'state'), { operation: 'apply' }, now);
    const r = await run('not-the-id');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `patchctl: the repository lock is not not-the-id: it is held by apply (id ${lock.id}, ${lock.info.who}, pid ${process.pid}, since 2026-11-23T09:00:00.000Z); nothing was removed\n`,
    );
    expect(JSON.parse(readFileSync(lock.path, 'utf8'))).toEqual(lock.info);
    lock.release();
  });

  it('exits 1 when there is no lock', async () => {
    const r = await run('any-id');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^patchctl: there is no repository lock \(.*apply\.lock does not exist\)\n$/);
  });

  it('follows paths.state, -C and --format json', async () => {
    const config = path.join(dir, 'patchctl.yaml');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^ {4}state: state$/m, '    state: var/st'));
    const lock = leftLock(path.join(dir, 'var', 'st'));
    const io = captureIo({ cwd: path.dirname(dir) });
    expect(await main(['force-unlock', lock.id, '-C', 'repo', '--format', 'json'], io)).toBe(0);
    expect(JSON.parse(io.text().stdout)).toEqual({ removed: lock });
    expect(existsSync(repoLockPath(path.join(dir, 'var', 'st')))).toBe(false);
  });

  it('documents --force in its help', async () => {
    const io = captureIo({ cwd: dir });
    await main(['force-unlock', '--help'], io);
    expect(io.text().stdout).toContain('--force');
    expect(io.text().stdout).toContain('still running on this machine (same pid, same start time) is not');
  });

  it('exits 3 on an invalid repository and 1 without an id', async () => {
    writeFileSync(path.join(dir, 'patchctl.yaml'), 'apiVersion: nonsense\n');
    expect((await run('any-id')).code).toBe(3);
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing required argument 'id'/);
  });
});
