// Commits (and optionally pushes) exactly the files patchctl wrote. Two steps: prepareCommit runs
// before anything is written, so a commit that cannot happen leaves the work tree untouched.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { InternalError, PatchctlError } from '../errors.js';

/** patchctl could not commit or push its files; the message says what to do. */
export class GitCommitError extends PatchctlError {
  readonly code = 'git-commit';
  readonly exitCode = 1;
  /** The local commit, when it was made but could not be pushed. */
  readonly commit?: string;
  constructor(message: string, options?: { cause?: unknown; commit?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GitCommitError';
    if (options?.commit) this.commit = options.commit;
  }
}

export interface CommitScope {
  /** The patchctl repository (absolute); may be a subdirectory of the git work tree. */
  dir: string;
  /** Folders patchctl itself writes, relative to dir (e.g. ['state', 'reports']): changes there are never "unrelated". */
  managed: readonly string[];
  /** Input documents patchctl read, relative to dir (e.g. 'policies/linux.yaml'): an untracked or modified one is unrelated. */
  inputs: readonly string[];
  /** Will push after committing: needs a branch (not a detached HEAD). */
  push: boolean;
}

export interface PreparedCommit {
  /** The git work tree's root, as git prints it. */
  toplevel: string;
  /** The checked-out branch, null on a detached HEAD. */
  branch: string | null;
  /** Where a push goes: `branch.<b>.remote`, else `origin` when it exists, else null. */
  remote: string | null;
  /** scope.dir, resolved. */
  dir: string;
  /** dir relative to toplevel, '' or ending in '/'. */
  prefix: string;
}

export interface CommitRequest {
  /** Files patchctl wrote, absolute paths (inside scope.dir). */
  files: readonly string[];
  /** Files patchctl removed, absolute: committed as removals where git tracks them. */
  removed?: readonly string[];
  /** First line + optional body. */
  message: string;
  author: { name: string; email: string };
}

export interface CommitOutcome {
  /** False when none of the files changed (nothing committed). */
  committed: boolean;
  commit?: string;
  /** Files in the commit, relative to scope.dir, sorted, forward slashes. */
  files: string[];
  pushed: boolean;
  /** e.g. 'origin main' when pushed. */
  pushedTo?: string;
}

const MAX_LISTED = 10;

/** Checks BEFORE patchctl writes anything; throws GitCommitError with a message a sysadmin can act on. */
export function prepareCommit(scope: CommitScope): PreparedCommit {
  const dir = path.resolve(scope.dir);
  const inside = git(dir, ['rev-parse', '--is-inside-work-tree']);
  if (inside.status !== 0 || inside.stdout.trim() !== 'true') {
    const said = lastLines(inside.stderr, 3);
    if (said.includes('dubious ownership')) {
      throw new GitCommitError(
        `git refuses to use the repository at ${dir}:\n${lastLines(inside.stderr, 10)}`,
      );
    }
    throw new GitCommitError(
      `${dir} is not inside a git work tree, so there is nothing to commit to.\n` +
        'Run `git init` there (and commit the repository), or run without --commit.' +
        (said ? `\ngit said: ${said}` : ''),
    );
  }
  const where = mustGit(dir, ['rev-parse', '--show-toplevel', '--show-prefix']).split('\n');
  const toplevel = where[0] ?? dir;
  const prefix = where[1] ?? '';

  refuseOperationInProgress(dir, toplevel);

  const managed = scope.managed.map(normalizeRel);
  const isManaged = (rel: string) => managed.some((m) => m === '' || rel === m || rel.startsWith(`${m}/`));
  // Only the patchctl repository matters: in a monorepo, work elsewhere is neither committed nor described.
  const scoped = prefix ? ['--', literal(prefix.slice(0, -1))] : [];
  const status = parseStatus(
    mustGit(toplevel, ['status', '--porcelain=v1', '-z', '--untracked-files=all', ...scoped], false),
  );
  const staged: string[] = [];
  const changed: string[] = [];
  for (const entry of status) {
    for (const topRel of entry.from === undefined ? [entry.path] : [entry.path, entry.from]) {
      if (!topRel.startsWith(prefix)) continue;
      const rel = topRel.slice(prefix.length);
      if (isManaged(rel)) continue;
      if (isChange(entry.x)) staged.push(`${entry.x === 'D' ? 'deleted' : 'changed'}: ${rel}`);
      else if (isChange(entry.y)) changed.push(`${entry.y === 'D' ? 'deleted' : 'modified'}: ${rel}`);
    }
  }
  if (staged.length > 0) {
    throw new GitCommitError(
      `changes outside ${describeManaged(managed)} are staged in git:\n${listPaths(staged)}\n` +
        'patchctl commits only the files it writes: commit or unstage them first ' +
        '(`git restore --staged <path>`), then run again.',
    );
  }

  // ls-files also catches ignored inputs, which status does not list.
  const inputs = [...new Set(scope.inputs.map((i) => toDirRel(dir, path.resolve(dir, i))))].filter(
    (rel) => rel !== null && !isManaged(rel),
  ) as string[];
  if (inputs.length > 0) {
    const tracked = new Set(
      mustGit(toplevel, ['ls-files', '-z', '--', ...inputs.map((i) => literal(prefix + i))], false)
        .split('\0')
        .filter(Boolean),
    );
    for (const rel of inputs) {
      if (!tracked.has(prefix + rel) && existsSync(path.join(dir, rel))) changed.push(`untracked: ${rel}`);
    }
  }
  if (changed.length > 0) {
    throw new GitCommitError(
      `these documents differ from the last commit:\n${listPaths(changed)}\n` +
        'commit or stash them first: the report would describe documents that are not in git.',
    );
  }

  const branchOut = git(toplevel, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  const branch = branchOut.status === 0 && branchOut.stdout.trim() ? branchOut.stdout.trim() : null;
  const remote = branch === null ? null : pushRemote(toplevel, branch);
  if (scope.push) {
    if (branch === null) {
      throw new GitCommitError(
        'cannot push: HEAD is detached (no branch is checked out).\n' +
          'Check out a branch first, e.g. `git checkout -B main`, or run without --push.',
      );
    }
    if (remote === null) {
      throw new GitCommitError(
        `cannot push: branch ${branch} has no remote and there is no remote named origin.\n` +
          'Add one with `git remote add origin <url>`, or run without --push.',
      );
    }
  }
  return { toplevel, branch, remote, dir, prefix };
}

export function commitFiles(
  prepared: PreparedCommit,
  request: CommitRequest,
  options: { push: boolean },
): CommitOutcome {
  const { toplevel, prefix, dir } = prepared;
  const all = [...request.files, ...(request.removed ?? [])];
  const relOf = (f: string): string | null => toDirRel(dir, path.resolve(dir, f));
  if (all.some((f) => relOf(f) === null || relOf(f) === '')) {
    throw new InternalError(`commitFiles got a file outside ${dir}: ${all.join(', ')}`);
  }
  const written = request.files.map((f) => literal(prefix + (relOf(f) ?? '')));
  // A removed file git never tracked is nothing to commit (and `git add` would refuse its name).
  const removedSpecs = (request.removed ?? []).map((f) => literal(prefix + (relOf(f) ?? '')));
  const tracked =
    removedSpecs.length === 0
      ? []
      : git(toplevel, ['ls-files', '-z', '--', ...removedSpecs])
          .stdout.split('\0')
          .filter(Boolean)
          .map((p) => literal(p));
  const specs = [...new Set([...written, ...tracked])].sort();
  if (specs.length === 0) return { committed: false, files: [], pushed: false };

  const unstage = () => git(toplevel, ['reset', '-q', '--', ...specs]);
  const add = git(toplevel, ['add', '--', ...specs]);
  if (add.status !== 0) {
    unstage();
    throw new GitCommitError(
      `git add failed for the files patchctl wrote (they stay in the work tree):\n${gitOutput(add)}`,
    );
  }
  const diff = git(toplevel, ['diff', '--cached', '--no-renames', '--name-only', '-z', '--', ...specs]);
  if (diff.status !== 0) {
    unstage();
    throw new GitCommitError(`git diff --cached failed:\n${gitOutput(diff)}`);
  }
  const files = diff.stdout
    .split('\0')
    .filter(Boolean)
    .map((p) => (p.startsWith(prefix) ? p.slice(prefix.length) : p))
    .sort();
  if (files.length === 0) return { committed: false, files: [], pushed: false };

  // --only keeps whatever else the user staged out of this commit.
  const commit = git(
    toplevel,
    ['commit', '--only', '--quiet', '--file=-', '--', ...specs],
    identityEnv(toplevel, request.author),
    request.message,
  );
  if (commit.status !== 0) {
    unstage();
    throw new GitCommitError(
      `git commit failed (nothing was committed; the files patchctl wrote stay in the work tree, unstaged):\n` +
        gitOutput(commit),
    );
  }
  const sha = mustGit(toplevel, ['rev-parse', '--verify', 'HEAD']);
  const outcome: CommitOutcome = { committed: true, commit: sha, files, pushed: false };
  if (!options.push) return outcome;

  const { branch, remote } = prepared;
  if (branch === null || remote === null) {
    throw new InternalError('commitFiles was asked to push, but prepareCommit ran without push');
  }
  // The sha, not HEAD: a post-commit hook must not change what gets pushed.
  const push = git(toplevel, ['push', '--quiet', remote, `${sha}:refs/heads/${branch}`]);
  if (push.status !== 0) {
    const short = git(toplevel, ['rev-parse', '--short', sha]).stdout.trim() || sha.slice(0, 12);
    throw new GitCommitError(
      `git push ${remote} ${branch} failed:\n${gitOutput(push)}\n` +
        `The commit ${short} stays on the local branch ${branch}. To publish it: ` +
        `git pull --rebase ${remote} ${branch} && git push ${remote} ${branch}`,
      { commit: sha },
    );
  }
  return { ...outcome, pushed: true, pushedTo: `${remote} ${branch}` };
}

interface StatusEntry {
  x: string;
  y: string;
  path: string;
  /** The source of a rename or copy. */
  from?: string;
}

/** `git status --porcelain=v1 -z`: "XY path\0", and "XY to\0from\0" for renames and copies. */
function parseStatus(out: string): StatusEntry[] {
  const fields = out.split('\0');
  const entries: StatusEntry[] = [];
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i] ?? '';
    if (field.length < 4) continue;
    const x = field.charAt(0);
    const y = field.charAt(1);
    const entry: StatusEntry = { x, y, path: field.slice(3) };
    if ('RC'.includes(x) || 'RC'.includes(y)) {
      i++;
      // A copy leaves its source unchanged.
      if (x === 'R' || y === 'R') entry.from = fields[i] ?? '';
    }
    entries.push(entry);
  }
  return entries;
}

