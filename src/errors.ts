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
