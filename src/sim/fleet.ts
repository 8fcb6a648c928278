// The simulated fleet (docs/architecture.md, "Two fleets"): one ssh2 server per simulated host on 127.0.0.1, each with its
// own port and ed25519 host key, all in this process's event loop. A host is any SimulatedHost
// (simulated-host.ts): SimAptHost (Debian), SimDnfHost (RHEL-like), SimZypperHost (SUSE-like), mixed
// as the lab's `--mix` mixes them. Hosts accept only the fleet's client key for the user patchctl
// (as the lab's sshd: AllowUsers patchctl, keys only), run exec requests through the host's respond,
// keep held commands open until their input ends, and reboot by dropping every connection,
// refusing new ones for a while, then booting again.
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo, Server as NetServer, Socket } from 'node:net';
import { createServer } from 'node:net';
import path from 'node:path';

import type { Connection, ParsedKey, ServerChannel } from 'ssh2';
import ssh2 from 'ssh2';

import { SimAptHost } from './apt-host.js';
import { SimDnfHost } from './dnf-host.js';
import { labRepositoryFiles, mixedLabDocuments } from './lab-repository.js';
import type { SimFamily, SimLockHolder, SimReply, SimulatedHost } from './simulated-host.js';
import { SIM_FAMILIES } from './simulated-host.js';
import { SimZypperHost } from './zypper-host.js';

export const SIM_USER = 'patchctl';
export const SIM_ADDRESS = '127.0.0.1';

export interface SimHostFaults {
  /** `sudo -n` refused (the lab's `sudo deny`). */
  sudoDenied?: boolean;
  /** A process holds the dpkg locks until the next reboot (Debian hosts; packageLock on any host). */
  dpkgLock?: SimLockHolder;
  /** A process holds the package manager's lock until the next reboot (dpkg, rpm and dnf, zypp). */
  packageLock?: SimLockHolder;
  diskFreeKb?: number;
  /** The host is off: nothing listens on its port. */
  down?: boolean;
}

/** How many hosts of each family (lab/lab.mjs --mix deb:A,el:B,suse:C); left out: 0. */
export type SimMix = Partial<Record<SimFamily, number>>;

export interface SimFleetOptions {
  /** That many Debian hosts, lab-01… (without `mix`). */
  hosts?: number;
  /** A mixed fleet instead: lab-NN (Debian), el-NN (RHEL-like), suse-NN (SUSE-like), in that order. */
  mix?: SimMix;
  /** Added before each reply (one round trip). */
  latencyMs?: number;
  /** Time each command takes on the host before it answers. */
  workMs?: number;
  /** Extra time an install that unpacks something takes (dpkg's work: the bench's per-host work). */
  installWorkMs?: number;
  seed?: number;
  /** By host name (lab-01…, el-01…, suse-01…). */
  faults?: Readonly<Record<string, SimHostFaults>>;
  /** From reboot's answer to the host going down (the lab's stand-in: 1 s). */
  rebootDelayMs?: number;
  /** How long a rebooting host refuses connections. */
  rebootDowntimeMs?: number;
  now?: () => Date;
  /**
   * Rewrites a host's reply before it is sent: hostile hosts for the fuzz tests (what a
   * compromised host could print). Gets the host name and the command line it ran; each
   * command of a batch (drivers/linux/batch.ts) is rewritten on its own, then the batch's reply.
   */
  tamper?: (host: string, command: string, reply: SimReply) => SimReply;
}

export interface SimHost {
  name: string;
  /** 1-based across the whole fleet, as the lab numbers its hosts (odd: every update, even: security only). */
  index: number;
  family: SimFamily;
  /** The inventory's `os` hint of a mixed fleet (lab/lab.mjs: debian, almalinux, sles). */
  os: string;
  address: string;
  port: number;
  /** `ssh-ed25519 AAAA…` */
  hostKey: string;
  state: SimulatedHost;
  /** Connections accepted so far. */
  connections(): number;
}

export interface SimFleet {
  hosts: SimHost[];
  user: string;
  clientKey: { private: string; public: string };
  /** Writes a patchctl repository for the fleet into `dir` (like lab/lib/repo.mjs); returns `dir`. */
  writeRepository(dir: string): string;
  stop(): Promise<void>;
}

