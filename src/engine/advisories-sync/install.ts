// Puts a checked feed in place so that a reader (or a crash) only ever sees the old feed or the
// new one. A file goes through writeFileAtomic (temporary sibling, fsync, rename). A folder (OSV)
// is written complete as a hidden sibling, then swapped in by two renames: the old folder aside,
// the new one in, then the old one removed. A crash between the two renames leaves the old
// folder aside under a hidden name, which the next sync puts back (recoverFolders).
// Hidden names (a leading dot) are never read as feeds (engine/load-repo.ts).
import type { Stats } from 'node:fs';
import { lstatSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { LocalIoError, UsageError } from '../../errors.js';
import { writeFileAtomic } from '../../platform/atomic-write.js';
import { describeFileType, readFileSafeIfExists } from '../../platform/safe-fs.js';

export type InstallOutcome = 'updated' | 'unchanged';

/** Above any feed sync writes as one file (its downloads are capped lower than this for text). */
const MAX_COMPARE_BYTES = 1024 * 1024 * 1024;

function randomSuffix(): string {
  return `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
}

/** Writes `bytes` to `file` atomically unless the file already holds exactly them. */
export function installFile(file: string, bytes: Buffer): InstallOutcome {
  const old = readFileSafeIfExists(file, { maxBytes: MAX_COMPARE_BYTES, refuseLinks: true });
  if (old !== undefined && old.equals(bytes)) return 'unchanged';
  writeFileAtomic(file, bytes);
  return 'updated';
}

/** Replaces folder `dir` by one holding exactly `files` (name → bytes), unless it already does. */
export function installFolder(dir: string, files: ReadonlyMap<string, Buffer>): InstallOutcome {
  const parent = path.dirname(dir);
  const base = path.basename(dir);
  const existing = lstatOrUndefined(dir);
  if (existing !== undefined && !existing.isDirectory())
    throw new UsageError(
      `${dir} is ${describeFileType(existing)}: patchctl only ever replaces a folder it wrote, so nothing was written`,
    );
  if (existing !== undefined && sameFolder(dir, files)) return 'unchanged';
  const staging = path.join(parent, `.${base}.tmp-${randomSuffix()}`);
  try {
    mkdirSync(staging, { recursive: true });
  } catch (err) {
    throw LocalIoError.from(err, 'create', staging);
  }
  let aside: string | undefined;
  try {
    for (const [name, bytes] of files) writeFileAtomic(path.join(staging, name), bytes);
    if (existing !== undefined) {
      aside = path.join(parent, `.${base}.old-${randomSuffix()}`);
      rename(dir, aside);
    }
    rename(staging, dir);
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    // The old folder goes back where it was if the new one never arrived.
    if (aside !== undefined && lstatOrUndefined(dir) === undefined) rename(aside, dir);
    throw err;
  }
  if (aside !== undefined) {
    try {
      remove(aside);
    } catch {
      // The new feed is in place; the hidden old folder is removed by the next sync (recoverFolders).
    }
  }
  return 'updated';
}

/**
 * Tidies `parent` after an interrupted sync: a folder left aside (`.NAME.old-…`) goes back to
 * NAME when NAME is missing (the crash fell between the two renames), else it is removed; a
 * half-written new folder (`.NAME.tmp-…`) is removed. Returns what it did, for the log.
 */
export function recoverFolders(parent: string): string[] {
  let names: string[];
  try {
    names = readdirSync(parent);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw LocalIoError.from(err, 'read', parent);
  }
  const done: string[] = [];
  for (const entry of names.sort()) {
    const m = /^\.(.+)\.(old|tmp)-\d+-[a-z0-9]+$/.exec(entry);
    if (!m?.[1]) continue;
    const full = path.join(parent, entry);
    if (!lstatOrUndefined(full)?.isDirectory()) continue;
    const target = path.join(parent, m[1]);
    if (m[2] === 'old' && lstatOrUndefined(target) === undefined) {
      rename(full, target);
      done.push(`restored ${target} from an interrupted sync`);
    } else {
      remove(full);
      done.push(`removed ${full}, left by an interrupted sync`);
    }
  }
  return done;
}

/** Whether folder `dir` holds exactly `files` (same names, same bytes, nothing else). */
function sameFolder(dir: string, files: ReadonlyMap<string, Buffer>): boolean {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    throw LocalIoError.from(err, 'read', dir);
  }
  if (names.length !== files.size) return false;
  for (const name of names) {
    const want = files.get(name);
    if (want === undefined) return false;
    const st = lstatOrUndefined(path.join(dir, name));
    if (!st?.isFile() || st.size !== want.length) return false;
  }
  for (const [name, want] of files) {
    const have = readFileSafeIfExists(path.join(dir, name), { maxBytes: want.length, refuseLinks: true });
    if (have === undefined || !have.equals(want)) return false;
  }
  return true;
}

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw LocalIoError.from(err, 'read', p);
  }
}

function rename(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    throw LocalIoError.from(err, 'rename', from);
  }
}

function remove(p: string): void {
  try {
    rmSync(p, { recursive: true, force: true });
  } catch (err) {
    throw LocalIoError.from(err, 'remove', p);
  }
}
