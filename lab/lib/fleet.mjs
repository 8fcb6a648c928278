// Starting and stopping lab hosts: the bridge, one keeper process per host (host-keeper.sh),
// the per-host disk (a size-limited tmpfs holding the overlay's upper and work dirs), and the
// teardown that `lab:down` does.
import { spawn } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';

import { PATCHCTL_UID } from './base.mjs';
import { HOST_APT_MOUNT } from './packages.mjs';
import { HOST_RPM_MOUNT, RPM_FAMILIES, rpmPaths } from './rpm.mjs';
import {
  cleanEnv,
  cmdline,
  isAlive,
  LAB,
  LAB_SCRIPTS,
  LabError,
  paths,
  readPid,
  run,
  say,
  signal,
  sshBanner,
  waitFor,
  waitGone,
  warn,
} from './util.mjs';

// The lab network: a link-local /24 on a bridge of its own. Never 169.254.169.254; no
// default route in the hosts; ip_forward is left alone (off), so nothing leaves the machine.
export const NET = {
  bridge: 'patchlab0',
  bridgeMac: '02:1a:b2:00:00:01',
  subnet: '169.254.100.0/24',
  gateway: '169.254.100.1',
  prefixLen: 24,
  firstHost: 11,
};
export const MAX_HOSTS = 200;
export const NETNS_PREFIX = 'patchlab-';
export const DEFAULT_DISK_SIZE = '512m';

export function hostNames(count) {
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => `lab-${String(i + 1).padStart(width, '0')}`);
}

function mac(prefix, i) {
  const hi = ((i >> 8) & 0xff).toString(16).padStart(2, '0');
  const lo = (i & 0xff).toString(16).padStart(2, '0');
  return `${prefix}:00:${hi}:${lo}`;
}

/**
 * Everything fixed about host number i (1-based). `family` is deb (the default), debreal, el or
 * suse; `layer` is the family's shared layer (its upper dir), mounted between the host's own
 * upper dir and the Debian base (lab/lib/rpm.mjs, lab/lib/real.mjs).
 */
export function hostSpec(name, i, diskSize, { family = 'deb', os = 'debian', layer } = {}) {
  return {
    name,
    index: i,
    family,
    os,
    ...(layer ? { layer } : {}),
    address: `169.254.100.${NET.firstHost + i - 1}`,
    netns: `${NETNS_PREFIX}${name}`,
    vethBridge: `plb${i}`,
    vethHost: `plh${i}`,
    macHost: mac('02:1a:b0', i),
    macBridge: mac('02:1a:b1', i),
    diskSize,
  };
}

function hostFiles(name) {
  const dir = paths.hostDir(name);
  return {
    dir,
    env: path.join(dir, 'host.env'),
    disk: path.join(dir, 'disk'),
    upper: path.join(dir, 'disk', 'upper'),
    work: path.join(dir, 'disk', 'work'),
    root: path.join(dir, 'root'),
    keeperPid: path.join(dir, 'keeper.pid'),
    sshdPid: path.join(dir, 'sshd.pid'),
    bootId: path.join(dir, 'boot_id'),
    console: path.join(dir, 'console.log'),
    rebootRequested: path.join(dir, 'reboot-requested'),
    rebootMode: path.join(dir, 'reboot-mode'),
    spec: path.join(dir, 'host.json'),
  };
}
export { hostFiles };

export function readFleet() {
  try {
    return JSON.parse(readFileSync(paths.fleet, 'utf8'));
  } catch {
    return undefined;
  }
}

export function fleetHost(name) {
  const fleet = readFleet();
  const host = fleet?.hosts.find((h) => h.name === name);
  if (!host) {
    const names = fleet?.hosts.map((h) => h.name).join(', ');
    throw new LabError(
      names ? `no lab host "${name}" (hosts: ${names})` : 'the lab is not up (npm run lab:up)',
    );
  }
  return host;
}

// ---------------------------------------------------------------- network

export function bridgeUp() {
  // A route to the lab subnet through another interface would mean the address range is taken.
  const routes = run('ip', ['-4', 'route', 'show', NET.subnet]);
  if (routes.trim() !== '' && !routes.includes(`dev ${NET.bridge}`)) {
    throw new LabError(
      `${NET.subnet} is already routed on this machine (${routes.trim()}); the lab needs it`,
    );
  }
  if (run('ip', ['link', 'show', NET.bridge], { allowFail: true }).status !== 0) {
    run('ip', [
      'link',
      'add',
      'name',
      NET.bridge,
      'address',
      NET.bridgeMac,
      'type',
      'bridge',
      'forward_delay',
      '0',
    ]);
  }
  run('ip', ['link', 'set', NET.bridge, 'type', 'bridge', 'forward_delay', '0', 'stp_state', '0']);
  const addrs = run('ip', ['-4', '-o', 'addr', 'show', 'dev', NET.bridge]);
  if (!addrs.includes(`${NET.gateway}/`)) {
    run('ip', ['addr', 'add', `${NET.gateway}/${NET.prefixLen}`, 'dev', NET.bridge]);
  }
  run('ip', ['link', 'set', NET.bridge, 'up']);
}

