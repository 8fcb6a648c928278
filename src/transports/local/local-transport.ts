// The local transport (docs/architecture.md, "Transports"): an inventory host with
// `transport: local` is the machine patchctl runs on (a bastion, an admin box patching itself).
// Each command is its own `/bin/sh -c <line>` process, the line built only by commandLine()
// (transports/quote.ts), so that sudo, the scrubbed environment and the quoting are exactly ssh's.
//
// - The process runs as the controller's own user, in its own process group (a timeout, an abort
//   or close() stops the whole group: a `sleep` the command started too), from `/`, with a
//   minimal environment (PATH, LC_ALL, LANG, HOME, USER, LOGNAME, SHELL): the controller's
//   environment holds its secrets (docs/security.md, "Secrets") and never reaches a command.
// - Commands marked `sudo` run through `sudo -n --` when the controller is not root, and as they
//   are when it is root. The Config's `ssh.sudo` is about the ssh login user and is not read here.
// - There is no connection to verify: the host is this machine. A spawn that fails (no /bin/sh,
//   no memory, no processes left) is a TransportError saying so.
// - `canReboot: false`: apply never reboots the controller it runs on (engine/apply/apply.ts); a
//   local host that needs a reboot ends `patched-pending-reboot` and the operator reboots it.

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import { userInfo } from 'node:os';

import { InternalError } from '../../errors.js';
import { AbortedError, TransportError } from '../errors.js';
import { CappedOutput, DEFAULT_MAX_OUTPUT_BYTES, endedResult } from '../output.js';
import { commandLine, SCRUBBED_ENV } from '../quote.js';
import type {
  CommandResult,
  HoldOptions,
  HoldOutcome,
  RemoteCommand,
  RunOptions,
  Transport,
} from '../types.js';
import { LineWatcher } from '../line-watcher.js';

export const LOCAL_DEFAULTS = {
  shell: '/bin/sh',
  commandTimeoutMs: 30 * 60_000,
  maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
  /** After SIGTERM to a stopped command's group, how long before SIGKILL. */
  killGraceMs: 1_000,
  /** How long a stopped command's output may take to close after SIGKILL before it is given up. */
  stopGraceMs: 2_000,
  /** How long `release()` of a held command waits for it to end after EOF before stopping it. */
  releaseWaitMs: 5_000,
} as const;

export interface LocalTransportOptions {
  /** The inventory name: `Transport.host` and messages. */
  host: string;
  /**
   * Commands marked `sudo` run through `sudo -n --`. Default: when the controller is not root
   * (as root, sudo adds nothing).
   */
  sudo?: boolean | undefined;
  /** Default per-command timeout; 0 = none. */
  commandTimeoutMs?: number | undefined;
  /** Cap on each of stdout and stderr, in bytes. */
  maxOutputBytes?: number | undefined;
  /** See `LOCAL_DEFAULTS.releaseWaitMs`. */
  releaseWaitMs?: number | undefined;
  /** The POSIX shell that runs the command line; default /bin/sh. */
  shell?: string | undefined;
}

interface ExecOptions {
  stdin: string | undefined;
  /** Before the ready line, when there is one; 0 = none. */
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /** For hold(): standard input stays open; `onReady` at the first stdout line equal to `line`. */
  ready?: { line: string; onReady(held: HeldProcess): void };
}

interface HeldProcess {
  /** Closes the command's standard input. */
  endInput(): void;
  /** Stops the command's process group; exec() ends within the grace times. */
  stop(): void;
}

