#!/usr/bin/env node
// The patchctl test fleet (docs/architecture.md, "Two fleets"): real Debian hosts on this machine, each an overlayfs
// root in its own network, mount, PID and UTS namespaces with sshd as PID 1, an apt repository
// of test packages, and a ready patchctl repository at .lab/repo. Linux, as root.
// `node lab/lab.mjs help` lists the commands; lab/README.md explains the design.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

import {
  ensureBaseTree,
  ensureStage1,
  ensureStage2,
  hostSuite,
  machineArch,
  machineMirror,
  proxyEnv,
} from './lib/base.mjs';
import {
  changeHostKey,
  execInHost,
  execInHostInteractive,
  fillDisk,
  freeDisk,
  holdDpkgLock,
  PM_LOCK_FILES,
  killSessions,
  releaseDpkgLock,
  setSudo,
  slowApt,
} from './lib/faults.mjs';
import {
  bootId,
  bridgeUp,
  DEFAULT_DISK_SIZE,
  fleetHost,
  hostFiles,
  hostKeyLines,
  hostNames,
  hostSpec,
  keeperPid,
  MAX_HOSTS,
  NET,
  prepareHost,
  readFleet,
  rebootHost,
  reportDown,
  spawnKeeper,
  sshdPid,
  startHost,
  stopHost,
  teardown,
  waitReady,
} from './lib/fleet.mjs';
import { buildAptRepository, PACKAGES, SUITES } from './lib/packages.mjs';
import { ensureRealLayer, ensureRealPackages, ensureRealSuites, readRealSelection } from './lib/real.mjs';
import { labDocuments, writeLabRepository } from './lib/repo.mjs';
import {
  buildRpmRepository,
  ensureFamilyLayer,
  FAMILIES,
  missingRpmTools,
  RPM_FAMILIES,
  RPM_PACKAGES,
  rpmArch,
} from './lib/rpm.mjs';
import { cleanEnv, cmdline, elapsed, isAlive, LAB, LabError, paths, run, say, which } from './lib/util.mjs';

const USAGE = `usage: node lab/lab.mjs COMMAND [ARGS]   (Linux, as root; npm run lab:up / lab:down)

  up [--hosts N | --mix deb:A,debreal:R,el:B,suse:C] [--disk-size SIZE] [--force]
                                      start N hosts (default 3, at most ${MAX_HOSTS}), each with a disk of
                                      SIZE (default ${DEFAULT_DISK_SIZE}); build and cache the base and the apt
                                      repository first if needed; write .lab/repo. A lab already up
                                      is taken down first, unless the process that started it still
                                      runs (another test): then up fails, or takes over with --force.
                                      --mix: A Debian hosts (lab-NN), R Debian hosts with real Debian
                                      packages at an older version and their security updates
                                      (real-NN: libssl3, openssl, tzdata from the machine's mirror),
                                      B RHEL-like hosts (el-NN: rpm, dnf, AlmaLinux 9.4) and C
                                      SUSE-like hosts (suse-NN: rpm, zypper, SLES 15.5), with the
                                      local RPM repository (needs rpm, createrepo-c)
  down [--purge]                      stop every host, remove mounts, namespaces, veths and the
                                      bridge (idempotent); --purge also deletes .lab (caches too)
  status [--json]                     the hosts, their addresses, PIDs and boot ids

  stop HOST | start HOST              power a host off / on (new boot id)
  reboot HOST [--no-wait]             restart a host: new boot id, fresh /run, packages kept
  reboot-mode HOST MODE               what the host's own \`reboot\` does: normal, never (it never
                                      comes back) or delay:SECONDS
  exec HOST [--user USER] -- CMD...   run CMD inside the host (root unless --user), exit with its status
  ssh HOST [CMD...]                   the system ssh client as patchctl, pinned to .lab/repo/known_hosts
  hold-dpkg-lock HOST [SECONDS] [--as NAME]
                                      hold dpkg's locks inside the host (default 60 s, process
                                      name unattended-upgr); returns once held
  hold-rpm-lock HOST [SECONDS] [--as NAME]
                                      the same with rpm's lock on an RPM host (as dnf-automatic)
  release-dpkg-lock HOST              end that holder early (either)
  fill-disk HOST | free-disk HOST     fill the host's disk to the last byte / free it again
  change-host-key HOST                new host keys (sshd restarted); .lab/repo/known_hosts is NOT updated
  kill-sessions HOST [--sshd-only]    kill every process of the host but sshd's listener (or
                                      only sshd's session processes: connections drop, commands live on)
  slow-apt HOST SECONDS               every dpkg run of apt on the host first sleeps SECONDS (0: off)
  sudo HOST deny|allow                remove / restore patchctl's sudo rule
  known-hosts                         the hosts' current keys, known_hosts format
`;