// ---------------------------------------------------------------- hosts

function writeHostEnv(spec, files) {
  const vars = {
    NAME: spec.name,
    ADDRESS: spec.address,
    PREFIXLEN: String(NET.prefixLen),
    NETNS: spec.netns,
    BRIDGE: NET.bridge,
    VETH_BR: spec.vethBridge,
    VETH_HOST: spec.vethHost,
    MAC_BR: spec.macBridge,
    MAC_HOST: spec.macHost,
    LOWER: spec.layer ? `${spec.layer}:${paths.base}` : paths.base,
    UPPER: files.upper,
    WORK: files.work,
    APT: paths.apt,
    APT_MOUNT: HOST_APT_MOUNT,
    CLIENT_PUB: `${paths.clientKey}.pub`,
    PATCHCTL_UID: String(PATCHCTL_UID),
    // RPM-family hosts: the local RPM repository, read-only (lab/lib/rpm.mjs). A debreal host's
    // layer (lab/lib/real.mjs) is Debian's: it needs none.
    ...(spec.layer && spec.family in RPM_FAMILIES
      ? { RPM: path.join(rpmPaths.root, 'repo'), RPM_MOUNT: HOST_RPM_MOUNT }
      : {}),
  };
  const lines = Object.entries(vars).map(([k, v]) => {
    if (!/^[A-Za-z0-9_./:+@-]+$/.test(v))
      throw new LabError(`unsafe character in ${k}=${v} (lab paths must be plain)`);
    return `${k}='${v}'`;
  });
  writeFileSync(files.env, `# written by lab/lab.mjs\n${lines.join('\n')}\n`);
}

function isMounted(dir) {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8');
  return mounts.split('\n').some((l) => l.split(' ')[4] === dir);
}

/** Creates the host's folder and its disk (a tmpfs of `diskSize` for the overlay's upper dir). */
export function prepareHost(spec) {
  const files = hostFiles(spec.name);
  mkdirSync(files.dir, { recursive: true });
  mkdirSync(files.disk, { recursive: true });
  mkdirSync(files.root, { recursive: true });
  if (!isMounted(files.disk)) {
    run('mount', [
      '-t',
      'tmpfs',
      '-o',
      `size=${spec.diskSize},mode=0755`,
      `patchlab-${spec.name}`,
      files.disk,
    ]);
  }
  mkdirSync(files.upper, { recursive: true });
  mkdirSync(files.work, { recursive: true });
  writeHostEnv(spec, files);
  writeFileSync(files.spec, `${JSON.stringify(spec, null, 2)}\n`);
}

/** The keeper's PID if it is running (and really is this host's keeper). */
export function keeperPid(name) {
  const files = hostFiles(name);
  const pid = readPid(files.keeperPid);
  return pid && isAlive(pid) && cmdline(pid).includes('host-keeper.sh') ? pid : undefined;
}

export function sshdPid(name) {
  const pid = readPid(hostFiles(name).sshdPid);
  return pid && isAlive(pid) && cmdline(pid).includes('sshd') ? pid : undefined;
}