/** The lab's host names: lab-01, lab-02… (at least two digits). */
export function simHostNames(count: number): string[] {
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => `lab-${String(i + 1).padStart(width, '0')}`);
}

const MIX_PREFIX: Readonly<Record<SimFamily, string>> = { deb: 'lab', el: 'el', suse: 'suse' };
const FAMILY_OS: Readonly<Record<SimFamily, string>> = { deb: 'debian', el: 'almalinux', suse: 'sles' };

/** Names and families of a mix, as lab/lab.mjs mixHosts: lab-01…, el-01…, suse-01… in that order. */
export function simMixHosts(mix: SimMix): { name: string; family: SimFamily }[] {
  const out: { name: string; family: SimFamily }[] = [];
  for (const family of SIM_FAMILIES) {
    const count = mix[family] ?? 0;
    const width = Math.max(2, String(count).length);
    for (let i = 1; i <= count; i++)
      out.push({ name: `${MIX_PREFIX[family]}-${String(i).padStart(width, '0')}`, family });
  }
  return out;
}

/** `deb:2,el:1,suse:1` (lab:up's --mix) → { deb: 2, el: 1, suse: 1 }. */
export function parseSimMix(text: string): SimMix {
  const mix: SimMix = {};
  for (const part of text.split(',')) {
    const m = /^(deb|el|suse):([0-9]{1,5})$/.exec(part.trim());
    if (m === null)
      throw new RangeError(
        `mix: "${part}" is not FAMILY:COUNT (families: deb, el, suse), e.g. deb:1,el:1,suse:1`,
      );
    const family = m[1] as SimFamily;
    mix[family] = (mix[family] ?? 0) + Number(m[2]);
  }
  return mix;
}

function fleetSpecs(options: SimFleetOptions): { name: string; family: SimFamily }[] {
  if (options.mix !== undefined) {
    if (options.hosts !== undefined) throw new RangeError('hosts and mix do not go together');
    for (const [family, n] of Object.entries(options.mix)) {
      if (!SIM_FAMILIES.includes(family as SimFamily) || !Number.isInteger(n) || (n ?? 0) < 0)
        throw new RangeError(`mix: ${family}: ${String(n)} is not a host count of a family (deb, el, suse)`);
    }
    const specs = simMixHosts(options.mix);
    if (specs.length === 0) throw new RangeError('mix: at least one host');
    return specs;
  }
  const hosts = options.hosts;
  if (hosts === undefined || !Number.isInteger(hosts) || hosts < 1) {
    throw new RangeError(`hosts must be a whole number of at least 1, not ${String(hosts)}`);
  }
  return simHostNames(hosts).map((name) => ({ name, family: 'deb' }));
}

function newHost(family: SimFamily, name: string, i: number, options: SimFleetOptions): SimulatedHost {
  const common = {
    hostname: name,
    seed: (options.seed ?? 1) * 100_003 + i,
    ...(options.now ? { now: options.now } : {}),
    ...(options.installWorkMs !== undefined ? { installWorkMs: options.installWorkMs } : {}),
  };
  if (family === 'el') return new SimDnfHost(common);
  if (family === 'suse') return new SimZypperHost(common);
  return new SimAptHost(common);
}

