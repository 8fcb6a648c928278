import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { describeNotFound, findRepository } from './find-repository.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'patchctl-find-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const at = (...parts: string[]) => path.join(root, ...parts);
function touch(rel: string, text = ''): void {
  mkdirSync(path.dirname(at(rel)), { recursive: true });
  writeFileSync(at(rel), text);
}

describe('findRepository', () => {
  it('takes -C exactly, never a parent, even where there is no patchctl.yaml', () => {
    touch('ops/patchctl.yaml');
    mkdirSync(at('ops/inventory'));
    expect(findRepository(at('ops'), 'inventory')).toEqual({ dir: at('ops/inventory'), how: 'given' });
  });

  it('finds patchctl.yaml in the working directory', () => {
    touch('ops/patchctl.yaml');
    expect(findRepository(at('ops'), undefined)).toEqual({ dir: at('ops'), how: 'found' });
  });

  it('finds the nearest parent holding patchctl.yaml', () => {
    touch('patchctl.yaml');
    touch('ops/patchctl.yaml');
    mkdirSync(at('ops/inventory/site'), { recursive: true });
    expect(findRepository(at('ops/inventory/site'), undefined)).toEqual({ dir: at('ops'), how: 'found' });
  });

  it('ignores a folder named patchctl.yaml', () => {
    mkdirSync(at('ops/patchctl.yaml'), { recursive: true });
    mkdirSync(at('.git'));
    expect(findRepository(at('ops'), undefined).how).toBe('not-found');
  });

  it('looks at the top of a git work tree but not above it', () => {
    touch('patchctl.yaml'); // some other project's repository, above the git checkout
    mkdirSync(at('checkout/.git'), { recursive: true });
    mkdirSync(at('checkout/docs'), { recursive: true });
    const lookup = findRepository(at('checkout/docs'), undefined);
    expect(lookup).toEqual({
      dir: at('checkout/docs'),
      how: 'not-found',
      stoppedAt: at('checkout'),
      stoppedBecause: 'git-top',
    });
    if (lookup.how === 'not-found')
      expect(describeNotFound(lookup)).toBe(
        `no patchctl.yaml in ${at('checkout/docs')} or its parents up to ${at('checkout')} (the search stops at the top of its git repository); pass -C DIR, or create a repository with \`patchctl init\``,
      );
    // At the top itself, and below a .git file (a worktree or submodule) likewise.
    touch('checkout/patchctl.yaml');
    expect(findRepository(at('checkout/docs'), undefined)).toEqual({ dir: at('checkout'), how: 'found' });
    touch('wt/.git', 'gitdir: /elsewhere\n');
    mkdirSync(at('wt/sub'));
    expect(findRepository(at('wt/sub'), undefined)).toMatchObject({ how: 'not-found', stoppedAt: at('wt') });
  });

  it('stops at the filesystem root', () => {
    const lookup = findRepository('/', undefined);
    expect(lookup).toEqual({ dir: '/', how: 'not-found', stoppedAt: '/', stoppedBecause: 'filesystem-root' });
  });
});
