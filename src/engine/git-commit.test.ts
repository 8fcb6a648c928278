import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { CommitScope } from './git-commit.js';
import { commitFiles, GitCommitError, prepareCommit } from './git-commit.js';

// Isolate from the machine's git config and identity; commitFiles inherits process.env.
const ENV_KEYS = [
  'HOME',
  'GIT_CONFIG_GLOBAL',
  'GIT_CONFIG_NOSYSTEM',
  'GIT_CEILING_DIRECTORIES',
  'GIT_AUTHOR_NAME',
  'GIT_AUTHOR_EMAIL',
  'GIT_COMMITTER_NAME',
  'GIT_COMMITTER_EMAIL',
  'EMAIL',
  'GIT_DIR',
  'GIT_WORK_TREE',
  'GIT_INDEX_FILE',
] as const;
let savedEnv: Record<string, string | undefined>;
let tmp: string;

beforeEach(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'patchctl-git-commit-'));
  savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS) delete process.env[k];
  mkdirSync(path.join(tmp, 'home'));
  writeFileSync(path.join(tmp, 'gitconfig'), '');
  process.env.HOME = path.join(tmp, 'home');
  process.env.GIT_CONFIG_GLOBAL = path.join(tmp, 'gitconfig');
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  process.env.GIT_CEILING_DIRECTORIES = tmp;
});
afterEach(() => {
  for (const k of ENV_KEYS) {
    if (savedEnv[k] === undefined) delete process.env[k];
    else process.env[k] = savedEnv[k];
  }
  rmSync(tmp, { recursive: true, force: true });
});

// Jest gives each test file its own process.env: children see it only when it is passed explicitly.
const tryGit = (cwd: string, ...args: string[]) =>
  spawnSync('git', ['-C', cwd, ...args], { encoding: 'utf8', env: { ...process.env } });
function git(cwd: string, ...args: string[]): string {
  const r = tryGit(cwd, ...args);
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function write(file: string, content: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  return file;
}

const AUTHOR = { name: 'patchctl', email: 'patchctl@example.net' };

/** A committed patchctl repository at `root/sub` (sub may be ''), with its own identity configured. */
function makeRepo(root = path.join(tmp, 'repo'), sub = ''): string {
  mkdirSync(root, { recursive: true });
  git(root, 'init', '-q', '-b', 'main');
  git(root, 'config', 'user.name', 'Repo Owner');
  git(root, 'config', 'user.email', 'owner@example.net');
  const dir = path.join(root, sub);
  write(path.join(dir, 'patchctl.yaml'), 'version: 1\n');
  write(path.join(dir, 'policies/linux.yaml'), 'policy: a\n');
  write(path.join(dir, 'notes.txt'), 'notes\n');
  write(path.join(dir, 'state/rollout.json'), '{}\n');
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'initial');
  return dir;
}

const scope = (dir: string, extra: Partial<CommitScope> = {}): CommitScope => ({
  dir,
  managed: ['state', 'reports'],
  inputs: ['patchctl.yaml', 'policies/linux.yaml'],
  push: false,
  ...extra,
});

function refusal(fn: () => unknown): GitCommitError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(GitCommitError);
    expect((e as GitCommitError).code).toBe('git-commit');
    expect((e as GitCommitError).exitCode).toBe(1);
    return e as GitCommitError;
  }
  throw new Error('expected a GitCommitError');
}

const request = (files: string[], message = 'report: compliance 2024-05-01') => ({
  files,
  message,
  author: AUTHOR,
});
const committedFiles = (dir: string, rev = 'HEAD') =>
  git(dir, 'show', '--name-only', '--format=', rev).split('\n').filter(Boolean).sort();

