import { PatchctlError } from '../errors.js';
import type { CommandResult, FailureReason } from './types.js';

const EXCERPT_MAX = 400;

/**
 * A driver could not read a command's output (docs/adding-a-driver.md, "Failures"). The engine adds the
 * host with `forHost` when it knows it.
 */
export class DriverOutputError extends PatchctlError {
  readonly code = 'driver-output';
  readonly exitCode = 1;
  constructor(
    readonly driver: string,
    /** What could not be read, without the driver and host prefix. */
    readonly detail: string,
    readonly excerpt: string,
    readonly host?: string,
    options?: { cause?: unknown },
  ) {
    super(host === undefined ? `${driver}: ${detail}` : `${host}: ${driver}: ${detail}`, options);
    this.name = 'DriverOutputError';
  }

  /** The same error, naming the host. */
  forHost(host: string): DriverOutputError {
    return new DriverOutputError(this.driver, this.detail, this.excerpt, host, { cause: this });
  }
}

/** A package name, version or option that must not reach a command line. */
export class InvalidPackageRefError extends PatchctlError {
  readonly code = 'invalid-package-ref';
  readonly exitCode = 1;
  constructor(message: string) {
    super(message);
    this.name = 'InvalidPackageRefError';
  }
}

/** At most EXCERPT_MAX characters of `text` around its start (or its end with `fromEnd`). */
export function excerptOf(text: string, fromEnd = false): string {
  const t = text.trim();
  if (t.length <= EXCERPT_MAX) return t;
  return fromEnd ? `…${t.slice(t.length - EXCERPT_MAX)}` : `${t.slice(0, EXCERPT_MAX)}…`;
}

/** The end of stderr (where failures are), or of stdout when stderr is empty. */
export function resultExcerpt(out: CommandResult): string {
  return excerptOf(out.stderr.trim() !== '' ? out.stderr : out.stdout, true);
}

/** A FailureReason whose excerpt is the lines it was read from, bounded. */
export function failureReason(
  kind: FailureReason['kind'],
  message: string,
  excerptLines: readonly string[],
  extra: Partial<FailureReason> = {},
): FailureReason {
  return { kind, message, ...extra, excerpt: excerptOf(excerptLines.join('\n')) };
}
