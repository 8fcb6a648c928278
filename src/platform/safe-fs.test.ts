import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { InputFileError, LocalIoError } from '../errors.js';
import {
  FileTooLargeError,
  NotRegularFileError,
  readFileSafe,
  readRegularFile,
  readTextSafe,
  readTextSafeIfExists,
} from './safe-fs.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-safe-fs-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const at = (rel: string): string => path.join(dir, rel);
const MAX = 1024 * 1024;

describe('readFileSafe', () => {
  it('reads a regular file, also through a link, and names nothing-there as ENOENT', () => {
    writeFileSync(at('a.txt'), 'hello\n');
    symlinkSync(at('a.txt'), at('link.txt'));
    expect(readTextSafe(at('a.txt'), { maxBytes: MAX })).toBe('hello\n');
    expect(readTextSafe(at('link.txt'), { maxBytes: MAX })).toBe('hello\n');
    expect(readTextSafeIfExists(at('missing.txt'), { maxBytes: MAX })).toBeUndefined();
    expect(() => readFileSafe(at('missing.txt'), { maxBytes: MAX })).toThrow(LocalIoError);
  });

  it('refuses a FIFO without blocking, a directory and a device, saying what each is', () => {
    expect(spawnSync('mkfifo', [at('fifo')]).status).toBe(0);
    mkdirSync(at('dir'));
    symlinkSync('/dev/zero', at('zero'));
    for (const [rel, what] of [
      ['fifo', 'a named pipe (FIFO)'],
      ['dir', 'a directory'],
      ['zero', 'a character device'],
    ] as const) {
      expect(() => readFileSafe(at(rel), { maxBytes: MAX, label: rel })).toThrow(NotRegularFileError);
      expect(() => readFileSafe(at(rel), { maxBytes: MAX, label: rel })).toThrow(
        `${rel} is ${what}, not a regular file`,
      );
    }
  });

  it('refuses a file larger than the bound, before reading it', () => {
    writeFileSync(at('big'), Buffer.alloc(2048, 0x61));
    expect(() => readFileSafe(at('big'), { maxBytes: 2047 })).toThrow(FileTooLargeError);
    expect(() => readFileSafe(at('big'), { maxBytes: 2047 })).toThrow(
      /is larger than 2 KiB: patchctl does not read it/,
    );
    expect(readFileSafe(at('big'), { maxBytes: 2048 })).toHaveLength(2048);
  });

  it('confines to `within`: a link out of the folder is refused, one inside it followed', () => {
    mkdirSync(at('repo/sub'), { recursive: true });
    writeFileSync(at('secret'), 'x');
    writeFileSync(at('repo/sub/ok'), 'ok');
    symlinkSync(at('secret'), at('repo/out'));
    symlinkSync('sub/ok', at('repo/in'));
    expect(() => readFileSafe(at('repo/out'), { maxBytes: MAX, within: at('repo') })).toThrow(
      /leads out of .* through a symbolic link/,
    );
    expect(readTextSafe(at('repo/in'), { maxBytes: MAX, within: at('repo') })).toBe('ok');
  });

  it('with refuseLinks, refuses the file when it is a link, wherever it leads', () => {
    writeFileSync(at('a'), 'a');
    symlinkSync('a', at('b'));
    expect(() => readFileSafe(at('b'), { maxBytes: MAX, refuseLinks: true, label: 'b' })).toThrow(
      'b is a symbolic link, not a regular file',
    );
    expect(readTextSafe(at('a'), { maxBytes: MAX, refuseLinks: true })).toBe('a');
  });
});

describe('readRegularFile', () => {
  it('reports a socket as a socket (it cannot even be opened)', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(at('sock'), resolve));
    try {
      expect(() => readRegularFile(at('sock'), { maxBytes: MAX, label: 'sock' })).toThrow(
        'sock is a socket, not a regular file',
      );
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('never follows a final link (O_NOFOLLOW)', () => {
    writeFileSync(at('a'), 'a');
    symlinkSync('a', at('b'));
    expect(() => readRegularFile(at('b'), { maxBytes: MAX, label: 'b' })).toThrow(
      'b is a symbolic link, not a regular file',
    );
    expect(() => readRegularFile(at('b'), { maxBytes: MAX })).toThrow(InputFileError);
  });

  it('reads small files into a shared scratch buffer and large ones into their own', () => {
    writeFileSync(at('one'), 'first');
    writeFileSync(at('two'), 'second!');
    const big = Buffer.alloc(3 * 1024 * 1024, 0x62);
    writeFileSync(at('big'), big);
    const one = readRegularFile(at('one'), { maxBytes: MAX, scratch: true }).toString('utf8');
    const two = readRegularFile(at('two'), { maxBytes: MAX, scratch: true });
    expect(one).toBe('first');
    expect(two.toString('utf8')).toBe('second!');
    expect(readRegularFile(at('big'), { maxBytes: 4 * MAX, scratch: true }).equals(big)).toBe(true);
    expect(readRegularFile(at('one'), { maxBytes: MAX }).toString('utf8')).toBe('first');
    expect(() => readRegularFile(at('big'), { maxBytes: MAX, scratch: true })).toThrow(FileTooLargeError);
  });
});
