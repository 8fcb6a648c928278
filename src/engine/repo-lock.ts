// The local repository lock (docs/security.md, "Locks"): one lock namespace per repository, whatever the
// shard, keeps two applies off one repository. An apply holds `<paths.state>/apply.lock`; shard i
// of N (`apply --shard i/N`) holds `apply.shard-i-of-N.lock`, so that the shards of ONE split run
// side by side (a CI matrix or a Kubernetes Indexed Job on a shared volume), each index at most
// once. An unsharded apply excludes every shard; a shard excludes an unsharded apply and the
// shards of another split (another N, or another plan: see `sameSplit`).
//
// Taking the lock is race-free without any lock manager: a process first creates its own file
// with O_EXCL (one holder per name), then reads every other lock file; if one of them belongs to
// a live run it may not run beside, it removes its own file and refuses. Of two conflicting runs,
// the one that checks last sees the other's file, so at most one of them goes on (both may
// refuse; a run that sees its rival give up tries again). A lock taken on this machine by a
// process that is gone (or whose pid now belongs to a younger process) is stale and is taken over.
//
// Lock files are read with the safe reader (a FIFO or a device as apply.lock is refused, never
// waited on) and parsed strictly (docs/security.md). The module takes the absolute state folder
// and loads nothing: the caller resolves `paths.state` (see `stateDirOf`).
import { createHash, randomUUID } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Repository } from '../core/model/repository.js';
import { CONFIG_DEFAULTS } from '../core/model/repository.js';
import { parseJsonStrict } from '../core/model/strict-json.js';
import { InputFileError, LocalIoError, PatchctlError, UsageError } from '../errors.js';
import { readTextSafeIfExists } from '../platform/safe-fs.js';

export const REPO_LOCK_FILE = 'apply.lock';

const SHARD_LOCK_FILE = /^apply\.shard-(\d+)-of-(\d+)\.lock$/;

/** A lock file is a few hundred bytes: anything much larger is not one of patchctl's. */
const MAX_LOCK_BYTES = 64 * 1024;

/** How long a lock file that does not parse yet may still be being written by its creator. */
const SETTLE_MS = 2000;
const SETTLE_STEP_MS = 20;

export type RepoLockOperation = 'apply' | 'release';

/** What the lock file holds. */
export interface RepoLockInfo {
  formatVersion: 1;
  id: string;
  operation: RepoLockOperation;
  /** `user@hostname`, for people. */
  who: string;
  hostname: string;
  pid: number;
  /** Field 22 of /proc/<pid>/stat (clock ticks after boot); null where /proc is not readable. */
  pidStartTime: number | null;
  /** ISO 8601. */
  createdAt: string;
  planDigest?: string;
  runId?: string;
  /** `2/4` for the lock of one shard (`apply --shard 2/4`). */
  shard?: string;
  /** For a shard: what decides the split (see `splitDigestOf`); shards with equal ones coexist. */
  splitDigest?: string;
}

export interface RepoLockRequest {
  operation: RepoLockOperation;
  planDigest?: string;
  runId?: string;
  /** Shards of one split run side by side: each takes its own lock. */
  shard?: { index: number; count: number };
  /**
   * For a shard: the digest of what decides the split (`splitDigestOf(plan.inputs, stateRel)`).
   * Without it, shards coexist only with shards of the same `planDigest`.
   */
  splitDigest?: string;
}

export interface RepoLock {
  readonly id: string;
  /** The lock file, absolute. */
  readonly path: string;
  readonly info: RepoLockInfo;
  /** The stale lock this one replaced (its process was gone); the first one, if several. */
  readonly takenOverFrom?: RepoLockInfo;
  /** Removes the lock file if it still holds this lock's id. Safe to call more than once. */
  release(): void;
}

