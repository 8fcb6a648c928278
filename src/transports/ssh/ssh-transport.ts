// The ssh transport (docs/architecture.md, "Transports"): one ssh2 connection per host, reused for every command;
// host keys always verified against known_hosts; commands built only by commandLine().

import type { Duplex } from 'node:stream';

import type { AnyAuthMethod, ClientChannel, ConnectConfig, ServerHostKeyAlgorithm } from 'ssh2';
import ssh2 from 'ssh2';

import { InternalError } from '../../errors.js';
import { AbortedError, TransportError } from '../errors.js';
import { CappedOutput, DEFAULT_MAX_OUTPUT_BYTES, endedResult } from '../output.js';
import { commandLine } from '../quote.js';
import type {
  CommandResult,
  HoldOptions,
  HoldOutcome,
  RemoteCommand,
  RunOptions,
  Transport,
} from '../types.js';
import type { Credentials, CredentialOptions, Environment } from './credentials.js';
import { CredentialsError, SshKeyring } from './credentials.js';
import { parseJumpChain } from './jump-host.js';
import type { HostKeyDecision, KnownHostsStore, PinnedHostKey } from './known-hosts-store.js';
import { hostKeyNames } from './known-hosts.js';
import { LineWatcher } from '../line-watcher.js';

type Client = InstanceType<typeof ssh2.Client>;

export const SSH_DEFAULTS = {
  port: 22,
  connectTimeoutMs: 30_000,
  commandTimeoutMs: 30 * 60_000,
  keepaliveIntervalMs: 15_000,
  keepaliveCountMax: 3,
  maxOutputBytes: DEFAULT_MAX_OUTPUT_BYTES,
  maxSessions: 8,
  /** How long a stopped (timed-out) command may take to close its channel before it is given up. */
  stopGraceMs: 2_000,
  /** How long `release()` of a held command waits for it to end after EOF before closing its channel. */
  releaseWaitMs: 5_000,
} as const;

export interface SshTransportOptions extends CredentialOptions {
  /** The inventory name: `Transport.host`, messages, and a known_hosts name. */
  host: string;
  /** Where to connect (name or address); defaults to `host`. Also a known_hosts name. */
  address?: string | undefined;
  port?: number | undefined;
  user: string;
  /** The run's trusted keys; shared by all transports of a run. */
  knownHosts: KnownHostsStore;
  /** Pin a first-seen key into the repository's known_hosts (`--accept-new-host-keys`). */
  acceptNewHostKeys?: boolean | undefined;
  /**
   * `[user@]host[:port]` of a bastion, or a chain of them `a,b` (first hop first); each hop's user
   * defaults to `user`. Ignored when `jumpHosts` is given.
   */
  jumpHost?: string | undefined;
  /** The hops, resolved (settings.ts, through the ssh config): first hop first. */
  jumpHosts?: readonly JumpHopOptions[] | undefined;
  /** Commands marked `sudo` run through `sudo -n --` (Config `ssh.sudo`); else as the login user. */
  sudo?: boolean | undefined;
  /** TCP connect plus SSH handshake plus authentication (ssh2 `readyTimeout`). */
  connectTimeoutMs?: number | undefined;
  /** Default per-command timeout; 0 = none. */
  commandTimeoutMs?: number | undefined;
  /** 0 disables keep-alives. */
  keepaliveIntervalMs?: number | undefined;
  keepaliveCountMax?: number | undefined;
  /** Cap on each of stdout and stderr, in bytes. */
  maxOutputBytes?: number | undefined;
  /** Commands run at once over the connection (sshd's MaxSessions is 10 by default); held ones count. */
  maxSessions?: number | undefined;
  /** See `SSH_DEFAULTS.releaseWaitMs`. */
  releaseWaitMs?: number | undefined;
  /** Shared credentials (one per run). Default: one for this transport, from `env`. */
  keyring?: SshKeyring | undefined;
  /** Where SSH_AUTH_SOCK and the passphrase are read from when no keyring is given. */
  env?: Environment | undefined;
  /** Called for each key pinned while connecting to this host or its jump host. */
  onHostKeyPinned?: ((pinned: PinnedHostKey) => void) | undefined;
}

