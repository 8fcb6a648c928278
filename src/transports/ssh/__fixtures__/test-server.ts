// An in-process ssh2 server on 127.0.0.1 for the ssh transport's tests. By default it runs each
// exec request for real with /bin/sh -c (as the test user), so commandLine() is exercised end to
// end; a test can script replies instead.

import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { connect as netConnect } from 'node:net';

import type { Connection, ParsedKey, ServerChannel } from 'ssh2';
import ssh2 from 'ssh2';

export interface KeyPair {
  private: string;
  public: string;
}

/**
 * A new key pair. ssh2's generator now and then writes an ed25519 private key its own parser
 * rejects ("Malformed OpenSSH private key", about 1 in 200 here): such a pair is drawn again,
 * so the tests never fail on the generator's bug.
 */
export function generateKey(type: 'ed25519' | 'ecdsa' | 'rsa' = 'ed25519', passphrase?: string): KeyPair {
  const bits = type === 'rsa' ? 2048 : 256;
  const encryption = { passphrase: passphrase ?? '', cipher: 'aes256-ctr', rounds: 2 };
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair =
      passphrase === undefined
        ? type === 'ed25519'
          ? ssh2.utils.generateKeyPairSync('ed25519')
          : ssh2.utils.generateKeyPairSync(type, { bits })
        : type === 'ed25519'
          ? ssh2.utils.generateKeyPairSync('ed25519', encryption)
          : ssh2.utils.generateKeyPairSync(type, { bits, ...encryption });
    if (!(ssh2.utils.parseKey(pair.private, passphrase) instanceof Error)) {
      return { private: pair.private, public: pair.public };
    }
  }
  throw new Error(`ssh2 could not generate a parseable ${type} key in 20 attempts`);
}

/** The SSH wire-format blob of a public key line (`ssh-ed25519 AAAA… comment`). */
export function publicBlob(publicKey: string): Buffer {
  const parsed = ssh2.utils.parseKey(publicKey);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed;
  return key.getPublicSSH();
}

/** The public blob of a private key. */
export function privateBlob(privateKey: string): Buffer {
  return publicBlob(privateKey);
}

export interface ExecContext {
  command: string;
  channel: ServerChannel;
  username: string;
}

export interface TestServerOptions {
  /** Private host keys (OpenSSH format); default one new ed25519 key. */
  hostKeys?: string[];
  /** Who may log in, with which public keys (OpenSSH public key lines). */
  users?: Record<string, string[]>;
  /** Answers exec requests; default: run the command with /bin/sh -c. */
  onExec?: (context: ExecContext) => void;
  /** Accept direct-tcpip (jump host) requests and connect them to 127.0.0.1 only. */
  allowForwarding?: boolean;
}

export interface TestServer {
  port: number;
  /** Public blobs of the host keys, in order. */
  hostKeys: Buffer[];
  commands: string[];
  /** Signals the client sent (channel `signal` requests). */
  signals: string[];
  forwards: { destIP: string; destPort: number }[];
  auth: { username: string; method: string; ok: boolean }[];
  /** ssh2 debug lines (global requests, e.g. keep-alives, show up here). */
  debug: string[];
  connections: number;
  /** Connections not closed yet. */
  open(): number;
  close(): Promise<void>;
}

export function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const privateKeys = options.hostKeys ?? [generateKey('ed25519').private];
  const hostKeys = privateKeys.map((key) => privateBlob(key));
  const allowed = new Map<string, ParsedKey[]>();
  for (const [user, keys] of Object.entries(options.users ?? {})) {
    allowed.set(
      user,
      keys.map((line) => {
        const parsed = ssh2.utils.parseKey(line);
        if (parsed instanceof Error) throw parsed;
        return Array.isArray(parsed) ? (parsed[0] as ParsedKey) : parsed;
      }),
    );
  }
  const clients = new Set<Connection>();
  const children = new Set<ChildProcess>();
  const state: TestServer = {
    port: 0,
    hostKeys,
    commands: [],
    signals: [],
    forwards: [],
    auth: [],
    debug: [],
    connections: 0,
    open: () => clients.size,
    close: async () => undefined,
  };
  const server = new ssh2.Server(
    {
      hostKeys: privateKeys,
      debug: (line: string) => {
        state.debug.push(line);
        // ssh2's server drops `signal` requests once exec has started (sshd honours them), so
        // they are recorded from its debug output; the command is killed when its channel closes.
        const signal = /CHANNEL_REQUEST \(r:\d+, signal: ([A-Z0-9]+)\)/.exec(line)?.[1];
        if (signal !== undefined) state.signals.push(signal);
      },
    },
    (client) => {
      clients.add(client);
      state.connections += 1;
      let username = '';
      client.on('close', () => clients.delete(client));
      client.on('error', () => undefined);
      client.on('authentication', (ctx) => {
        username = ctx.username;
        if (ctx.method === 'publickey') {
          const key = allowed.get(ctx.username)?.find((k) => k.getPublicSSH().equals(ctx.key.data));
          if (key && (!ctx.signature || !ctx.blob || key.verify(ctx.blob, ctx.signature, ctx.hashAlgo))) {
            if (ctx.signature) state.auth.push({ username: ctx.username, method: ctx.method, ok: true });
            ctx.accept();
            return;
          }
        }
        state.auth.push({ username: ctx.username, method: ctx.method, ok: false });
        ctx.reject(['publickey']);
      });
      client.on('ready', () => {
        client.on('session', (acceptSession) => {
          const session = acceptSession();
          session.on('exec', (accept, _reject, info) => {
            state.commands.push(info.command);
            const channel = accept();
            if (options.onExec) {
              options.onExec({ command: info.command, channel, username });
              return;
            }
            const child = runLocally(info.command, channel);
            children.add(child);
            child.on('close', () => children.delete(child));
          });
        });
        if (options.allowForwarding) {
          client.on('tcpip', (accept, reject, info) => {
            state.forwards.push({ destIP: info.destIP, destPort: info.destPort });
            if (info.destIP !== '127.0.0.1') {
              reject();
              return;
            }
            const socket = netConnect(info.destPort, '127.0.0.1');
            socket.once('connect', () => {
              const stream = accept();
              stream.pipe(socket).pipe(stream);
              stream.on('close', () => socket.destroy());
              socket.on('close', () => stream.end());
            });
            socket.once('error', () => reject());
          });
        }
      });
    },
  );
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const child of children) child.kill('SIGKILL');
      for (const client of clients) client.end();
      server.close(() => resolve());
    });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      state.port = (server.address() as AddressInfo).port;
      resolve(state);
    });
  });
}

/** Runs `command` with /bin/sh -c, wired to the channel like sshd does without a pty. */
function runLocally(command: string, channel: ServerChannel): ChildProcess {
  const child = spawn('/bin/sh', ['-c', command], { stdio: ['pipe', 'pipe', 'pipe'] });
  channel.pipe(child.stdin).on('error', () => undefined);
  child.stdout.on('data', (data: Buffer) => channel.write(data));
  child.stderr.on('data', (data: Buffer) => channel.stderr.write(data));
  child.on('close', (code, signal) => {
    if (signal) channel.exit(signal.replace(/^SIG/, ''), false, '');
    else channel.exit(code ?? 255);
    channel.end();
  });
  channel.on('close', () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return child;
}