/** Someone else holds the repository lock, or a lock file cannot be read. */
export class RepoLockedError extends PatchctlError {
  readonly code = 'repo-locked';
  readonly exitCode = 1;
  constructor(
    message: string,
    readonly lockPath: string,
    /** Undefined when the lock file is unreadable. */
    readonly holder?: RepoLockInfo,
  ) {
    super(message);
    this.name = 'RepoLockedError';
  }
}

/** `<repoDir>/<paths.state>`, absolute. */
export function stateDirOf(repoDir: string, repo: Pick<Repository, 'config'>): string {
  return path.resolve(repoDir, repo.config?.doc.spec.paths?.state ?? CONFIG_DEFAULTS.paths.state);
}

export function repoLockPath(stateDirAbs: string, shard?: { index: number; count: number }): string {
  return path.join(
    stateDirAbs,
    shard === undefined ? REPO_LOCK_FILE : `apply.shard-${shard.index}-of-${shard.count}.lock`,
  );
}

/** The lock files present: the repository's and each running shard's. */
export function repoLockFiles(stateDirAbs: string): string[] {
  let names: string[];
  try {
    names = readdirSync(stateDirAbs);
  } catch {
    return [];
  }
  return names
    .filter((n) => n === REPO_LOCK_FILE || SHARD_LOCK_FILE.test(n))
    .sort()
    .map((n) => path.join(stateDirAbs, n));
}

/**
 * The digest of what decides how a plan is split into shards: every input file of the plan that
 * is not under the state folder (documents and advisories decide ring membership; the state that
 * shards rewrite while they run does not). Shards that plan for themselves at different moments
 * get different plan digests but the same split digest.
 */
export function splitDigestOf(inputs: Readonly<Record<string, string>>, stateDirRel: string): string {
  const prefix = `${stateDirRel.replace(/\/+$/, '')}/`;
  const hash = createHash('sha256');
  for (const file of Object.keys(inputs).sort()) {
    if (file.startsWith(prefix)) continue;
    hash.update(`${file}\0${inputs[file] ?? ''}\n`);
  }
  return `sha256:${hash.digest('hex')}`;
}

/** `apply run R (id X, root@ci-7, pid 4242, since 2026-11-23T09:00:00.000Z)` */
export function describeRepoLock(info: RepoLockInfo): string {
  return `${holderRun(info)} (id ${info.id}, ${info.who}, pid ${info.pid}, since ${info.createdAt})`;
}

/** `apply run R, root@ci-7, pid 4242, since 2026-11-23T09:00:00.000Z`: the holder without the id. */
export function describeRepoLockHolder(info: RepoLockInfo): string {
  return `${holderRun(info)}, ${info.who}, pid ${info.pid}, since ${info.createdAt}`;
}

function holderRun(info: RepoLockInfo): string {
  const shard = info.shard !== undefined ? ` of shard ${info.shard}` : '';
  return info.runId !== undefined
    ? `${info.operation} run ${info.runId}${shard}`
    : `${info.operation}${shard}`;
}

/**
 * Takes the repository lock or throws a RepoLockedError naming the holder that keeps it. Stale
 * locks of this machine (their process is gone) are taken over; the result says so in
 * `takenOverFrom`.
 */