/** One jump host, as resolved from the inventory, the ssh config and the Config. */
export interface JumpHopOptions {
  /** As written in the chain (`bastion-a`), for messages. */
  spec: string;
  address: string;
  port: number;
  user: string;
  /** Its own keys from the ssh config, tried before the host's credentials. */
  identityFiles?: readonly string[] | undefined;
  /** known_hosts names besides `[address]:port`; default the address. */
  names?: readonly string[] | undefined;
}

interface Endpoint {
  /**
   * For messages (after the host name): `10.0.4.21:22`, `jump host bastion:22`, or in a chain
   * `jump host 2 of 2 bastion-b:22`.
   */
  label: string;
  address: string;
  port: number;
  user: string;
  names: string[];
  credentials: CredentialOptions;
}

interface Connection {
  client: Client;
  /** The jump hosts' connections, first hop first. */
  jumps: Client[];
  lost: boolean;
  lastError: Error | undefined;
}

interface ExecOptions {
  stdin: string | undefined;
  /** Before the ready line, when there is one; 0 = none. */
  timeoutMs: number;
  signal: AbortSignal | undefined;
  /**
   * For hold(): standard input stays open, and `onReady` is called at the first stdout line equal
   * to `line`; from then on the timeout and the signal no longer apply.
   */
  ready?: { line: string; onReady(held: HeldChannel): void };
}

/** The channel of a command that printed its ready line. */
interface HeldChannel {
  /** Sends EOF on the command's standard input. */
  endInput(): void;
  /** Stops the command (KILL, channel closed); exec() ends within `stopGraceMs`. */
  stop(): void;
}

export class SshTransport implements Transport {
  readonly id = 'ssh' as const;
  readonly host: string;
  /** Keys pinned while connecting to this host (and its jump host). */
  readonly pinnedKeys: PinnedHostKey[] = [];

  private readonly target: Endpoint;
  private readonly hops: Endpoint[];
  private readonly keyring: SshKeyring;
  private readonly sessions: Semaphore;
  private connection: Connection | undefined;
  private connecting: Promise<Connection> | undefined;
  private closed = false;

  constructor(private readonly options: SshTransportOptions) {
    this.host = options.host;
    const address = options.address ?? options.host;
    const port = options.port ?? SSH_DEFAULTS.port;
    this.target = {
      label: `${address}:${port}`,
      address,
      port,
      user: options.user,
      names: hostKeyNames([options.host, address], port),
      credentials: options,
    };
    const hops: JumpHopOptions[] =
      options.jumpHosts !== undefined
        ? [...options.jumpHosts]
        : options.jumpHost === undefined
          ? []
          : parseJumpChain(options.jumpHost).map((hop) => ({
              spec: hop.host,
              address: hop.host,
              port: hop.port ?? SSH_DEFAULTS.port,
              user: hop.user ?? options.user,
            }));
    this.hops = hops.map((hop, i) => ({
      label:
        hops.length === 1
          ? `jump host ${hop.spec}:${hop.port}`
          : `jump host ${i + 1} of ${hops.length} ${hop.spec}:${hop.port}`,
      address: hop.address,
      port: hop.port,
      user: hop.user,
      names: hostKeyNames([...(hop.names ?? []), hop.address], hop.port),
      // The hop's own keys from the ssh config first, then the host's (docs/ssh.md, "Keys").
      credentials: {
        ...options,
        identityFile: undefined,
        moreIdentityFiles: [
          ...(hop.identityFiles ?? []).map((file) => ({ file, optional: true })),
          ...(options.identityFile === undefined ? [] : [{ file: options.identityFile, optional: false }]),
          ...(options.moreIdentityFiles ?? []),
        ],
      },
    }));
    this.keyring = options.keyring ?? new SshKeyring(options.env ?? process.env);
    this.sessions = new Semaphore(options.maxSessions ?? SSH_DEFAULTS.maxSessions);
  }

  async run(cmd: RemoteCommand, options: RunOptions = {}): Promise<CommandResult> {
    const { line, connection, endSession } = await this.startSession(cmd, options.signal);
    try {
      return await this.exec(connection, line, {
        stdin: cmd.stdin,
        timeoutMs: this.timeoutOf(options.timeoutMs),
        signal: options.signal,
      });
    } finally {
      endSession();
    }
  }

