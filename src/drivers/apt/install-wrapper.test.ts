// INSTALL_WRAPPER_SCRIPT run for real by the local shells, exactly as the transport runs it after
// `sh -c` (`sh -c SCRIPT patchctl-apt COMMAND…`), with a fake program in place of apt-get and the log
// directory moved to a temporary directory (PATCHCTL_APT_LOG_DIR). Nothing here needs root or apt.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { INSTALL_WRAPPER_NAME } from './commands.js';
import { INSTALL_LOGS_KEPT, INSTALL_WRAPPER_SCRIPT } from './scripts.js';

const LOG_NAME = /^apt-\d{8}T\d{6}Z-\d+\.(?:out|err)$/;

/** The fake apt-get: a line, a pause (the test drops the session then), many lines on both streams. */
const FAKE_APT = `d=\${0%/*}
echo $$ >"$d/pid"
echo 'Reading package lists...'
echo 'first error line' >&2
: >"$d/started"
sleep 1
i=0
while [ "$i" -lt 2000 ]; do
  echo "Setting up pkg$i (1.0-$i) ..."
  echo "W: warning number $i" >&2
  i=$((i + 1))
done
: >"$d/marker"
exit 3
`;
const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const FAKE_STDOUT = [
  'Reading package lists...',
  ...range(2000).map((i) => `Setting up pkg${i} (1.0-${i}) ...`),
]
  .map((l) => `${l}\n`)
  .join('');
const FAKE_STDERR = ['first error line', ...range(2000).map((i) => `W: warning number ${i}`)]
  .map((l) => `${l}\n`)
  .join('');

/** Prints its argument count, then each argument between < and >; a line on stderr; exits 5. */
const ECHO_ARGS = `printf '%s\\n' "$#"
for a do printf '<%s>\\n' "$a"; done
echo 'to stderr' >&2
exit 5
`;
const echoed = (args: readonly string[]): string => `${args.length}\n${args.map((a) => `<${a}>\n`).join('')}`;

/** The shells to run the wrapper with: the local /bin/sh (dash on Debian), and bash in POSIX mode. */
const SHELLS = ['/bin/sh', '/bin/bash'].filter(
  (s) => existsSync(s) && spawnSync(s, ['-c', ':']).status === 0,
);