export function bootId(name) {
  try {
    return readFileSync(hostFiles(name).bootId, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Starts the host's keeper, detached from us (so `lab:up` can return), logging to console.log. */
export function spawnKeeper(name) {
  const files = hostFiles(name);
  const out = openSync(files.console, 'a');
  try {
    const child = spawn('bash', [path.join(LAB_SCRIPTS, 'host-keeper.sh'), files.dir], {
      detached: true,
      stdio: ['ignore', out, out],
      env: cleanEnv(),
      cwd: LAB,
    });
    child.unref();
    return child.pid;
  } finally {
    closeSync(out);
  }
}

/** Waits until the host's sshd answers on its address; returns its PID. */
export async function waitReady(spec, { timeoutMs = 60_000, previousSshd } = {}) {
  const ok = await waitFor(
    async () => {
      const pid = sshdPid(spec.name);
      if (!pid || pid === previousSshd) return undefined;
      return (await sshBanner(spec.address, 22, 500)) ? pid : undefined;
    },
    { timeoutMs, intervalMs: 50 },
  );
  if (!ok) {
    const tail = tailOf(hostFiles(spec.name).console);
    throw new LabError(
      `host ${spec.name} (${spec.address}) did not come up within ${timeoutMs / 1000} s\n${tail}`,
    );
  }
  return ok;
}

function tailOf(file, lines = 20) {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/** Public host keys as served now (from the host's upper dir), as known_hosts lines. */
export function hostKeyLines(spec) {
  const dir = path.join(hostFiles(spec.name).upper, 'etc', 'ssh');
  const lines = [];
  for (const type of ['ed25519', 'ecdsa', 'rsa']) {
    const file = path.join(dir, `ssh_host_${type}_key.pub`);
    if (!existsSync(file)) continue;
    const [alg, key] = readFileSync(file, 'utf8').trim().split(/\s+/);
    lines.push(`${spec.name},${spec.address} ${alg} ${key}`);
  }
  if (lines.length === 0) throw new LabError(`host ${spec.name} has no host keys in ${dir}`);
  return lines;
}

/** Powers a host off: TERM to its keeper, which TERMs sshd by PID; escalates to KILL. */
export async function stopHost(name, { timeoutMs = 10_000 } = {}) {
  const keeper = keeperPid(name);
  if (keeper) {
    signal(keeper, 'SIGTERM');
    if (await waitGone(keeper, timeoutMs)) return;
    warn(`host ${name}: keeper ${keeper} still running after ${timeoutMs / 1000} s; killing`);
  }
  const files = hostFiles(name);
  for (const pidFile of [files.sshdPid, path.join(files.dir, 'unshare.pid')]) {
    const pid = readPid(pidFile);
    if (pid && isAlive(pid) && /sshd|unshare/.test(cmdline(pid))) signal(pid, 'SIGKILL');
  }
  if (keeper && isAlive(keeper)) signal(keeper, 'SIGKILL');
  if (keeper) await waitGone(keeper, 5000);
}

/** Restarts a host as a reboot does: sshd (PID 1 of the host) ends, the keeper boots it again. */
export async function rebootHost(spec, { wait = true } = {}) {
  const before = sshdPid(spec.name);
  const oldBoot = bootId(spec.name);
  if (!before || !keeperPid(spec.name)) throw new LabError(`host ${spec.name} is not running`);
  writeFileSync(hostFiles(spec.name).rebootRequested, '');
  signal(before, 'SIGTERM');
  if (!wait) return { bootId: undefined, previousBootId: oldBoot };
  await waitReady(spec, { previousSshd: before, timeoutMs: 30_000 });
  return { bootId: bootId(spec.name), previousBootId: oldBoot };
}

export async function startHost(spec) {
  if (keeperPid(spec.name)) return;
  prepareHost(spec);
  spawnKeeper(spec.name);
  await waitReady(spec);
}

// ---------------------------------------------------------------- teardown

/** Mount points under .lab in the machine's mount namespace, deepest first. */
function labMounts() {
  const mounts = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' ')[4])
    .filter((m) => m && (m === LAB || m.startsWith(`${LAB}/`)));
  return [...new Set(mounts)].sort((a, b) => b.length - a.length);
}

/** Names of every host that has a folder or appears in fleet.json. */
function knownHostNames() {
  const names = new Set(readFleet()?.hosts.map((h) => h.name) ?? []);
  if (existsSync(paths.hosts)) for (const n of readdirSync(paths.hosts)) names.add(n);
  return [...names];
}

/**
 * Takes everything down: hosts (by PID, waiting for them), mounts, network namespaces, veths,
 * the bridge, and the hosts' folders. Safe to run when nothing (or half of it) is up.
 */
export async function teardown() {
  const names = knownHostNames();
  let stopped = 0;
  await Promise.all(
    names.map(async (n) => {
      if (keeperPid(n) || sshdPid(n)) stopped++;
      await stopHost(n);
    }),
  );
  for (const m of labMounts()) {
    if (run('umount', [m], { allowFail: true }).status !== 0) {
      warn(`${m} is busy; detaching it lazily`);
      run('umount', ['-l', m], { allowFail: true });
    }
  }
  const netns = run('ip', ['netns', 'list'])
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter((n) => n.startsWith(NETNS_PREFIX));
  for (const ns of netns) run('ip', ['netns', 'del', ns], { allowFail: true });
  const links = run('ip', ['-o', 'link', 'show'])
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((n) => n && (/^plb\d+$/.test(n) || n === NET.bridge));
  for (const l of links.filter((n) => n !== NET.bridge)) run('ip', ['link', 'del', l], { allowFail: true });
  if (links.includes(NET.bridge)) run('ip', ['link', 'del', NET.bridge], { allowFail: true });
  // `ip netns add` made /run/netns a mount point; once no namespace is left, undo that too.
  if (existsSync('/run/netns') && readdirSync('/run/netns').length === 0 && isMounted('/run/netns')) {
    run('umount', ['/run/netns'], { allowFail: true });
  }
  const left = labMounts();
  if (left.length > 0) throw new LabError(`could not unmount: ${left.join(', ')}`);
  rmSync(paths.hosts, { recursive: true, force: true });
  rmSync(paths.fleet, { force: true });
  return { hosts: stopped, netns: netns.length, bridge: links.includes(NET.bridge) };
}

export function reportDown(result) {
  if (result.hosts + result.netns === 0 && !result.bridge) {
    say('nothing was up; the lab is down');
    return;
  }
  const parts = [`stopped ${result.hosts} host(s)`];
  if (result.netns > 0) parts.push(`removed ${result.netns} leftover network namespace(s)`);
  if (result.bridge) parts.push(`removed bridge ${NET.bridge}`);
  say(parts.join(', '));
}
