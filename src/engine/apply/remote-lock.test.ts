import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from '@jest/globals';

import { TransportError } from '../../transports/errors.js';
import { FakeTransport } from '../../transports/fake/fake-transport.js';
import type { Transport } from '../../transports/types.js';
import { acquireRemoteLock, REMOTE_LOCK_DIR, remoteLockCommand } from './remote-lock.js';

const script = (): string => remoteLockCommand('x').argv[2] ?? '';

describe('remoteLockCommand', () => {
  it('runs a constant script as root, with the directory and the owner as positional parameters', () => {
    const cmd = remoteLockCommand("run 7 by 'alice' $(reboot)");
    expect(cmd).toEqual({
      argv: ['sh', '-c', script(), 'patchctl-lock', REMOTE_LOCK_DIR, "run 7 by 'alice' $(reboot)"],
      sudo: true,
    });
    expect(REMOTE_LOCK_DIR).toBe('/run/lock');
    expect(remoteLockCommand('y', '/var/lock').argv.slice(2)).toEqual([
      script(),
      'patchctl-lock',
      '/var/lock',
      'y',
    ]);
    expect(script()).not.toContain('alice');
  });
});

describe('acquireRemoteLock', () => {
  const lockCall = ['sh', '-c', /flock/, 'patchctl-lock'];

  it('holds the lock until release, through transport.hold with the ready line "locked"', async () => {
    const t = new FakeTransport('web-01').on(lockCall, { stdout: 'locked\n' });
    const lock = await acquireRemoteLock(t, 'run 7', { dir: '/tmp/locks', timeoutMs: 5_000 });
    expect(lock.ok).toBe(true);
    expect(t.calls).toMatchObject([
      {
        argv: [...remoteLockCommand('run 7', '/tmp/locks').argv],
        sudo: true,
        ready: 'locked',
        timeoutMs: 5_000,
      },
    ]);
    expect(t.released).toEqual([]);
    if (lock.ok) await lock.release();
    expect(t.released).toHaveLength(1);
  });

  it('names the owner of a busy lock', async () => {
    const t = new FakeTransport('web-01').on(lockCall, {
      exitCode: 75,
      stdout: 'busy\nrun 6 by bob@ci since 2024-05-01T10:00:00Z\n',
    });
    expect(await acquireRemoteLock(t, 'run 7')).toEqual({
      ok: false,
      reason: 'host is locked by another patchctl run: run 6 by bob@ci since 2024-05-01T10:00:00Z',
    });
    expect(t.calls[0]?.argv[4]).toBe(REMOTE_LOCK_DIR);
    expect(t.calls[0]?.timeoutMs).toBe(60_000);
    t.on(lockCall, { exitCode: 75, stdout: 'busy\n' });
    expect(await acquireRemoteLock(t, 'run 7')).toEqual({
      ok: false,
      reason: 'host is locked by another patchctl run: (owner unknown)',
    });
    t.on(lockCall, { exitCode: 75, stdout: 'busy\nevil\u001b[2J\r\nsecond line\n' });
    expect(await acquireRemoteLock(t, 'run 7')).toMatchObject({
      reason: 'host is locked by another patchctl run: evil?[2J second line',
    });
  });

  it('explains a missing flock, a failed command and a timeout', async () => {
    const t = new FakeTransport('web-01').on(lockCall, { exitCode: 76, stdout: 'no-flock\n' });
    expect(await acquireRemoteLock(t, 'run 7')).toEqual({
      ok: false,
      reason: expect.stringMatching(/flock\(1\) is not installed/),
    });
    t.on(lockCall, { exitCode: 1, stderr: 'sudo: a password is required\n' });
    expect(await acquireRemoteLock(t, 'run 7')).toEqual({
      ok: false,
      reason: 'cannot lock the host: the lock command failed (exit 1): sudo: a password is required',
    });
    t.on(lockCall, { exitCode: null, signal: 'SIGKILL' });
    expect(await acquireRemoteLock(t, 'run 7')).toEqual({
      ok: false,
      reason: 'cannot lock the host: the lock command failed (killed by SIGKILL)',
    });
    t.on(lockCall, { exitCode: 2, stderr: `sh: cannot create /run/lock/patchctl.lock: ${'x'.repeat(400)}` });
    const long = await acquireRemoteLock(t, 'run 7');
    expect(long.ok === false && long.reason.length).toBeLessThan(400);
    expect(long).toMatchObject({ reason: expect.stringMatching(/\(exit 2\): sh: cannot create .*x…$/) });
    t.on(lockCall, { delayMs: 1_000, stdout: 'locked\n' });
    expect(await acquireRemoteLock(t, 'run 7', { timeoutMs: 20 })).toEqual({
      ok: false,
      reason: 'the remote lock command did not answer within 20 ms',
    });
  });

  it('rejects when the transport cannot run the command', async () => {
    const t = new FakeTransport('web-01').on(lockCall, {
      error: new TransportError('unreachable', 'web-01', 'no route'),
    });
    await expect(acquireRemoteLock(t, 'run 7')).rejects.toMatchObject({ kind: 'unreachable' });
  });

  it('is a no-op on a transport that cannot hold a command', async () => {
    const fake = new FakeTransport('win-01');
    const oneShot: Transport = {
      id: 'fake',
      host: 'win-01',
      run: (cmd, options) => fake.run(cmd, options),
      close: () => fake.close(),
    };
    const lock = await acquireRemoteLock(oneShot, 'run 7');
    expect(lock.ok).toBe(true);
    if (lock.ok) await lock.release();
    expect(fake.calls).toEqual([]);
  });
});

