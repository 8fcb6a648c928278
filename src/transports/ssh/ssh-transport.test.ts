import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server as NetServer, Socket } from 'node:net';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';

import { AbortedError, TransportError } from '../errors.js';
import type { KeyPair, TestServer, TestServerOptions } from './__fixtures__/test-server.js';
import { generateKey, publicBlob, startTestServer } from './__fixtures__/test-server.js';
import { KnownHostsStore } from './known-hosts-store.js';
import type { SshTransportOptions } from './ssh-transport.js';
import { SshTransport } from './ssh-transport.js';

const USER = 'patchctl';
const PASSPHRASE_CANARY = 'canary-passphrase-7f3a9c';

let clientKey: KeyPair;
let encryptedKey: KeyPair;

beforeAll(() => {
  clientKey = generateKey('ed25519');
  encryptedKey = generateKey('ed25519', PASSPHRASE_CANARY);
});

// Everything a test opens, closed in afterEach even when the test fails.
let dir = '';
const servers: TestServer[] = [];
const transports: SshTransport[] = [];
const netServers: NetServer[] = [];
const sockets: Socket[] = [];
const processes: ChildProcess[] = [];

afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.close()));
  await Promise.all(servers.splice(0).map((s) => s.close()));
  for (const socket of sockets.splice(0)) socket.destroy();
  await Promise.all(netServers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  for (const child of processes.splice(0)) child.kill('SIGTERM');
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
  dir = '';
});

function tempDir(): string {
  dir = mkdtempSync(join(tmpdir(), 'patchctl-ssh-'));
  return dir;
}

async function server(options: TestServerOptions = {}): Promise<TestServer> {
  const s = await startTestServer({ users: { [USER]: [clientKey.public] }, ...options });
  servers.push(s);
  return s;
}

function line(name: string, key: Buffer): string {
  return `${name} ${typeKeyOf(key)} ${key.toString('base64')}`;
}

function typeKeyOf(key: Buffer): string {
  return key.subarray(4, 4 + key.readUInt32BE(0)).toString('latin1');
}

function hashedName(name: string): string {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}

interface Setup {
  knownHosts?: string;
  options?: Partial<SshTransportOptions>;
}

/** A transport to `s` (as 127.0.0.1), with the client key in a file and known_hosts from `setup`. */
async function transportTo(s: TestServer, setup: Setup = {}): Promise<{ t: SshTransport; repoFile: string }> {
  const base = dir === '' ? tempDir() : dir;
  const repoFile = join(base, 'known_hosts');
  if (setup.knownHosts !== undefined) writeFileSync(repoFile, setup.knownHosts);
  const keyFile = join(base, 'id_ed25519');
  writeFileSync(keyFile, clientKey.private, { mode: 0o600 });
  const knownHosts = await KnownHostsStore.load({ repoFile });
  const t = new SshTransport({
    host: '127.0.0.1',
    port: s.port,
    user: USER,
    identityFile: keyFile,
    knownHosts,
    env: {},
    connectTimeoutMs: 5_000,
    ...setup.options,
  });
  transports.push(t);
  return { t, repoFile };
}