export function acquireRepoLock(stateDirAbs: string, request: RepoLockRequest, now: () => Date): RepoLock {
  const file = repoLockPath(stateDirAbs, request.shard);
  const hostname = os.hostname();
  const info: RepoLockInfo = {
    formatVersion: 1,
    id: randomUUID(),
    operation: request.operation,
    who: `${userName()}@${hostname}`,
    hostname,
    pid: process.pid,
    pidStartTime: processStartTime(process.pid),
    createdAt: now().toISOString(),
    ...(request.planDigest !== undefined ? { planDigest: request.planDigest } : {}),
    ...(request.runId !== undefined ? { runId: request.runId } : {}),
    ...(request.shard !== undefined ? { shard: `${request.shard.index}/${request.shard.count}` } : {}),
    ...(request.shard !== undefined && request.splitDigest !== undefined
      ? { splitDigest: request.splitDigest }
      : {}),
  };
  const text = `${JSON.stringify(info, null, 2)}\n`;
  try {
    mkdirSync(stateDirAbs, { recursive: true });
  } catch (err) {
    throw LocalIoError.from(err, 'create', stateDirAbs);
  }

  let takenOverFrom: RepoLockInfo | undefined;
  const tookOver = (stale: RepoLockInfo): void => {
    takenOverFrom ??= stale;
  };
  // A few rounds cover a holder releasing between our create and our read, takeovers, and a
  // rival that gave up when it saw us.
  for (let round = 0; round < 6; round++) {
    if (round > 0) sleepMs(5 + Math.floor(Math.random() * 20 * round));
    if (!createExclusive(file, text)) {
      // Our own name is taken: by the same shard index, or by another unsharded apply.
      const existing = readLockFile(file, { settle: true });
      if (existing.kind === 'missing') continue;
      if (existing.kind === 'unreadable') throw unreadableError(file, existing.reason);
      if (!isStale(existing.info, hostname)) throw lockedError(file, existing.info);
      // Remove the stale lock only if it is still the one judged stale, then create ours with
      // O_EXCL again. Small race, accepted: another patchctl that judged the same lock stale may
      // create its lock between our re-read and our unlink, and we would remove it. That needs two
      // applies started within microseconds of each other on a repository whose last apply died.
      if (removeIfUnchanged(file, existing.raw)) tookOver(existing.info);
      continue;
    }
    // Ours exists: now every other lock file must be one we may run beside.
    const verdict = checkOthers(stateDirAbs, file, info, hostname, tookOver);
    if (verdict.kind === 'ok') return heldLock(file, info, takenOverFrom);
    removeIfUnchanged(file, text);
    if (verdict.kind === 'unreadable') throw unreadableError(verdict.file, verdict.reason);
    // A rival that has gone since (it released, or gave up when it saw us): try again.
    const still = readLockFile(verdict.file, { settle: false });
    if (still.kind === 'ok' && still.raw === verdict.raw) throw lockedError(verdict.file, verdict.holder);
  }
  throw new RepoLockedError(
    `could not take the repository lock ${file}: other patchctl runs keep taking and releasing it; try again`,
    file,
  );
}

type OthersVerdict =
  | { kind: 'ok' }
  | { kind: 'held'; file: string; holder: RepoLockInfo; raw: string }
  | { kind: 'unreadable'; file: string; reason: string };

/** Whether every lock file other than `mine` is one `info` may run beside (stale ones are removed). */
function checkOthers(
  stateDirAbs: string,
  mine: string,
  info: RepoLockInfo,
  hostname: string,
  tookOver: (stale: RepoLockInfo) => void,
): OthersVerdict {
  for (const file of repoLockFiles(stateDirAbs)) {
    if (file === mine) continue;
    // A stale lock removed here may be replaced at once: judge the file again, a few times.
    for (let attempt = 0; ; attempt++) {
      const other = readLockFile(file, { settle: true });
      if (other.kind === 'missing') break;
      if (other.kind === 'unreadable') return { kind: 'unreadable', file, reason: other.reason };
      if (mayRunBeside(info, other.info, path.basename(file))) break;
      if (attempt < 3 && isStale(other.info, hostname)) {
        if (removeIfUnchanged(file, other.raw)) tookOver(other.info);
        continue;
      }
      return { kind: 'held', file, holder: other.info, raw: other.raw };
    }
  }
  return { kind: 'ok' };
}

/**
 * Two shards of one split run side by side: both are shards (by their files' names and
 * contents), of the same count, and of the same split: the same split digest when both lock
 * files have one, else the same plan digest. Anything else excludes the other.
 */
