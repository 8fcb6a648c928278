// What a transport runs and what it returns. Commands are argument vectors, never shell strings:
// `commandLine()` in quote.ts is the only place that turns one into a shell line.

/** One remote command: an argument vector plus how to run it. */
export interface RemoteCommand {
  /** The program and its arguments; argv[0] is looked up in the scrubbed PATH. */
  argv: string[];
  /**
   * The command needs root. It runs through `sudo -n --` when the transport was set up to use sudo
   * (Config `ssh.sudo`); when the login user is root the flag has no effect.
   */
  sudo?: boolean;
  /** Extra environment; names must match ^[A-Z_][A-Z0-9_]*$ and may not replace LC_ALL, LANG or PATH. */
  env?: Record<string, string>;
  /** Written to the command's standard input, which is then closed (it is always closed). */
  stdin?: string;
}

/** What happened to a command that ran. A non-zero exit is a result, not an error. */
export interface CommandResult {
  /** The exit status; null when the command was killed by a signal, timed out, or none was reported. */
  exitCode: number | null;
  /** The signal that ended the command, as `SIGTERM`, when the remote side reported one. */
  signal?: string;
  stdout: string;
  stderr: string;
  /** From the request to run the command to the end of its output (connecting is not counted). */
  durationMs: number;
  /** The command ran longer than its timeout and was stopped. */
  timedOut?: boolean;
  /** stdout or stderr went over the transport's output cap and ends with a truncation marker. */
  truncated?: boolean;
}

export interface RunOptions {
  /** Aborting stops the command and rejects the run with an `AbortedError`. */
  signal?: AbortSignal;
  /** Overrides the transport's default command timeout (milliseconds; 0 = none). */
  timeoutMs?: number;
}

/** How `Transport.hold` waits for a held command (a lock holder, say) to say it is ready. */
export interface HoldOptions {
  /** The stdout line (without its newline; a trailing CR is ignored) that means "held". */
  ready: string;
  /**
   * How long to wait for the ready line (milliseconds; 0 = none; default: the transport's command
   * timeout). It does not apply once the command is held.
   */
  timeoutMs?: number;
  /**
   * Aborting before the ready line stops the command and rejects with an `AbortedError`. Once the
   * command is held the signal is no longer watched: call `release()`.
   */
  signal?: AbortSignal;
}

/**
 * The outcome of `Transport.hold`: the command printed its ready line and keeps running until
 * released, or it ended (or timed out, `timedOut: true`) before that, with its output.
 */
export type HoldOutcome =
  | {
      held: true;
      /**
       * Closes the command's standard input (EOF) and waits, about 5 s at most, for the command to
       * end; then closes its channel. Idempotent; never rejects. Also resolves at once when the
       * command already ended (or the connection was lost) while held.
       */
      release(): Promise<void>;
    }
  | { held: false; result: CommandResult };

export type TransportId = 'ssh' | 'winrm' | 'local' | 'fake';

/**
 * A way to run commands on one host. `run` rejects only when the command could not be run at all
 * (`TransportError`), or when it was aborted (`AbortedError`).
 */
export interface Transport {
  readonly id: TransportId;
  /** The inventory name of the host. */
  readonly host: string;
  run(cmd: RemoteCommand, options?: RunOptions): Promise<CommandResult>;
  /**
   * Starts `cmd` with its standard input kept open (`cmd.stdin`, if any, is written first) and
   * resolves as soon as it prints the `options.ready` line: the command then runs, and holds
   * whatever it holds, until `release()` or until the connection goes away. Used for locks tied to
   * the life of a channel. Rejects like `run`. Optional: transports without it cannot hold.
   */
  hold?(cmd: RemoteCommand, options: HoldOptions): Promise<HoldOutcome>;
  /**
   * `false` when apply may not reboot the host over this transport: `local` is the controller
   * itself, which cannot reboot and prove it came back; its host then ends
   * `patched-pending-reboot` (docs/architecture.md, "Transports"). Absent: it may.
   */
  readonly canReboot?: boolean;
  /** Closes the connection; idempotent. */
  close(): Promise<void>;
}