function known(s: TestServer, name = '127.0.0.1'): string {
  return `${line(`[${name}]:${s.port}`, s.hostKeys[0] as Buffer)}\n`;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function transportError(promise: Promise<unknown>): Promise<TransportError> {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

describe('SshTransport host keys', () => {
  it('accepts a known key and runs the command through the scrubbed command line', async () => {
    const s = await server();
    const { t } = await transportTo(s, { knownHosts: known(s) });
    const result = await t.run({
      argv: ['sh', '-c', 'printf "%s|%s" "$LC_ALL" "$1"; printf oops >&2', 'sh', "it's $(x)"],
    });
    expect(result).toMatchObject({ exitCode: 0, stdout: "C|it's $(x)", stderr: 'oops' });
    expect(result.signal).toBeUndefined();
    expect(result.timedOut).toBeUndefined();
    expect(s.commands[0]).toMatch(
      /^exec env LC_ALL=C LANG=C PATH=\/usr\/sbin:\/usr\/bin:\/sbin:\/bin 'sh' '-c' /,
    );
  });

  it('refuses a changed key with host-key-mismatch, before authenticating or running anything', async () => {
    const s = await server();
    const other = publicBlob(generateKey('ed25519').public);
    const text = `# reviewed\n${line(`[127.0.0.1]:${s.port}`, other)}\n`;
    const { t, repoFile } = await transportTo(s, { knownHosts: text, options: { acceptNewHostKeys: true } });
    const error = await transportError(t.run({ argv: ['touch', join(dir, 'ran')] }));
    expect(error.kind).toBe('host-key-mismatch');
    expect(error.code).toBe('host-key-mismatch');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/HOST KEY CHANGED/);
    expect(error.hostKey?.type).toBe('ssh-ed25519');
    expect(s.auth).toEqual([]);
    expect(s.commands).toEqual([]);
    expect(existsSync(join(dir, 'ran'))).toBe(false);
    // --accept-new-host-keys never overrides a changed key.
    expect(readFileSync(repoFile, 'utf8')).toBe(text);
    expect(t.pinnedKeys).toEqual([]);
  });

  it('treats a host known only by a key of another type as changed', async () => {
    const s = await server();
    const ecdsa = publicBlob(generateKey('ecdsa').public);
    const { t } = await transportTo(s, { knownHosts: line(`[127.0.0.1]:${s.port}`, ecdsa) });
    expect((await transportError(t.run({ argv: ['true'] }))).kind).toBe('host-key-mismatch');
    expect(s.commands).toEqual([]);
  });

  it('refuses a revoked key even when it is also listed as trusted', async () => {
    const s = await server();
    const key = s.hostKeys[0] as Buffer;
    const { t } = await transportTo(s, { knownHosts: `@revoked * ${line('', key).trim()}\n${known(s)}` });
    const error = await transportError(t.run({ argv: ['true'] }));
    expect(error.kind).toBe('host-key-mismatch');
    expect(error.message).toMatch(/@revoked/);
  });

  it('refuses an unknown key, then pins it with acceptNewHostKeys (keeping the file, atomically)', async () => {
    const s = await server();
    const before = '# existing entries\n10.9.9.9 ssh-ed25519 ' + (s.hostKeys[0] as Buffer).toString('base64'); // no final newline
    const refused = await transportTo(s, {
      knownHosts: before,
      options: { host: 'web-01', address: '127.0.0.1' },
    });
    const error = await transportError(refused.t.run({ argv: ['true'] }));
    expect(error.kind).toBe('host-key-unknown');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('--accept-new-host-keys');
    expect(s.commands).toEqual([]);
    expect(readFileSync(refused.repoFile, 'utf8')).toBe(before);

    const pinned: unknown[] = [];
    const { t, repoFile } = await transportTo(s, {
      options: {
        host: 'web-01',
        address: '127.0.0.1',
        acceptNewHostKeys: true,
        onHostKeyPinned: (p) => pinned.push(p),
      },
    });
    expect((await t.run({ argv: ['echo', 'pinned'] })).stdout).toBe('pinned\n');
    const expectedLine = `[web-01]:${s.port},[127.0.0.1]:${s.port} ssh-ed25519 ${(s.hostKeys[0] as Buffer).toString('base64')}`;
    expect(readFileSync(repoFile, 'utf8')).toBe(`${before}\n${expectedLine}\n`);
    expect(t.pinnedKeys).toEqual([
      expect.objectContaining({
        names: [`[web-01]:${s.port}`, `[127.0.0.1]:${s.port}`],
        type: 'ssh-ed25519',
        line: expectedLine,
      }),
    ]);
    expect(t.pinnedKeys[0]?.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(pinned).toEqual(t.pinnedKeys);
    expect(readdirTmp(dir)).toEqual([]);

    // The pinned line is trusted by the next run without the flag, under either name.
    const next = await transportTo(s, { options: { host: 'web-01', address: '127.0.0.1' } });
    expect((await next.t.run({ argv: ['true'] })).exitCode).toBe(0);
    expect(next.t.pinnedKeys).toEqual([]);
  });

  it('accepts hashed known_hosts entries and the [host]:port form, and ignores a plain entry for port 22', async () => {
    const s = await server();
    const key = s.hostKeys[0] as Buffer;
    const plain22 = await transportTo(s, { knownHosts: line('127.0.0.1', key) });
    expect((await transportError(plain22.t.run({ argv: ['true'] }))).kind).toBe('host-key-unknown');
    const hashed = await transportTo(s, {
      knownHosts: `${line(hashedName(`[127.0.0.1]:${s.port}`), key)}\n`,
    });
    expect((await hashed.t.run({ argv: ['true'] })).exitCode).toBe(0);
    const wrongHash = await transportTo(s, { knownHosts: `${line(hashedName('[127.0.0.1]:1'), key)}\n` });
    expect((await transportError(wrongHash.t.run({ argv: ['true'] }))).kind).toBe('host-key-unknown');
    const wildcard = await transportTo(s, { knownHosts: `${line(`[127.0.0.*]:${s.port},!10.*`, key)}\n` });
    expect((await wildcard.t.run({ argv: ['true'] })).exitCode).toBe(0);
    const negated = await transportTo(s, {
      knownHosts: `${line(`[127.0.0.*]:${s.port},![127.0.0.1]:*`, key)}\n`,
    });
    expect((await transportError(negated.t.run({ argv: ['true'] }))).kind).toBe('host-key-unknown');
  });

  it('also trusts the user known_hosts file when given', async () => {
    const s = await server();
    const base = tempDir();
    const userFile = join(base, 'user_known_hosts');
    writeFileSync(userFile, known(s));
    const knownHosts = await KnownHostsStore.load({ repoFile: join(base, 'known_hosts'), userFile });
    const { t } = await transportTo(s, { options: { knownHosts } });
    expect((await t.run({ argv: ['true'] })).exitCode).toBe(0);
  });
});

function readdirTmp(path: string): string[] {
  return execFileSync('ls', ['-A', path], { encoding: 'utf8' })
    .split('\n')
    .filter((f) => f.endsWith('.tmp'));
}

describe('SshTransport authentication', () => {
  it('fails clearly when the server does not accept the key', async () => {
    const s = await server({ users: { [USER]: [generateKey('ed25519').public] } });
    const { t } = await transportTo(s, { knownHosts: known(s) });
    const error = await transportError(t.run({ argv: ['true'] }));
    expect(error.kind).toBe('auth-failed');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain(`authentication as "${USER}" failed`);
    expect(s.commands).toEqual([]);
  });

  it('decrypts the identity file with the passphrase from the named environment variable, never showing it', async () => {
    const s = await server({ users: { [USER]: [encryptedKey.public] } });
    const base = tempDir();
    const keyFile = join(base, 'id_encrypted');
    writeFileSync(keyFile, encryptedKey.private, { mode: 0o600 });
    const options = { identityFile: keyFile, passphraseEnv: 'PATCHCTL_TEST_PASSPHRASE' };

    const ok = await transportTo(s, {
      knownHosts: known(s),
      options: { ...options, env: { PATCHCTL_TEST_PASSPHRASE: PASSPHRASE_CANARY } },
    });
    expect((await ok.t.run({ argv: ['true'] })).exitCode).toBe(0);

    const unset = await transportTo(s, { options: { ...options, env: {} } });
    const missing = await transportError(unset.t.run({ argv: ['true'] }));
    expect(missing.kind).toBe('auth-failed');
    expect(missing.message).toContain('PATCHCTL_TEST_PASSPHRASE');
    expect(missing.message).toContain('encrypted');

    const wrong = await transportTo(s, {
      options: { ...options, env: { PATCHCTL_TEST_PASSPHRASE: `${PASSPHRASE_CANARY}-wrong` } },
    });
    const bad = await transportError(wrong.t.run({ argv: ['true'] }));
    expect(bad.kind).toBe('auth-failed');
    expect(bad.message).toMatch(/wrong passphrase/);
    for (const error of [missing, bad]) {
      expect(`${error.message} ${error.stack ?? ''} ${JSON.stringify(error)}`).not.toContain(
        PASSPHRASE_CANARY,
      );
    }
  });

  it('uses the ssh-agent at SSH_AUTH_SOCK when useAgent is set', async () => {
    const s = await server();
    const base = tempDir();
    const socket = join(base, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
    processes.push(agent);
    for (let i = 0; i < 100 && !existsSync(socket); i += 1) await new Promise((r) => setTimeout(r, 20));
    const keyFile = join(base, 'agent_key');
    writeFileSync(keyFile, clientKey.private, { mode: 0o600 });
    execFileSync('ssh-add', [keyFile], { env: { SSH_AUTH_SOCK: socket }, stdio: 'ignore' });
    const { t } = await transportTo(s, {
      knownHosts: known(s),
      options: { identityFile: undefined, useAgent: true, env: { SSH_AUTH_SOCK: socket } },
    });
    expect((await t.run({ argv: ['echo', 'via agent'] })).stdout).toBe('via agent\n');
    expect(s.auth).toContainEqual({ username: USER, method: 'publickey', ok: true });
  });

  it('says so when no authentication method is available', async () => {
    const s = await server();
    const { t } = await transportTo(s, {
      knownHosts: known(s),
      options: { identityFile: undefined, env: {} },
    });
    const error = await transportError(t.run({ argv: ['true'] }));
    expect(error.kind).toBe('auth-failed');
    expect(error.message).toMatch(/SSH_AUTH_SOCK/);
    expect(s.connections).toBe(0);
  });
});

describe('SshTransport commands', () => {
  it('reports exit codes, signals, stdout, stderr and stdin, over one reused connection', async () => {
    const s = await server();
    const { t } = await transportTo(s, { knownHosts: known(s) });
    expect(await t.run({ argv: ['sh', '-c', 'echo out; echo err >&2; exit 3'] })).toMatchObject({
      exitCode: 3,
      stdout: 'out\n',
      stderr: 'err\n',
    });
    const killed = await t.run({ argv: ['sh', '-c', 'kill -TERM $$'] });
    expect(killed.exitCode).toBeNull();
    expect(killed.signal).toBe('SIGTERM');
    expect((await t.run({ argv: ['cat'], stdin: 'héllo 😀\nline 2' })).stdout).toBe('héllo 😀\nline 2');
    expect((await t.run({ argv: ['cat'] })).stdout).toBe(''); // stdin is closed, cat does not hang
    const many = await Promise.all(
      Array.from({ length: 12 }, (_, i) => t.run({ argv: ['echo', String(i)] }, { timeoutMs: 10_000 })),
    );
    expect(many.map((r) => r.stdout)).toEqual(Array.from({ length: 12 }, (_, i) => `${i}\n`));
    expect(s.connections).toBe(1);
  });

  it('caps output with a truncation marker', async () => {
    const s = await server();
    const { t } = await transportTo(s, { knownHosts: known(s), options: { maxOutputBytes: 1000 } });
    const result = await t.run({ argv: ['sh', '-c', 'head -c 5000 /dev/zero | tr "\\0" a; echo small >&2'] });
    expect(result.truncated).toBe(true);
    expect(result.stdout).toBe(
      `${'a'.repeat(1000)}\n[patchctl: stdout truncated: kept the first 1000 of 5000 bytes]\n`,
    );
    expect(result.stderr).toBe('small\n');
  });

  it('stops a command at its timeout (KILL signal, channel closed) and keeps the connection', async () => {
    const s = await server();
    const { t } = await transportTo(s, { knownHosts: known(s), options: { commandTimeoutMs: 300 } });
    const started = Date.now();
    const result = await t.run({ argv: ['sleep', '10'] });
    expect(result).toMatchObject({ exitCode: null, timedOut: true });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(s.signals).toContain('KILL');
    expect((await t.run({ argv: ['echo', 'after'] }, { timeoutMs: 0 })).stdout).toBe('after\n');
    expect(s.connections).toBe(1);
  });

  it('rejects with AbortedError when aborted, stopping the remote command', async () => {
    const s = await server();
    const { t } = await transportTo(s, { knownHosts: known(s) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const error = await rejection(t.run({ argv: ['sleep', '10'] }, { signal: controller.signal }));
    expect(error).toBeInstanceOf(AbortedError);
    expect(Date.now() - started).toBeLessThan(3_000);
    await waitFor(() => s.signals.includes('KILL'));
    // Already aborted: nothing is sent.
    const count = s.commands.length;
    expect(await rejection(t.run({ argv: ['true'] }, { signal: controller.signal }))).toBeInstanceOf(
      AbortedError,
    );
    expect(s.commands.length).toBe(count);
  });

  it('prefixes sudo -n -- for commands that need root when the Config says sudo', async () => {
    const s = await server({
      onExec: ({ channel }) => {
        channel.exit(0);
        channel.end();
      },
    });
    const { t } = await transportTo(s, { knownHosts: known(s), options: { sudo: true } });
    await t.run({ argv: ['apt-get', 'update'], sudo: true });
    await t.run({ argv: ['id', '-u'] });
    expect(s.commands).toEqual([
      "exec sudo -n -- env LC_ALL=C LANG=C PATH=/usr/sbin:/usr/bin:/sbin:/bin 'apt-get' 'update'",
      "exec env LC_ALL=C LANG=C PATH=/usr/sbin:/usr/bin:/sbin:/bin 'id' '-u'",
    ]);
    const root = await transportTo(s, { options: { sudo: false } });
    await root.t.run({ argv: ['apt-get', 'update'], sudo: true });
    expect(s.commands[2]).toBe(
      "exec env LC_ALL=C LANG=C PATH=/usr/sbin:/usr/bin:/sbin:/bin 'apt-get' 'update'",
    );
  });

  it('fails with unreachable (not retryable) when the connection drops during a command', async () => {
    const s = await server();
    const { t } = await transportTo(s, { knownHosts: known(s) });
    const running = t.run({ argv: ['sleep', '10'] });
    await waitFor(() => s.commands.length === 1);
    await s.close();
    const error = await transportError(running);
    expect(error.kind).toBe('unreachable');
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/outcome is unknown/);
  });

  it('refuses to run after close()', async () => {
    const s = await server();
    const { t } = await transportTo(s, { knownHosts: known(s) });
    await t.run({ argv: ['true'] });
    await t.close();
    await t.close();
    await expect(t.run({ argv: ['true'] })).rejects.toThrow(/after close/);
  });
});

describe('SshTransport hold', () => {
  it('resolves held at the ready line; release() sends EOF and waits for the command to end', async () => {
    const s = await server();
    const { t } = await transportTo(s, { knownHosts: known(s) });
    const mark = join(dir, 'mark');
    // The ready line arrives in two pieces, after a line that only starts like it; stdin is kept
    // open after its text.
    const script =
      'read -r first; printf "%s\\n" "$first" >"$1.first"; printf "not ready\\nrea"; sleep 0.2; ' +
      'printf "dy\\r\\n"; cat >/dev/null; echo eof >"$1"';
    const outcome = await t.hold(
      { argv: ['sh', '-c', script, 'sh', mark], stdin: 'hello\n' },
      { ready: 'ready', timeoutMs: 5_000 },
    );
    expect(outcome.held).toBe(true);
    if (!outcome.held) return;
    expect(readFileSync(`${mark}.first`, 'utf8')).toBe('hello\n');
    // Held well past its timeout, and other commands still run over the same connection.
    await new Promise((r) => setTimeout(r, 300));
    expect(existsSync(mark)).toBe(false);
    expect((await t.run({ argv: ['echo', 'meanwhile'] })).stdout).toBe('meanwhile\n');
    const release = outcome.release();
    expect(outcome.release()).toBe(release);
    await release;
    expect(readFileSync(mark, 'utf8')).toBe('eof\n');
    await outcome.release();
    expect(s.connections).toBe(1);
    expect(s.signals).toEqual([]);
  });

  it('keeps sudo handling and sends EOF that the server side sees', async () => {
    const events: string[] = [];
    const s = await server({
      onExec: ({ channel }) => {
        channel.write('locked\n');
        channel.resume();
        channel.on('end', () => {
          events.push('eof');
          channel.exit(0);
          channel.end();
        });
      },
    });
    const { t } = await transportTo(s, { knownHosts: known(s), options: { sudo: true } });
    const outcome = await t.hold({ argv: ['flock', 'x'], sudo: true }, { ready: 'locked' });
    expect(outcome.held).toBe(true);
    expect(s.commands).toEqual([
      "exec sudo -n -- env LC_ALL=C LANG=C PATH=/usr/sbin:/usr/bin:/sbin:/bin 'flock' 'x'",
    ]);
    expect(events).toEqual([]);
    if (outcome.held) await outcome.release();
    expect(events).toEqual(['eof']);
  });

  it('returns the result of a command that ends before its ready line', async () => {
    const s = await server();
    const { t } = await transportTo(s, { knownHosts: known(s) });
    const outcome = await t.hold(
      { argv: ['sh', '-c', 'echo busy; echo "held by run 7"; echo "no luck" >&2; echo ready-ish; exit 75'] },
      { ready: 'ready' },
    );
    expect(outcome).toEqual({
      held: false,
      result: expect.objectContaining({
        exitCode: 75,
        stdout: 'busy\nheld by run 7\nready-ish\n',
        stderr: 'no luck\n',
      }),
    });
    // A last line without its newline is not a ready line either.
    expect(await t.hold({ argv: ['printf', 'ready'] }, { ready: 'ready' })).toMatchObject({
      held: false,
      result: { exitCode: 0, stdout: 'ready' },
    });
  });

  it('stops a command that prints no ready line within timeoutMs, and keeps the connection', async () => {
    const s = await server();
    const { t } = await transportTo(s, { knownHosts: known(s) });
    const started = Date.now();
    const outcome = await t.hold(
      { argv: ['sh', '-c', 'echo waiting; exec sleep 10'] },
      { ready: 'ready', timeoutMs: 300 },
    );
    expect(outcome).toEqual({
      held: false,
      result: expect.objectContaining({ exitCode: null, timedOut: true, stdout: 'waiting\n' }),
    });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(s.signals).toContain('KILL');
    expect((await t.run({ argv: ['echo', 'after'] })).stdout).toBe('after\n');
    expect(s.connections).toBe(1);
  });

  it('closes the channel of a held command that ignores EOF, after releaseWaitMs', async () => {
    const s = await server();
    const { t } = await transportTo(s, {
      knownHosts: known(s),
      options: { releaseWaitMs: 200, maxSessions: 1 },
    });
    const outcome = await t.hold({ argv: ['sh', '-c', 'echo ready; exec sleep 30'] }, { ready: 'ready' });
    expect(outcome.held).toBe(true);
    if (!outcome.held) return;
    const started = Date.now();
    await outcome.release();
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(s.signals).toContain('KILL');
    // Its session is free again (maxSessions: 1).
    expect((await t.run({ argv: ['echo', 'next'] }, { timeoutMs: 5_000 })).stdout).toBe('next\n');
  });

  it('rejects with AbortedError when aborted before the ready line; a lost connection ends a hold', async () => {
    const s = await server();
    const { t } = await transportTo(s, { knownHosts: known(s) });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const error = await rejection(
      t.hold({ argv: ['sleep', '10'] }, { ready: 'ready', signal: controller.signal }),
    );
    expect(error).toBeInstanceOf(AbortedError);
    await waitFor(() => s.signals.includes('KILL'));

    const outcome = await t.hold({ argv: ['sh', '-c', 'echo ready; exec cat'] }, { ready: 'ready' });
    expect(outcome.held).toBe(true);
    await s.close();
    if (outcome.held) await outcome.release();
    // Connection failures reject like run().
    expect((await transportError(t.hold({ argv: ['true'] }, { ready: 'ready' }))).kind).toBe('unreachable');
  });
});

describe('SshTransport connections', () => {
  it('checks the jump host key too: a changed one stops before the target is contacted', async () => {
    const target = await server();
    const jump = await server({ allowForwarding: true, users: { jumper: [clientKey.public] } });
    const otherKey = publicBlob(generateKey('ed25519').public);
    const { t } = await transportTo(target, {
      knownHosts: known(target) + line(`[127.0.0.1]:${jump.port}`, otherKey),
      options: { jumpHost: `jumper@127.0.0.1:${jump.port}` },
    });
    const error = await transportError(t.run({ argv: ['true'] }));
    expect(error.kind).toBe('host-key-mismatch');
    expect(error.message).toContain(`jump host 127.0.0.1:${jump.port}`);
    expect(jump.auth).toEqual([]);
    expect(jump.forwards).toEqual([]);
    expect(target.connections).toBe(0);
  });

  it('runs commands through a jump host', async () => {
    const target = await server();
    const jump = await server({ allowForwarding: true, users: { jumper: [clientKey.public] } });
    const { t } = await transportTo(target, {
      knownHosts: known(target) + known(jump),
      options: { jumpHost: `jumper@127.0.0.1:${jump.port}` },
    });
    expect((await t.run({ argv: ['echo', 'through'] })).stdout).toBe('through\n');
    expect(jump.forwards).toEqual([{ destIP: '127.0.0.1', destPort: target.port }]);
    expect(jump.commands).toEqual([]);
    expect(jump.auth).toContainEqual({ username: 'jumper', method: 'publickey', ok: true });
    expect(target.connections).toBe(1);

    const unknownJump = await transportTo(target, {
      knownHosts: known(target),
      options: { jumpHost: `jumper@127.0.0.1:${jump.port}` },
    });
    const error = await transportError(unknownJump.t.run({ argv: ['true'] }));
    expect(error.kind).toBe('host-key-unknown');
    expect(error.message).toContain(`jump host 127.0.0.1:${jump.port}`);
  });

  it("runs commands through a chain of two jump hosts, each checking the next one's key, and closes them all", async () => {
    const target = await server();
    const hopA = await server({ allowForwarding: true, users: { jumper: [clientKey.public] } });
    const hopB = await server({ allowForwarding: true, users: { second: [clientKey.public] } });
    const chain = `jumper@127.0.0.1:${hopA.port},second@127.0.0.1:${hopB.port}`;
    const { t } = await transportTo(target, {
      knownHosts: known(target) + known(hopA) + known(hopB),
      options: { jumpHost: chain },
    });
    expect((await t.run({ argv: ['echo', 'two hops'] })).stdout).toBe('two hops\n');
    expect((await t.run({ argv: ['true'] })).exitCode).toBe(0);
    expect(hopA.forwards).toEqual([{ destIP: '127.0.0.1', destPort: hopB.port }]);
    expect(hopB.forwards).toEqual([{ destIP: '127.0.0.1', destPort: target.port }]);
    expect(hopA.auth).toContainEqual({ username: 'jumper', method: 'publickey', ok: true });
    expect(hopB.auth).toContainEqual({ username: 'second', method: 'publickey', ok: true });
    expect([hopA.connections, hopB.connections, target.connections]).toEqual([1, 1, 1]);
    expect([hopA.commands, hopB.commands]).toEqual([[], []]);
    await t.close();
    await waitFor(() => hopA.open() + hopB.open() + target.open() === 0);
  });

  it('names the hop whose key changed, and contacts nothing behind it', async () => {
    const target = await server();
    const hopA = await server({ allowForwarding: true, users: { jumper: [clientKey.public] } });
    const hopB = await server({ allowForwarding: true, users: { jumper: [clientKey.public] } });
    const otherKey = publicBlob(generateKey('ed25519').public);
    const { t } = await transportTo(target, {
      knownHosts: known(target) + known(hopA) + line(`[127.0.0.1]:${hopB.port}`, otherKey),
      options: { jumpHost: `jumper@127.0.0.1:${hopA.port},jumper@127.0.0.1:${hopB.port}` },
    });
    const error = await transportError(t.run({ argv: ['true'] }));
    expect(error.kind).toBe('host-key-mismatch');
    expect(error.message).toContain(`jump host 2 of 2 127.0.0.1:${hopB.port}`);
    expect(hopB.auth).toEqual([]);
    expect(hopB.forwards).toEqual([]);
    expect(target.connections).toBe(0);
    // The first hop's connection is closed again.
    await waitFor(() => hopA.open() === 0);
  });

  it('pins the keys of new hops with acceptNewHostKeys, and names a hop that cannot forward', async () => {
    const target = await server();
    const hopA = await server({ allowForwarding: true, users: { jumper: [clientKey.public] } });
    const hopB = await server({ allowForwarding: true, users: { jumper: [clientKey.public] } });
    const chain = `jumper@127.0.0.1:${hopA.port},jumper@127.0.0.1:${hopB.port}`;
    const { t, repoFile } = await transportTo(target, {
      knownHosts: known(hopA),
      options: { jumpHost: chain, acceptNewHostKeys: true },
    });
    await t.run({ argv: ['true'] });
    expect(t.pinnedKeys).toHaveLength(2);
    const pinned = readFileSync(repoFile, 'utf8');
    expect(pinned).toContain(`[127.0.0.1]:${hopB.port} `);
    expect(pinned).toContain(`[127.0.0.1]:${target.port} `);

    const port = target.port;
    await target.close();
    const lost = await transportTo({ ...target, port }, { knownHosts: pinned, options: { jumpHost: chain } });
    const error = await transportError(lost.t.run({ argv: ['true'] }));
    expect(error.kind).toBe('unreachable');
    expect(error.message).toContain(
      `jump host 2 of 2 127.0.0.1:${hopB.port} could not open a connection to 127.0.0.1:${port}`,
    );
  });

  it('sends keep-alives at the configured interval', async () => {
    const s = await server();
    const { t } = await transportTo(s, { knownHosts: known(s), options: { keepaliveIntervalMs: 50 } });
    await t.run({ argv: ['sleep', '0.4'] });
    expect(s.debug.filter((l) => l.includes('keepalive@openssh.com')).length).toBeGreaterThanOrEqual(2);
  });

  it('reports a closed port as unreachable (retryable)', async () => {
    const s = await server();
    const port = s.port;
    await s.close();
    servers.splice(0);
    const { t } = await transportTo({ ...s, port }, { knownHosts: '' });
    const error = await transportError(t.run({ argv: ['true'] }));
    expect(error.kind).toBe('unreachable');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('ECONNREFUSED');
  });

  it('reports a server that never answers as a connect timeout', async () => {
    const silent = createServer((socket) => sockets.push(socket));
    netServers.push(silent);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as { port: number }).port;
    const fake = { port, hostKeys: [] } as unknown as TestServer;
    const { t } = await transportTo(fake, { knownHosts: '', options: { connectTimeoutMs: 300 } });
    const error = await transportError(t.run({ argv: ['true'] }));
    expect(error.kind).toBe('timeout');
    expect(error.retryable).toBe(true);
  });
});

async function waitFor(condition: () => boolean, ms = 3_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
