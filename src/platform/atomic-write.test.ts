// writeFileAtomic(Async) replacing a file keeps what the user set on it: its permission bits
// and, when patchctl runs as root, its owner (write-file-atomic's behaviour, reviewed in
// atomic-write.ts). A new file gets 0644 less the umask; a mode asked for is the mode.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  chmodSync,
  chownSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { writeFileAtomic, writeFileAtomicAsync } from './atomic-write.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-atomic-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const modeOf = (file: string): number => statSync(file).mode & 0o777;
const umask = (): number => {
  const old = process.umask(0o022);
  process.umask(old);
  return old;
};

const writers = {
  sync: async (file: string, text: string, mode?: number) => writeFileAtomic(file, text, mode),
  async: (file: string, text: string, mode?: number) => writeFileAtomicAsync(file, text, mode),
};

describe.each(Object.entries(writers))('writeFileAtomic (%s)', (_name, write) => {
  it('keeps the permission bits of the file it replaces, even those the umask would clear', async () => {
    const file = path.join(dir, 'state.json');
    for (const mode of [0o600, 0o640, 0o664]) {
      writeFileSync(file, 'old');
      chmodSync(file, mode);
      await write(file, '{"new":true}\n');
      expect([mode.toString(8), readFileSync(file, 'utf8')]).toEqual([mode.toString(8), '{"new":true}\n']);
      expect(modeOf(file).toString(8)).toBe(mode.toString(8));
    }
  });

  it('gives a new file 0644 less the umask, and the mode asked for when one is', async () => {
    const fresh = path.join(dir, 'new.json');
    await write(fresh, 'x');
    expect(modeOf(fresh)).toBe(0o644 & ~umask());
    const asked = path.join(dir, 'asked.json');
    writeFileSync(asked, 'old');
    chmodSync(asked, 0o644);
    await write(asked, 'x', 0o600);
    expect(modeOf(asked)).toBe(0o600);
  });

  it('leaves no temp file behind', async () => {
    await write(path.join(dir, 'a.json'), 'a');
    await write(path.join(dir, 'a.json'), 'b');
    expect(readdirSync(dir)).toEqual(['a.json']);
  });

  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  (asRoot ? it : it.skip)('as root, keeps the owner and group of the file it replaces', async () => {
    const file = path.join(dir, 'owned.json');
    writeFileSync(file, 'old');
    chownSync(file, 4242, 4343);
    await write(file, 'new');
    const st = statSync(file);
    expect([st.uid, st.gid, readFileSync(file, 'utf8')]).toEqual([4242, 4343, 'new']);
    // A new file is root's, as any file root writes.
    await write(path.join(dir, 'fresh.json'), 'x');
    expect(statSync(path.join(dir, 'fresh.json')).uid).toBe(0);
  });
});