const isChange = (code: string) => code !== ' ' && code !== '?' && code !== '!';

function refuseOperationInProgress(dir: string, toplevel: string): void {
  const ops = [
    { file: 'MERGE_HEAD', what: 'a merge', cmd: 'git merge' },
    { file: 'rebase-merge', what: 'a rebase', cmd: 'git rebase' },
    { file: 'rebase-apply/applying', what: 'a `git am`', cmd: 'git am' },
    { file: 'rebase-apply', what: 'a rebase', cmd: 'git rebase' },
    { file: 'CHERRY_PICK_HEAD', what: 'a cherry-pick', cmd: 'git cherry-pick' },
    { file: 'REVERT_HEAD', what: 'a revert', cmd: 'git revert' },
  ];
  const paths = mustGit(dir, ['rev-parse', ...ops.flatMap((o) => ['--git-path', o.file])]).split('\n');
  const found = ops.find((_, i) => existsSync(path.resolve(dir, paths[i] ?? '')));
  if (found) {
    throw new GitCommitError(
      `${found.what} is in progress in ${toplevel}.\n` +
        `Finish it (\`${found.cmd} --continue\`) or abort it (\`${found.cmd} --abort\`), then run again.`,
    );
  }
}

function pushRemote(toplevel: string, branch: string): string | null {
  const configured = git(toplevel, ['config', '--get', `branch.${branch}.remote`]).stdout.trim();
  if (configured) return configured;
  const remotes = git(toplevel, ['remote']).stdout.split('\n');
  return remotes.includes('origin') ? 'origin' : null;
}

