import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { acquireRepoLock } from '../../engine/repo-lock.js';
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

async function run(...args: string[]) {
  const io = captureIo({ cwd: dir });
  const code = await main(['force-unlock', ...args], io);
  return { code, ...io.text() };
}

describe('patchctl force-unlock', () => {
  it('removes the lock with the given id and says whose it was', async () => {
    const lock = acquireRepoLock(path.join(dir, 'state'), { operation: 'apply', runId: 'run-9' }, now);
    const r = await run(lock.id);
    expect(r).toEqual({
      code: 0,
      stdout: `Lock ${lock.id} removed (it was held by apply run run-9, ${lock.info.who}, pid ${process.pid}, since 2026-11-23T09:00:00.000Z).\n`,
      stderr: '',
    });
    expect(existsSync(lock.path)).toBe(false);
    lock.release(); // no longer ours: nothing happens
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
    const lock = acquireRepoLock(path.join(dir, 'var', 'st'), { operation: 'apply' }, now);
    const io = captureIo({ cwd: path.dirname(dir) });
    expect(await main(['force-unlock', lock.id, '-C', 'repo', '--format', 'json'], io)).toBe(0);
    expect(JSON.parse(io.text().stdout)).toEqual({ removed: lock.info });
    expect(existsSync(lock.path)).toBe(false);
  });

  it('exits 3 on an invalid repository and 1 without an id', async () => {
    writeFileSync(path.join(dir, 'patchctl.yaml'), 'apiVersion: nonsense\n');
    expect((await run('any-id')).code).toBe(3);
    const r = await run();
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/missing required argument 'id'/);
  });
});