  /** See `Transport.hold`. The command keeps its session (one of `maxSessions`) until it ends. */
  async hold(cmd: RemoteCommand, options: HoldOptions): Promise<HoldOutcome> {
    const { signal } = options;
    const { line, connection, endSession } = await this.startSession(cmd, signal);
    const releaseWaitMs = this.options.releaseWaitMs ?? SSH_DEFAULTS.releaseWaitMs;
    return new Promise<HoldOutcome>((resolve, reject) => {
      let held = false;
      // Settles (never rejects) when the command has ended and its session is free again.
      const ended: Promise<void> = this.exec(connection, line, {
        stdin: cmd.stdin,
        timeoutMs: this.timeoutOf(options.timeoutMs),
        signal,
        ready: {
          line: options.ready,
          onReady: (channel) => {
            held = true;
            let releasing: Promise<void> | undefined;
            const release = (): Promise<void> =>
              (releasing ??= (async () => {
                channel.endInput();
                if (await settlesWithin(ended, releaseWaitMs)) return;
                channel.stop();
                await ended;
              })());
            resolve({ held: true, release });
          },
        },
      }).then(
        (result) => {
          endSession();
          if (!held) resolve({ held: false, result });
        },
        (error: unknown) => {
          // Once held, a lost connection ends the hold: there is nothing left to release.
          endSession();
          if (!held) reject(error);
        },
      );
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    const pending = this.connecting;
    const connection = this.connection ?? (await pending?.catch(() => undefined));
    this.connection = undefined;
    if (connection) await endClients(connection);
  }

  /** The command line, the connection and a session (of `maxSessions`) for one command. */
  private async startSession(
    cmd: RemoteCommand,
    signal: AbortSignal | undefined,
  ): Promise<{ line: string; connection: Connection; endSession: () => void }> {
    const line = commandLine({ ...cmd, sudo: cmd.sudo === true && this.options.sudo === true });
    if (signal?.aborted) throw new AbortedError(this.host, signal.reason);
    const connection = await this.connect(signal);
    const endSession = await abortable(this.sessions.acquire(), signal, this.host, (r) => r());
    return { line, connection, endSession };
  }

  private timeoutOf(timeoutMs: number | undefined): number {
    return timeoutMs ?? this.options.commandTimeoutMs ?? SSH_DEFAULTS.commandTimeoutMs;
  }

  /** The connection, opened on first use and reopened after it is lost. */
  private connect(signal: AbortSignal | undefined): Promise<Connection> {
    if (this.closed) throw new InternalError(`ssh transport for ${this.host} used after close()`);
    if (this.connection && !this.connection.lost) return Promise.resolve(this.connection);
    this.connecting ??= this.open().finally(() => {
      this.connecting = undefined;
    });
    return abortable(this.connecting, signal, this.host);
  }

  /** Credentials for one endpoint; a hop that cannot authenticate is named. */
  private async credentialsFor(endpoint: Endpoint): Promise<Credentials> {
    try {
      return await this.keyring.load(endpoint.credentials);
    } catch (error) {
      if (error instanceof CredentialsError) {
        const at = endpoint === this.target ? '' : `${endpoint.label}: `;
        throw new TransportError('auth-failed', this.host, `${at}${error.message}`);
      }
      throw error;
    }
  }

  /**
   * Each jump host in turn (its key checked before anything is sent), each one forwarding to the
   * next, then the target through the last. When one step fails, what was opened is closed.
   */
  private async open(): Promise<Connection> {
    const jumps: Client[] = [];
    let sock: Duplex | undefined;
    let client: Client;
    try {
      for (const [i, hop] of this.hops.entries()) {
        const jump = await this.handshake(hop, await this.credentialsFor(hop), sock);
        jumps.push(jump);
        const next = this.hops[i + 1] ?? this.target;
        try {
          sock = await forwardOut(jump, next.address, next.port);
        } catch (error) {
          throw new TransportError(
            'unreachable',
            this.host,
            `${hop.label} could not open a connection to ${next.address}:${next.port}: ${messageOf(error)}`,
            { cause: error },
          );
        }
      }
      client = await this.handshake(this.target, await this.credentialsFor(this.target), sock);
    } catch (error) {
      await endJumps(jumps);
      throw error;
    }
    const connection: Connection = { client, jumps, lost: false, lastError: undefined };
    client.on('error', (error: Error) => {
      connection.lastError = error;
    });
    client.on('close', () => {
      connection.lost = true;
      void endJumps(jumps);
    });
    for (const jump of jumps) {
      jump.on('close', () => {
        connection.lost = true;
      });
    }
    if (this.closed) {
      await endClients(connection);
      throw new InternalError(`ssh transport for ${this.host} closed while connecting`);
    }
    this.connection = connection;
    return connection;
  }

  /** One SSH connection up to 'ready', with the host key checked before anything is sent. */
  private handshake(endpoint: Endpoint, credentials: Credentials, sock: Duplex | undefined): Promise<Client> {
    const { knownHosts } = this.options;
    const acceptNew = this.options.acceptNewHostKeys === true;
    const connectTimeoutMs = this.options.connectTimeoutMs ?? SSH_DEFAULTS.connectTimeoutMs;
    return new Promise<Client>((resolve, reject) => {
      const client = new ssh2.Client();
      let decision: HostKeyDecision | undefined;
      let pinFailure: unknown;
      let settled = false;
      const fail = (error: TransportError): void => {
        if (settled) return;
        settled = true;
        client.end();
        reject(error);
      };
      client.on('error', (error: Error & { level?: string }) => {
        fail(this.connectError(endpoint, credentials, error, decision, pinFailure, connectTimeoutMs));
      });
      client.on('close', () => {
        fail(
          decision && !decision.ok
            ? this.connectError(
                endpoint,
                credentials,
                new Error('closed'),
                decision,
                pinFailure,
                connectTimeoutMs,
              )
            : new TransportError(
                'unreachable',
                this.host,
                `${endpoint.label} closed the connection during the handshake`,
              ),
        );
      });
      client.on('ready', () => {
        if (settled) return;
        settled = true;
        resolve(client);
      });
      const config: ConnectConfig = {
        host: endpoint.address,
        port: endpoint.port,
        username: endpoint.user,
        readyTimeout: connectTimeoutMs,
        keepaliveInterval: this.options.keepaliveIntervalMs ?? SSH_DEFAULTS.keepaliveIntervalMs,
        keepaliveCountMax: this.options.keepaliveCountMax ?? SSH_DEFAULTS.keepaliveCountMax,
        algorithms: { serverHostKey: knownHosts.algorithmsFor(endpoint.names) as ServerHostKeyAlgorithm[] },
        hostVerifier: (key: Buffer, verify: (valid: boolean) => void): void => {
          knownHosts.verify(endpoint.names, key, acceptNew).then(
            (result) => {
              decision = result;
              if (result.ok && result.pinned) {
                this.pinnedKeys.push(result.pinned);
                this.options.onHostKeyPinned?.(result.pinned);
              }
              verify(result.ok);
            },
            (error: unknown) => {
              pinFailure = error;
              verify(false);
            },
          );
        },
        authHandler: authMethods(credentials, endpoint.user),
        ...(sock ? { sock } : {}),
      };
      try {
        client.connect(config);
      } catch (error) {
        fail(
          new TransportError(
            'protocol',
            this.host,
            `cannot connect to ${endpoint.label}: ${messageOf(error)}`,
          ),
        );
      }
    });
  }

  private connectError(
    endpoint: Endpoint,
    credentials: Credentials,
    error: Error & { level?: string; code?: string },
    decision: HostKeyDecision | undefined,
    pinFailure: unknown,
    connectTimeoutMs: number,
  ): TransportError {
    const at = endpoint.label;
    if (decision && !decision.ok) {
      return new TransportError(decision.kind, this.host, `${at}: ${decision.message}`, {
        hostKey: decision.hostKey,
        cause: error,
      });
    }
    if (pinFailure !== undefined) {
      return new TransportError(
        'host-key-unknown',
        this.host,
        `${at}: the new host key could not be pinned into ${this.options.knownHosts.sources.repoFile}: ${messageOf(pinFailure)}`,
        { cause: pinFailure },
      );
    }
    switch (error.level) {
      case 'client-timeout':
        return new TransportError(
          'timeout',
          this.host,
          /keepalive/i.test(error.message)
            ? `${at} stopped answering keep-alives`
            : `${at}: no SSH connection within ${connectTimeoutMs} ms (connect timeout)`,
          { cause: error },
        );
      case 'client-authentication':
        return new TransportError(
          'auth-failed',
          this.host,
          `${at}: authentication as ${JSON.stringify(endpoint.user)} failed (tried ${credentials.description})`,
          { cause: error },
        );
      case 'agent':
        return new TransportError('auth-failed', this.host, `${at}: the ssh-agent failed: ${error.message}`, {
          cause: error,
        });
      case 'client-socket':
      case 'client-dns':
        return new TransportError(
          'unreachable',
          this.host,
          `cannot connect to ${at}: ${error.code ?? error.message}`,
          {
            cause: error,
          },
        );
      default:
        return new TransportError('protocol', this.host, `${at}: SSH protocol error: ${error.message}`, {
          cause: error,
        });
    }
  }

  /** Runs `line` on its own channel until the channel closes (or a timeout's grace ends). */
  private exec(connection: Connection, line: string, options: ExecOptions): Promise<CommandResult> {
    const { stdin, timeoutMs, signal, ready } = options;
    const maxBytes = this.options.maxOutputBytes ?? SSH_DEFAULTS.maxOutputBytes;
    return new Promise<CommandResult>((resolve, reject) => {
      const started = performance.now();
      let settled = false;
      const lostError = (): TransportError =>
        new TransportError(
          'unreachable',
          this.host,
          `the connection to ${this.target.label} was lost while a command ran; its outcome is unknown` +
            (connection.lastError ? ` (${connection.lastError.message})` : ''),
          { retryable: false, cause: connection.lastError },
        );
      const onChannel = (error: Error | undefined, channel: ClientChannel): void => {
        if (error) {
          settled = true;
          reject(
            connection.lost
              ? new TransportError(
                  'unreachable',
                  this.host,
                  `the connection to ${this.target.label} is lost`,
                  {
                    cause: error,
                  },
                )
              : new TransportError('protocol', this.host, `cannot start a command: ${error.message}`, {
                  retryable: true,
                  cause: error,
                }),
          );
          return;
        }
        const stdout = new CappedOutput('stdout', maxBytes);
        const stderr = new CappedOutput('stderr', maxBytes);
        let exitCode: number | null = null;
        let exitSignal: string | undefined;
        let sawExit = false;
        let timedOut = false;
        let isReady = false;
        let timer: NodeJS.Timeout | undefined;
        let graceTimer: NodeJS.Timeout | undefined;
        const cleanup = (): void => {
          settled = true;
          clearTimeout(timer);
          clearTimeout(graceTimer);
          signal?.removeEventListener('abort', onAbort);
        };
        const stop = (): void => {
          sendSignal(channel, 'KILL');
          channel.close();
        };
        /** Stops the command; the result follows when the channel closes, or after a grace time. */
        const stopThenFinish = (): void => {
          stop();
          graceTimer ??= setTimeout(finish, SSH_DEFAULTS.stopGraceMs);
        };
        const finish = (): void => {
          if (settled) return;
          cleanup();
          if (!sawExit && !timedOut && connection.lost) {
            reject(lostError());
            return;
          }
          resolve(endedResult({ exitCode, exitSignal, timedOut, stdout, stderr, started }));
        };
        const onAbort = (): void => {
          if (settled) return;
          cleanup();
          stop();
          reject(new AbortedError(this.host, signal?.reason));
        };
        const watcher = ready ? new LineWatcher(ready.line) : undefined;
        const onReadyLine = (): void => {
          if (!ready || isReady || settled || timedOut) return;
          isReady = true;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          ready.onReady({
            endInput: () => {
              if (!settled) channel.end();
            },
            stop: () => {
              if (!settled) stopThenFinish();
            },
          });
        };
        channel.on('data', (chunk: Buffer) => {
          stdout.push(chunk);
          if (watcher?.push(chunk) === true) onReadyLine();
        });
        channel.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
        channel.on('exit', (code: number | null, name?: string) => {
          sawExit = true;
          exitCode = typeof code === 'number' ? code : null;
          if (typeof name === 'string' && name !== '')
            exitSignal = name.startsWith('SIG') ? name : `SIG${name}`;
        });
        channel.on('close', finish);
        channel.on('error', (channelError: Error) => {
          connection.lastError = channelError;
        });
        if (timeoutMs > 0) {
          timer = setTimeout(() => {
            timedOut = true;
            stopThenFinish();
          }, timeoutMs);
        }
        if (signal) {
          if (signal.aborted) {
            onAbort();
            return;
          }
          signal.addEventListener('abort', onAbort, { once: true });
        }
        // Standard input is always closed, so that a command reading it cannot hang; a held
        // command's is closed by its release.
        if (ready) {
          if (stdin !== undefined) channel.write(stdin, 'utf8');
        } else if (stdin !== undefined) channel.end(stdin, 'utf8');
        else channel.end();
      };
      try {
        connection.client.exec(line, onChannel);
      } catch {
        if (!settled) reject(lostError());
      }
    });
  }
}

/** The attempts ssh2 makes, in order: the identity files' keys, then the agent's keys. */
function authMethods(credentials: Credentials, username: string): AnyAuthMethod[] {
  const methods: AnyAuthMethod[] = [];
  for (const key of credentials.privateKeys) methods.push({ type: 'publickey', username, key });
  if (credentials.agent !== undefined) methods.push({ type: 'agent', username, agent: credentials.agent });
  return methods;
}

/** Whether `promise` settles (either way) within `ms`. */
function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    const done = (): void => {
      clearTimeout(timer);
      resolve(true);
    };
    promise.then(done, done);
  });
}