/** The committer is git's configured one; runners without one commit as the author. */
function identityEnv(toplevel: string, author: { name: string; email: string }): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { GIT_AUTHOR_NAME: author.name, GIT_AUTHOR_EMAIL: author.email };
  const configured =
    process.env.GIT_COMMITTER_EMAIL || git(toplevel, ['config', '--get', 'user.email']).stdout.trim();
  if (!configured) {
    env.GIT_COMMITTER_NAME = author.name;
    env.GIT_COMMITTER_EMAIL = author.email;
  }
  return env;
}

interface GitResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

function git(cwd: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, input?: string): GitResult {
  const result = spawnSync('git', ['-C', cwd, ...args], {
    encoding: 'utf8',
    input,
    maxBuffer: 256 * 1024 * 1024,
    env: { ...process.env, ...env, LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' },
  });
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === 'ENOENT';
    throw new GitCommitError(
      missing
        ? 'git is not installed or not on PATH: install git, or run without --commit.'
        : `could not run git ${args[0] ?? ''}: ${result.error.message}`,
      { cause: result.error },
    );
  }
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs git and returns its stdout (trimmed unless told not to); throws on failure. */
function mustGit(cwd: string, args: readonly string[], trim = true): string {
  const result = git(cwd, args);
  if (result.status !== 0) throw new GitCommitError(`git ${args.join(' ')} failed:\n${gitOutput(result)}`);
  return trim ? result.stdout.trim() : result.stdout;
}

/** Hooks may print to either stream. */
function gitOutput(result: GitResult): string {
  return lastLines(result.stderr, 20) || lastLines(result.stdout, 20) || `(exit status ${result.status})`;
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join('\n').trim();
}

/** Pathspec magic off: file names with * or [ are names, not patterns. */
const literal = (p: string) => `:(literal)${p}`;

function normalizeRel(p: string): string {
  const posix = p.replace(/\\/g, '/').replace(/\/+$/, '');
  return path.posix.normalize(posix || '.').replace(/^\.(\/|$)/, '');
}

/** `file` relative to `dir` with forward slashes, or null when it is outside. */
function toDirRel(dir: string, file: string): string | null {
  const rel = path.relative(dir, file);
  if (rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) return null;
  return rel.split(path.sep).join('/');
}

function describeManaged(managed: readonly string[]): string {
  return managed.length === 0 ? 'the folders patchctl writes' : managed.map((m) => `${m || '.'}/`).join(', ');
}

function listPaths(items: readonly string[]): string {
  const shown = items.slice(0, MAX_LISTED).map((i) => `  ${i}`);
  if (items.length > MAX_LISTED) shown.push(`  ... and ${items.length - MAX_LISTED} more`);
  return shown.join('\n');
}