function mayRunBeside(mine: RepoLockInfo, other: RepoLockInfo, otherName: string): boolean {
  const a = parseShard(mine.shard);
  const b = parseShard(other.shard);
  const named = SHARD_LOCK_FILE.exec(otherName);
  if (!a || !b || !named) return false;
  if (Number(named[1]) !== b.index || Number(named[2]) !== b.count) return false;
  if (a.count !== b.count || a.index === b.index) return false;
  if (mine.splitDigest !== undefined && other.splitDigest !== undefined) {
    return mine.splitDigest === other.splitDigest;
  }
  return mine.planDigest !== undefined && mine.planDigest === other.planDigest;
}

function parseShard(text: string | undefined): { index: number; count: number } | undefined {
  const m = text === undefined ? null : /^(\d+)\/(\d+)$/.exec(text);
  return m ? { index: Number(m[1]), count: Number(m[2]) } : undefined;
}

/** The lock of an unsharded apply, or undefined when there is none. Throws a RepoLockedError when unreadable. */
export function readRepoLock(stateDirAbs: string): RepoLockInfo | undefined {
  const file = repoLockPath(stateDirAbs);
  const existing = readLockFile(file, { settle: false });
  if (existing.kind === 'missing') return undefined;
  if (existing.kind === 'unreadable') throw unreadableError(file, existing.reason);
  return existing.info;
}

/** Every lock held on the repository (the apply's and the shards'), or the unreadable ones. */
export function readRepoLocks(
  stateDirAbs: string,
): ({ file: string; info: RepoLockInfo } | { file: string; problem: string })[] {
  const out: ({ file: string; info: RepoLockInfo } | { file: string; problem: string })[] = [];
  for (const file of repoLockFiles(stateDirAbs)) {
    const existing = readLockFile(file, { settle: false });
    if (existing.kind === 'ok') out.push({ file, info: existing.info });
    else if (existing.kind === 'unreadable')
      out.push({ file, problem: unreadableError(file, existing.reason).message });
  }
  return out;
}

export interface ForceUnlockOptions {
  /**
   * Remove the lock even when its process is alive on this machine (`force-unlock ID --force`):
   * that apply goes on without a lock, and another may start beside it.
   */
  force?: boolean;
}

/**
 * Removes the lock (the repository's, or one shard's) whose id is `id` and returns what it held;
 * otherwise throws (exit 1). A lock whose process is alive on this machine (same pid, same start
 * time) is removed only with `force`; locks of other machines cannot be judged from here and
 * are removed as before (the operator checked that run).
 */
export function forceUnlock(stateDirAbs: string, id: string, options: ForceUnlockOptions = {}): RepoLockInfo {
  const files = repoLockFiles(stateDirAbs);
  if (files.length === 0)
    throw new UsageError(`there is no repository lock (${repoLockPath(stateDirAbs)} does not exist)`);
  const held: RepoLockInfo[] = [];
  const unreadable: { file: string; reason: string }[] = [];
  for (const file of files) {
    const existing = readLockFile(file, { settle: false });
    if (existing.kind === 'missing') continue;
    if (existing.kind === 'unreadable') {
      unreadable.push({ file, reason: existing.reason });
      continue;
    }
    if (existing.info.id !== id) {
      held.push(existing.info);
      continue;
    }
    if (options.force !== true && isAliveHere(existing.info, os.hostname())) {
      throw new UsageError(
        `the repository lock ${id} is held by ${describeRepoLockHolder(existing.info)}, ` +
          `and that process is running on this machine; nothing was removed. Stop that apply ` +
          `(Ctrl-C, or kill ${existing.info.pid}) and its lock goes with it; to remove the lock ` +
          `anyway, while it runs: patchctl force-unlock ${id} --force`,
      );
    }
    if (!removeIfUnchanged(file, existing.raw)) {
      throw new UsageError(
        `the repository lock ${id} changed while it was being removed; nothing was removed`,
      );
    }
    return existing.info;
  }
  const first = unreadable[0];
  if (first && held.length === 0) throw unreadableError(first.file, first.reason);
  if (held.length === 0)
    throw new UsageError(`there is no repository lock (${repoLockPath(stateDirAbs)} does not exist)`);
  const holders = held.map(describeRepoLock).join('; ');
  throw new UsageError(
    held.length === 1
      ? `the repository lock is not ${id}: it is held by ${holders}; nothing was removed`
      : `no repository lock is ${id}: they are held by ${holders}; nothing was removed`,
  );
}