class UsageError extends Error {}

function requireLinuxRoot() {
  if (process.platform !== 'linux') throw new LabError(`the lab needs Linux (this is ${process.platform})`);
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new LabError(
      'the lab needs root (namespaces, mounts, a bridge): run it as root, e.g. sudo npm run lab:up',
    );
  }
}

/** Debian packages providing the machine tools the lab uses. */
const TOOLS = {
  ip: 'iproute2',
  unshare: 'util-linux',
  nsenter: 'util-linux',
  mount: 'mount',
  umount: 'mount',
  chroot: 'coreutils',
  'dpkg-deb': 'dpkg',
  'apt-ftparchive': 'apt-utils',
  'ssh-keygen': 'openssh-client',
  'ssh-keyscan': 'openssh-client',
  tar: 'tar',
  gzip: 'gzip',
};

function requireTools(extra = {}) {
  const missing = Object.entries({ ...TOOLS, ...extra }).filter(([cmd]) => !which(cmd));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map(([, p]) => p))].join(' ');
    throw new LabError(
      `missing ${missing.map(([c]) => c).join(', ')}: install them with\n  apt-get install --no-install-recommends ${pkgs}`,
    );
  }
}

function option(args, name, fallback) {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const v = args[i + 1];
  if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
  args.splice(i, 2);
  return v;
}

function flag(args, name) {
  const i = args.indexOf(name);
  if (i < 0) return false;
  args.splice(i, 1);
  return true;
}

function hostArg(args) {
  const name = args.shift();
  if (!name) throw new UsageError('which host?');
  return fleetHost(name);
}

function ensureClientKey() {
  if (existsSync(paths.clientKey)) return;
  mkdirSync(paths.client, { recursive: true, mode: 0o700 });
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'patchctl-lab-client', '-f', paths.clientKey]);
}

/**
 * The host kinds of --mix, numbered on the bridge in this order: Debian, Debian with real packages
 * (lab/lib/real.mjs), then the RPM families (lab/lib/rpm.mjs).
 */
const MIX_FAMILIES = ['deb', 'debreal', ...FAMILIES.filter((f) => f !== 'deb')];

/** `deb:2,el:1,suse:1` → { deb: 2, debreal: 0, el: 1, suse: 1 } (families left out: 0). */
function parseMix(text) {
  const mix = Object.fromEntries(MIX_FAMILIES.map((f) => [f, 0]));
  for (const part of text.split(',')) {
    const m = /^([a-z]+):([0-9]+)$/.exec(part.trim());
    if (!m || !MIX_FAMILIES.includes(m[1])) {
      throw new UsageError(
        `--mix: "${part}" is not FAMILY:COUNT (families: ${MIX_FAMILIES.join(', ')}), e.g. deb:1,el:1,suse:1`,
      );
    }
    mix[m[1]] += Number(m[2]);
  }
  const total = Object.values(mix).reduce((a, b) => a + b, 0);
  if (total < 1 || total > MAX_HOSTS) throw new UsageError(`--mix: from 1 to ${MAX_HOSTS} hosts in all`);
  return mix;
}

const MIX_PREFIX = { deb: 'lab', debreal: 'real', el: 'el', suse: 'suse' };

