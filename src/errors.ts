import type { Diagnostic } from './core/model/diagnostics.js';
import { formatDiagnostic } from './core/model/diagnostics.js';

/** Base of every error patchctl raises on purpose; the CLI maps `exitCode` and prints `message`. */
export abstract class PatchctlError extends Error {
  abstract readonly code: string;
  abstract readonly exitCode: number;
}

/** The repository's documents are invalid: exit 3 with every diagnostic. */
export class ConfigError extends PatchctlError {
  readonly code = 'config-invalid';
  readonly exitCode = 3;
  constructor(readonly diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n') || 'invalid configuration');
    this.name = 'ConfigError';
  }
}

/** The user asked for something that cannot be done as asked (bad flag value, existing files...). */
export class UsageError extends PatchctlError {
  readonly code = 'usage';
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'UsageError';
    this.exitCode = exitCode;
  }
}

/** A saved plan no longer matches what it was computed from: apply must refuse it. */
export class StalePlanError extends PatchctlError {
  readonly code = 'stale-plan';
  readonly exitCode = 1;
  constructor(
    message: string,
    readonly changedFiles: readonly string[] = [],
  ) {
    super(message);
    this.name = 'StalePlanError';
  }
}

/** A file patchctl reads (a saved plan, a state file) is not one it can use. */
export class InputFileError extends PatchctlError {
  readonly code = 'input-file';
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'InputFileError';
    this.exitCode = exitCode;
  }
}

/** A bug in patchctl: the CLI asks the user to report it. */
export class InternalError extends PatchctlError {
  readonly code = 'internal';
  readonly exitCode = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InternalError';
  }
}

/** Errno codes that describe this machine (disk, permissions), never a host or the repository's content. */
const LOCAL_ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EIO: 'input/output error',
  EMFILE: 'too many open files in this process',
  ENFILE: 'too many open files on this machine',
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'it is a directory',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many symbolic links',
  EEXIST: 'it already exists',
  EBUSY: 'the file is busy',
  EXDEV: 'it is on another file system',
  ENOTEMPTY: 'the directory is not empty',
};

export type LocalIoAction = 'read' | 'write' | 'open' | 'create' | 'remove' | 'rename';

/**
 * This machine could not read or write a file (full disk, read-only file system, permissions):
 * exit 1 with the path and the reason, never blamed on a host and never a stack trace.
 */
export class LocalIoError extends PatchctlError {
  readonly code = 'local-io';
  readonly exitCode = 1;
  constructor(
    message: string,
    readonly errno: string | undefined,
    readonly path: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'LocalIoError';
  }

  /** Wraps a Node error of `action` on `file` (a LocalIoError or PatchctlError passes through). */
  static from(err: unknown, action: LocalIoAction, file: string): PatchctlError {
    if (err instanceof PatchctlError) return err;
    const errno = errnoCode(err);
    const why =
      (errno !== undefined ? LOCAL_ERRNO_TEXT[errno] : undefined) ??
      (err instanceof Error ? err.message : String(err));
    return new LocalIoError(
      `cannot ${action} ${file}: ${why}${errno !== undefined ? ` (${errno})` : ''}`,
      errno,
      file,
      { cause: err },
    );
  }
}

/** Whether `err` is a Node file-system error this machine caused (see LOCAL_ERRNO_TEXT). */
export function isLocalIoErrno(err: unknown): err is NodeJS.ErrnoException & { path?: string } {
  const errno = errnoCode(err);
  return (
    errno !== undefined &&
    errno in LOCAL_ERRNO_TEXT &&
    typeof (err as { syscall?: unknown }).syscall === 'string'
  );
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}
