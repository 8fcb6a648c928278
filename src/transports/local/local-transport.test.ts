// The local transport against real processes on this machine: sh, echo, cat, sleep and flock on a
// file in a temp directory only; nothing here changes the machine or calls a package manager.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import { InternalError } from '../../errors.js';
import { AbortedError, TransportError } from '../errors.js';
import type { RemoteCommand, Transport } from '../types.js';
import { controllerIsRoot, LocalTransport } from './local-transport.js';

const sh = (script: string, extra: Partial<RemoteCommand> = {}): RemoteCommand => ({
  argv: ['sh', '-c', script],
  ...extra,
});

let dir = '';
const open: Transport[] = [];
const local = (options: Partial<ConstructorParameters<typeof LocalTransport>[0]> = {}): LocalTransport => {
  const t = new LocalTransport({ host: 'controller', ...options });
  open.push(t);
  return t;
};

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-local-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Whether a process runs: it exists and is not a zombie waiting for its new parent to reap it. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX] /s.test(stat);
  } catch {
    return false;
  }
}

async function until(check: () => boolean, ms = 3_000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return check();
}

describe('LocalTransport.run', () => {
  it('returns exit codes, stdout and stderr; a non-zero exit is a result', async () => {
    const t = local();
    expect([t.id, t.host, t.canReboot]).toEqual(['local', 'controller', false]);
    const ok = await t.run({ argv: ['echo', 'hello', "it's $HOME `x`"] });
    expect(ok).toMatchObject({ exitCode: 0, stdout: "hello it's $HOME `x`\n", stderr: '' });
    expect(ok.durationMs).toBeGreaterThanOrEqual(0);
    expect(ok.timedOut).toBeUndefined();
    const bad = await t.run(sh('echo out; echo err >&2; exit 7'));
    expect(bad).toMatchObject({ exitCode: 7, stdout: 'out\n', stderr: 'err\n' });
  });

  it('reports a command killed by a signal with its signal and no exit code', async () => {
    const r = await local().run(sh('kill -TERM $$'));
    expect(r).toMatchObject({ exitCode: null, signal: 'SIGTERM' });
  });

  it('runs with the scrubbed environment only: no variable of the controller reaches a command', async () => {
    process.env.PATCHCTL_LOCAL_TEST_TOKEN = 'do-not-leak-1234';
    try {
      const r = await local().run({ argv: ['env'], env: { EXTRA: 'a b' } });
      const vars = r.stdout
        .trim()
        .split('\n')
        .map((l) => l.slice(0, l.indexOf('=')));
      expect(r.stdout).not.toContain('do-not-leak');
      expect(r.stdout).toMatch(/^LC_ALL=C$/m);
      expect(r.stdout).toMatch(/^LANG=C$/m);
      expect(r.stdout).toMatch(/^PATH=\/usr\/sbin:\/usr\/bin:\/sbin:\/bin$/m);
      expect(r.stdout).toMatch(/^EXTRA=a b$/m);
      // sh may add PWD (and SHLVL, OLDPWD); nothing else is passed.
      const allowed = [
        'LC_ALL',
        'LANG',
        'PATH',
        'EXTRA',
        'HOME',
        'USER',
        'LOGNAME',
        'SHELL',
        'PWD',
        'SHLVL',
        'OLDPWD',
        '_',
      ];
      expect(vars.filter((v) => !allowed.includes(v))).toEqual([]);
      expect((await local().run({ argv: ['pwd'] })).stdout).toBe('/\n');
    } finally {
      delete process.env.PATCHCTL_LOCAL_TEST_TOKEN;
    }
  });

  it('writes stdin and closes it; stdin is closed when there is none', async () => {
    const t = local();
    expect((await t.run({ argv: ['cat'], stdin: 'line 1\nline 2\n' })).stdout).toBe('line 1\nline 2\n');
    // Without stdin, cat reads EOF at once instead of hanging.
    expect(await t.run({ argv: ['cat'] }, { timeoutMs: 5_000 })).toMatchObject({ exitCode: 0, stdout: '' });
    // A command that does not read a large stdin is no error.
    expect((await t.run({ argv: ['true'], stdin: 'x'.repeat(1 << 20) })).exitCode).toBe(0);
  });

  it('caps stdout and stderr and says so', async () => {
    const r = await local({ maxOutputBytes: 1000 }).run(
      sh('head -c 5000 /dev/zero | tr "\\0" a; head -c 3000 /dev/zero | tr "\\0" b >&2'),
    );
    expect(r.exitCode).toBe(0);
    expect(r.truncated).toBe(true);
    expect(r.stdout).toBe(
      `${'a'.repeat(1000)}\n[patchctl: stdout truncated: kept the first 1000 of 5000 bytes]\n`,
    );
    expect(r.stderr).toBe(
      `${'b'.repeat(1000)}\n[patchctl: stderr truncated: kept the first 1000 of 3000 bytes]\n`,
    );
  });

  it('on timeout kills the whole process group, a sleep the command started included', async () => {
    const pidFile = path.join(dir, 'timeout.pid');
    const r = await local().run(sh(`sleep 60 & echo $! > '${pidFile}'; echo started; wait`), {
      timeoutMs: 300,
    });
    expect(r).toMatchObject({ exitCode: null, timedOut: true, stdout: 'started\n' });
    expect(r.signal).toBeUndefined();
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(await until(() => !alive(pid))).toBe(true);
  });

  it('the command timeout of the options applies when run gives none', async () => {
    const r = await local({ commandTimeoutMs: 200 }).run({ argv: ['sleep', '30'] });
    expect(r).toMatchObject({ exitCode: null, timedOut: true });
    expect(r.durationMs).toBeLessThan(5_000);
  });

  it('abort rejects with AbortedError and stops the process group', async () => {
    const pidFile = path.join(dir, 'abort.pid');
    const controller = new AbortController();
    const running = local().run(sh(`sleep 60 & echo $! > '${pidFile}'; wait`), { signal: controller.signal });
    expect(await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').trim() !== '')).toBe(true);
    controller.abort(new Error('second Ctrl-C'));
    await expect(running).rejects.toBeInstanceOf(AbortedError);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(await until(() => !alive(pid))).toBe(true);
  });

  it('an already aborted signal runs nothing', async () => {
    const marker = path.join(dir, 'never-created');
    await expect(
      local().run({ argv: ['touch', marker] }, { signal: AbortSignal.abort() }),
    ).rejects.toBeInstanceOf(AbortedError);
    expect(existsSync(marker)).toBe(false);
  });

  it('a shell that cannot be started is a TransportError saying so', async () => {
    const t = local({ shell: path.join(dir, 'no-such-shell') });
    const error = await t.run({ argv: ['true'] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransportError);
    expect(error).toMatchObject({ kind: 'unreachable', retryable: false, host: 'controller' });
    expect((error as Error).message).toMatch(
      /^controller: cannot start .*no-such-shell on this machine \(transport local\): spawn .*no-such-shell ENOENT$/,
    );
  });

  it('sudo: through sudo -n when asked, as is when the controller is root', async () => {
    // /bin/echo as the "shell" prints the line it was given: `exec sudo -n -- env …` or `exec env …`.
    const withSudo = local({ sudo: true, shell: '/bin/echo' });
    expect((await withSudo.run({ argv: ['id'], sudo: true })).stdout).toMatch(/^-c exec sudo -n -- env /);
    const without = local({ sudo: false, shell: '/bin/echo' });
    expect((await without.run({ argv: ['id'], sudo: true })).stdout).toMatch(/^-c exec env /);
    // Commands not marked sudo never get it.
    expect((await withSudo.run({ argv: ['id'] })).stdout).toMatch(/^-c exec env /);
    // The default: sudo only when the controller is not root.
    const byDefault = local({ shell: '/bin/echo' });
    const line = (await byDefault.run({ argv: ['id'], sudo: true })).stdout;
    expect(line.startsWith('-c exec sudo -n -- ')).toBe(!controllerIsRoot());
  });
});

describe('LocalTransport.hold', () => {
  const lockFile = (): string => path.join(dir, 'patchctl.lock');
  /** flock -n on the file: exit 0 when free, 1 when someone holds it. */
  const probe = (t: Transport) => t.run({ argv: ['flock', '-n', lockFile(), 'true'] });
  const holder = (): RemoteCommand => ({
    argv: ['flock', '-n', lockFile(), 'sh', '-c', 'echo held; cat >/dev/null; echo released'],
  });

  it('holds a flock until release; release closes stdin and the lock is free again', async () => {
    const t = local();
    const outcome = await t.hold(holder(), { ready: 'held' });
    expect(outcome.held).toBe(true);
    expect((await probe(t)).exitCode).toBe(1);
    if (!outcome.held) throw new Error('not held');
    const started = Date.now();
    await outcome.release();
    expect(Date.now() - started).toBeLessThan(3_000); // ended by EOF, not by the 5 s stop
    expect((await probe(t)).exitCode).toBe(0);
    await outcome.release(); // idempotent
  });

  it('a command that ends before its ready line is not held: its result says why', async () => {
    const t = local();
    const first = await t.hold(holder(), { ready: 'held' });
    const second = await t.hold(holder(), { ready: 'held' });
    expect(second).toEqual({ held: false, result: expect.objectContaining({ exitCode: 1 }) });
    if (first.held) await first.release();
  });

  it('the ready timeout stops a command that never says it holds', async () => {
    const outcome = await local().hold({ argv: ['sleep', '30'] }, { ready: 'held', timeoutMs: 200 });
    expect(outcome).toEqual({
      held: false,
      result: expect.objectContaining({ timedOut: true, exitCode: null }),
    });
  });

  it('stdin is written first and kept open while held', async () => {
    const outcome = await local().hold(
      { argv: ['sh', '-c', 'read first; echo "$first"; cat >/dev/null'], stdin: 'held\n' },
      { ready: 'held' },
    );
    expect(outcome.held).toBe(true);
    if (outcome.held) await outcome.release();
  });

  it('release stops a command that ignores EOF after the release wait', async () => {
    const t = local({ releaseWaitMs: 200 });
    const pidFile = path.join(dir, 'stubborn.pid');
    const outcome = await t.hold(
      { argv: ['sh', '-c', `echo $$ > '${pidFile}'; echo held; exec sleep 60`] },
      { ready: 'held' },
    );
    if (!outcome.held) throw new Error('not held');
    await outcome.release();
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(await until(() => !alive(pid))).toBe(true);
  });

  it('abort before the ready line rejects with AbortedError', async () => {
    const controller = new AbortController();
    const pending = local().hold({ argv: ['sleep', '30'] }, { ready: 'held', signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    await expect(pending).rejects.toBeInstanceOf(AbortedError);
  });
});

describe('LocalTransport.close', () => {
  it('stops what is still held, is idempotent, and refuses commands afterwards', async () => {
    const t = new LocalTransport({ host: 'controller' });
    const outcome = await t.hold(
      { argv: ['flock', '-n', path.join(dir, 'close.lock'), 'sh', '-c', 'echo held; exec sleep 60'] },
      { ready: 'held' },
    );
    expect(outcome.held).toBe(true);
    await t.close();
    await t.close();
    const other = local();
    expect((await other.run({ argv: ['flock', '-n', path.join(dir, 'close.lock'), 'true'] })).exitCode).toBe(
      0,
    );
    await expect(t.run({ argv: ['true'] })).rejects.toBeInstanceOf(InternalError);
  });
});
