import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from '@jest/globals';

import { TransportError } from '../../transports/errors.js';
import { FakeTransport } from '../../transports/fake/fake-transport.js';
import type { Transport } from '../../transports/types.js';
import {
  acquireRemoteLock,
  REMOTE_LOCK_DIR,
  REMOTE_RESERVATION_DIR,
  remoteLockCommand,
  remoteReserveCommand,
} from './remote-lock.js';

const script = (): string => remoteLockCommand('x').argv[2] ?? '';

describe('remoteLockCommand', () => {
  it('runs a constant script as root, with the mode, directories, run id and owner as positional parameters', () => {
    const cmd = remoteLockCommand("run 7 by 'alice' $(reboot)", 'run-7');
    expect(cmd).toEqual({
      argv: [
        'sh',
        '-c',
        script(),
        'patchctl-lock',
        'take',
        REMOTE_LOCK_DIR,
        REMOTE_RESERVATION_DIR,
        'run-7',
        "run 7 by 'alice' $(reboot)",
      ],
      sudo: true,
    });
    expect(REMOTE_LOCK_DIR).toBe('/run/lock');
    expect(REMOTE_RESERVATION_DIR).toBe('/var/lib/patchctl');
    expect(remoteLockCommand('y', '', { dir: '/var/lock', reservationDir: '/srv/r' }).argv.slice(2)).toEqual([
      script(),
      'patchctl-lock',
      'take',
      '/var/lock',
      '/srv/r',
      '',
      'y',
    ]);
    expect(remoteReserveCommand('y', 'run-7', 630.2).argv.slice(3)).toEqual([
      'patchctl-lock',
      'reserve',
      REMOTE_LOCK_DIR,
      REMOTE_RESERVATION_DIR,
      'run-7',
      'y',
      '631',
    ]);
    expect(remoteReserveCommand('y', 'r', 630).argv[2]).toBe(script());
    expect(script()).not.toContain('alice');
  });

  it('keeps the owner and the run id on one line', () => {
    expect(remoteLockCommand('a\nrun evil\u001b[2J', 'r\n1').argv.slice(7)).toEqual([
      'r?1',
      'a?run evil?[2J',
    ]);
  });
});