describe('prepareCommit', () => {
  it('refuses a directory outside any git work tree', () => {
    const plain = path.join(tmp, 'plain');
    mkdirSync(plain);
    const e = refusal(() => prepareCommit(scope(plain)));
    expect(e.message).toContain('not inside a git work tree');
    expect(e.message).toContain('git init');
    expect(e.message).toContain('without --commit');
  });

  it('refuses while a merge is in progress', () => {
    const dir = makeRepo();
    git(dir, 'checkout', '-qb', 'other');
    write(path.join(dir, 'notes.txt'), 'theirs\n');
    git(dir, 'commit', '-qam', 'theirs');
    git(dir, 'checkout', '-q', 'main');
    write(path.join(dir, 'notes.txt'), 'ours\n');
    git(dir, 'commit', '-qam', 'ours');
    expect(tryGit(dir, 'merge', 'other').status).not.toBe(0);
    const e = refusal(() => prepareCommit(scope(dir)));
    expect(e.message).toContain('a merge is in progress');
    expect(e.message).toContain('git merge --abort');
  });

  it('refuses while a cherry-pick is in progress', () => {
    const dir = makeRepo();
    git(dir, 'checkout', '-qb', 'other');
    write(path.join(dir, 'notes.txt'), 'theirs\n');
    git(dir, 'commit', '-qam', 'theirs');
    git(dir, 'checkout', '-q', 'main');
    write(path.join(dir, 'notes.txt'), 'ours\n');
    git(dir, 'commit', '-qam', 'ours');
    expect(tryGit(dir, 'cherry-pick', 'other').status).not.toBe(0);
    expect(refusal(() => prepareCommit(scope(dir))).message).toContain('a cherry-pick is in progress');
  });

  it('refuses staged changes outside the managed folders, renames included', () => {
    const dir = makeRepo();
    write(path.join(dir, 'notes.txt'), 'changed\n');
    git(dir, 'add', 'notes.txt');
    expect(refusal(() => prepareCommit(scope(dir))).message).toMatch(
      /staged in git:\n {2}changed: notes\.txt\n/,
    );

    git(dir, 'reset', '-q', '--hard');
    mkdirSync(path.join(dir, 'docs'));
    git(dir, 'mv', 'notes.txt', 'docs/notes.md');
    git(dir, 'mv', 'state/rollout.json', 'state/rollout-old.json');
    const e = refusal(() => prepareCommit(scope(dir)));
    expect(e.message).toContain('changed: docs/notes.md');
    expect(e.message).toContain('notes.txt');
    expect(e.message).not.toContain('rollout');
    expect(e.message).toContain('git restore --staged');
  });

  it('refuses modified or deleted tracked documents, listing at most 10', () => {
    const dir = makeRepo();
    write(path.join(dir, 'policies/linux.yaml'), 'policy: b\n');
    rmSync(path.join(dir, 'notes.txt'));
    let e = refusal(() => prepareCommit(scope(dir)));
    expect(e.message).toContain('  modified: policies/linux.yaml');
    expect(e.message).toContain('  deleted: notes.txt');
    expect(e.message).toContain(
      'commit or stash them first: the report would describe documents that are not in git',
    );

    git(dir, 'checkout', '-q', '--', '.');
    for (let i = 0; i < 12; i++)
      write(path.join(dir, `inventory/h${String(i).padStart(2, '0')}.yaml`), 'x\n');
    git(dir, 'add', 'inventory');
    git(dir, 'commit', '-qm', 'inventory');
    for (let i = 0; i < 12; i++)
      write(path.join(dir, `inventory/h${String(i).padStart(2, '0')}.yaml`), 'y\n');
    e = refusal(() => prepareCommit(scope(dir)));
    expect(e.message).toContain('inventory/h09.yaml');
    expect(e.message).not.toContain('inventory/h10.yaml');
    expect(e.message).toContain('... and 2 more');
  });

  it('refuses an untracked (or ignored) input, but not an unrelated untracked file', () => {
    const dir = makeRepo();
    write(path.join(dir, 'plan.json'), '{}\n');
    write(path.join(dir, 'scratch/a b.txt'), 'x\n');
    const inputs = ['patchctl.yaml', 'policies/linux.yaml', 'policies/new.yaml', 'policies/secret.yaml'];
    expect(() => prepareCommit(scope(dir, { inputs }))).not.toThrow();

    write(path.join(dir, 'policies/new.yaml'), 'policy: new\n');
    write(path.join(dir, '.gitignore'), 'policies/secret.yaml\n');
    write(path.join(dir, 'policies/secret.yaml'), 'policy: hidden\n');
    const e = refusal(() => prepareCommit(scope(dir, { inputs })));
    expect(e.message).toContain('untracked: policies/new.yaml');
    expect(e.message).toContain('untracked: policies/secret.yaml');
    expect(e.message).not.toContain('plan.json');
    expect(e.message).not.toContain('scratch');
  });

  it('allows any change inside the managed folders', () => {
    const dir = makeRepo();
    write(path.join(dir, 'state/rollout.json'), '{"ring":1}\n');
    write(path.join(dir, 'state/staged.json'), '{}\n');
    git(dir, 'add', 'state/staged.json');
    write(path.join(dir, 'reports/2024-05-01.md'), '# report\n');
    const prepared = prepareCommit(scope(dir, { managed: ['./state/', 'reports'] }));
    expect(prepared.branch).toBe('main');
    expect(prepared.remote).toBeNull();
    expect(prepared.toplevel).toBe(git(dir, 'rev-parse', '--show-toplevel'));
  });

  it('refuses to push from a detached HEAD, or without any remote', () => {
    const dir = makeRepo();
    expect(refusal(() => prepareCommit(scope(dir, { push: true }))).message).toContain(
      'no remote named origin',
    );

    git(dir, 'checkout', '-q', '--detach');
    const e = refusal(() => prepareCommit(scope(dir, { push: true })));
    expect(e.message).toContain('HEAD is detached');
    expect(e.message).toContain('git checkout -B main');
    expect(prepareCommit(scope(dir)).branch).toBeNull();
  });
});

