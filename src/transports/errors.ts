import { PatchctlError } from '../errors.js';

/** Why a transport could not run a command. The first three are per-host statuses of `apply`. */
export type TransportErrorKind =
  'unreachable' | 'auth-failed' | 'host-key-mismatch' | 'host-key-unknown' | 'timeout' | 'protocol';

/** Whether a later attempt may succeed, by kind, unless the thrower knows better. */
const RETRYABLE: Record<TransportErrorKind, boolean> = {
  unreachable: true,
  timeout: true,
  protocol: false,
  'auth-failed': false,
  'host-key-mismatch': false,
  'host-key-unknown': false,
};

export interface HostKeyInfo {
  /** `ssh-ed25519`, `ssh-rsa`, `ecdsa-sha2-nistp256`... */
  type: string;
  /** OpenSSH style: `SHA256:` + unpadded base64 of the key blob's SHA-256. */
  fingerprint: string;
}

export interface TransportErrorOptions {
  retryable?: boolean;
  cause?: unknown;
  /** The key the server offered, for host-key errors. */
  hostKey?: HostKeyInfo;
}

/**
 * A command could not be run on `host` at all. Messages never hold secrets (passphrases are
 * never put into one); `cause` keeps the original error.
 */
export class TransportError extends PatchctlError {
  readonly exitCode = 1;
  /** The same as `kind`, so that codes read like the per-host statuses. */
  readonly code: string;
  readonly retryable: boolean;
  readonly hostKey: HostKeyInfo | undefined;
  constructor(
    readonly kind: TransportErrorKind,
    readonly host: string,
    message: string,
    options: TransportErrorOptions = {},
  ) {
    super(`${host}: ${message}`, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TransportError';
    this.retryable = options.retryable ?? RETRYABLE[kind];
    this.hostKey = options.hostKey;
    this.code = kind;
  }
}

/** A run was stopped through its AbortSignal (the second Ctrl-C). */
export class AbortedError extends PatchctlError {
  readonly code = 'aborted';
  readonly exitCode = 1;
  constructor(
    readonly host: string,
    reason?: unknown,
  ) {
    super(`${host}: command aborted`, reason === undefined ? undefined : { cause: reason });
    this.name = 'AbortError';
  }
}

/** A command that no shell line can represent faithfully (a bug in whoever built it). */
export class InvalidCommandError extends PatchctlError {
  readonly code = 'invalid-command';
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidCommandError';
  }
}

/** What a host that could not be reached is, in the words of README.md, "Apply": only two kinds have their own. */
export function reachStatus(err: TransportError): 'auth-failed' | 'host-key-mismatch' | 'unreachable' {
  return err.kind === 'auth-failed' || err.kind === 'host-key-mismatch' ? err.kind : 'unreachable';
}