interface Run {
  child: ChildProcess;
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

describe.each(SHELLS)('INSTALL_WRAPPER_SCRIPT under %s', (shell) => {
  let tmp = '';
  let logDir = '';
  const running = new Set<ChildProcess>();

  beforeEach(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'patchctl-wrapper-'));
    logDir = path.join(tmp, 'logs');
    writeFileSync(path.join(tmp, 'fake-apt'), FAKE_APT);
    writeFileSync(path.join(tmp, 'echo-args'), ECHO_ARGS);
  });

  afterEach(() => {
    // Only what this test started: the shells it spawned, and the fake program (its PID file, and
    // only while /proc shows it still runs the fake script from this test's directory).
    for (const child of running) {
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    running.clear();
    const pidFile = path.join(tmp, 'pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').trim());
      let cmdline = '';
      try {
        cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      } catch {
        // gone, or no /proc
      }
      if (Number.isInteger(pid) && pid > 1 && cmdline.includes(path.join(tmp, 'fake-apt'))) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    rmSync(tmp, { recursive: true, force: true });
  });

  /** `shell -c SCRIPT patchctl-apt …command`, as the transport runs it, from `tmp`. */
  function wrapper(command: readonly string[], dir: string = logDir): Run {
    return start(shell, ['-c', INSTALL_WRAPPER_SCRIPT, INSTALL_WRAPPER_NAME, ...command], dir);
  }

  function start(program: string, args: readonly string[], dir: string): Run {
    const child = spawn(program, args, {
      argv0: 'sh', // bash named sh runs in POSIX mode, as it does where /bin/sh is bash
      cwd: tmp,
      env: {
        PATH: '/usr/sbin:/usr/bin:/sbin:/bin',
        LC_ALL: 'C',
        LANG: 'C',
        PATCHCTL_APT_LOG_DIR: dir,
        PATCHCTL_APT_MARK: path.join(tmp, 'patchctl-apt.lock'),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    running.add(child);
    child.stdin?.end(); // as the transport does: standard input is closed at once
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    // A destroyed stream may report EPIPE/ECONNRESET: that is the point of the test, not a failure.
    child.stdout?.on('error', () => undefined);
    child.stderr?.on('error', () => undefined);
    const done = new Promise<{
      code: number | null;
      signal: NodeJS.Signals | null;
      stdout: string;
      stderr: string;
    }>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code, signal) =>
        resolve({
          code,
          signal,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        }),
      );
    });
    return { child, done };
  }

  async function waitForFile(file: string, timeoutMs = 10_000): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (!existsSync(file)) {
      if (Date.now() > until) throw new Error(`${file} did not appear within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  const logs = (): string[] => readdirSync(logDir).sort();
  const fake = (): string[] => ['/bin/sh', path.join(tmp, 'fake-apt')];

  it('holds the install mark lock while the command runs, and only then', async () => {
    const mark = path.join(tmp, 'patchctl-apt.lock');
    const free = (): number | null => spawnSync('flock', ['-n', mark, 'true']).status;
    const run = wrapper(['sh', '-c', `touch ${path.join(tmp, 'started')}; sleep 1`]);
    await waitForFile(path.join(tmp, 'started'));
    expect(free()).toBe(1);
    expect((await run.done).code).toBe(0);
    expect(free()).toBe(0);
  });

  it('(a) replays stdout and stderr exactly, exits with the status, keeps a private log', async () => {
    const r = await wrapper(fake()).done;
    expect(r.stdout).toBe(FAKE_STDOUT);
    expect(r.stderr).toBe(FAKE_STDERR);
    expect(r.code).toBe(3);
    expect(existsSync(path.join(tmp, 'marker'))).toBe(true);

    expect(statSync(logDir).mode & 0o777).toBe(0o700);
    const files = logs();
    expect(files).toHaveLength(2);
    for (const f of files) {
      expect(f).toMatch(LOG_NAME);
      expect(statSync(path.join(logDir, f)).mode & 0o777).toBe(0o600);
    }
    const [err, out] = files as [string, string];
    expect(readFileSync(path.join(logDir, out), 'utf8')).toBe(FAKE_STDOUT);
    expect(readFileSync(path.join(logDir, err), 'utf8')).toBe(FAKE_STDERR);
  });

  it('(b) control: without the wrapper, a dropped session kills the program (SIGPIPE)', async () => {
    const run = start('/bin/sh', [path.join(tmp, 'fake-apt')], logDir);
    await waitForFile(path.join(tmp, 'started'));
    run.child.stdout?.destroy();
    run.child.stderr?.destroy();
    const r = await run.done;
    expect(r.signal).toBe('SIGPIPE');
    expect(existsSync(path.join(tmp, 'marker'))).toBe(false);
  });

  it('(b) the command completes when the reader closes stdout and stderr while it runs', async () => {
    const run = wrapper(fake());
    await waitForFile(path.join(tmp, 'started'));
    run.child.stdout?.destroy();
    run.child.stderr?.destroy();
    const r = await run.done;
    // The program ran to its end, and the wrapper still exits with its status (the failing replay
    // does not count).
    expect(existsSync(path.join(tmp, 'marker'))).toBe(true);
    expect(r.code).toBe(3);
    expect(r.signal).toBeNull();
    // The operator finds the whole output in the log.
    const [err, out] = logs() as [string, string];
    expect(readFileSync(path.join(logDir, out), 'utf8')).toBe(FAKE_STDOUT);
    expect(readFileSync(path.join(logDir, err), 'utf8')).toBe(FAKE_STDERR);
  });

  it('(c) passes arguments with spaces, quotes, $(), backquotes and newlines unchanged', async () => {
    const args = [
      'with space',
      "it's",
      '"double"',
      '$(touch pwned)',
      '`touch pwned2`',
      'line1\nline2\n',
      '',
      '-o',
      '--',
      '*',
      '$HOME ${PATH}',
      '\\',
      "'; touch pwned3; '",
      '%s %d \\n',
      ' leading and trailing ',
      'ünïcødé',
    ];
    const r = await wrapper(['/bin/sh', path.join(tmp, 'echo-args'), ...args]).done;
    expect(r.stdout).toBe(echoed(args));
    expect(r.stderr).toBe('to stderr\n');
    expect(r.code).toBe(5);
    expect(readdirSync(tmp).filter((f) => f.startsWith('pwned'))).toEqual([]);
  });

  it('(c) runs the command from the directory the wrapper started in, with stdin /dev/null', async () => {
    const script =
      'pwd -P; if [ -e /proc/self/fd/0 ]; then readlink /proc/self/fd/0; else echo /dev/null; fi';
    const r = await wrapper(['/bin/sh', '-c', script]).done;
    expect(r.stdout).toBe(`${realpathSync(tmp)}\n/dev/null\n`);
    expect(r.code).toBe(0);
  });

  it('(d) runs the command directly, output replayed, when the log directory cannot be made', async () => {
    writeFileSync(path.join(tmp, 'file'), 'not a directory\n');
    const blocked = path.join(tmp, 'file', 'logs'); // under a regular file: impossible, even for root
    const args = ['a b', '$(x)', 'c\nd'];
    const r = await wrapper(['/bin/sh', path.join(tmp, 'echo-args'), ...args], blocked).done;
    expect(r.stdout).toBe(echoed(args));
    expect(r.stderr).toBe('to stderr\n');
    expect(r.code).toBe(5);
    expect(readdirSync(tmp).sort()).toEqual(['echo-args', 'fake-apt', 'file', 'patchctl-apt.lock']);
  });

  it('(d) never writes through a symbolic link, nor into a directory open to others', async () => {
    const target = path.join(tmp, 'elsewhere');
    mkdirSync(target, { mode: 0o700 });
    const link = path.join(tmp, 'link');
    symlinkSync(target, link);
    const open = path.join(tmp, 'open');
    mkdirSync(open, { mode: 0o755 });
    for (const dir of [link, open, 'relative/logs']) {
      const r = await wrapper(['/bin/sh', path.join(tmp, 'echo-args'), 'x'], dir).done;
      expect(r.stdout).toBe(echoed(['x']));
      expect(r.code).toBe(5);
    }
    expect(readdirSync(target)).toEqual([]);
    expect(readdirSync(open)).toEqual([]);
    expect(existsSync(path.join(tmp, 'relative'))).toBe(false);
  });

  it(`keeps the logs of the last ${INSTALL_LOGS_KEPT} runs`, async () => {
    for (let i = 0; i < INSTALL_LOGS_KEPT + 3; i++) {
      const r = await wrapper(['/bin/sh', path.join(tmp, 'echo-args'), `run ${i}`]).done;
      expect(r.stdout).toBe(echoed([`run ${i}`]));
    }
    const files = logs();
    expect(files.filter((f) => f.endsWith('.out'))).toHaveLength(INSTALL_LOGS_KEPT);
    expect(files.filter((f) => f.endsWith('.err'))).toHaveLength(INSTALL_LOGS_KEPT);
    for (const f of files) expect(f).toMatch(LOG_NAME);
    // The last run's output is among them.
    const outs = files
      .filter((f) => f.endsWith('.out'))
      .map((f) => readFileSync(path.join(logDir, f), 'utf8'));
    expect(outs).toContain(echoed([`run ${INSTALL_LOGS_KEPT + 2}`]));
  });

  it('ends by the signal that ended the command, after replaying its output', async () => {
    const r = await wrapper(['/bin/sh', '-c', 'echo before; echo oops >&2; kill -s KILL $$']).done;
    expect(r.stdout).toBe('before\n');
    expect(r.stderr).toBe('oops\n');
    expect(r.code).toBeNull();
    expect(r.signal).toBe('SIGKILL');
  });

  it('refuses to run nothing', async () => {
    const r = await wrapper([]).done;
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`${INSTALL_WRAPPER_NAME}: no command to run\n`);
  });
});
