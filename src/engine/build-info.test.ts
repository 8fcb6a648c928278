import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { buildInfoFor, checkoutCommit, readBuildInfo, runningCommit } from './build-info.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-build-info-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const git = (cwd: string, ...args: string[]) =>
  spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.net', ...args], {
    cwd,
    encoding: 'utf8',
  });

/** A package folder: dist/engine (compiled code) and, if asked, a git checkout with one commit. */
function aPackage(rel: string, withGit: boolean): { root: string; head?: string } {
  const root = path.join(dir, rel);
  mkdirSync(path.join(root, 'dist', 'engine'), { recursive: true });
  writeFileSync(path.join(root, 'package.json'), '{}\n');
  if (!withGit) return { root };
  git(root, 'init', '-q');
  git(root, 'add', 'package.json');
  git(root, 'commit', '-q', '-m', 'one');
  return { root, head: git(root, 'rev-parse', 'HEAD').stdout.trim() };
}

describe('the commit patchctl was built from', () => {
  it('is the checkout, with -dirty when a tracked file changed', () => {
    const { root, head } = aPackage('pkg', true);
    expect(checkoutCommit(root)).toBe(head);
    writeFileSync(path.join(root, 'package.json'), '{"changed": true}\n');
    expect(checkoutCommit(root)).toBe(`${head}-dirty`);
    expect(buildInfoFor(root)).toEqual({ formatVersion: 1, commit: `${head}-dirty` });
  });

  it('is never the commit of a project the package is installed into', () => {
    const project = aPackage('project', true);
    const installed = aPackage('project/node_modules/patchctl', false);
    expect(checkoutCommit(installed.root)).toBeUndefined();
    expect(buildInfoFor(installed.root)).toEqual({ formatVersion: 1, commit: 'unknown' });
    expect(project.head).toBeDefined();
  });

  it('compiled code trusts dist/build-info.json, even without .git (an installed tarball)', () => {
    const { root } = aPackage('tarball', false);
    const commit = 'a'.repeat(40);
    writeFileSync(path.join(root, 'dist', 'build-info.json'), JSON.stringify({ formatVersion: 1, commit }));
    expect(runningCommit(path.join(root, 'dist', 'engine'))).toEqual({ commit, source: 'build-info' });
  });

  it('reports a checkout that moved on since the build beside the built commit, not instead', () => {
    const { root, head } = aPackage('moved', true);
    const built = 'b'.repeat(40);
    writeFileSync(
      path.join(root, 'dist', 'build-info.json'),
      JSON.stringify({ formatVersion: 1, commit: built }),
    );
    expect(runningCommit(path.join(root, 'dist', 'engine'))).toEqual({
      commit: built,
      source: 'build-info',
      checkout: head,
    });
  });

  it('compiled code without build-info.json says unknown and why, whatever the checkout says', () => {
    const { root } = aPackage('bare-tsc', true);
    const r = runningCommit(path.join(root, 'dist', 'engine'));
    expect(r.commit).toBe('unknown');
    expect(r.problem).toContain('build-info.json is missing');
  });

  it('TypeScript run from src/ is the checkout itself', () => {
    const { root, head } = aPackage('source', true);
    mkdirSync(path.join(root, 'src', 'engine'), { recursive: true });
    expect(runningCommit(path.join(root, 'src', 'engine'))).toEqual({ commit: head, source: 'checkout' });
  });

  it('refuses a build-info.json that is not one patchctl wrote, naming the file', () => {
    const file = path.join(dir, 'build-info.json');
    writeFileSync(file, '{"formatVersion": 1, "commit": "x", "commit": "y"}');
    expect(() => readBuildInfo(file)).toThrow(/build-info\.json:1:\d+ .*duplicate key "commit"/);
    writeFileSync(file, '{"formatVersion": 1, "commit": "main; rm -rf /"}');
    expect(() => readBuildInfo(file)).toThrow(/not a patchctl build-info file/);
    expect(readBuildInfo(path.join(dir, 'none.json'))).toBeUndefined();
  });
});
