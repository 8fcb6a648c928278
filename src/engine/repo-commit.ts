// What `--commit` means for a patchctl repository, shared by scan, apply and report: the
// folders patchctl writes (state/ and reports/) are its own, every input document must be in
// git, and the commits carry the Config's author.
import path from 'node:path';
import type { Repository } from '../core/model/repository.js';
import { configSpec } from '../core/model/repository.js';
import type { PreparedCommit } from './git-commit.js';
import { prepareCommit } from './git-commit.js';
import { stateDirOf } from './repo-lock.js';
import { reportsDirOf } from './write-report.js';

export const DEFAULT_GIT_AUTHOR = { name: 'patchctl', email: 'patchctl@localhost' };

/** `file` relative to the repository `dir`, with forward slashes. */
export function repoPath(dir: string, file: string): string {
  return path.relative(dir, file).split(path.sep).join('/');
}

/** The git checks made before the command writes anything (state files among `inputs` are left out). */
export function prepareRepositoryCommit(
  dir: string,
  repository: Pick<Repository, 'config'>,
  inputs: Iterable<string>,
  push: boolean,
): PreparedCommit {
  const stateRel = repoPath(dir, stateDirOf(dir, repository));
  return prepareCommit({
    dir,
    managed: [stateRel, repoPath(dir, reportsDirOf(dir, repository))],
    inputs: [...inputs].filter((f) => f !== stateRel && !f.startsWith(`${stateRel}/`)),
    push,
  });
}

/** Config `git.authorName`/`authorEmail`, else patchctl <patchctl@localhost>. */
export function gitAuthorOf(repository: Pick<Repository, 'config'>): { name: string; email: string } {
  const git = configSpec(repository).git;
  return {
    name: git?.authorName ?? DEFAULT_GIT_AUTHOR.name,
    email: git?.authorEmail ?? DEFAULT_GIT_AUTHOR.email,
  };
}
