// The one way patchctl reads a file that is not one of its own sources (docs/security.md):
// a regular file only — never a FIFO (it would block for ever), a device (/dev/zero would eat
// memory), a socket or a directory — of a bounded size, and, for files of the repository,
// really inside the repository (a symbolic link leading out of it is refused).
//
// Errors are PatchctlErrors naming the file: InputFileError when the file is not one patchctl
// can use, LocalIoError when this machine cannot read it (permissions, I/O).
import type { Stats } from 'node:fs';
import { closeSync, constants as fsConstants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { InputFileError, LocalIoError } from '../errors.js';

export interface SafeReadOptions {
  /** Refuse files larger than this (bytes). */
  maxBytes: number;
  /** When set, the file's real path (links resolved) must be inside this folder. */
  within?: string;
  /** How messages name the file (default: the path as given). */
  label?: string;
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
  let fd: number;
  try {
    // Without blocking (a FIFO swapped in since realpath opens at once) and without following a
    // link swapped in for the last component.
    fd = openSync(real, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0) | (fsConstants.O_NOFOLLOW ?? 0));
  } catch (err) {
    if (errnoOf(err) === 'ELOOP')
      throw new InputFileError(`${label} became a symbolic link while it was read; try again`);
    throw LocalIoError.from(err, 'read', label);
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new InputFileError(`${label} is ${describeFileType(st)}, not a regular file`);
    if (st.size > options.maxBytes) throw tooLarge(label, options.maxBytes);
    return readUpTo(fd, options.maxBytes, label);
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

/** Reads to the end, refusing to go past `max` bytes (a file may grow after fstat). */
function readUpTo(fd: number, max: number, label: string): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1024 * 1024, max + 1 - total));
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    total += n;
    if (total > max) throw tooLarge(label, max);
    chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, total);
}

function tooLarge(label: string, max: number): InputFileError {
  return new InputFileError(`${label} is larger than ${formatBytes(max)}: patchctl does not read it`);
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

function errnoOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}
