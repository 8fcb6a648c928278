// Which patchctl repository a command works on when `-C` is not given: like git, the working
// directory or the nearest parent holding the repository's marker, patchctl.yaml (the Config,
// core/model/check.ts: a folder without it is "not a patchctl repository").
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { CONFIG_FILE } from '../core/model/check.js';

export type RepositoryLookup =
  /** `-C DIR`: exactly that directory, never a parent. */
  | { dir: string; how: 'given' }
  /** patchctl.yaml found in the working directory or in `dir`, a parent of it. */
  | { dir: string; how: 'found' }
  /**
   * None found: the working directory, so that the command says what is missing there (as
   * before repositories were looked for), with where the search stopped and why.
   */
  | { dir: string; how: 'not-found'; stoppedAt: string; stoppedBecause: StopReason };

export type StopReason = 'filesystem-root' | 'git-top' | 'filesystem-boundary';

/**
 * The repository for `-C` (`given`, resolved against `cwd`) or, without it, the first of `cwd`
 * and its parents holding patchctl.yaml. The search stops, like git's own for `.git`:
 * - at the filesystem root;
 * - at the top of a git work tree (a folder holding `.git`, a directory or a worktree's file),
 *   after looking there: a patchctl.yaml above the git repository you stand in belongs to some
 *   other project (a repository in your home folder, say), and `apply` must never patch a fleet
 *   you did not mean because you ran it in the wrong checkout;
 * - at a filesystem boundary (a mount point), as git does without
 *   GIT_DISCOVERY_ACROSS_FILESYSTEM: a slow or automounted network share is not searched.
 */
export function findRepository(cwd: string, given: string | undefined): RepositoryLookup {
  if (given !== undefined) return { dir: path.resolve(cwd, given), how: 'given' };
  const start = path.resolve(cwd);
  let dir = start;
  let device = deviceOf(dir);
  for (;;) {
    if (isFile(path.join(dir, CONFIG_FILE))) return { dir, how: 'found' };
    if (existsSync(path.join(dir, '.git')))
      return { dir: start, how: 'not-found', stoppedAt: dir, stoppedBecause: 'git-top' };
    const parent = path.dirname(dir);
    if (parent === dir)
      return { dir: start, how: 'not-found', stoppedAt: dir, stoppedBecause: 'filesystem-root' };
    const parentDevice = deviceOf(parent);
    if (device !== undefined && parentDevice !== undefined && parentDevice !== device)
      return { dir: start, how: 'not-found', stoppedAt: dir, stoppedBecause: 'filesystem-boundary' };
    dir = parent;
    device = parentDevice;
  }
}

/** One line for the user: where the search looked, when it found nothing. */
export function describeNotFound(lookup: Extract<RepositoryLookup, { how: 'not-found' }>): string {
  const where =
    lookup.stoppedAt === lookup.dir ? lookup.dir : `${lookup.dir} or its parents up to ${lookup.stoppedAt}`;
  const why = {
    'filesystem-root': 'the filesystem root',
    'git-top': 'the top of its git repository',
    'filesystem-boundary': 'a filesystem boundary',
  }[lookup.stoppedBecause];
  return `no ${CONFIG_FILE} in ${where} (the search stops at ${why}); pass -C DIR, or create a repository with \`patchctl init\``;
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function deviceOf(dir: string): number | undefined {
  try {
    return statSync(dir).dev;
  } catch {
    return undefined;
  }
}