/** Sends a `signal` channel request even after our EOF (ssh2's channel.signal() refuses then). */
function sendSignal(channel: ClientChannel, name: string): void {
  const internal = channel as unknown as {
    outgoing?: { id: number; state: string };
    _client?: { _protocol?: { signal?: (id: number, signal: string) => void } };
  };
  const outgoing = internal.outgoing;
  const protocol = internal._client?._protocol;
  if (!outgoing || !protocol?.signal || (outgoing.state !== 'open' && outgoing.state !== 'eof')) return;
  try {
    protocol.signal(outgoing.id, name);
  } catch {
    // Best effort: closing the channel follows.
  }
}

function forwardOut(jump: Client, address: string, port: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    try {
      jump.forwardOut('127.0.0.1', 0, address, port, (error, stream) => {
        if (error) reject(error);
        else resolve(stream);
      });
    } catch (error) {
      reject(error instanceof Error ? error : new Error(String(error)));
    }
  });
}

/** Ends the target's connection, then the jump hosts' from the last to the first. */
async function endClients(connection: Connection): Promise<void> {
  await endClient(connection.client);
  await endJumps(connection.jumps);
}

/** Ends jump host connections, from the last hop (nearest the target) to the first. */
async function endJumps(jumps: readonly Client[]): Promise<void> {
  for (const jump of [...jumps].reverse()) await endClient(jump);
}