export async function startSimFleet(options: SimFleetOptions): Promise<SimFleet> {
  const specs = fleetSpecs(options);
  const clientKey = generateEd25519();
  const clientPublic = parseOne(clientKey.public);
  const servers = specs.map(
    ({ name, family }, i) => new HostServer(newHost(family, name, i, options), i + 1, clientPublic, options),
  );
  try {
    await Promise.all(servers.map((s) => s.start()));
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }
  const hosts = servers.map((s) => s.info);
  return {
    hosts,
    user: SIM_USER,
    clientKey,
    writeRepository: (dir) => writeSimRepository(dir, hosts, clientKey.private),
    stop: async () => {
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}

class HostServer {
  readonly info: SimHost;
  private readonly hostKey: { private: string; public: string };
  private readonly ssh: InstanceType<typeof ssh2.Server>;
  private listener: NetServer | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly holds = new Set<() => void>();
  private accepted = 0;
  private stopped = false;

  constructor(
    readonly host: SimulatedHost,
    index: number,
    private readonly clientKey: ParsedKey,
    private readonly options: SimFleetOptions,
  ) {
    this.hostKey = generateEd25519();
    const faults = options.faults?.[host.hostname] ?? {};
    if (faults.sudoDenied === true) host.sudoAllowed = false;
    const lock = faults.packageLock ?? faults.dpkgLock;
    if (lock !== undefined) host.packageLock = lock;
    if (faults.diskFreeKb !== undefined) host.diskFreeKb = faults.diskFreeKb;
    this.ssh = new ssh2.Server({ hostKeys: [this.hostKey.private] }, (client) => this.onClient(client));
    this.info = {
      name: host.hostname,
      index,
      family: host.family,
      os: FAMILY_OS[host.family],
      address: SIM_ADDRESS,
      port: 0,
      hostKey: this.hostKey.public.split(' ').slice(0, 2).join(' '),
      state: host,
      connections: () => this.accepted,
    };
  }

  async start(): Promise<void> {
    if (this.options.faults?.[this.host.hostname]?.down === true) {
      // Off: a port that was free and is closed again refuses connections, as a host that is down.
      await this.listen(0);
      await this.goDown();
      return;
    }
    await this.listen(this.info.port);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await this.goDown();
  }

  private listen(port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = createServer((socket) => {
        this.accepted++;
        this.sockets.add(socket);
        socket.on('close', () => this.sockets.delete(socket));
        socket.on('error', () => undefined);
        socket.setNoDelay(true);
        this.ssh.injectSocket(socket);
      });
      server.once('error', reject);
      server.listen(port, SIM_ADDRESS, () => {
        server.off('error', reject);
        this.listener = server;
        this.info.port = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  /** sshd ends: every connection drops, nothing listens. */
  private goDown(): Promise<void> {
    for (const release of [...this.holds]) release();
    for (const socket of this.sockets) socket.destroy();
    const listener = this.listener;
    this.listener = undefined;
    if (!listener) return Promise.resolve();
    return new Promise((resolve) => listener.close(() => resolve()));
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.stopped) fn();
    }, ms);
    this.timers.add(timer);
  }

  private reboot(): void {
    this.later(this.options.rebootDelayMs ?? 1000, () => {
      void this.goDown().then(() => {
        this.later(this.options.rebootDowntimeMs ?? 200, () => {
          this.host.boot();
          void this.listenAgain(0);
        });
      });
    });
  }

  /** The same port again; another process may have taken it meanwhile, so retry a little. */
  private async listenAgain(attempt: number): Promise<void> {
    if (this.stopped) return;
    try {
      await this.listen(this.info.port);
    } catch {
      if (attempt < 50) this.later(100, () => void this.listenAgain(attempt + 1));
    }
  }

  private onClient(client: Connection): void {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      const key = ctx.method === 'publickey' ? ctx.key : undefined;
      if (ctx.username === SIM_USER && key !== undefined && this.clientKey.getPublicSSH().equals(key.data)) {
        // Without a signature this is the client asking whether the key would do.
        if (ctx.method === 'publickey' && ctx.signature && ctx.blob) {
          if (this.clientKey.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true) ctx.accept();
          else ctx.reject(['publickey']);
        } else ctx.accept();
        return;
      }
      ctx.reject(['publickey']);
    });
    client.on('ready', () => {
      client.on('session', (acceptSession) => {
        const session = acceptSession();
        session.on('exec', (accept, _reject, info) => {
          this.exec(info.command, accept());
        });
      });
    });
  }

  private exec(command: string, channel: ServerChannel): void {
    let closed = false;
    channel.on('close', () => {
      closed = true;
    });
    channel.on('error', () => undefined);
    const delay = (this.options.latencyMs ?? 0) + (this.options.workMs ?? 0);
    this.later(delay, () => {
      if (closed) return;
      const { tamper } = this.options;
      const r = this.host.respond(
        command,
        undefined,
        tamper ? (line, reply) => tamper(this.info.name, line, reply) : undefined,
      );
      let wait = 0;
      for (const e of r.effects) if (e.kind === 'wait') wait += e.ms;
      if (wait > 0) this.later(wait, () => this.send(channel, r, () => closed));
      else this.send(channel, r, () => closed);
    });
  }

  private send(channel: ServerChannel, r: SimReply, isClosed: () => boolean): void {
    if (isClosed()) return;
    const hold = r.effects.find((e) => e.kind === 'hold');
    if (hold?.kind === 'hold') {
      if (r.stdout !== '') channel.write(r.stdout);
      let done = false;
      const release = (): void => {
        if (done) return;
        done = true;
        this.holds.delete(release);
        const end = hold.release();
        if (!isClosed()) this.finish(channel, end);
      };
      this.holds.add(release);
      // The command runs until its standard input ends (or the session goes away).
      channel.on('end', release);
      channel.on('close', release);
      channel.resume();
      return;
    }
    this.finish(channel, r);
    if (r.effects.some((e) => e.kind === 'reboot')) this.reboot();
  }

  private finish(channel: ServerChannel, r: SimReply): void {
    if (r.stdout !== '') channel.write(r.stdout);
    if (r.stderr !== '') channel.stderr.write(r.stderr);
    channel.exit(r.exitCode);
    channel.end();
  }
}