describe('commitFiles', () => {
  it('commits exactly the given files, leaving other staged files staged', () => {
    const dir = makeRepo();
    write(path.join(dir, 'state/other.json'), '{"staged":true}\n');
    git(dir, 'add', 'state/other.json');
    const prepared = prepareCommit(scope(dir));
    const files = [
      write(path.join(dir, 'state/rollout.json'), '{"ring":2}\n'),
      write(path.join(dir, 'reports/2024-05-01 [web]*.md'), '# report\n'),
    ];
    const outcome = commitFiles(prepared, request(files, 'report: compliance\n\nbody line'), { push: false });

    expect(outcome).toEqual({
      committed: true,
      commit: git(dir, 'rev-parse', 'HEAD'),
      files: ['reports/2024-05-01 [web]*.md', 'state/rollout.json'],
      pushed: false,
    });
    expect(committedFiles(dir)).toEqual(['reports/2024-05-01 [web]*.md', 'state/rollout.json']);
    expect(git(dir, 'log', '-1', '--format=%B')).toBe('report: compliance\n\nbody line');
    expect(git(dir, 'diff', '--cached', '--name-only')).toBe('state/other.json');
  });

  it('takes the author from the request and the committer from git config', () => {
    const dir = makeRepo();
    const prepared = prepareCommit(scope(dir));
    commitFiles(prepared, request([write(path.join(dir, 'reports/r.md'), 'r\n')]), { push: false });
    expect(git(dir, 'log', '-1', '--format=%an <%ae>|%cn <%ce>')).toBe(
      'patchctl <patchctl@example.net>|Repo Owner <owner@example.net>',
    );
  });

  it('commits as the author when git has no identity configured, without changing the config', () => {
    const dir = makeRepo();
    git(dir, 'config', '--unset', 'user.email');
    git(dir, 'config', '--unset', 'user.name');
    const prepared = prepareCommit(scope(dir));
    commitFiles(prepared, request([write(path.join(dir, 'reports/r.md'), 'r\n')]), { push: false });
    expect(git(dir, 'log', '-1', '--format=%an <%ae>|%cn <%ce>')).toBe(
      'patchctl <patchctl@example.net>|patchctl <patchctl@example.net>',
    );
    expect(tryGit(dir, 'config', '--get', 'user.email').stdout).toBe('');
    expect(readFileSync(path.join(tmp, 'gitconfig'), 'utf8')).toBe('');
  });

  it('makes no commit when the files did not change', () => {
    const dir = makeRepo();
    const report = path.join(dir, 'reports/r.md');
    const state = path.join(dir, 'state/rollout.json');
    const run = (content: string) => {
      const prepared = prepareCommit(scope(dir));
      write(report, content);
      return commitFiles(prepared, request([report, state]), { push: false });
    };
    expect(run('one\n').files).toEqual(['reports/r.md']);
    const head = git(dir, 'rev-parse', 'HEAD');
    expect(run('one\n')).toEqual({ committed: false, files: [], pushed: false });
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });

  it('commits the removal of a tracked file, and ignores a removed file git never tracked', () => {
    const dir = makeRepo();
    const tracked = path.join(dir, 'state/rollout.json');
    const untracked = path.join(dir, 'state/shards/x.1-of-2.json');
    const prepared = prepareCommit(scope(dir));
    rmSync(tracked);
    const report = write(path.join(dir, 'reports/r.md'), 'r\n');
    const outcome = commitFiles(
      prepared,
      { ...request([report]), removed: [tracked, untracked] },
      { push: false },
    );
    expect(outcome.files).toEqual(['reports/r.md', 'state/rollout.json']);
    expect(git(dir, 'ls-files', 'state')).toBe('');
    expect(git(dir, 'status', '--porcelain')).toBe('');
  });

  it('makes the first commit of an empty repository', () => {
    const dir = path.join(tmp, 'empty');
    mkdirSync(dir);
    git(dir, 'init', '-q', '-b', 'main');
    const prepared = prepareCommit(scope(dir, { inputs: [] }));
    const outcome = commitFiles(prepared, request([write(path.join(dir, 'reports/r.md'), 'r\n')]), {
      push: false,
    });
    expect(outcome.committed).toBe(true);
    expect(committedFiles(dir)).toEqual(['reports/r.md']);
  });

  it('works when the patchctl repository is a subdirectory of the work tree', () => {
    const root = path.join(tmp, 'mono');
    const dir = makeRepo(root, 'ops/patchctl');
    // Work elsewhere in the monorepo is neither committed nor described by the report.
    write(path.join(root, 'README.md'), 'hello\n');
    write(path.join(root, 'ops/patchctl/state/rollout.json'), '{"ring":3}\n');
    const prepared = prepareCommit(scope(dir, { inputs: ['patchctl.yaml', 'policies/linux.yaml'] }));
    expect(prepared.toplevel).toBe(git(root, 'rev-parse', '--show-toplevel'));

    write(path.join(dir, 'policies/linux.yaml'), 'policy: b\n');
    expect(refusal(() => prepareCommit(scope(dir))).message).toContain('modified: policies/linux.yaml');
    git(root, 'checkout', '-q', '--', 'ops/patchctl/policies');

    const outcome = commitFiles(
      prepared,
      request([path.join(dir, 'state/rollout.json'), write(path.join(dir, 'reports/r.md'), 'r\n')]),
      { push: false },
    );
    expect(outcome.files).toEqual(['reports/r.md', 'state/rollout.json']);
    expect(committedFiles(root)).toEqual(['ops/patchctl/reports/r.md', 'ops/patchctl/state/rollout.json']);
    expect(existsSync(path.join(root, 'README.md'))).toBe(true);
    expect(git(root, 'status', '--porcelain')).toBe('?? README.md');
  });

  it('unstages the files and reports the hook output when a pre-commit hook rejects the commit', () => {
    const dir = makeRepo();
    write(
      path.join(dir, '.git/hooks/pre-commit'),
      '#!/bin/sh\necho "lint: reports/r.md is too long" >&2\nexit 1\n',
    );
    chmodSync(path.join(dir, '.git/hooks/pre-commit'), 0o755);
    const head = git(dir, 'rev-parse', 'HEAD');
    const prepared = prepareCommit(scope(dir));
    const files = [
      write(path.join(dir, 'reports/r.md'), 'r\n'),
      write(path.join(dir, 'state/rollout.json'), '[]\n'),
    ];
    const e = refusal(() => commitFiles(prepared, request(files), { push: false }));
    expect(e.message).toContain('git commit failed');
    expect(e.message).toContain('lint: reports/r.md is too long');
    expect(git(dir, 'rev-parse', 'HEAD')).toBe(head);
    expect(git(dir, 'diff', '--cached', '--name-only')).toBe('');
    expect(readFileSync(files[0] ?? '', 'utf8')).toBe('r\n');
  });
});