/** Host names and families of a mix: lab-01… (Debian), real-01…, el-01…, suse-01…, numbered on the bridge in that order. */
function mixHosts(mix) {
  const out = [];
  for (const family of MIX_FAMILIES) {
    const width = Math.max(2, String(mix[family]).length);
    for (let i = 1; i <= mix[family]; i++) {
      out.push({ name: `${MIX_PREFIX[family]}-${String(i).padStart(width, '0')}`, family });
    }
  }
  return out;
}

async function up(args) {
  const mixText = option(args, '--mix', undefined);
  const hostsText = option(args, '--hosts', undefined);
  if (mixText !== undefined && hostsText !== undefined)
    throw new UsageError('--hosts and --mix do not go together');
  const count = Number(hostsText ?? '3');
  const diskSize = option(args, '--disk-size', DEFAULT_DISK_SIZE);
  const force = flag(args, '--force');
  if (!Number.isInteger(count) || count < 1 || count > MAX_HOSTS) {
    throw new UsageError(`--hosts must be a whole number from 1 to ${MAX_HOSTS}`);
  }
  const mix = mixText === undefined ? undefined : parseMix(mixText);
  const rpmFamilies = mix ? ['el', 'suse'].filter((f) => mix[f] > 0) : [];
  if (rpmFamilies.length > 0) {
    const missing = missingRpmTools();
    if (missing.length > 0) {
      throw new LabError(
        `--mix with RPM hosts needs ${missing.map(([c]) => c).join(', ')}: install them with\n  apt-get install --no-install-recommends ${[...new Set(missing.map(([, p]) => p))].join(' ')}`,
      );
    }
  }
  if (!/^[0-9]+[kmg]$/.test(diskSize)) throw new UsageError('--disk-size: a size like 512m or 1g');
  if (args.length > 0) throw new UsageError(`unexpected ${args.join(' ')}`);
  requireLinuxRoot();
  // The repository's documents come from the build: fail before building any host without it.
  const { policyOf } = await labDocuments();
  const arch = machineArch();
  const t0 = Date.now();
  mkdirSync(LAB, { recursive: true });
  const previous = readFleet();
  if (previous?.owner && previous.owner !== process.ppid && isAlive(previous.owner) && !force) {
    throw new LabError(
      `a lab is up and in use by process ${previous.owner} (${cmdline(previous.owner).slice(0, 80)}): lab tests must run one at a time (lab:up -- --force takes it over)`,
    );
  }
  if (previous || existsSync(paths.hosts)) {
    say('a lab is already up (or half up): taking it down first');
    reportDown(await teardown());
  }
  const apt = buildAptRepository(arch);
  const stage1 = await ensureStage1(arch).catch((e) => {
    if (!which('debootstrap')) {
      throw new LabError(
        `${e.message}\n(debootstrap is missing: apt-get install --no-install-recommends debootstrap)`,
      );
    }
    throw e;
  });
  const stage2 = await ensureStage2(stage1, apt);
  ensureBaseTree(stage2);
  ensureClientKey();
  const layers = {};
  if (rpmFamilies.length > 0) {
    const rarch = rpmArch();
    const rpmKey = buildRpmRepository(rarch);
    // Both layers at once: downloads and dpkg runs overlap.
    const built = await Promise.all(
      rpmFamilies.map((family) =>
        ensureFamilyLayer(family, {
          base: paths.base,
          baseKey: stage2.key,
          rpmKey,
          arch: rarch,
          proxy: proxyEnv(),
        }),
      ),
    );
    rpmFamilies.forEach((family, i) => (layers[family] = built[i]));
  }
  if (mix?.debreal > 0) {
    // Real Debian packages: versions discovered on the machine's mirror now, .debs cached by digest.
    const selection = ensureRealPackages({ arch, proxy: proxyEnv() });
    ensureRealSuites(selection, arch);
    layers.debreal = await ensureRealLayer({ base: paths.base, baseKey: stage2.key, selection, arch });
  }

  const tHosts = Date.now();
  bridgeUp();
  const specs = mix
    ? mixHosts(mix).map(({ name, family }, i) =>
        hostSpec(name, i + 1, diskSize, {
          family,
          os: family === 'deb' || family === 'debreal' ? 'debian' : RPM_FAMILIES[family].os,
          layer: layers[family],
        }),
      )
    : hostNames(count).map((name, i) => hostSpec(name, i + 1, diskSize));
  writeFileSync(
    paths.fleet,
    `${JSON.stringify(
      {
        createdAt: new Date().toISOString(),
        // Whoever ran lab:up (a test process, npm): another lab:up leaves the lab alone while it lives.
        owner: process.ppid,
        bridge: NET.bridge,
        subnet: NET.subnet,
        gateway: NET.gateway,
        repo: paths.repo,
        clientKey: paths.clientKey,
        ...(mix ? { mix } : {}),
        hosts: specs,
      },
      null,
      2,
    )}\n`,
  );
  try {
    for (const spec of specs) prepareHost(spec);
    for (const spec of specs) spawnKeeper(spec.name);
    await Promise.all(specs.map((spec) => waitReady(spec)));
  } catch (e) {
    if (!process.env.LAB_KEEP_ON_FAILURE) {
      process.stderr.write(`lab: up failed; taking the lab down (set LAB_KEEP_ON_FAILURE=1 to keep it)\n`);
      await teardown().catch(() => undefined);
    }
    throw e;
  }
  const keys = specs.flatMap((s) => hostKeyLines(s));
  const repo = await writeLabRepository(specs, keys);
  say(
    `${specs.length} host(s) up in ${elapsed(tHosts)} (total ${elapsed(t0)}), bridge ${NET.bridge} ${NET.gateway}/24:`,
  );
  for (const s of specs) {
    process.stdout.write(
      `  ${s.name.padEnd(8)} ${s.address.padEnd(16)} ${mix ? `${s.os.padEnd(10)} ` : ''}updates: ${policyOf(s.index)}\n`,
    );
  }
  say(`patchctl repository: ${repo}`);
  say(`  node bin/patchctl validate -C ${path.relative(process.cwd(), repo) || repo}`);
  const first = (family) => specs.find((s) => s.family === family)?.name;
  if (first('deb')) say(`  node lab/lab.mjs ssh ${first('deb')} apt list --upgradable`);
  if (first('debreal')) say(`  node lab/lab.mjs ssh ${first('debreal')} apt list --upgradable`);
  if (first('el')) say(`  node lab/lab.mjs ssh ${first('el')} dnf -q check-update`);
  if (first('suse')) say(`  node lab/lab.mjs ssh ${first('suse')} zypper list-patches`);
}

