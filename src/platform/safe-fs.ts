// The one way patchctl reads a file that is not one of its own sources (docs/security.md):
// a regular file only — never a FIFO (it would block for ever), a device (/dev/zero would eat
// memory), a socket or a directory — of a bounded size, and, for files of the repository,
// really inside the repository (a symbolic link leading out of it is refused).
//
// Errors are PatchctlErrors naming the file: InputFileError when the file is not one patchctl
// can use, LocalIoError when this machine cannot read it (permissions, I/O).
import type { Stats } from 'node:fs';
import {
  closeSync,
  constants as fsConstants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  realpathSync,
} from 'node:fs';
import path from 'node:path';
import { InputFileError, LocalIoError } from '../errors.js';

export interface SafeReadOptions {
  /** Refuse files larger than this (bytes). */
  maxBytes: number;
  /** When set, the file's real path (links resolved) must be inside this folder. */
  within?: string;
  /** How messages name the file (default: the path as given). */
  label?: string;
  /**
   * Refuse the file when it is itself a symbolic link, wherever it leads (files patchctl wrote
   * itself are never links: one in a shard checkout is an attack, see `report --merge`).
   */
  refuseLinks?: boolean;
}

/** The default bound: far above any state file, journal or lock patchctl writes. */
export const MAX_READ_BYTES = 64 * 1024 * 1024;

/** The bytes of a regular file, or undefined when nothing is there. */
export function readFileSafeIfExists(file: string, options: SafeReadOptions): Buffer | undefined {
  try {
    return readFileSafe(file, options);
  } catch (err) {
    if (err instanceof LocalIoError && err.errno === 'ENOENT') return undefined;
    throw err;
  }
}

/** The text (UTF-8) of a regular file, or undefined when nothing is there. */
export function readTextSafeIfExists(file: string, options: SafeReadOptions): string | undefined {
  return readFileSafeIfExists(file, options)?.toString('utf8');
}

export function readTextSafe(file: string, options: SafeReadOptions): string {
  return readFileSafe(file, options).toString('utf8');
}

/** The bytes of a regular file; throws InputFileError or LocalIoError naming it. */
export function readFileSafe(file: string, options: SafeReadOptions): Buffer {
  const label = options.label ?? file;
  if (options.refuseLinks === true) {
    let st: Stats;
    try {
      st = lstatSync(file);
    } catch (err) {
      throw LocalIoError.from(err, 'read', label);
    }
    if (st.isSymbolicLink()) throw new NotRegularFileError(label, SYMBOLIC_LINK);
  }
  let real: string;
  try {
    real = realpathSync.native(file);
  } catch (err) {
    throw LocalIoError.from(err, 'read', label);
  }
  if (options.within !== undefined && !isInside(options.within, real)) {
    throw new InputFileError(
      `${label} leads out of ${options.within} (to ${real}) through a symbolic link: patchctl reads only files inside it`,
    );
  }
  try {
    return readRegularFile(real, { maxBytes: options.maxBytes, label });
  } catch (err) {
    // realpath resolved every link: one now is a link swapped in since.
    if (err instanceof NotRegularFileError && err.what === SYMBOLIC_LINK)
      throw new InputFileError(`${label} became a symbolic link while it was read; try again`);
    throw err;
  }
}

/** What is at a path patchctl was to read is not a regular file (`what` says what it is). */
export class NotRegularFileError extends InputFileError {
  constructor(
    label: string,
    readonly what: string,
  ) {
    super(`${label} is ${what}, not a regular file`);
    this.name = 'NotRegularFileError';
  }
}

/** A file is larger than the bound for its kind. */
export class FileTooLargeError extends InputFileError {
  constructor(
    label: string,
    readonly maxBytes: number,
  ) {
    super(`${label} is larger than ${formatBytes(maxBytes)}: patchctl does not read it`);
    this.name = 'FileTooLargeError';
  }
}

const SYMBOLIC_LINK = 'a symbolic link';

export interface RegularFileReadOptions {
  maxBytes: number;
  /** How messages name the file (default: the path as given). */
  label?: string;
  /**
   * Read a small file into one buffer that every such read reuses (no allocation per file, for
   * the thousands of state files of a large fleet). The bytes are valid until the next read with
   * `scratch`: copy or decode them before.
   */
  scratch?: boolean;
}