describe('commitFiles with push', () => {
  /** A bare `origin` and a clone of it with one commit pushed. */
  function withOrigin(): { dir: string; bare: string } {
    const bare = path.join(tmp, 'origin.git');
    git(tmp, 'init', '-q', '--bare', '-b', 'main', bare);
    const dir = makeRepo();
    git(dir, 'remote', 'add', 'origin', bare);
    git(dir, 'push', '-q', 'origin', 'main');
    return { dir, bare };
  }

  it('pushes the commit to the remote branch', () => {
    const { dir, bare } = withOrigin();
    const prepared = prepareCommit(scope(dir, { push: true }));
    expect(prepared.remote).toBe('origin');
    const outcome = commitFiles(prepared, request([write(path.join(dir, 'reports/r.md'), 'r\n')]), {
      push: true,
    });
    expect(outcome.pushed).toBe(true);
    expect(outcome.pushedTo).toBe('origin main');
    expect(git(bare, 'rev-parse', 'refs/heads/main')).toBe(outcome.commit);
  });

  it('uses the branch’s configured remote', () => {
    const { dir, bare } = withOrigin();
    git(dir, 'remote', 'rename', 'origin', 'upstream');
    git(dir, 'config', 'branch.main.remote', 'upstream');
    const prepared = prepareCommit(scope(dir, { push: true }));
    const outcome = commitFiles(prepared, request([write(path.join(dir, 'reports/r.md'), 'r\n')]), {
      push: true,
    });
    expect(outcome.pushedTo).toBe('upstream main');
    expect(git(bare, 'rev-parse', 'refs/heads/main')).toBe(outcome.commit);
  });

  it('keeps the local commit and says how to continue when the push is rejected', () => {
    const { dir, bare } = withOrigin();
    const other = path.join(tmp, 'other');
    git(tmp, 'clone', '-q', bare, other);
    git(other, 'config', 'user.name', 'Someone');
    git(other, 'config', 'user.email', 'someone@example.net');
    write(path.join(other, 'notes.txt'), 'ahead\n');
    git(other, 'commit', '-qam', 'ahead');
    git(other, 'push', '-q', 'origin', 'main');
    const remoteHead = git(bare, 'rev-parse', 'refs/heads/main');

    const prepared = prepareCommit(scope(dir, { push: true }));
    const e = refusal(() =>
      commitFiles(prepared, request([write(path.join(dir, 'reports/r.md'), 'r\n')]), { push: true }),
    );
    const local = git(dir, 'rev-parse', 'HEAD');
    expect(e.commit).toBe(local);
    expect(e.message).toContain('git push origin main failed');
    expect(e.message).toContain('rejected');
    expect(e.message).toContain(
      `The commit ${git(dir, 'rev-parse', '--short', local)} stays on the local branch main`,
    );
    expect(e.message).toContain('git pull --rebase origin main && git push origin main');
    expect(committedFiles(dir)).toEqual(['reports/r.md']);
    expect(git(bare, 'rev-parse', 'refs/heads/main')).toBe(remoteHead);
  });
});