/** Whether the controller runs as root (then `sudo` adds nothing). */
export function controllerIsRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export class LocalTransport implements Transport {
  readonly id = 'local' as const;
  readonly host: string;
  /** The controller cannot reboot itself and prove it came back (docs/architecture.md, "Transports"). */
  readonly canReboot = false as const;

  private readonly sudo: boolean;
  private readonly running = new Set<{ stop(): void; ended: Promise<unknown> }>();
  private closed = false;

  constructor(private readonly options: LocalTransportOptions) {
    this.host = options.host;
    this.sudo = options.sudo ?? !controllerIsRoot();
  }

  async run(cmd: RemoteCommand, options: RunOptions = {}): Promise<CommandResult> {
    const line = this.lineOf(cmd);
    if (options.signal?.aborted === true) throw new AbortedError(this.host, options.signal.reason);
    return this.exec(line, {
      stdin: cmd.stdin,
      timeoutMs: this.timeoutOf(options.timeoutMs),
      signal: options.signal,
    });
  }

  /** See `Transport.hold`. */
  async hold(cmd: RemoteCommand, options: HoldOptions): Promise<HoldOutcome> {
    const { signal } = options;
    const line = this.lineOf(cmd);
    if (signal?.aborted === true) throw new AbortedError(this.host, signal.reason);
    const releaseWaitMs = this.options.releaseWaitMs ?? LOCAL_DEFAULTS.releaseWaitMs;
    return new Promise<HoldOutcome>((resolve, reject) => {
      let held = false;
      const ended: Promise<CommandResult> = this.exec(line, {
        stdin: cmd.stdin,
        timeoutMs: this.timeoutOf(options.timeoutMs),
        signal,
        ready: {
          line: options.ready,
          onReady: (child) => {
            held = true;
            let releasing: Promise<void> | undefined;
            const release = (): Promise<void> =>
              (releasing ??= (async () => {
                child.endInput();
                if (await settlesWithin(ended, releaseWaitMs)) return;
                child.stop();
                await ended.catch(() => undefined);
              })());
            resolve({ held: true, release });
          },
        },
      });
      ended.then(
        (result) => {
          if (!held) resolve({ held: false, result });
        },
        (error: unknown) => {
          if (!held) reject(error);
        },
      );
    });
  }

  /** Stops whatever still runs (a held lock included) and waits for it; idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    const running = [...this.running];
    for (const r of running) r.stop();
    await Promise.all(running.map((r) => r.ended.catch(() => undefined)));
  }

  private lineOf(cmd: RemoteCommand): string {
    if (this.closed) throw new InternalError(`local transport for ${this.host} used after close()`);
    return commandLine({ ...cmd, sudo: cmd.sudo === true && this.sudo });
  }

  private timeoutOf(timeoutMs: number | undefined): number {
    return timeoutMs ?? this.options.commandTimeoutMs ?? LOCAL_DEFAULTS.commandTimeoutMs;
  }

  /** Runs `line` in its own process group until its output closes (or a stop's grace ends). */
  private exec(line: string, options: ExecOptions): Promise<CommandResult> {
    const { stdin, timeoutMs, signal, ready } = options;
    const maxBytes = this.options.maxOutputBytes ?? LOCAL_DEFAULTS.maxOutputBytes;
    const shell = this.options.shell ?? LOCAL_DEFAULTS.shell;
    // What close() stops: this command, until it has ended.
    const tracked = { stop: (): void => undefined, ended: Promise.resolve() as Promise<unknown> };
    const ended = new Promise<CommandResult>((resolve, reject) => {
      const started = performance.now();
      let child: ChildProcess;
      try {
        child = spawn(shell, ['-c', line], {
          cwd: '/',
          env: commandEnvironment(),
          detached: true, // its own process group, so that a stop reaches everything it started
          stdio: ['pipe', 'pipe', 'pipe'],
          windowsHide: true,
        });
      } catch (error) {
        reject(this.spawnError(shell, error));
        return;
      }
      const stdout = new CappedOutput('stdout', maxBytes);
      const stderr = new CappedOutput('stderr', maxBytes);
      let settled = false;
      let exitCode: number | null = null;
      let exitSignal: string | undefined;
      let timedOut = false;
      let stopping = false;
      let isReady = false;
      let timer: NodeJS.Timeout | undefined;
      let killTimer: NodeJS.Timeout | undefined;
      let graceTimer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        settled = true;
        clearTimeout(timer);
        clearTimeout(killTimer);
        clearTimeout(graceTimer);
        signal?.removeEventListener('abort', onAbort);
      };
      const killGroup = (name: NodeJS.Signals): void => {
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, name);
        } catch {
          // ESRCH: the group is gone already; EPERM: a member runs as root under sudo (SIGTERM
          // reached sudo, which passes it on).
        }
      };
      /** SIGTERM to the group (sudo passes it on to its command), SIGKILL after a grace time. */
      const stop = (): void => {
        if (stopping) return;
        stopping = true;
        killGroup('SIGTERM');
        killTimer = setTimeout(() => {
          killGroup('SIGKILL');
          // Output held open by something that left the group: given up after a grace time.
          graceTimer = setTimeout(() => {
            child.stdout?.destroy();
            child.stderr?.destroy();
            finish();
          }, LOCAL_DEFAULTS.stopGraceMs).unref();
        }, LOCAL_DEFAULTS.killGraceMs).unref();
      };
      const finish = (): void => {
        if (settled) return;
        cleanup();
        resolve(endedResult({ exitCode, exitSignal, timedOut, stdout, stderr, started }));
      };
      const onAbort = (): void => {
        if (settled) return;
        cleanup();
        stop();
        reject(new AbortedError(this.host, signal?.reason));
      };
      const watcher = ready ? new LineWatcher(ready.line) : undefined;
      const onReadyLine = (): void => {
        if (!ready || isReady || settled || timedOut) return;
        isReady = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        ready.onReady({
          endInput: () => {
            child.stdin?.end();
          },
          stop: () => {
            if (!settled) stop();
          },
        });
      };
      child.on('error', (error) => {
        // Spawning failed (no pid): nothing ran. Any later error is about the pipes only.
        if (settled || child.pid !== undefined) return;
        cleanup();
        reject(this.spawnError(shell, error));
      });
      child.stdout?.on('data', (chunk: Buffer) => {
        stdout.push(chunk);
        if (watcher?.push(chunk) === true) onReadyLine();
      });
      child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('exit', (code, name) => {
        exitCode = code;
        if (name !== null) exitSignal = name;
      });
      child.on('close', () => {
        // Gone: no SIGKILL for a group that may be reused, no grace to wait for (also after an abort).
        clearTimeout(killTimer);
        clearTimeout(graceTimer);
        finish();
      });
      // A command that does not read its input closes the pipe: that is no error.
      child.stdin?.on('error', () => undefined);
      if (timeoutMs > 0) {
        timer = setTimeout(() => {
          timedOut = true;
          stop();
        }, timeoutMs);
      }
      if (signal) {
        if (signal.aborted) {
          onAbort();
          return;
        }
        signal.addEventListener('abort', onAbort, { once: true });
      }
      // Standard input is always closed, so that a command reading it cannot hang; a held
      // command's is closed by its release.
      if (child.pid !== undefined) {
        if (ready) {
          if (stdin !== undefined) child.stdin?.write(stdin, 'utf8');
        } else if (stdin !== undefined) child.stdin?.end(stdin, 'utf8');
        else child.stdin?.end();
      }
      tracked.stop = () => {
        if (!settled) stop();
      };
    });
    tracked.ended = ended.catch(() => undefined);
    this.running.add(tracked);
    void tracked.ended.then(() => this.running.delete(tracked));
    return ended;
  }

  private spawnError(shell: string, error: unknown): TransportError {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    const transient = code === 'EAGAIN' || code === 'ENOMEM';
    return new TransportError(
      'unreachable',
      this.host,
      `cannot start ${shell} on this machine (transport local): ${messageOf(error)}`,
      { retryable: transient, cause: error },
    );
  }
}

/** The environment of a local command: the scrubbed locale and PATH, and who the user is. */
function commandEnvironment(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const assignment of SCRUBBED_ENV) {
    const eq = assignment.indexOf('=');
    env[assignment.slice(0, eq)] = assignment.slice(eq + 1);
  }
  try {
    const me = userInfo();
    env.HOME = me.homedir;
    env.USER = me.username;
    env.LOGNAME = me.username;
    if (me.shell !== null) env.SHELL = me.shell;
  } catch {
    // No passwd entry for this uid (a container): commands run without them.
  }
  return env;
}

/** Whether `promise` settles (either way) within `ms`. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(done, done);
  });
}

function messageOf(error: unknown): string {
  const message = (error as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : String(error);
}