/**
 * A new ed25519 key pair in OpenSSH format. ssh2's generator now and then writes a private key
 * its own parser rejects: such a pair is drawn again.
 */
function generateEd25519(): { private: string; public: string } {
  for (let attempt = 0; attempt < 20; attempt++) {
    const pair = ssh2.utils.generateKeyPairSync('ed25519');
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error)) return pair;
  }
  throw new Error('ssh2 could not generate a parseable ed25519 key in 20 attempts');
}

function parseOne(line: string): ParsedKey {
  const parsed = ssh2.utils.parseKey(line);
  if (parsed instanceof Error) throw parsed;
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (key === undefined) throw new Error('no key');
  return key as ParsedKey;
}

const HEADER = '# Written by the simulated fleet (src/sim/fleet.ts), like lab/lib/repo.mjs for the lab.\n';
export const SIM_CLIENT_KEY_FILE = 'keys/sim_ed25519';

/** The lab's repository (src/sim/lab-repository.ts), with 127.0.0.1 and a port per host, and the fleet's key. */
export function writeSimRepository(dir: string, hosts: readonly SimHost[], clientPrivateKey: string): string {
  const w = (rel: string, text: string, mode = 0o644): void => {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text, { mode });
  };
  w(SIM_CLIENT_KEY_FILE, clientPrivateKey, 0o600);
  const files = labRepositoryFiles({
    hosts,
    header: HEADER,
    fleetDescription: `The simulated lab fleet, ${hosts.length} host(s) on ${SIM_ADDRESS}.`,
    inventoryNote: '# Each host is an SSH server in the process that started the simulated fleet.',
    inventoryDescription: 'Hosts of the simulated lab (Debian 12 apt hosts emulated in process).',
    identityFile: SIM_CLIENT_KEY_FILE,
  });
  // A mixed fleet: os hints, family labels and groups, rings that mix families (lab/lib/repo.mjs).
  if (hosts.some((h) => h.family !== 'deb')) {
    Object.assign(
      files,
      mixedLabDocuments({
        hosts,
        header: HEADER,
        inventoryNote:
          '# A mixed simulated fleet: each host is an SSH server in the process that started it. Debian hosts\n' +
          '# answer like apt hosts, el hosts like rpm + dnf (AlmaLinux 9.4), suse hosts like rpm + zypper (SLES 15 SP5).',
        inventoryDescription:
          'Hosts of the mixed simulated lab (Debian, RHEL-like and SUSE-like, emulated in process).',
      }),
    );
  }
  for (const [rel, text] of Object.entries(files)) w(rel, text);
  w(
    'known_hosts',
    `# The simulated hosts' keys.\n${hosts.map((h) => `[${h.address}]:${h.port} ${h.hostKey}`).join('\n')}\n`,
  );
  return dir;
}
