import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';

import { generateKey } from './__fixtures__/test-server.js';
import { CredentialsError, loadCredentials } from './credentials.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'patchctl-credentials-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('loadCredentials: the identity file', () => {
  it('reads a private key, also through a symbolic link (a managed ~/.ssh)', async () => {
    const key = join(dir, 'id_ed25519');
    writeFileSync(key, generateKey('ed25519').private, { mode: 0o600 });
    symlinkSync(key, join(dir, 'id_link'));
    for (const file of [key, join(dir, 'id_link')]) {
      const c = await loadCredentials({ identityFile: file }, {});
      expect(c.privateKeys[0]?.isPrivateKey()).toBe(true);
      expect(c.description).toBe(`key ${file}`);
    }
  });

  it('refuses a FIFO at once instead of blocking the run for ever', async () => {
    const fifo = join(dir, 'id_fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    await expect(loadCredentials({ identityFile: fifo }, {})).rejects.toThrow(CredentialsError);
    await expect(loadCredentials({ identityFile: fifo }, {})).rejects.toThrow(
      `identity file ${fifo} is a named pipe (FIFO), not a regular file`,
    );
  });

  it('refuses a device, a directory and a file too large to be a key', async () => {
    symlinkSync('/dev/zero', join(dir, 'id_zero'));
    await expect(loadCredentials({ identityFile: join(dir, 'id_zero') }, {})).rejects.toThrow(
      /is a character device, not a regular file/,
    );
    await expect(loadCredentials({ identityFile: dir }, {})).rejects.toThrow(
      /is a directory, not a regular file/,
    );
    writeFileSync(join(dir, 'id_big'), Buffer.alloc(2 * 1024 * 1024, 0x41));
    await expect(loadCredentials({ identityFile: join(dir, 'id_big') }, {})).rejects.toThrow(
      /is larger than 1 MiB: patchctl does not read it/,
    );
    await expect(loadCredentials({ identityFile: join(dir, 'missing') }, {})).rejects.toThrow(
      `cannot read identity file ${join(dir, 'missing')} (ENOENT)`,
    );
  });
});