describe('acquireRemoteLock', () => {
  const lockCall = ['sh', '-c', /flock/, 'patchctl-lock'];

  it('holds the lock until release, through transport.hold with the ready line "locked"', async () => {
    const t = new FakeTransport('web-01').on(lockCall, { stdout: 'locked\n' });
    const lock = await acquireRemoteLock(t, 'run 7', { dir: '/tmp/locks', timeoutMs: 5_000, runId: 'r7' });
    expect(lock.ok).toBe(true);
    expect(t.calls).toMatchObject([
      {
        argv: [...remoteLockCommand('run 7', 'r7', { dir: '/tmp/locks' }).argv],
        sudo: true,
        ready: 'locked',
        timeoutMs: 5_000,
      },
    ]);
    expect(t.released).toEqual([]);
    if (lock.ok) await lock.release();
    expect(t.released).toHaveLength(1);
  });

  it('reserves over the same transport while held, and explains a refusal', async () => {
    const t = new FakeTransport('web-01')
      .on(lockCall, { stdout: 'locked\n' })
      .on([...lockCall, 'reserve'], { stdout: 'ok\n' });
    const lock = await acquireRemoteLock(t, 'run 7', { runId: 'r7', reservationDir: '/srv/r' });
    if (!lock.ok) throw new Error('expected the lock');
    expect(await lock.reserve(630)).toEqual({ ok: true });
    expect(t.calls[1]).toMatchObject({
      argv: [...remoteReserveCommand('run 7', 'r7', 630, { reservationDir: '/srv/r' }).argv],
      sudo: true,
      timeoutMs: 60_000,
    });
    expect(t.calls[1]?.ready).toBeUndefined();
    t.on([...lockCall, 'reserve'], { exitCode: 75, stdout: 'busy\nrun 6 by bob\n' });
    expect(await lock.reserve(630)).toEqual({
      ok: false,
      reason: 'host is locked by another patchctl run: run 6 by bob',
    });
    t.on([...lockCall, 'reserve'], {
      exitCode: 71,
      stderr: 'patchctl-lock: /var/lib/patchctl/lock.reserved is not a regular file\n',
    });
    expect(await lock.reserve(630)).toEqual({
      ok: false,
      reason:
        'cannot lock the host: the lock command failed (exit 71): patchctl-lock: /var/lib/patchctl/lock.reserved is not a regular file',
    });
    // Exit 0 without the answer line is not a reservation.
    t.on([...lockCall, 'reserve'], { stdout: '' });
    expect((await lock.reserve(630)).ok).toBe(false);
  });

  it('names the owner and the time left of a reservation', async () => {
    const t = new FakeTransport('web-01').on(lockCall, {
      exitCode: 75,
      stdout: 'reserved\npatchctl apply run r6 by bob@ci (pid 9)\n590\n',
    });
    expect(await acquireRemoteLock(t, 'run 7', { runId: 'r7' })).toEqual({
      ok: false,
      reason:
        'host is reserved by another patchctl run across its reboot for 590 s more: patchctl apply run r6 by bob@ci (pid 9)',
    });
    t.on(lockCall, { exitCode: 75, stdout: 'reserved\n\u001b[2Jx\nsoon\n' });
    expect(await acquireRemoteLock(t, 'run 7')).toEqual({
      ok: false,
      reason: 'host is reserved by another patchctl run across its reboot: ?[2Jx',
    });
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
    expect(t.calls[0]?.argv.slice(4, 8)).toEqual(['take', REMOTE_LOCK_DIR, REMOTE_RESERVATION_DIR, '']);
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

  it('fails the lock step clearly on a transport that cannot hold a command, never passes it', async () => {
    const fake = new FakeTransport('win-01');
    const oneShot: Transport = {
      id: 'fake',
      host: 'win-01',
      run: (cmd, options) => fake.run(cmd, options),
      close: () => fake.close(),
    };
    const lock = await acquireRemoteLock(oneShot, 'run 7');
    expect(lock).toEqual({
      ok: false,
      reason:
        'this transport cannot hold the remote lock (transport fake keeps no command running); nothing was done on the host',
    });
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

  function start(owner: string, opts: { env?: NodeJS.ProcessEnv; in?: string; run?: string } = {}): Holder {
    const env = opts.env ?? { PATH: '/usr/bin:/bin' };
    const [, ...args] = remoteLockCommand(owner, opts.run ?? '', {
      dir: opts.in ?? dir,
      reservationDir: join(dir, 'var', 'lib', 'patchctl'),
    }).argv;
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

  describe('the reservation across a reboot', () => {
    const resDir = (): string => join(dir, 'var', 'lib', 'patchctl');
    const resFile = (): string => join(resDir(), 'lock.reserved');
    const hostNow = (): number => Math.floor(Date.now() / 1000);
    const bootId = (): string => readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();

    function reserve(
      owner: string,
      run: string,
      seconds: number | string,
    ): { status: number | null; stdout: string; stderr: string } {
      const [, ...args] = remoteReserveCommand(owner, run, 1, { dir, reservationDir: resDir() }).argv;
      args[args.length - 1] = String(seconds);
      const r = spawnSync('/bin/sh', args, {
        env: { PATH: '/usr/bin:/bin' },
        encoding: 'utf8',
        timeout: 10_000,
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    }

    function reservation(): Record<string, string> {
      const lines = readFileSync(resFile(), 'utf8').split('\n').filter(Boolean);
      return Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(' ')), l.slice(l.indexOf(' ') + 1)]));
    }

    function writeReservation(fields: Record<string, string>): void {
      mkdirSync(resDir(), { recursive: true });
      const text = Object.entries(fields)
        .map(([k, v]) => `${k} ${v}\n`)
        .join('');
      writeFileSync(resFile(), `patchctl-lock-reservation 1\n${text}`);
    }

    /** The host goes down and up: every holder dies, /run is fresh, the boot id changes. */
    async function reboot(): Promise<void> {
      for (const { shell, feeder } of holders.splice(0)) {
        feeder.stdin?.destroy();
        if (shell.pid !== undefined) killQuietly(-shell.pid);
        if (feeder.pid !== undefined) killQuietly(feeder.pid);
        await new Promise((resolve) =>
          shell.exitCode !== null || shell.signalCode !== null
            ? resolve(undefined)
            : shell.once('exit', resolve),
        );
      }
      rmSync(join(dir, 'patchctl.owner'), { force: true });
      rmSync(join(dir, 'patchctl.lock'), { force: true });
      if (existsSync(resFile()))
        writeFileSync(
          resFile(),
          readFileSync(resFile(), 'utf8').replace(/^boot .*$/m, 'boot 00000000-old-boot'),
        );
    }

    async function refused(holder: Holder): Promise<string> {
      expect(await holder.ended).toEqual({ code: 75, signal: null });
      return holder.stdout();
    }

    const A = "patchctl apply run A by 'alice' $(touch pwned) (pid 1)";

    it('is written by the run holding the lock, refuses another run after the reboot, and is cleared when that run takes the lock again', async () => {
      lockDir();
      const first = start(A, { run: 'run-A' });
      await locked(first);
      const before = hostNow();
      expect(reserve(A, 'run-A', 630)).toEqual({ status: 0, stdout: 'ok\n', stderr: '' });
      const r = reservation();
      expect(r).toMatchObject({ run: 'run-A', ttl: '630', boot: bootId(), owner: A });
      expect(Number(r.expires)).toBeGreaterThanOrEqual(before + 630);
      expect(Number(r.expires)).toBeLessThanOrEqual(hostNow() + 630);
      expect(first.shell.exitCode).toBeNull(); // the lock is still held

      await reboot();
      const second = start('patchctl apply run B', { run: 'run-B' });
      const out = (await refused(second)).split('\n');
      expect(out.slice(0, 2)).toEqual(['reserved', A]);
      expect(Number(out[2])).toBeGreaterThan(600);
      expect(Number(out[2])).toBeLessThanOrEqual(630);
      expect(existsSync(resFile())).toBe(true);

      const again = start(A, { run: 'run-A' });
      await locked(again);
      expect(existsSync(resFile())).toBe(false);
      closeStdin(again);
      expect(await again.ended).toEqual({ code: 0, signal: null });
      const third = start('patchctl apply run B', { run: 'run-B' });
      await locked(third);
      expect(existsSync(join(dir, 'pwned'))).toBe(false);
      expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
    });

    it('the same run taking the lock before the host went down keeps the reservation', async () => {
      lockDir();
      const first = start(A, { run: 'run-A' });
      await locked(first);
      expect(reserve(A, 'run-A', 600).status).toBe(0);
      // The lock channel dropped before the reboot: this run takes the lock again, same boot.
      closeStdin(first);
      await first.ended;
      const again = start(A, { run: 'run-A' });
      await locked(again);
      expect(reservation()).toMatchObject({ run: 'run-A', boot: bootId() });
      closeStdin(again);
      await again.ended;
      expect(await refused(start('run B', { run: 'run-B' }))).toMatch(/^reserved\n/);
    });

    it('another run cannot reserve while one holds the lock; with the lock free it may', async () => {
      lockDir();
      const first = start(A, { run: 'run-A' });
      await locked(first);
      expect(reserve('run B', 'run-B', 600)).toEqual({ status: 75, stdout: `busy\n${A}\n`, stderr: '' });
      expect(existsSync(resFile())).toBe(false);
      // Same run id, another owner text: not the holder either.
      expect(reserve('someone else', 'run-A', 600).status).toBe(75);
      closeStdin(first);
      await first.ended;
      // Nobody holds the lock: the reserve takes it for the moment it writes.
      expect(reserve(A, 'run-A', 600)).toEqual({ status: 0, stdout: 'ok\n', stderr: '' });
      expect(reserve('run B', 'run-B', 600)).toMatchObject({
        status: 75,
        stdout: expect.stringMatching(/^reserved\n/),
      });
      expect(reserve(A, 'run-A', 'ten')).toMatchObject({
        status: 71,
        stderr: expect.stringMatching(/not a number of seconds/),
      });
    });

    it('an expired reservation is removed; a host clock gone back never extends one beyond its lifetime', async () => {
      lockDir();
      writeReservation({ run: 'run-A', expires: String(hostNow() - 1), ttl: '600', boot: 'x', owner: 'A' });
      const taken = start('run B', { run: 'run-B' });
      await locked(taken);
      expect(existsSync(resFile())).toBe(false);
      closeStdin(taken);
      await taken.ended;

      writeReservation({
        run: 'run-A',
        expires: String(hostNow() + 86_400),
        ttl: '600',
        boot: 'x',
        owner: 'A',
      });
      const out = (await refused(start('run B', { run: 'run-B' }))).split('\n');
      expect(out.slice(0, 3)).toEqual(['reserved', 'A', '600']);
      expect(Number(reservation().expires)).toBeLessThanOrEqual(hostNow() + 600);
      expect(reservation()).toMatchObject({ run: 'run-A', ttl: '600', boot: 'x', owner: 'A' });
    });

    it('ignores what it cannot read as a reservation, and never reads through a symlink or a FIFO', async () => {
      lockDir();
      writeReservation({ run: 'run-A', expires: 'soon', ttl: '600', owner: 'A' });
      const garbage = start('run B', { run: 'run-B' });
      await locked(garbage);
      closeStdin(garbage);
      await garbage.ended;

      // A symlink to a valid reservation of run A: not read, not replaced.
      const elsewhere = join(dir, 'elsewhere');
      writeFileSync(elsewhere, `run run-A\nexpires ${hostNow() + 600}\nttl 600\nowner A\n`);
      rmSync(resFile());
      symlinkSync(elsewhere, resFile());
      const linked = start('run B', { run: 'run-B' });
      await locked(linked);
      expect(reserve('run B', 'run-B', 600)).toEqual({
        status: 71,
        stdout: '',
        stderr: `patchctl-lock: ${resFile()} is not a regular file\n`,
      });
      expect(readFileSync(elsewhere, 'utf8')).toMatch(/^run run-A/);
      closeStdin(linked);
      await linked.ended;

      rmSync(resFile());
      expect(spawnSync('mkfifo', [resFile()]).status).toBe(0);
      const fifo = start('run B', { run: 'run-B' });
      await locked(fifo);
      expect(reserve('run B', 'run-B', 600).status).toBe(71);
    });
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
