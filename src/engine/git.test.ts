import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { gitCommit } from './git.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-git-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const git = (...args: string[]) =>
  spawnSync('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.net', ...args], {
    encoding: 'utf8',
  });

describe('gitCommit', () => {
  it('is null outside a work tree and in a repository without commits', () => {
    expect(gitCommit(dir)).toBeNull();
    git('init', '-q');
    expect(gitCommit(dir)).toBeNull();
  });
  it('names HEAD, and marks uncommitted changes to tracked files', () => {
    git('init', '-q');
    writeFileSync(path.join(dir, 'patchctl.yaml'), 'a\n');
    git('add', '.');
    git('commit', '-qm', 'first');
    const head = git('rev-parse', 'HEAD').stdout.trim();
    expect(gitCommit(dir)).toBe(head);
    writeFileSync(path.join(dir, 'untracked.yaml'), 'x\n');
    expect(gitCommit(dir)).toBe(head);
    writeFileSync(path.join(dir, 'patchctl.yaml'), 'b\n');
    expect(gitCommit(dir)).toBe(`${head}-dirty`);
  });
});
