// Every file patchctl writes goes through here: a temp file in the same folder, fsync, rename.
// A reader never sees half a file, and a crash leaves the old one in place. Only a regular file
// (or nothing) is ever replaced: `plan --out /dev/null` run as root must not replace /dev/null,
// and a symbolic link is not silently turned into a file. A full disk or a read-only file system
// is a LocalIoError naming the file. Every byte written passes the redaction layer first
// (redact.ts): no secret reaches state, plans, reports or rollout state; and a JSON file's
// strings carry no raw control character or CI command marker (jsonOutputText: the same values
// for a JSON reader). See docs/security.md.
import type { Stats } from 'node:fs';
import { closeSync, fsyncSync, lstatSync, mkdirSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
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

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw LocalIoError.from(err, 'read', file);
  }
}

export function writeFileAtomic(file: string, content: string | Uint8Array, mode = 0o644): void {
  const data = outputData(file, content);
  assertReplaceable(file, lstatOrUndefined(file));
  try {
    mkdirSync(path.dirname(file), { recursive: true });
  } catch (err) {
    throw LocalIoError.from(err, 'create', path.dirname(file));
  }
  const tmp = tempNameFor(file);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', mode);
  } catch (err) {
    throw LocalIoError.from(err, 'write', file);
  }
  try {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw LocalIoError.from(err, 'write', file);
  }
  closeSync(fd);
  try {
    // Checked again just before the rename: the window left is the rename itself.
    assertReplaceable(file, lstatOrUndefined(file));
    renameSync(tmp, file);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw LocalIoError.from(err, 'write', file);
  }
}

/**
 * writeFileAtomic off the event loop, for files written while hosts are in flight (each host's
 * state during apply and scan): a synchronous fsync there stalls every connection.
 */
export async function writeFileAtomicAsync(
  file: string,
  content: string | Uint8Array,
  mode = 0o644,
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
  assertReplaceable(file, await current());
  try {
    await mkdir(path.dirname(file), { recursive: true });
  } catch (err) {
    throw LocalIoError.from(err, 'create', path.dirname(file));
  }
  const tmp = tempNameFor(file);
  let handle;
  try {
    handle = await open(tmp, 'wx', mode);
  } catch (err) {
    throw LocalIoError.from(err, 'write', file);
  }
  try {
    await handle.writeFile(data);
    await handle.sync();
  } catch (err) {
    await handle.close();
    await rm(tmp, { force: true });
    throw LocalIoError.from(err, 'write', file);
  }
  await handle.close();
  try {
    assertReplaceable(file, await current());
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw LocalIoError.from(err, 'write', file);
  }
}
