// Every file patchctl writes goes through here: a temp file in the same folder, fsync, rename.
// A reader never sees half a file, and a crash leaves the old one in place. Only a regular file
// (or nothing) is ever replaced: `plan --out /dev/null` run as root must not replace /dev/null,
// and a symbolic link is not silently turned into a file. A full disk or a read-only file system
// is a LocalIoError naming the file. Every byte written passes the redaction layer first
// (redact.ts): no secret reaches state, plans, reports or rollout state; and a JSON file's
// strings carry no raw control character or CI command marker (jsonOutputText: the same values
// for a JSON reader). See docs/security.md.
//
// Ours rather than npm's write-file-atomic (reviewed against its 7.x): that one needs Node
// ^20.17 (our engines say >=20), follows a symbolic link and replaces its target, would replace
// a FIFO or a device, and throws raw errors. What it did better is done here too: a file that
// is replaced keeps its permission bits and, when patchctl runs as root, its owner (a `sudo
// patchctl apply` leaves the state files the user's, and a state file made 0600 is not
// widened to 0644); a close that fails (NFS reports write errors there) removes the temp file
// and is a LocalIoError. And one thing it does not do: the folder is fsynced after the rename,
// so that after a power cut the new name is there, not only the new bytes. Temp names are
// random with `wx` (never opened if present: a collision fails, it never shares a file).
import type { Stats } from 'node:fs';
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { lstat, mkdir, open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { LocalIoError, UsageError } from '../errors.js';
import { jsonOutputText } from '../core/text/terminal-text.js';
import { redactOutputData } from './redact.js';
import { describeFileType } from './safe-fs.js';

/** What is written for `content`: redacted, and JSON files made inert (see above). */
function outputData(file: string, content: string | Uint8Array): string | Uint8Array {
  const data = redactOutputData(content);
  return typeof data === 'string' && /\.jsonl?$/.test(file) ? jsonOutputText(data) : data;
}

function tempNameFor(file: string): string {
  return path.join(
    path.dirname(file),
    `.${path.basename(file)}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`,
  );
}

/** Throws unless `st` (of what is at `file` now) is a regular file or nothing. */
function assertReplaceable(file: string, st: Stats | undefined): void {
  if (st === undefined || st.isFile()) return;
  throw new UsageError(
    `${file} is ${describeFileType(st)}: patchctl only ever replaces a regular file, so nothing was written`,
  );
}

/** Default permissions of a new file (less the umask). */
const NEW_FILE_MODE = 0o644;

/**
 * What the temp file gets before the rename: the mode asked for; else the permission bits of the
 * file it replaces, set with fchmod (the umask would narrow them); and, when patchctl runs as root,
 * that file's owner and group.
 */
interface Inherit {
  mode?: number;
  owner?: { uid: number; gid: number };
}

function inheritFrom(st: Stats | undefined, mode: number | undefined): Inherit {
  if (st === undefined) return {};
  const root = typeof process.getuid === 'function' && process.getuid() === 0;
  return {
    ...(mode === undefined ? { mode: st.mode & 0o777 } : {}),
    ...(root && (st.uid !== 0 || st.gid !== 0) ? { owner: { uid: st.uid, gid: st.gid } } : {}),
  };
}

/**
 * A chown that the file system cannot do (no owners on it, or root squashed on NFS) leaves the
 * file root's, as a plain write would: not a reason to fail the write.
 */
function chownRefused(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EPERM' || code === 'EINVAL' || code === 'ENOSYS' || code === 'ENOTSUP';
}

/** Errors of fsync on a folder where the platform or file system does not support it. */
function dirSyncUnsupported(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EISDIR' || code === 'EINVAL' || code === 'EPERM' || code === 'ENOTSUP' || code === 'EBADF';
}

/** fsync of `dir`, so that a rename in it survives a power cut; see dirSyncUnsupported. */
function syncDir(dir: string, file: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch (err) {
    if (!dirSyncUnsupported(err)) throw LocalIoError.from(err, 'write', file);
  } finally {
    // Nothing was written through it: a failed close loses nothing.
    if (fd !== undefined) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // See syncDir.
  }
}

async function syncDirAsync(dir: string, file: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch (err) {
    if (!dirSyncUnsupported(err)) throw LocalIoError.from(err, 'write', file);
  } finally {
    // Nothing was written through it: a failed close loses nothing.
    await handle?.close().catch(() => undefined);
  }
}

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw LocalIoError.from(err, 'read', file);
  }
}

/**
 * Writes `content` to `file` atomically (see above). `mode`: the new file's permissions; by
 * default those of the file it replaces, or 0644 (less the umask) for a new one.
 */
export function writeFileAtomic(file: string, content: string | Uint8Array, mode?: number): void {
  const data = outputData(file, content);
  const before = lstatOrUndefined(file);
  assertReplaceable(file, before);
  const inherit = inheritFrom(before, mode);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (err) {
    throw LocalIoError.from(err, 'create', path.dirname(file));
  }
  const tmp = tempNameFor(file);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', mode ?? NEW_FILE_MODE);
  } catch (err) {
    throw LocalIoError.from(err, 'write', file);
  }
  try {
    try {
      const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
      let off = 0;
      while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
      if (inherit.mode !== undefined) fchmodSync(fd, inherit.mode);
      if (inherit.owner) {
        try {
          fchownSync(fd, inherit.owner.uid, inherit.owner.gid);
        } catch (err) {
          if (!chownRefused(err)) throw err;
        }
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch (err) {
    rmSync(tmp, { force: true });
    throw LocalIoError.from(err, 'write', file);
  }
  try {
    // Checked again just before the rename: the window left is the rename itself.
    assertReplaceable(file, lstatOrUndefined(file));
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw LocalIoError.from(err, 'write', file);
  }
  syncDir(path.dirname(file), file);
}

/**
 * writeFileAtomic off the event loop, for files written while hosts are in flight (each host's
 * state during apply and scan): a synchronous fsync there stalls every connection.
 */
export async function writeFileAtomicAsync(
  file: string,
  content: string | Uint8Array,
  mode?: number,
): Promise<void> {
  const data = outputData(file, content);
  const current = async (): Promise<Stats | undefined> => {
    try {
      return await lstat(file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw LocalIoError.from(err, 'read', file);
    }
  };
  const before = await current();
  assertReplaceable(file, before);
  const inherit = inheritFrom(before, mode);
  try {
    await mkdir(path.dirname(file), { recursive: true });
  } catch (err) {
    throw LocalIoError.from(err, 'create', path.dirname(file));
  }
  const tmp = tempNameFor(file);
  let handle: FileHandle;
  try {
    handle = await open(tmp, 'wx', mode ?? NEW_FILE_MODE);
  } catch (err) {
    throw LocalIoError.from(err, 'write', file);
  }
  try {
    try {
      await handle.writeFile(data);
      if (inherit.mode !== undefined) await handle.chmod(inherit.mode);
      if (inherit.owner) {
        try {
          await handle.chown(inherit.owner.uid, inherit.owner.gid);
        } catch (err) {
          if (!chownRefused(err)) throw err;
        }
      }
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (err) {
    await rm(tmp, { force: true });
    throw LocalIoError.from(err, 'write', file);
  }
  try {
    assertReplaceable(file, await current());
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw LocalIoError.from(err, 'write', file);
  }
  await syncDirAsync(path.dirname(file), file);
}