async function down(args) {
  const purge = flag(args, '--purge');
  if (args.length > 0) throw new UsageError(`unexpected ${args.join(' ')}`);
  requireLinuxRoot();
  const t0 = Date.now();
  reportDown(await teardown());
  if (purge) {
    spawnSync('rm', ['-rf', '--one-file-system', LAB], { env: cleanEnv() });
    say(`purged ${LAB}`);
  } else if (existsSync(paths.cache)) {
    say(`kept the caches in ${paths.cache} (lab:down -- --purge deletes them)`);
  }
  say(`down in ${elapsed(t0)}`);
}

function status(args) {
  const json = flag(args, '--json');
  const fleet = readFleet();
  const hosts = (fleet?.hosts ?? []).map((h) => ({
    name: h.name,
    address: h.address,
    family: h.family ?? 'deb',
    os: h.os ?? 'debian',
    up: Boolean(sshdPid(h.name)),
    sshdPid: sshdPid(h.name) ?? null,
    keeperPid: keeperPid(h.name) ?? null,
    bootId: bootId(h.name) ?? null,
    netns: h.netns,
    upperDir: hostFiles(h.name).upper,
  }));
  const out = {
    up: Boolean(fleet),
    repo: fleet ? paths.repo : null,
    clientKey: fleet ? paths.clientKey : null,
    knownHosts: fleet ? path.join(paths.repo, 'known_hosts') : null,
    bridge: NET.bridge,
    subnet: NET.subnet,
    gateway: NET.gateway,
    suites: Object.keys(SUITES),
    packages: PACKAGES.map((p) => ({ name: p.name, upgradeSuite: p.suite11, held: Boolean(p.held) })),
    // The real Debian packages of the last build with a debreal host (versions from the mirror).
    realPackages:
      readRealSelection()?.packages.map((p) => ({
        name: p.name,
        source: p.installed.source,
        installed: p.installed.version,
        installedSuite: p.installed.suite,
        available: p.available.version,
        availableSuite: p.available.suite,
        availableSourceVersion: p.available.sourceVersion,
        arch: p.available.arch,
      })) ?? null,
    rpmPackages: RPM_PACKAGES.map((p) => ({
      name: p.name,
      installed: p.old.join('-'),
      available: p.new.join('-'),
      held: Boolean(p.held),
    })),
    hosts,
  };
  if (json) {
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return;
  }
  if (!fleet) {
    say('the lab is down');
    return;
  }
  say(`repository ${paths.repo}, bridge ${NET.bridge} ${NET.gateway}/24`);
  for (const h of hosts) {
    process.stdout.write(
      `  ${h.name.padEnd(8)} ${h.address.padEnd(16)} ${h.up ? `up   sshd ${h.sshdPid} boot ${h.bootId}` : 'down'}\n`,
    );
  }
}