/** Ends a client and waits (briefly) for its socket to close. */
function endClient(client: Client): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      client.destroy();
      resolve();
    }, 1_000);
    client.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
    client.end();
    const sock = (client as unknown as { _sock?: { destroyed?: boolean } })._sock;
    if (!sock || sock.destroyed === true) {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** `promise`, or an AbortedError as soon as `signal` aborts (the work itself goes on). */
function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  host: string,
  onLateValue?: (value: T) => void,
): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const onAbort = (): void => {
      if (done) return;
      done = true;
      reject(new AbortedError(host, signal.reason));
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (done) onLateValue?.(value);
        else {
          done = true;
          resolve(value);
        }
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        if (!done) {
          done = true;
          reject(error);
        }
      },
    );
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** A counting semaphore; acquire() resolves to the release function. */
class Semaphore {
  private free: number;
  private readonly waiting: (() => void)[] = [];

  constructor(size: number) {
    this.free = Math.max(1, size);
  }

  acquire(): Promise<() => void> {
    return new Promise((resolve) => {
      const grant = (): void => {
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          const next = this.waiting.shift();
          if (next) next();
          else this.free += 1;
        });
      };
      if (this.free > 0) {
        this.free -= 1;
        grant();
      } else {
        this.waiting.push(grant);
      }
    });
  }
}