/** Field 22 (starttime) of /proc/<pid>/stat, or null where that cannot be read. */
export function processStartTime(pid: number): number | null {
  let stat: string | undefined;
  try {
    // /proc files report a size of 0: the bound applies to what is read.
    stat = readTextSafeIfExists(`/proc/${pid}/stat`, { maxBytes: 64 * 1024 });
  } catch {
    return null;
  }
  if (stat === undefined) return null;
  // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count after the last ')'.
  const fields = stat
    .slice(stat.lastIndexOf(')') + 1)
    .trim()
    .split(/\s+/);
  const start = Number(fields[22 - 3]);
  return Number.isSafeInteger(start) ? start : null;
}

function heldLock(file: string, info: RepoLockInfo, takenOverFrom: RepoLockInfo | undefined): RepoLock {
  let released = false;
  return {
    id: info.id,
    path: file,
    info,
    ...(takenOverFrom ? { takenOverFrom } : {}),
    release() {
      if (released) return;
      const current = readLockFile(file, { settle: false });
      if (current.kind === 'ok' && current.info.id === info.id) removeIfUnchanged(file, current.raw);
      released = true;
    },
  };
}

/** True if the file was created with `text`; false if something already was at that path. */
function createExclusive(file: string, text: string): boolean {
  let fd: number;
  try {
    // O_EXCL: fails on anything at the path, a FIFO or a dangling symbolic link included.
    fd = openSync(file, 'wx', 0o644);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw LocalIoError.from(err, 'create', file);
  }
  try {
    const bytes = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    try {
      unlinkSync(file);
    } catch {
      // A half-written lock left behind reads as unreadable, naming the file: no worse.
    }
    throw LocalIoError.from(err, 'write', file);
  }
  closeSync(fd);
  return true;
}

type LockFile =
  | { kind: 'missing' }
  | { kind: 'unreadable'; reason: string; mayBeUnfinished?: boolean }
  | { kind: 'ok'; info: RepoLockInfo; raw: string };

/**
 * Reads a lock file safely (regular files only, bounded) and strictly. With `settle`, a file that
 * does not parse is read again for a moment: its creator may still be writing it.
 */
function readLockFile(file: string, options: { settle: boolean }): LockFile {
  const deadline = Date.now() + (options.settle ? SETTLE_MS : 0);
  for (;;) {
    const read = readLockFileOnce(file);
    if (read.kind !== 'unreadable' || read.mayBeUnfinished !== true || Date.now() >= deadline) return read;
    sleepMs(SETTLE_STEP_MS);
  }
}

function readLockFileOnce(
  file: string,
): LockFile | { kind: 'unreadable'; reason: string; mayBeUnfinished: boolean } {
  let raw: string | undefined;
  try {
    raw = readTextSafeIfExists(file, { maxBytes: MAX_LOCK_BYTES, refuseLinks: true, label: 'it' });
  } catch (err) {
    if (err instanceof InputFileError || err instanceof LocalIoError) {
      return { kind: 'unreadable', reason: err.message, mayBeUnfinished: false };
    }
    throw err;
  }
  if (raw === undefined) return { kind: 'missing' };
  const parsed = parseJsonStrict(path.basename(file), raw);
  if (!parsed.ok) {
    const d = parsed.diagnostic;
    const reason =
      d.code === 'json-duplicate-key'
        ? `it is not a patchctl lock: ${d.message} (line ${d.at?.line ?? '?'})`
        : 'it is not valid JSON';
    return { kind: 'unreadable', reason, mayBeUnfinished: d.code !== 'json-duplicate-key' && isYoung(file) };
  }
  const info = asLockInfo(parsed.value);
  return info
    ? { kind: 'ok', info, raw }
    : { kind: 'unreadable', reason: 'it is not a patchctl lock', mayBeUnfinished: false };
}