function sshArgs(spec, command) {
  return [
    '-i',
    paths.clientKey,
    '-o',
    `UserKnownHostsFile=${path.join(paths.repo, 'known_hosts')}`,
    '-o',
    'GlobalKnownHostsFile=/dev/null',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    'BatchMode=yes',
    '-o',
    'ControlMaster=no',
    '-o',
    'ControlPath=none',
    '-o',
    'ConnectTimeout=5',
    '-o',
    'IdentitiesOnly=yes',
    '-F',
    '/dev/null',
    `patchctl@${spec.address}`,
    ...command,
  ];
}

async function main(argv) {
  const args = [...argv];
  const cmd = args.shift();
  switch (cmd) {
    case 'up':
      requireTools();
      return up(args);
    case 'down':
      requireTools();
      return down(args);
    case 'status':
      return status(args);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return;
    case 'info':
      requireLinuxRoot();
      process.stdout.write(
        `${JSON.stringify({ suite: hostSuite(), arch: machineArch(), mirror: machineMirror(hostSuite()) }, null, 2)}\n`,
      );
      return;
  }
  requireLinuxRoot();
  switch (cmd) {
    case 'stop': {
      const spec = hostArg(args);
      await stopHost(spec.name);
      say(`${spec.name} is down`);
      return;
    }
    case 'start': {
      const spec = hostArg(args);
      await startHost(spec);
      say(`${spec.name} is up, boot id ${bootId(spec.name)}`);
      return;
    }
    case 'reboot': {
      const spec = hostArg(args);
      const r = await rebootHost(spec, { wait: !flag(args, '--no-wait') });
      say(`${spec.name} rebooted: boot id ${r.previousBootId} -> ${r.bootId ?? '(not waited for)'}`);
      return;
    }
    case 'reboot-mode': {
      const spec = hostArg(args);
      const mode = args.shift() ?? '';
      if (!/^(normal|never|delay:[0-9]+)$/.test(mode))
        throw new UsageError('reboot-mode: normal, never or delay:SECONDS');
      writeFileSync(hostFiles(spec.name).rebootMode, `${mode}\n`);
      say(`${spec.name}: its own reboot now behaves "${mode}"`);
      return;
    }
    case 'exec': {
      const spec = hostArg(args);
      const user = option(args, '--user', undefined);
      if (args[0] === '--') args.shift();
      if (args.length === 0) throw new UsageError('exec HOST [--user USER] -- CMD...');
      process.exitCode = execInHostInteractive(spec.name, args, { user });
      return;
    }
    case 'ssh': {
      const spec = hostArg(args);
      if (args[0] === '--') args.shift();
      const r = spawnSync('ssh', sshArgs(spec, args), { stdio: 'inherit', env: cleanEnv() });
      process.exitCode = r.status ?? 255;
      return;
    }
    case 'hold-dpkg-lock':
    case 'hold-rpm-lock': {
      const spec = hostArg(args);
      const rpm = cmd === 'hold-rpm-lock';
      const as = option(args, '--as', rpm ? 'dnf-automatic' : 'unattended-upgr');
      const seconds = Number(args.shift() ?? '60');
      if (!Number.isInteger(seconds) || seconds < 1)
        throw new UsageError(`${cmd} HOST [SECONDS] [--as NAME]`);
      const held = await holdDpkgLock(spec.name, seconds, as, rpm ? PM_LOCK_FILES.rpm : PM_LOCK_FILES.dpkg);
      say(
        `${spec.name}: ${rpm ? 'rpm' : 'dpkg'} locks held by process ${held.pid} (${held.name}) for ${seconds} s`,
      );
      return;
    }
    case 'release-dpkg-lock': {
      const spec = hostArg(args);
      say(
        releaseDpkgLock(spec.name)
          ? `${spec.name}: dpkg locks released`
          : `${spec.name}: no lock holder running`,
      );
      return;
    }
    case 'fill-disk': {
      const spec = hostArg(args);
      process.stdout.write(fillDisk(spec.name));
      return;
    }
    case 'free-disk': {
      const spec = hostArg(args);
      process.stdout.write(freeDisk(spec.name));
      return;
    }
    case 'change-host-key': {
      const spec = hostArg(args);
      const r = await changeHostKey(spec);
      say(`${spec.name}: new host keys (not in .lab/repo/known_hosts):`);
      process.stdout.write(`${r.after.join('\n')}\n`);
      return;
    }
    case 'slow-apt': {
      const spec = hostArg(args);
      const seconds = Number(args.shift());
      if (!Number.isInteger(seconds) || seconds < 0) throw new UsageError('slow-apt HOST SECONDS');
      slowApt(spec.name, seconds);
      say(
        `${spec.name}: apt's dpkg runs ${seconds > 0 ? `wait ${seconds} s first` : 'are no longer slowed'}`,
      );
      return;
    }
    case 'kill-sessions': {
      const spec = hostArg(args);
      const sshdOnly = args.includes('--sshd-only');
      say(`${spec.name}: killed ${killSessions(spec.name, { sshdOnly })} process(es)`);
      return;
    }
    case 'sudo': {
      const spec = hostArg(args);
      const what = args.shift();
      if (what !== 'deny' && what !== 'allow') throw new UsageError('sudo HOST deny|allow');
      setSudo(spec.name, what === 'allow', paths.base);
      say(`${spec.name}: sudo ${what === 'allow' ? 'allowed' : 'denied'} for patchctl`);
      return;
    }
    case 'known-hosts': {
      const fleet = readFleet();
      if (!fleet) throw new LabError('the lab is not up');
      for (const h of fleet.hosts)
        if (sshdPid(h.name)) process.stdout.write(`${hostKeyLines(h).join('\n')}\n`);
      return;
    }
    case 'host-exec-json': {
      // For test helpers: run a command in a host, print { status, stdout, stderr } as JSON.
      const spec = hostArg(args);
      const user = option(args, '--user', undefined);
      if (args[0] === '--') args.shift();
      process.stdout.write(`${JSON.stringify(execInHost(spec.name, args, { user }))}\n`);
      return;
    }
    default:
      throw new UsageError(`unknown command "${cmd}"`);
  }
}

// `lab status | head` must not end in an EPIPE stack trace.
process.stdout.on('error', (e) => {
  if (e.code !== 'EPIPE') throw e;
});

try {
  await main(process.argv.slice(2));
} catch (e) {
  if (e instanceof UsageError) {
    process.stderr.write(`lab: ${e.message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else if (e instanceof LabError) {
    process.stderr.write(`lab: ${e.message}\n`);
    process.exitCode = 1;
  } else {
    throw e;
  }
}