/**
 * The lower layer of readFileSafe, for callers that have resolved the path themselves (the
 * repository reader): opens `file` without blocking (a FIFO would block for ever) and without
 * following a final symbolic link (refused as NotRegularFileError), then checks on the open
 * descriptor that it is a regular file of at most `maxBytes`, and reads it to its end (a file
 * that grew past the bound since is refused too). Throws NotRegularFileError, FileTooLargeError,
 * or LocalIoError naming the file.
 */
export function readRegularFile(file: string, options: RegularFileReadOptions): Buffer {
  const label = options.label ?? file;
  let fd: number;
  try {
    fd = openSync(file, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0) | (fsConstants.O_NOFOLLOW ?? 0));
  } catch (err) {
    const errno = errnoOf(err);
    if (errno === 'ELOOP') throw new NotRegularFileError(label, SYMBOLIC_LINK);
    // A socket cannot be opened (ENXIO): say what it is rather than "no such device".
    if (errno === 'ENXIO' || errno === 'EOPNOTSUPP') {
      const st = lstatOrUndefined(file);
      if (st !== undefined && !st.isFile()) throw new NotRegularFileError(label, describeFileType(st));
    }
    throw LocalIoError.from(err, 'read', label);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new NotRegularFileError(label, describeFileType(st));
    if (st.size > options.maxBytes) throw new FileTooLargeError(label, options.maxBytes);
    const first =
      options.scratch === true && st.size < SCRATCH_BYTES
        ? scratch()
        : Buffer.allocUnsafe(Math.min(st.size, options.maxBytes) + 1);
    return readUpTo(fd, first, options.maxBytes, label);
  } catch (err) {
    if (err instanceof InputFileError) throw err;
    throw LocalIoError.from(err, 'read', label);
  } finally {
    closeSync(fd);
  }
}

/** Whether `real` (a resolved path) is `folder` or inside it; `folder` is resolved here. */
export function isInside(folder: string, real: string): boolean {
  let root: string;
  try {
    root = realpathSync.native(folder);
  } catch {
    root = path.resolve(folder);
  }
  return real === root || real.startsWith(root.endsWith(path.sep) ? root : `${root}${path.sep}`);
}

/** Files under this size are read into the scratch buffer (readRegularFile's `scratch`). */
const SCRATCH_BYTES = 1024 * 1024;
let scratchBuffer = Buffer.alloc(0);

/**
 * Reads to the end into `buffer` (grown when the file is larger), refusing to go past `max` bytes
 * (a file may grow after fstat). The caller sizes the first buffer: the file's size, or the
 * shared scratch buffer that thousands of small state files reuse.
 */
function readUpTo(fd: number, first: Buffer, max: number, label: string): Buffer {
  let buffer = first;
  let length = 0;
  for (;;) {
    if (length === buffer.length) {
      if (length > max) throw new FileTooLargeError(label, max);
      const bigger = Buffer.allocUnsafe(Math.min(buffer.length * 2, max + 1));
      buffer.copy(bigger, 0, 0, length);
      buffer = bigger;
    }
    const n = readSync(fd, buffer, length, buffer.length - length, null);
    if (n === 0) break;
    length += n;
  }
  if (length > max) throw new FileTooLargeError(label, max);
  return buffer.subarray(0, length);
}

/** The shared scratch buffer, at least SCRATCH_BYTES long. */
function scratch(): Buffer {
  if (scratchBuffer.length < SCRATCH_BYTES) scratchBuffer = Buffer.allocUnsafe(SCRATCH_BYTES);
  return scratchBuffer;
}

function formatBytes(n: number): string {
  if (n >= 1024 * 1024) return `${Math.round(n / 1024 / 1024)} MiB`;
  if (n >= 1024) return `${Math.round(n / 1024)} KiB`;
  return `${n} bytes`;
}

export function describeFileType(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a named pipe (FIFO)';
  if (st.isSocket()) return 'a socket';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isFile()) return 'a regular file';
  return 'not a regular file';
}

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch {
    return undefined;
  }
}

function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}
