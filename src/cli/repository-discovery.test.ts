// The repository found by walking up from the working directory, like git (issue 16): every
// command that takes -C, run from a subdirectory of the repository.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { captureIo } from '../test-support/capture-io.js';
import { MINIMAL_CONFIG, doc, hosts } from '../test-support/repo-builder.js';
import { main } from './main.js';

let root: string;
let repo: string;
beforeEach(() => {
  root = mkdtempSync(path.join(tmpdir(), 'patchctl-discover-'));
  repo = path.join(root, 'ops');
  mkdirSync(path.join(root, '.git')); // the git checkout the repository lives in
  const files: Record<string, string> = {
    'patchctl.yaml': MINIMAL_CONFIG,
    'inventory/a.yaml': hosts('web-1'),
    'groups/web.yaml': doc('Group', 'web', 'hosts: [web-1]'),
  };
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(repo, rel)), { recursive: true });
    writeFileSync(path.join(repo, rel), text);
  }
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const from = (...parts: string[]) => captureIo({ cwd: path.join(...parts) });

describe('the repository is found by walking up from the working directory', () => {
  it('validate from inventory/ checks the repository above and names it', async () => {
    const io = from(repo, 'inventory');
    expect(await main(['validate'], io)).toBe(0);
    expect(io.text().stdout).toBe('valid: 1 host\n');
    expect(io.text().stderr).toBe(
      `patchctl: repository ${repo} (patchctl.yaml found above the working directory)\n`,
    );
  });

  it('says nothing extra in the repository itself, nor with --quiet', async () => {
    const io = from(repo);
    expect(await main(['validate'], io)).toBe(0);
    expect(io.text().stderr).toBe('');
    const quiet = from(repo, 'groups');
    expect(await main(['exceptions', '--quiet', '--format', 'json'], quiet)).toBe(0);
    expect(quiet.text().stderr).toBe('');
  });

  it('-C is exactly that directory: a subdirectory is not a repository', async () => {
    const io = from(repo);
    expect(await main(['validate', '-C', 'inventory'], io)).toBe(3);
    expect(io.text().stdout).toContain('patchctl.yaml not found');
    expect(io.text().stderr).toBe('');
  });

  it('outside any repository: says where it looked and where the search stopped', async () => {
    mkdirSync(path.join(root, 'docs'));
    const io = from(root, 'docs');
    expect(await main(['validate'], io)).toBe(3);
    expect(io.text().stderr).toBe(
      `patchctl: no patchctl.yaml in ${path.join(root, 'docs')} or its parents up to ${root} (the search stops at the top of its git repository); pass -C DIR, or create a repository with \`patchctl init\`\n`,
    );
  });

  it.each([
    ['plan', ['plan', '--at', '2026-12-01T00:00:00Z', '--format', 'json']],
    ['status', ['status', '--format', 'json']],
    ['exceptions', ['exceptions', '--format', 'json']],
    ['report', ['report', '--at', '2026-12-01T00:00:00Z', '--format', 'json']],
  ])('%s from a subdirectory works on the repository above', async (_name, args) => {
    const io = from(repo, 'groups');
    const code = await main(args, io);
    expect(io.text().stderr).toContain(`patchctl: repository ${repo} (patchctl.yaml found above`);
    expect(io.text().stderr).not.toContain('not found');
    expect([0, 2]).toContain(code);
  });
});