/** Whether `file` was written within the last SETTLE_MS (its creator may still be writing it). */
function isYoung(file: string): boolean {
  try {
    return Date.now() - lstatSync(file).mtimeMs < SETTLE_MS;
  } catch {
    return false;
  }
}

function asLockInfo(value: unknown): RepoLockInfo | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  const ok =
    v.formatVersion === 1 &&
    typeof v.id === 'string' &&
    v.id !== '' &&
    typeof v.operation === 'string' &&
    typeof v.who === 'string' &&
    typeof v.hostname === 'string' &&
    typeof v.pid === 'number' &&
    Number.isSafeInteger(v.pid) &&
    v.pid > 0 &&
    (v.pidStartTime === null || (typeof v.pidStartTime === 'number' && Number.isFinite(v.pidStartTime))) &&
    typeof v.createdAt === 'string' &&
    (v.planDigest === undefined || typeof v.planDigest === 'string') &&
    (v.runId === undefined || typeof v.runId === 'string') &&
    (v.shard === undefined || typeof v.shard === 'string') &&
    (v.splitDigest === undefined || typeof v.splitDigest === 'string');
  return ok ? (value as RepoLockInfo) : undefined;
}

/** Only a lock from this host can be judged: its process is gone, or its pid was reused. */
function isStale(info: RepoLockInfo, hostname: string): boolean {
  if (info.hostname !== hostname) return false;
  if (!processAlive(info.pid)) return true;
  if (info.pidStartTime === null) return false;
  const start = processStartTime(info.pid);
  return start !== null && start !== info.pidStartTime;
}

/**
 * Whether the lock's process is running on this machine: same host, the pid alive, and (where
 * /proc tells) the same start time. A lock without a start time, of a live pid, counts as alive.
 */
function isAliveHere(info: RepoLockInfo, hostname: string): boolean {
  return info.hostname === hostname && !isStale(info, hostname);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return errnoCode(err) !== 'ESRCH';
  }
}

/** Unlinks `file` if it still holds exactly `raw`; false if it changed, is gone or unreadable. */
function removeIfUnchanged(file: string, raw: string): boolean {
  let current: string | undefined;
  try {
    current = readTextSafeIfExists(file, { maxBytes: MAX_LOCK_BYTES, refuseLinks: true, label: file });
  } catch (err) {
    if (err instanceof InputFileError) return false;
    throw err;
  }
  if (current !== raw) return false;
  try {
    unlinkSync(file);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw LocalIoError.from(err, 'remove', file);
  }
  return true;
}

function lockedError(file: string, holder: RepoLockInfo): RepoLockedError {
  return new RepoLockedError(
    `the repository is locked by ${describeRepoLock(holder)}; ` +
      `if that run is gone, remove the lock with: patchctl force-unlock ${holder.id}`,
    file,
    holder,
  );
}

function unreadableError(file: string, reason: string): RepoLockedError {
  return new RepoLockedError(
    `the repository lock ${file} is unreadable (${reason}); ` +
      `check that no patchctl apply is running on this repository, then delete the file by hand`,
    file,
  );
}

/** Blocks this thread for `ms` (lock taking is synchronous and brief). */
function sleepMs(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function userName(): string {
  try {
    return os.userInfo().username;
  } catch {
    // No passwd entry (containers running as an arbitrary uid).
    return process.env.USER ?? process.env.USERNAME ?? `uid-${process.getuid?.() ?? 'unknown'}`;
  }
}

function errnoCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String(err.code) : undefined;
}
