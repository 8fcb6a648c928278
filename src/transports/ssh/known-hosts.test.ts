import { createHmac } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from '@jest/globals';

import { InputFileError } from '../../errors.js';
import { generateKey, publicBlob } from './__fixtures__/test-server.js';
import { KnownHostsStore } from './known-hosts-store.js';
import {
  entryMatches,
  fingerprint,
  formatKnownHostsLine,
  globMatch,
  HOST_KEY_ALGORITHMS,
  hostKeyNames,
  keyBlobType,
  lookupName,
  matchPatternList,
  parseKnownHosts,
  preferredAlgorithms,
} from './known-hosts.js';

const ED = publicBlob(generateKey('ed25519').public);
const ED2 = publicBlob(generateKey('ed25519').public);
const EC = publicBlob(generateKey('ecdsa').public);
const b64 = (key: Buffer): string => key.toString('base64');

function hashed(name: string, salt = Buffer.alloc(20, 7)): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

let dir = '';
afterEach(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

describe('parseKnownHosts', () => {
  it('reads plain, hashed and marked lines, and skips comments and blank lines', () => {
    const text = [
      '# a comment',
      '',
      `web-01,10.0.4.21 ssh-ed25519 ${b64(ED)} root@web-01`,
      `  [bastion.example.com]:2222\tecdsa-sha2-nistp256 ${b64(EC)}`,
      `${hashed('db-01')} ssh-ed25519 ${b64(ED2)}`,
      `@revoked * ssh-ed25519 ${b64(ED2)}`,
      `@cert-authority *.example.com ssh-ed25519 ${b64(ED)}`,
    ].join('\r\n');
    const { entries, problems } = parseKnownHosts(text, 'known_hosts');
    expect(problems).toEqual([]);
    expect(entries.map((e) => [e.line, e.marker, e.keyType])).toEqual([
      [3, undefined, 'ssh-ed25519'],
      [4, undefined, 'ecdsa-sha2-nistp256'],
      [5, undefined, 'ssh-ed25519'],
      [6, 'revoked', 'ssh-ed25519'],
      [7, 'cert-authority', 'ssh-ed25519'],
    ]);
    expect(entries[0]?.hosts).toEqual({ kind: 'patterns', patterns: ['web-01', '10.0.4.21'] });
    expect(entries[0]?.key.equals(ED)).toBe(true);
    expect(entries[2]?.hosts.kind).toBe('hashed');
  });

  it('reports and skips malformed lines', () => {
    const text = [
      'onlyhost',
      `@bogus host ssh-ed25519 ${b64(ED)}`,
      `host ssh-ed25519 not*base64`,
      `host ssh-rsa ${b64(ED)}`,
      `|2|abc|def ssh-ed25519 ${b64(ED)}`,
      `|1|${Buffer.alloc(20).toString('base64')}|${Buffer.alloc(10).toString('base64')} ssh-ed25519 ${b64(ED)}`,
      `a,,b ssh-ed25519 ${b64(ED)}`,
      `good ssh-ed25519 ${b64(ED)}`,
    ].join('\n');
    const { entries, problems } = parseKnownHosts(text, 'kh');
    expect(entries.map((e) => e.line)).toEqual([8]);
    expect(problems.map((p) => p.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(problems[3]?.message).toMatch(/ssh-ed25519.*not "ssh-rsa"/);
  });
});

describe('host matching', () => {
  it('matches wildcards, negation and case like OpenSSH', () => {
    expect(globMatch('web-01.example.com', '*.example.com')).toBe(true);
    expect(globMatch('example.com', '*.example.com')).toBe(false);
    expect(globMatch('web-01', 'web-0?')).toBe(true);
    expect(globMatch('web-010', 'web-0?')).toBe(false);
    expect(globMatch('[10.0.0.1]:2222', '[10.0.0.*]:2222')).toBe(true);
    expect(globMatch('a', '**')).toBe(true);
    expect(globMatch('', '*')).toBe(true);
    expect(globMatch('abc', 'a*c*')).toBe(true);
    expect(globMatch('abcd', 'a*c')).toBe(false);
    expect(matchPatternList('web-01', ['web-*', '!web-01'])).toBe(false);
    expect(matchPatternList('web-02', ['web-*', '!web-01'])).toBe(true);
    expect(matchPatternList('web-02', ['!web-01'])).toBe(false); // negation alone never matches
    const [entry] = parseKnownHosts(`WEB-01 ssh-ed25519 ${b64(ED)}`, 'kh').entries;
    expect(entry && entryMatches(entry, lookupName('Web-01', 22))).toBe(true);
  });

  it('uses [host]:port off port 22, and hashed names of either form', () => {
    expect(lookupName('Web-01', 22)).toBe('web-01');
    expect(lookupName('10.0.0.1', 2222)).toBe('[10.0.0.1]:2222');
    expect(lookupName('::1', 2222)).toBe('[::1]:2222');
    const { entries } = parseKnownHosts(
      [
        `${hashed('web-01')} ssh-ed25519 ${b64(ED)}`,
        `${hashed('[web-01]:2222')} ssh-ed25519 ${b64(ED)}`,
      ].join('\n'),
      'kh',
    );
    const [plain, ported] = entries;
    if (!plain || !ported) throw new Error('parse failed');
    expect(entryMatches(plain, 'web-01')).toBe(true);
    expect(entryMatches(plain, '[web-01]:2222')).toBe(false);
    expect(entryMatches(ported, '[web-01]:2222')).toBe(true);
    expect(entryMatches(ported, 'web-01')).toBe(false);
  });

  it('reads key types and fingerprints like ssh-keygen', () => {
    expect(keyBlobType(ED)).toBe('ssh-ed25519');
    expect(keyBlobType(EC)).toBe('ecdsa-sha2-nistp256');
    expect(keyBlobType(Buffer.from([0, 0, 0, 200, 1]))).toBeUndefined();
    expect(fingerprint(ED)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });

  it('builds names and lines for pinning, refusing names that would widen a pattern', () => {
    expect(hostKeyNames(['web-01', '10.0.4.21', 'WEB-01'], 22)).toEqual(['web-01', '10.0.4.21']);
    expect(hostKeyNames(['web-01', 'web-01'], 2222)).toEqual(['[web-01]:2222']);
    for (const bad of ['*', 'a,b', 'a b', '!a', '|1|x', '@revoked', '']) {
      expect(() => hostKeyNames([bad], 22)).toThrow(TypeError);
    }
    expect(formatKnownHostsLine(['web-01', '10.0.4.21'], ED)).toBe(`web-01,10.0.4.21 ssh-ed25519 ${b64(ED)}`);
  });

  it('offers the known key types first', () => {
    expect(preferredAlgorithms([])).toEqual(HOST_KEY_ALGORITHMS);
    const rsaFirst = preferredAlgorithms(['ssh-rsa']);
    expect(rsaFirst.slice(0, 2)).toEqual(['rsa-sha2-512', 'rsa-sha2-256']);
    expect([...rsaFirst].sort()).toEqual([...HOST_KEY_ALGORITHMS].sort());
    expect(HOST_KEY_ALGORITHMS).not.toContain('ssh-rsa'); // no SHA-1 signatures
  });
});

describe('KnownHostsStore', () => {
  const repoFile = (): string => {
    dir = mkdtempSync(join(tmpdir(), 'patchctl-kh-'));
    return join(dir, 'known_hosts');
  };

  it('finds the lines for a host, literal, wildcard and hashed alike, in file order', () => {
    const lines = [
      `*.lab ssh-ed25519 ${b64(ED)}`,
      `web-01,web-01.lab ssh-ed25519 ${b64(ED2)}`,
      `${hashed('web-01')} ecdsa-sha2-nistp256 ${b64(EC)}`,
      `!web-01.lab,*.lab ecdsa-sha2-nistp256 ${b64(EC)}`,
      ...Array.from({ length: 2000 }, (_, i) => `host-${i} ssh-ed25519 ${b64(ED)}`),
      `web-01 ssh-ed25519 ${b64(ED)}`,
    ];
    const store = KnownHostsStore.fromText({ repoFile: repoFile() }, lines.join('\n'));
    expect(store.entriesFor(['web-01', 'web-01.lab']).map((e) => e.line)).toEqual([1, 2, 3, 2005]);
    expect(store.entriesFor(['db.lab']).map((e) => e.line)).toEqual([1, 4]);
    expect(store.entriesFor(['host-1999']).map((e) => e.line)).toEqual([2004]);
    expect(store.entriesFor(['nowhere'])).toEqual([]);
  });

  it('decides known, changed, revoked and unknown', async () => {
    const file = repoFile();
    const store = KnownHostsStore.fromText(
      { repoFile: file },
      [
        `web-01 ssh-ed25519 ${b64(ED)}`,
        `db-01 ecdsa-sha2-nistp256 ${b64(EC)}`,
        `@revoked old-01 ssh-ed25519 ${b64(ED2)}`,
        `old-01 ssh-ed25519 ${b64(ED2)}`,
        `@cert-authority *.example.com ssh-ed25519 ${b64(ED)}`,
      ].join('\n'),
    );
    await expect(store.verify(['web-01'], ED, false)).resolves.toMatchObject({
      ok: true,
      entry: { line: 1 },
    });
    await expect(store.verify(['web-01', '10.0.4.21'], ED, false)).resolves.toMatchObject({ ok: true });
    const changed = await store.verify(['web-01'], ED2, true);
    expect(changed).toMatchObject({ ok: false, kind: 'host-key-mismatch' });
    expect(!changed.ok && changed.message).toContain(`${file}:1`);
    await expect(store.verify(['db-01'], ED, true)).resolves.toMatchObject({
      ok: false,
      kind: 'host-key-mismatch',
    });
    const revoked = await store.verify(['old-01'], ED2, true);
    expect(!revoked.ok && revoked.message).toMatch(/@revoked/);
    const ca = await store.verify(['a.example.com'], ED, false);
    expect(ca).toMatchObject({ ok: false, kind: 'host-key-unknown' });
    expect(!ca.ok && ca.message).toMatch(/host certificates are not supported/);
    expect(store.algorithmsFor(['db-01'])[0]).toBe('ecdsa-sha2-nistp256');
  });

  it('pins new keys by appending to the repository file atomically, once, in a serialized order', async () => {
    const file = repoFile();
    writeFileSync(file, '# reviewed keys\n', { mode: 0o640 });
    const store = await KnownHostsStore.load({ repoFile: file });
    const hosts = Array.from({ length: 20 }, (_, i) => `host-${i}`);
    const keys = hosts.map(() => publicBlob(generateKey('ed25519').public));
    const decisions = await Promise.all([
      ...hosts.map((h, i) => store.verify(hostKeyNames([h, `10.0.0.${i}`], 22), keys[i] as Buffer, true)),
      // The same host and key twice at once: one line.
      store.verify(['host-0', '10.0.0.0'], keys[0] as Buffer, true),
    ]);
    expect(decisions.every((d) => d.ok)).toBe(true);
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines[0]).toBe('# reviewed keys');
    expect(lines.slice(1, -1).sort()).toEqual(
      hosts.map((h, i) => `${h},10.0.0.${i} ssh-ed25519 ${b64(keys[i] as Buffer)}`).sort(),
    );
    expect(lines.at(-1)).toBe('');
    expect(store.pinned).toHaveLength(20);
    expect(statSync(file).mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['known_hosts']);
    // A second store sees the pins; the user file is never written.
    const userFile = join(dir, 'user_known_hosts');
    const again = await KnownHostsStore.load({ repoFile: file, userFile });
    await expect(again.verify(['host-7'], keys[7] as Buffer, false)).resolves.toMatchObject({ ok: true });
    await expect(again.verify(['new'], ED, true)).resolves.toMatchObject({ ok: true, pinned: { file } });
    expect(() => statSync(userFile)).toThrow();
  });

  it('creates the repository file when missing, and a pin for a host with another key is refused', async () => {
    const file = join(repoFile(), '..', 'sub', 'known_hosts');
    const store = await KnownHostsStore.load({ repoFile: file });
    await expect(store.verify(['[h]:2222'], ED, true)).resolves.toMatchObject({ ok: true });
    expect(readFileSync(file, 'utf8')).toBe(`[h]:2222 ssh-ed25519 ${b64(ED)}\n`);
    await expect(store.verify(['[h]:2222'], ED2, true)).resolves.toMatchObject({
      ok: false,
      kind: 'host-key-mismatch',
    });
    expect(store.problems).toEqual([]);
  });

  it('reads only regular files: a FIFO as either known_hosts is refused at once, never waited on', async () => {
    const file = repoFile();
    expect(spawnSync('mkfifo', [file]).status).toBe(0);
    // Before: the run blocked for ever reading the FIFO.
    await expect(KnownHostsStore.load({ repoFile: file })).rejects.toThrow(
      `${file} is a named pipe (FIFO), not a regular file`,
    );
    rmSync(file);
    const userFifo = join(dir, 'user_known_hosts');
    expect(spawnSync('mkfifo', [userFifo]).status).toBe(0);
    await expect(KnownHostsStore.load({ repoFile: file, userFile: userFifo })).rejects.toThrow(
      InputFileError,
    );
    // Nor a device behind a link (/dev/zero would eat the memory).
    symlinkSync('/dev/zero', file);
    await expect(KnownHostsStore.load({ repoFile: file, repoDir: '/' })).rejects.toThrow(
      /is a character device, not a regular file/,
    );
  });

  it("follows a link for the user's known_hosts, and refuses one leading out of the repository", async () => {
    const file = repoFile();
    const elsewhere = mkdtempSync(join(tmpdir(), 'patchctl-kh-home-'));
    try {
      writeFileSync(join(elsewhere, 'dotfiles_known_hosts'), `web-01 ssh-ed25519 ${b64(ED)}\n`);
      const userFile = join(dir, 'user_known_hosts');
      symlinkSync(join(elsewhere, 'dotfiles_known_hosts'), userFile);
      const store = await KnownHostsStore.load({ repoFile: file, userFile });
      await expect(store.verify(['web-01'], ED, false)).resolves.toMatchObject({ ok: true });
      // The repository's file is the repository's: a link out of it is refused.
      symlinkSync(join(elsewhere, 'dotfiles_known_hosts'), file);
      await expect(KnownHostsStore.load({ repoFile: file, repoDir: dir })).rejects.toThrow(
        /known_hosts leads out of .* through a symbolic link/,
      );
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  });

  it('never replaces anything but a regular file when it pins a key', async () => {
    const file = repoFile();
    writeFileSync(join(dir, 'reviewed_hosts'), `web-01 ssh-ed25519 ${b64(ED)}\n`);
    symlinkSync('reviewed_hosts', file);
    const store = await KnownHostsStore.load({ repoFile: file, repoDir: dir });
    await expect(store.verify(['web-01'], ED, false)).resolves.toMatchObject({ ok: true });
    await expect(store.verify(['new'], ED2, true)).rejects.toThrow(
      /is a symbolic link: patchctl only ever replaces a regular file/,
    );
    expect(lstatSync(file).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(dir, 'reviewed_hosts'), 'utf8')).toBe(`web-01 ssh-ed25519 ${b64(ED)}\n`);
    expect(readdirSync(dir).sort()).toEqual(['known_hosts', 'reviewed_hosts']);
  });
});
