// The local repository lock (DESIGN.md §4): `<paths.state>/apply.lock` keeps two applies off one
// repository. It is created with O_EXCL, names its holder, and is removed by its holder or by
// `patchctl force-unlock ID`. A lock left by a dead process on this host is taken over.
//
// The module takes the absolute state folder and loads nothing: the caller resolves
// `paths.state` (see `stateDirOf`).
import { randomUUID } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Repository } from '../core/model/repository.js';
import { CONFIG_DEFAULTS } from '../core/model/repository.js';
import { PatchctlError, UsageError } from '../errors.js';

export const REPO_LOCK_FILE = 'apply.lock';

export type RepoLockOperation = 'apply';

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
}

export interface RepoLockRequest {
  operation: RepoLockOperation;
  planDigest?: string;
  runId?: string;
  /** Shards of one split run side by side: each takes its own lock. */
  shard?: { index: number; count: number };
}

export interface RepoLock {
  readonly id: string;
  /** The lock file, absolute. */
  readonly path: string;
  readonly info: RepoLockInfo;
  /** The stale lock this one replaced (its process was gone). */
  readonly takenOverFrom?: RepoLockInfo;
  /** Removes the lock file if it still holds this lock's id. Safe to call more than once. */
  release(): void;
}

/** Someone else holds the repository lock, or the lock file cannot be read. */
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
    .filter((n) => n === REPO_LOCK_FILE || /^apply\.shard-\d+-of-\d+\.lock$/.test(n))
    .sort()
    .map((n) => path.join(stateDirAbs, n));
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
 * Takes the repository lock or throws a RepoLockedError naming its holder. A lock taken on this
 * host by a process that is gone (or whose pid now belongs to a younger process) is stale and
 * is taken over; the result then says so in `takenOverFrom`.
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
  };
  const text = `${JSON.stringify(info, null, 2)}\n`;
  mkdirSync(stateDirAbs, { recursive: true });

  let takenOverFrom: RepoLockInfo | undefined;
  // A few rounds cover a holder releasing between our create and our read, and one takeover.
  for (let round = 0; round < 4; round++) {
    if (createExclusive(file, text)) return heldLock(file, info, takenOverFrom);
    const existing = readLockFile(file);
    if (existing.kind === 'missing') continue;
    if (existing.kind === 'unreadable') throw unreadableError(file, existing.reason);
    if (!isStale(existing.info, hostname)) throw lockedError(file, existing.info);
    // Remove the stale lock only if it is still the one judged stale, then create ours with O_EXCL
    // again. Small race, accepted: another patchctl that judged the same lock stale may create
    // its lock between our re-read and our unlink, and we would remove it. That needs two applies
    // started within microseconds of each other on a repository whose last apply died; the
    // exclusive create still lets at most one of the two through every other path.
    if (removeIfUnchanged(file, existing.raw)) takenOverFrom = existing.info;
  }
  throw new RepoLockedError(
    `could not take the repository lock ${file}: other patchctl runs keep taking and releasing it; try again`,
    file,
  );
}

/** The lock's content, or undefined when there is none. Throws a RepoLockedError when unreadable. */
export function readRepoLock(stateDirAbs: string): RepoLockInfo | undefined {
  const file = repoLockPath(stateDirAbs);
  const existing = readLockFile(file);
  if (existing.kind === 'missing') return undefined;
  if (existing.kind === 'unreadable') throw unreadableError(file, existing.reason);
  return existing.info;
}

/**
 * Removes the lock (the repository's, or one shard's) whose id is `id` and returns what it held;
 * otherwise throws (exit 1).
 */
export function forceUnlock(stateDirAbs: string, id: string): RepoLockInfo {
  const files = repoLockFiles(stateDirAbs);
  if (files.length === 0)
    throw new UsageError(`there is no repository lock (${repoLockPath(stateDirAbs)} does not exist)`);
  const held: RepoLockInfo[] = [];
  for (const file of files) {
    const existing = readLockFile(file);
    if (existing.kind === 'missing') continue;
    if (existing.kind === 'unreadable') throw unreadableError(file, existing.reason);
    if (existing.info.id !== id) {
      held.push(existing.info);
      continue;
    }
    if (!removeIfUnchanged(file, existing.raw)) {
      throw new UsageError(
        `the repository lock ${id} changed while it was being removed; nothing was removed`,
      );
    }
    return existing.info;
  }
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
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
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
      const current = readLockFile(file);
      if (current.kind === 'ok' && current.info.id === info.id) removeIfUnchanged(file, current.raw);
      released = true;
    },
  };
}

/** True if the file was created with `text`; false if it already existed. */
function createExclusive(file: string, text: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx', 0o644);
  } catch (err) {
    if (errnoCode(err) === 'EEXIST') return false;
    throw err;
  }
  try {
    const bytes = Buffer.from(text, 'utf8');
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    unlinkSync(file);
    throw err;
  }
  closeSync(fd);
  return true;
}

type LockFile =
  | { kind: 'missing' }
  | { kind: 'unreadable'; reason: string }
  | { kind: 'ok'; info: RepoLockInfo; raw: string };

function readLockFile(file: string): LockFile {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { kind: 'missing' };
    return { kind: 'unreadable', reason: err instanceof Error ? err.message : String(err) };
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { kind: 'unreadable', reason: 'it is not valid JSON' };
  }
  const info = asLockInfo(value);
  return info ? { kind: 'ok', info, raw } : { kind: 'unreadable', reason: 'it is not a patchctl lock' };
}

function asLockInfo(value: unknown): RepoLockInfo | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
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
    (v.pidStartTime === null || typeof v.pidStartTime === 'number') &&
    typeof v.createdAt === 'string' &&
    (v.planDigest === undefined || typeof v.planDigest === 'string') &&
    (v.runId === undefined || typeof v.runId === 'string');
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

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return errnoCode(err) !== 'ESRCH';
  }
}

/** Unlinks `file` if it still holds exactly `raw`; false if it changed or is gone. */
function removeIfUnchanged(file: string, raw: string): boolean {
  let current: string;
  try {
    current = readFileSync(file, 'utf8');
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
  }
  if (current !== raw) return false;
  try {
    unlinkSync(file);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return false;
    throw err;
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