// The script itself, run by the local /bin/sh with util-linux flock, as a remote shell would run it.
interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

describe('the lock script', () => {
  interface Holder {
    shell: ChildProcess;
    /**
     * Feeds the shell's stdin through a pipe that this process holds, as sshd does: Node would
     * close a stdin pipe of its own as soon as the shell dies, which would hide a lingering `cat`.
     */
    feeder: ChildProcess;
    stdout: () => string;
    stderr: () => string;
    /** The shell exited (its output may still be on the way). */
    exited: Promise<Exit>;
    /** The shell exited and its stdout and stderr are closed (by every process that had them). */
    ended: Promise<Exit>;
  }

  let dir = '';
  const holders: Holder[] = [];

  afterEach(async () => {
    for (const { shell, feeder } of holders.splice(0)) {
      feeder.stdin?.destroy();
      // The shell leads its own process group: this also ends a `cat` left by a killed shell.
      if (shell.pid !== undefined) killQuietly(-shell.pid);
      if (feeder.pid !== undefined) killQuietly(feeder.pid);
    }
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  function lockDir(): string {
    dir = mkdtempSync(join(tmpdir(), 'patchctl lock-'));
    return dir;
  }

  function start(owner: string, opts: { env?: NodeJS.ProcessEnv; in?: string } = {}): Holder {
    const env = opts.env ?? { PATH: '/usr/bin:/bin' };
    const [, ...args] = remoteLockCommand(owner, opts.in ?? dir).argv;
    const feeder = spawn('/bin/cat', [], { stdio: ['pipe', 'pipe', 'ignore'] });
    feeder.stdin.on('error', () => undefined);
    const shell = spawn('/bin/sh', args, { env, detached: true, stdio: [feeder.stdout, 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    shell.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    shell.stderr.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
    const exited = new Promise<Exit>((resolve) =>
      shell.once('exit', (code, signal) => resolve({ code, signal })),
    );
    const ended = new Promise<Exit>((resolve) =>
      shell.once('close', (code, signal) => resolve({ code, signal })),
    );
    const holder = { shell, feeder, stdout: () => out, stderr: () => err, exited, ended };
    holders.push(holder);
    return holder;
  }

  /** EOF on the shell's stdin. */
  function closeStdin(holder: Holder): void {
    holder.feeder.stdin?.end();
  }

  async function locked(holder: Holder): Promise<void> {
    await waitFor(() => holder.stdout() === 'locked\n' || holder.shell.exitCode !== null);
    expect({ stdout: holder.stdout(), stderr: holder.stderr() }).toEqual({ stdout: 'locked\n', stderr: '' });
  }

  it('holds the lock while stdin is open, refuses a second holder, and ends on EOF or SIGKILL', async () => {
    lockDir();
    const owner = join(dir, 'patchctl.owner');
    const first = start("run 1 by 'alice' $(touch pwned)");
    await locked(first);
    expect(readFileSync(owner, 'utf8')).toBe("run 1 by 'alice' $(touch pwned)\n");

    const second = start('run 2');
    expect(await second.ended).toEqual({ code: 75, signal: null });
    expect(second.stdout()).toBe("busy\nrun 1 by 'alice' $(touch pwned)\n");
    expect(first.shell.exitCode).toBeNull(); // still holding

    closeStdin(first);
    expect(await first.ended).toEqual({ code: 0, signal: null });
    expect(existsSync(owner)).toBe(false);

    const third = start('run 3');
    await locked(third);
    expect(readFileSync(owner, 'utf8')).toBe('run 3\n');
    // Once the shell waits in `cat`, kill the shell alone: cat lives on (stdin still open), yet the
    // lock goes with the shell.
    const pid = third.shell.pid ?? 0;
    await waitFor(() => childrenOf(pid).length > 0);
    const [cat] = childrenOf(pid);
    third.shell.kill('SIGKILL');
    expect(await third.exited).toEqual({ code: null, signal: 'SIGKILL' });
    expect(isRunning(cat ?? 0)).toBe(true);
    const fourth = start('run 4');
    await locked(fourth);
    expect(readFileSync(owner, 'utf8')).toBe('run 4\n');
    closeStdin(fourth);
    expect(await fourth.ended).toEqual({ code: 0, signal: null });
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
  });

  it('says no-flock (exit 76) when flock is not installed', async () => {
    lockDir();
    const holder = start('run 1', { env: { PATH: dir } });
    expect(await holder.ended).toEqual({ code: 76, signal: null });
    expect(holder.stdout()).toBe('no-flock\n');
  });

  it('fails (not busy) when the lock file cannot be opened', async () => {
    const holder = start('run 1', { in: join(lockDir(), 'missing') });
    const { code } = await holder.ended;
    expect(code).not.toBe(0);
    expect(code).not.toBe(75);
    expect(holder.stdout()).toBe('');
    expect(holder.stderr()).toMatch(/patchctl\.lock/);
  });
});

/** The child processes of `pid` (Linux /proc). */
function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
  return text.split(' ').filter(Boolean).map(Number);
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(condition: () => boolean, ms = 5_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
