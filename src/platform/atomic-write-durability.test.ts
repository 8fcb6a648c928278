// What writeFileAtomic(Async) does around the system calls, seen through a recording node:fs:
// the folder is fsynced after the rename (so the new name survives a power cut, not only the new
// bytes), and a close that fails (NFS reports write errors there) is a LocalIoError naming the
// file, with the temp file removed and the old file untouched.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import * as realFs from 'node:fs';
import * as realFsPromises from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The calls that matter, in order: `open <path>`, `fsync <path>`, `rename <to>`, `close <path>`. */
const calls: string[] = [];
/** Paths whose close fails with EIO (once each). */
const failClose = new Set<string>();
const fdPaths = new Map<number, string>();

const eio = (syscall: string): NodeJS.ErrnoException =>
  Object.assign(new Error(`EIO: i/o error, ${syscall}`), { code: 'EIO', errno: -5, syscall });

jest.unstable_mockModule('node:fs', () => {
  const fs = {
    ...realFs,
    openSync: (file: realFs.PathLike, flags?: realFs.OpenMode, mode?: realFs.Mode | null) => {
      const fd = realFs.openSync(file, flags ?? 'r', mode);
      fdPaths.set(fd, String(file));
      calls.push(`open ${String(file)}`);
      return fd;
    },
    fsyncSync: (fd: number) => {
      calls.push(`fsync ${fdPaths.get(fd)}`);
      realFs.fsyncSync(fd);
    },
    renameSync: (from: realFs.PathLike, to: realFs.PathLike) => {
      calls.push(`rename ${String(to)}`);
      realFs.renameSync(from, to);
    },
    closeSync: (fd: number) => {
      const file = fdPaths.get(fd) ?? '?';
      calls.push(`close ${file}`);
      realFs.closeSync(fd);
      const key = [...failClose].find((k) => file.includes(k));
      if (key !== undefined) {
        failClose.delete(key);
        throw eio('close');
      }
    },
  };
  return { ...fs, default: fs };
});

jest.unstable_mockModule('node:fs/promises', () => {
  const open = async (
    file: realFs.PathLike,
    flags?: string | number,
    mode?: realFs.Mode,
  ): Promise<FileHandle> => {
    const handle = await realFsPromises.open(file, flags, mode);
    calls.push(`open ${String(file)}`);
    return new Proxy(handle, {
      get(target, prop) {
        if (prop === 'sync')
          return async () => {
            calls.push(`fsync ${String(file)}`);
            await target.sync();
          };
        if (prop === 'close')
          return async () => {
            calls.push(`close ${String(file)}`);
            await target.close();
            const key = [...failClose].find((k) => String(file).includes(k));
            if (key !== undefined) {
              failClose.delete(key);
              throw eio('close');
            }
          };
        const value: unknown = Reflect.get(target, prop, target);
        return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
      },
    });
  };
  const rename = async (from: realFs.PathLike, to: realFs.PathLike) => {
    calls.push(`rename ${String(to)}`);
    await realFsPromises.rename(from, to);
  };
  const fsp = { ...realFsPromises, open, rename };
  return { ...fsp, default: fsp };
});

const { writeFileAtomic, writeFileAtomicAsync } = await import('./atomic-write.js');
const { LocalIoError } = await import('../errors.js');

let dir: string;
beforeEach(() => {
  dir = realFs.mkdtempSync(path.join(tmpdir(), 'patchctl-durable-'));
  calls.length = 0;
  failClose.clear();
});
afterEach(() => realFs.rmSync(dir, { recursive: true, force: true }));

const writers = {
  sync: async (file: string, text: string) => writeFileAtomic(file, text),
  async: (file: string, text: string) => writeFileAtomicAsync(file, text),
};

describe.each(Object.entries(writers))('writeFileAtomic (%s) on disk', (_name, write) => {
  it('fsyncs the file before the rename and the folder after it', async () => {
    const file = path.join(dir, 'state', 'a.json');
    await write(file, 'a');
    const folder = path.dirname(file);
    const fileSync = calls.findIndex((c) => c.startsWith('fsync ') && c.includes('.a.json.tmp-'));
    const rename = calls.indexOf(`rename ${file}`);
    const folderSync = calls.indexOf(`fsync ${folder}`);
    expect([fileSync >= 0, rename > fileSync, folderSync > rename]).toEqual([true, true, true]);
    expect(calls.at(-1)).toBe(`close ${folder}`);
  });

  it('a failed close is a LocalIoError, the temp file is removed and the old file kept', async () => {
    const file = path.join(dir, 'b.json');
    realFs.writeFileSync(file, 'old');
    failClose.add('.b.json.tmp-');
    const error = await write(file, 'new').then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(LocalIoError);
    expect((error as Error).message.startsWith(`cannot write ${file}: `)).toBe(true);
    expect((error as InstanceType<typeof LocalIoError>).errno).toBe('EIO');
    expect(realFs.readdirSync(dir)).toEqual(['b.json']);
    expect(realFs.readFileSync(file, 'utf8')).toBe('old');
  });
});
