// One simulated Debian 12 apt host of the lab (lab/lib/base.mjs, packages.mjs): its state, and the
// answer to each command patchctl's apt driver sends, as the real commands print it (the captures
// in src/drivers/apt/__fixtures__). Pure: no sockets, no timers; the fleet (fleet.ts) carries out
// the effects (delays, holds, reboots). Commands are recognised by rebuilding them with the
// driver's own builders and comparing the whole command line: anything else exits 127. What every
// simulated Linux host shares (remote lock, Linux facts, batches, reboot, sudo) is linux-host.ts.
import { compareDebVersions } from '../core/versions/deb.js';
import {
  factsCommand,
  installCommand,
  installedCommand,
  preflightCommand,
  rebootRequiredCommand,
  refreshCommand,
  restartCheckCommand,
  simulateInstallCommand,
  updatesCommand,
} from '../drivers/apt/commands.js';
import { INSTALL_LOGS_KEPT, INSTALL_MARK_LOCK } from '../drivers/apt/scripts.js';
import type { PackageRef } from '../drivers/types.js';
import type { LabSuite, SimPackageSpec } from './lab-packages.js';
import {
  LAB_ORIGIN,
  LAB_PACKAGES,
  LAB_RELEASE_VERSION,
  LAB_REPO_URI,
  LAB_SUITE_ORDER,
  LAB_SUITES,
  VERSION_INSTALLED,
  publishedVersions,
} from './lab-packages.js';
import type { LinuxHostOptions, SimCommand } from './linux-host.js';
import { SimLinuxHost, reply, sections, tryBuild } from './linux-host.js';
import { MINBASE_PACKAGES } from './minbase-packages.js';
import type { SimLockHolder, SimReply } from './simulated-host.js';

export type { ReplyRewrite, SimEffect, SimReply, SimReservation } from './simulated-host.js';

export interface SimInstalled {
  name: string;
  arch: string;
  version: string;
  /** dpkg's selection: `hold` after apt-mark hold. */
  want: 'install' | 'hold';
  state: 'installed' | 'half-configured';
  source: string;
  sourceVersion: string;
  /** The last version configured successfully (the postinst's `configure` argument). */
  configured?: string;
}

/** A log pair the install wrapper kept in /var/log/patchctl. */
export interface SimWrapperLog {
  name: string;
  stdout: string;
  stderr: string;
}

/**
 * `seed` also draws inode numbers; /var/cache/apt/archives, /var/lib/dpkg, /boot and / share the
 * host's 512 MiB overlay (`diskFreeKb`); the lab's user patchctl (uid 2000) may run `sudo -n`.
 */
export interface AptHostOptions extends LinuxHostOptions {
  packages?: readonly SimPackageSpec[];
  /** How long an install that unpacks packages takes before it answers (default 0). */
  installWorkMs?: number;
}

const DISK_TOTAL_KB = 524_288; // lab/lib/fleet.mjs DEFAULT_DISK_SIZE 512m
const OVERLAY_DEV = 42;
const NATIVE_ARCH = 'amd64';
const APT_VERSION = '2.6.1';
const OS_RELEASE = `PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
`;
const LOCK_FILES = [
  '/var/lib/dpkg/lock-frontend',
  '/var/lib/dpkg/lock',
  '/var/cache/apt/archives/lock',
  '/var/lib/apt/lists/lock',
] as const;
const READING = 'Reading package lists...\nBuilding dependency tree...\nReading state information...\n';
const NONROOT_NOTE = `NOTE: This is only a simulation!
      apt-get needs root privileges for real execution.
      Keep also in mind that locking is deactivated,
      so don't depend on the relevance to the real current situation!
`;
const DEBCONF = 'debconf: delaying package configuration, since apt-utils is not installed\n';
const FRONTEND_LOCK_FAILED =
  'E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), is another process using it?\n';

/** One package an install upgrades: `name` is `name:arch` for a foreign architecture. */
interface SimUpgrade {
  name: string;
  arch: string;
  from: string;
  to: string;
  spec: SimPackageSpec;
}

/** A process holding the dpkg locks (a fault: unattended-upgrades, another apt). */
export type DpkgLockHolder = SimLockHolder;

export class SimAptHost extends SimLinuxHost {
  readonly family = 'deb';
  readonly osId = 'debian';
  /** /run/reboot-required.pkgs, one line per postinst that asked. */
  rebootRequiredPkgs: string[] = [];
  readonly installed = new Map<string, SimInstalled>();
  dpkgLock: DpkgLockHolder | undefined;
  /** /run/lock/patchctl-apt.lock exists (the wrapper made it; /run is fresh after a boot). */
  wrapperMark = false;
  readonly wrapperLogs: SimWrapperLog[] = [];
  private readonly specs: Map<string, SimPackageSpec>;
  private readonly installWorkMs: number | undefined;
  private readonly inodes: number[];
  private pid = 100;

  constructor(options: AptHostOptions) {
    super(options, 524_244);
    this.installWorkMs = options.installWorkMs;
    this.specs = new Map((options.packages ?? LAB_PACKAGES).map((p) => [p.name, p]));
    this.inodes = [...LOCK_FILES, INSTALL_MARK_LOCK].map(
      () => 5_000_000 + Math.floor(this.random() * 900_000),
    );
    for (const [name, arch, version, source, sourceVersion] of MINBASE_PACKAGES) {
      this.installed.set(name, {
        name,
        arch,
        version,
        want: 'install',
        state: 'installed',
        source,
        sourceVersion,
      });
    }
    for (const p of this.specs.values()) {
      this.installed.set(p.name, {
        name: p.name,
        arch: 'all',
        version: VERSION_INSTALLED,
        want: p.held === true ? 'hold' : 'install',
        state: 'installed',
        source: p.name,
        sourceVersion: VERSION_INSTALLED,
        configured: VERSION_INSTALLED,
      });
    }
  }

  /**
   * A test package more: installed for each of `instances` (a foreign architecture, such as i386
   * next to amd64, is multi-arch: `name:arch` in apt's and dpkg's output). Its published versions
   * are the spec's, for every architecture.
   */
  addPackage(spec: SimPackageSpec, instances: readonly { arch: string; version: string }[]): void {
    this.specs.set(spec.name, spec);
    for (const { arch, version } of instances) {
      const pkg: SimInstalled = {
        name: spec.name,
        arch,
        version,
        want: spec.held === true ? 'hold' : 'install',
        state: 'installed',
        source: spec.name,
        sourceVersion: version,
        configured: version,
      };
      this.installed.set(qualifiedName(pkg), pkg);
    }
  }

  /** The installed version of each test package (what the lab's versionsOn reads). */
  versions(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of [...this.specs.keys()].sort()) out[name] = this.installed.get(name)?.version ?? '';
    return out;
  }

  /** The dpkg locks' holder (the fault helpers' unattended-upgrades). */
  get packageLock(): SimLockHolder | undefined {
    return this.dpkgLock;
  }

  set packageLock(holder: SimLockHolder | undefined) {
    this.dpkgLock = holder;
  }

  installedVersions(name: string): string[] {
    return [...this.installed.values()].filter((p) => p.name === name).map((p) => p.version);
  }

  protected osRelease(): string {
    return OS_RELEASE;
  }

  protected override debianRebootFlag(): boolean {
    return this.rebootRequired;
  }

  /** A fresh /run: the reboot-required files, the wrapper's mark and the lock holders are gone. */
  protected onBoot(): void {
    this.rebootRequiredPkgs = [];
    this.wrapperMark = false;
    this.dpkgLock = undefined;
  }

  protected answerDriver({ parsed, root, is }: SimCommand): SimReply | undefined {
    if (is(factsCommand())) return reply(0, this.factsOutput(), '');
    if (is(rebootRequiredCommand())) return reply(0, this.rebootRequiredOutput(), '');
    if (is(installedCommand())) return reply(0, this.installedOutput(), '');
    if (is(updatesCommand())) return reply(0, this.updatesOutput(root), '');
    if (is(preflightCommand())) return reply(0, this.preflightOutput(), '');
    if (is(restartCheckCommand())) {
      // debian-goodies is not in a minbase root: env's own message (lab-checkrestart-missing).
      return reply(127, '', "env: 'checkrestart': No such file or directory\n");
    }
    const { argv } = parsed;
    const timeout = lockTimeoutOf(argv);
    if (timeout !== undefined && argv[4] === 'apt-get' && argv[5] === 'update') {
      if (is(refreshCommand({ lockTimeoutSeconds: timeout })))
        return this.wrapped(root, () => this.refresh(root));
    }
    const refs = packageRefsOf(argv);
    if (refs !== undefined) {
      if (
        timeout !== undefined &&
        is(tryBuild(() => installCommand(refs, { lockTimeoutSeconds: timeout })))
      ) {
        return this.wrapped(root, () => this.install(refs, root, timeout));
      }
      if (is(tryBuild(() => simulateInstallCommand(refs)))) return this.simulateInstall(refs);
    }
    return undefined;
  }

  // ------------------------------------------------------------------ read-only commands

  private factsOutput(): string {
    return sections([
      ...this.linuxFactsSections(),
      ['reboot-required-pkgs', this.rebootRequiredPkgs.map((p) => `${p}\n`).join('')],
      ['dpkg-arch', `${NATIVE_ARCH}\n`],
      ['apt-version', `${this.installed.get('apt')?.version ?? APT_VERSION}\n`],
    ]);
  }

  private rebootRequiredOutput(): string {
    return sections(this.rebootSections());
  }

  private rebootSections(): [string, string][] {
    return [
      ['reboot-required', this.rebootRequired ? 'yes\n' : 'no\n'],
      ['reboot-required-pkgs', this.rebootRequiredPkgs.map((p) => `${p}\n`).join('')],
    ];
  }

  private installedOutput(): string {
    return [...this.installed.values()]
      .sort(byNameThenArch)
      .map(
        (p) =>
          `${p.name}\t${p.arch}\t${p.version}\t${p.want} ok ${p.state}\t${p.source}\t${p.sourceVersion}\n`,
      )
      .join('');
  }

  /** The candidate of an installed test package when newer than what is installed. */
  private upgradable(): { pkg: SimInstalled; to: string; spec: SimPackageSpec }[] {
    const out: { pkg: SimInstalled; to: string; spec: SimPackageSpec }[] = [];
    const byName = new Map<string, SimInstalled[]>();
    for (const p of [...this.installed.values()].sort(byNameThenArch))
      byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
    for (const spec of [...this.specs.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const candidate = publishedVersions(spec)[0]?.version;
      if (candidate === undefined) continue;
      for (const pkg of byName.get(spec.name) ?? [])
        if (compareDebVersions(candidate, pkg.version) > 0) out.push({ pkg, to: candidate, spec });
    }
    return out;
  }

  private updatesOutput(root: boolean): string {
    const all = this.upgradable();
    const kept = all.filter((u) => u.pkg.want === 'hold');
    const upgrades = all.filter((u) => u.pkg.want !== 'hold');
    let sim = (root ? '' : NONROOT_NOTE) + READING + 'Calculating upgrade...\n';
    if (kept.length > 0)
      sim += `The following packages have been kept back:\n${wrapList(kept.map((u) => qualifiedName(u.pkg)))}`;
    if (upgrades.length > 0)
      sim += `The following packages will be upgraded:\n${wrapList(upgrades.map((u) => qualifiedName(u.pkg)))}`;
    sim += `${upgrades.length} upgraded, 0 newly installed, 0 to remove and ${kept.length} not upgraded.\n`;
    for (const u of upgrades)
      sim += `Inst ${qualifiedName(u.pkg)} [${u.pkg.version}] (${u.to} ${relStr(u.spec, u.to)} [${u.pkg.arch}])\n`;
    for (const u of upgrades)
      sim += `Conf ${qualifiedName(u.pkg)} (${u.to} ${relStr(u.spec, u.to)} [${u.pkg.arch}])\n`;
    const held = [...this.installed.values()]
      .filter((p) => p.want === 'hold')
      .map((p) => p.name)
      .sort();
    const parts: [string, string, number?][] = [
      ['simulate', sim, 0],
      ['held', `${held.join('\n')}\n`, 0],
    ];
    if (held.length > 0) parts.push(['held-policy', held.map((n) => this.policyOf(n)).join(''), 0]);
    else parts.push(['held-policy', '']);
    parts.push(['package-files', packageFiles(), 0]);
    return sections(parts);
  }

  /** `apt-cache policy NAME` (apt 2.6). */
  private policyOf(name: string): string {
    const pkg = this.installed.get(name);
    const spec = this.specs.get(name);
    const published = spec ? publishedVersions(spec) : [];
    const versions = new Set([...published.map((p) => p.version), ...(pkg ? [pkg.version] : [])]);
    const sorted = [...versions].sort((a, b) => compareDebVersions(b, a));
    let out = `${name}:\n  Installed: ${pkg?.version ?? '(none)'}\n  Candidate: ${published[0]?.version ?? '(none)'}\n  Version table:\n`;
    for (const v of sorted) {
      const suites = published.find((p) => p.version === v)?.suites ?? [];
      const current = pkg?.version === v;
      out += ` ${current ? '***' : '   '} ${v} ${suites.length > 0 ? 500 : 100}\n`;
      for (const s of suites) out += `        500 ${LAB_REPO_URI} ${s}/main ${NATIVE_ARCH} Packages\n`;
      if (current) out += '        100 /var/lib/dpkg/status\n';
    }
    return out;
  }

  private preflightOutput(): string {
    const files = [...LOCK_FILES, ...(this.wrapperMark ? [INSTALL_MARK_LOCK] : [])];
    const lockFiles = files.map((f, i) => `${OVERLAY_DEV} ${this.inodes[i] ?? 0} ${f}\n`).join('');
    let holders = '';
    if (this.dpkgLock !== undefined) {
      // As /proc/locks shows them on a lab host: the upper tmpfs device, not the overlay's.
      const { pid, command } = this.dpkgLock;
      holders =
        `1: POSIX  ADVISORY  WRITE ${pid} 00:28:${this.inodes[1] ?? 0} 0 EOF\t${command}\n` +
        `2: POSIX  ADVISORY  WRITE ${pid} 00:28:${this.inodes[0] ?? 0} 0 EOF\t${command}\n`;
    }
    const half = [...this.installed.values()].filter((p) => p.state === 'half-configured');
    const audit =
      half.length === 0
        ? ''
        : 'The following packages are only half configured, probably due to problems\n' +
          'configuring them the first time.  The configuration should be retried using\n' +
          'dpkg --configure <package> or the configure menu option in dselect:\n' +
          half.map((p) => ` ${p.name.padEnd(20)} ${this.specs.get(p.name)?.description ?? ''}\n`).join('') +
          '\n';
    const df = ['/var/cache/apt/archives', '/var/lib/dpkg', '/boot', '/']
      .map((p) => `path ${p}\n${dfOutput(this.diskFreeKb)}`)
      .join('');
    return sections([
      ['lock-files', lockFiles],
      ['lock-holders', holders],
      ['dpkg-updates', ''],
      ['dpkg-audit', audit, 0],
      ['df', df],
    ]);
  }

  private simulateInstall(refs: readonly PackageRef[]): SimReply {
    const t = this.transaction(refs);
    if (t.failure) return t.failure;
    let out = t.head;
    for (const u of t.upgrades)
      out += `Inst ${u.name} [${u.from}] (${u.to} ${relStr(u.spec, u.to)} [${u.arch}])\n`;
    for (const u of t.upgrades) out += `Conf ${u.name} (${u.to} ${relStr(u.spec, u.to)} [${u.arch}])\n`;
    return reply(0, out, '');
  }

  // ------------------------------------------------------------------ commands that change the host

  /** INSTALL_WRAPPER_SCRIPT: the mark lock, and the output kept in /var/log/patchctl (root only). */
  private wrapped(root: boolean, run: () => SimReply): SimReply {
    const r = run();
    // Without root the wrapper cannot make its log directory and runs the command directly.
    if (root) {
      this.wrapperMark = true;
      const stamp = this.now()
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d+Z$/, 'Z');
      this.wrapperLogs.push({ name: `apt-${stamp}-${this.nextPid()}`, stdout: r.stdout, stderr: r.stderr });
      while (this.wrapperLogs.length > INSTALL_LOGS_KEPT) this.wrapperLogs.shift();
    }
    return r;
  }

  private refresh(root: boolean): SimReply {
    if (!root) {
      return reply(
        100,
        '',
        'E: Could not open lock file /var/lib/apt/lists/lock - open (13: Permission denied)\nE: Unable to lock directory /var/lib/apt/lists/\n',
      );
    }
    // Release sizes are estimates: the lab's Release files are not captured.
    const [a, b] = LAB_SUITE_ORDER;
    const out = [
      `Get:1 ${LAB_REPO_URI} ${a} InRelease`,
      `Ign:1 ${LAB_REPO_URI} ${a} InRelease`,
      `Get:2 ${LAB_REPO_URI} ${b} InRelease`,
      `Ign:2 ${LAB_REPO_URI} ${b} InRelease`,
      `Get:3 ${LAB_REPO_URI} ${a} Release [612 B]`,
      `Get:3 ${LAB_REPO_URI} ${a} Release [612 B]`,
      `Get:4 ${LAB_REPO_URI} ${b} Release [648 B]`,
      `Get:4 ${LAB_REPO_URI} ${b} Release [648 B]`,
      `Get:5 ${LAB_REPO_URI} ${a} Release.gpg`,
      `Ign:5 ${LAB_REPO_URI} ${a} Release.gpg`,
      `Get:6 ${LAB_REPO_URI} ${b} Release.gpg`,
      `Ign:6 ${LAB_REPO_URI} ${b} Release.gpg`,
      'Reading package lists...',
      '',
    ].join('\n');
    return reply(0, out, '');
  }

  private install(refs: readonly PackageRef[], root: boolean, lockTimeout: number): SimReply {
    if (!root) {
      return reply(
        100,
        '',
        'E: Could not open lock file /var/lib/dpkg/lock-frontend - open (13: Permission denied)\n' +
          'E: Unable to acquire the dpkg frontend lock (/var/lib/dpkg/lock-frontend), are you root?\n',
      );
    }
    if (this.dpkgLock !== undefined) {
      const { pid, command } = this.dpkgLock;
      const held = `Could not get lock /var/lib/dpkg/lock-frontend. It is held by process ${pid} (${command})`;
      if (lockTimeout === 0) return reply(100, '', `E: ${held}\n${FRONTEND_LOCK_FAILED}`);
      const waiting = `Waiting for cache lock: ${held}...\n`.repeat(Math.min(lockTimeout, 600));
      return {
        ...reply(100, waiting, FRONTEND_LOCK_FAILED),
        effects: [{ kind: 'wait', ms: lockTimeout * 1000 }],
      };
    }
    const t = this.transaction(refs);
    if (t.failure) return t.failure;
    const r = this.unpackAndConfigure(t);
    const work = t.upgrades.length > 0 ? (this.installWorkMs ?? 0) : 0;
    return work > 0 ? { ...r, effects: [...r.effects, { kind: 'wait', ms: work }] } : r;
  }

  private unpackAndConfigure(t: ReturnType<SimAptHost['transaction']>): SimReply {
    let out = t.head;
    const pending = [...this.installed.values()].filter(
      (p) => p.state === 'half-configured' && !t.upgrades.some((u) => u.name === qualifiedName(p)),
    );
    if (t.upgrades.length === 0 && pending.length === 0) return reply(0, out, '');
    let err = DEBCONF;
    if (t.upgrades.length > 0) {
      const size = t.upgrades.reduce((n, u) => n + debSize(u.spec), 0);
      out += `Need to get 0 B/${size} B of archives.\n`;
      out += 'After this operation, 0 B of additional disk space will be used.\n';
      t.upgrades.forEach((u, i) => {
        const suite = publishedVersions(u.spec).find((p) => p.version === u.to)?.suites[0] ?? 'fleet';
        const index = u.arch === 'all' ? NATIVE_ARCH : u.arch;
        out += `Get:${i + 1} ${LAB_REPO_URI} ${suite}/main ${index} ${u.spec.name} ${u.arch} ${u.to} [${debSize(u.spec)} B]\n`;
      });
      out += `(Reading database ... ${6113 + 2 * this.specs.size} files and directories currently installed.)\n`;
      for (const u of t.upgrades) {
        const suite = publishedVersions(u.spec).find((p) => p.version === u.to)?.suites[0] ?? 'fleet';
        out += `Preparing to unpack ${summarizeFilename(`/srv/lab-apt/pool/${suite}/${u.spec.name}_${u.to}_${u.arch}.deb`)} ...\n`;
        out += `Unpacking ${u.name} (${u.to}) over (${u.from}) ...\n`;
        const pkg = this.installed.get(u.name);
        if (pkg) Object.assign(pkg, { version: u.to, sourceVersion: u.to, state: 'half-configured' });
      }
    }
    const failed: string[] = [];
    const configure = [...t.upgrades.map((u) => u.name), ...pending.map(qualifiedName)];
    for (const name of configure) {
      const pkg = this.installed.get(name);
      const spec = pkg && this.specs.get(pkg.name);
      if (!pkg || !spec) continue;
      out += `Setting up ${name} (${pkg.version}) ...\n`;
      const previous = pkg.configured;
      if (spec.failsOnUpgrade === true && pkg.version !== VERSION_INSTALLED && previous !== undefined) {
        err +=
          `${name}: postinst failed on purpose (lab test package, upgrade from ${previous})\n` +
          `dpkg: error processing package ${name} (--configure):\n` +
          ` installed ${name} package post-installation script subprocess returned error exit status 1\n`;
        failed.push(name);
        continue;
      }
      if (spec.requestsReboot === true) {
        this.rebootRequired = true;
        this.rebootRequiredPkgs.push(pkg.name);
      }
      pkg.state = 'installed';
      pkg.configured = pkg.version;
    }
    if (failed.length > 0) {
      err += `Errors were encountered while processing:\n${failed.map((n) => ` ${n}\n`).join('')}`;
      err += 'E: Sub-process /usr/bin/dpkg returned an error code (1)\n';
      return reply(100, out, err);
    }
    return reply(0, out, err);
  }

  /**
   * apt-get install --only-upgrade name=version…: resolved as apt does before acting, with the
   * lists and the summary line it prints, or the error it stops with.
   */
  private transaction(refs: readonly PackageRef[]): {
    head: string;
    upgrades: SimUpgrade[];
    failure?: SimReply;
  } {
    let head = READING;
    const errors: string[] = [];
    const notAvailable: string[] = [];
    const upgrades: SimUpgrade[] = [];
    const downgrades: string[] = [];
    const heldChanged: string[] = [];
    const newest: string[] = [];
    for (const ref of refs) {
      // `name` is the native (or `all`) package, `name:arch` a foreign one (multi-arch).
      const native = ref.arch === undefined || ref.arch === 'all' || ref.arch === NATIVE_ARCH;
      const key = native ? ref.name : `${ref.name}:${ref.arch ?? ''}`;
      const spec = this.specs.get(ref.name);
      const pkg = this.installed.get(key);
      const archOk = native || pkg !== undefined;
      if (!spec || !archOk) {
        if (pkg === undefined || !archOk) errors.push(`E: Unable to locate package ${key}`);
        else errors.push(`E: Version '${ref.version}' for '${key}' was not found`);
        continue;
      }
      const published = publishedVersions(spec).map((p) => p.version);
      if (!published.includes(ref.version) && pkg?.version !== ref.version) {
        notAvailable.push(key);
        errors.push(`E: Version '${ref.version}' for '${key}' was not found`);
        continue;
      }
      if (pkg === undefined) {
        head += `Skipping ${key}, it is not installed and only upgrades are requested.\n`;
        continue;
      }
      const order = compareDebVersions(ref.version, pkg.version);
      if (order === 0) {
        newest.push(`${key} is already the newest version (${pkg.version}).\n`);
        continue;
      }
      if (order < 0) downgrades.push(key);
      else upgrades.push({ name: key, arch: pkg.arch, from: pkg.version, to: ref.version, spec });
      if (pkg.want === 'hold') heldChanged.push(key);
    }
    if (errors.length > 0) {
      // As apt 2.6 prints it (host-simulate-install-version-not-found).
      for (const name of notAvailable) {
        head += `Package ${name} is not available, but is referred to by another package.\nThis may mean that the package is missing, has been obsoleted, or\nis only available from another source\n\n`;
      }
      return { head, upgrades: [], failure: reply(100, head, `${errors.join('\n')}\n`) };
    }
    head += newest.join('');
    const changing = new Set([...upgrades.map((u) => u.name), ...downgrades]);
    const notUpgraded = this.upgradable().filter((u) => !changing.has(qualifiedName(u.pkg))).length;
    if (heldChanged.length > 0)
      head += `The following held packages will be changed:\n${wrapList(heldChanged.sort())}`;
    if (downgrades.length > 0)
      head += `The following packages will be DOWNGRADED:\n${wrapList(downgrades.sort())}`;
    if (upgrades.length > 0)
      head += `The following packages will be upgraded:\n${wrapList(upgrades.map((u) => u.name).sort())}`;
    head += `${upgrades.length} upgraded, 0 newly installed, ${
      downgrades.length > 0 ? `${downgrades.length} downgraded, ` : ''
    }0 to remove and ${notUpgraded} not upgraded.\n`;
    upgrades.sort((a, b) => (a.name < b.name ? -1 : 1));
    if (heldChanged.length > 0) {
      const e = 'E: Held packages were changed and -y was used without --allow-change-held-packages.\n';
      return { head, upgrades: [], failure: reply(100, head, e) };
    }
    if (downgrades.length > 0) {
      const e = 'E: Packages were downgraded and -y was used without --allow-downgrades.\n';
      return { head, upgrades: [], failure: reply(100, head, e) };
    }
    return { head, upgrades };
  }

  private nextPid(): number {
    this.pid += 1 + Math.floor(this.random() * 50);
    return this.pid;
  }
}

/** The package as apt and dpkg name it: `name` for the native architecture and `all`, else `name:arch`. */
function qualifiedName(p: { name: string; arch: string }): string {
  return p.arch === 'all' || p.arch === NATIVE_ARCH ? p.name : `${p.name}:${p.arch}`;
}

function byNameThenArch(a: { name: string; arch: string }, b: { name: string; arch: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : a.arch < b.arch ? -1 : a.arch > b.arch ? 1 : 0;
}

function lockTimeoutOf(argv: readonly string[]): number | undefined {
  const m = argv.map((a) => /^DPkg::Lock::Timeout=(\d{1,5})$/.exec(a)).find((x) => x !== null);
  return m ? Number(m[1]) : undefined;
}

/** `name[:arch]=version` arguments after `--` of an apt-get install line. */
function packageRefsOf(argv: readonly string[]): PackageRef[] | undefined {
  if (!argv.includes('install')) return undefined;
  const dash = argv.indexOf('--');
  if (dash === -1) return undefined;
  const refs: PackageRef[] = [];
  for (const arg of argv.slice(dash + 1)) {
    const m = /^([^:=]+)(?::([^=]+))?=(.+)$/.exec(arg);
    if (m === null) return undefined;
    refs.push({ name: m[1] ?? '', version: m[3] ?? '', ...(m[2] === undefined ? {} : { arch: m[2] }) });
  }
  return refs.length > 0 ? refs : undefined;
}

/** apt's ShowList: two spaces, names wrapped before the 80th column. */
function wrapList(names: readonly string[]): string {
  const lines: string[] = [];
  let line = ' ';
  for (const n of names) {
    if (line.length > 1 && line.length + 1 + n.length >= 80) {
      lines.push(line);
      line = ' ';
    }
    line += ` ${n}`;
  }
  lines.push(line);
  return `${lines.join('\n')}\n`;
}

/** pkgCache::VerIterator::RelStr of a version: `Label:Version/Suite` for each suite carrying it. */
function relStr(spec: SimPackageSpec, version: string): string {
  const suites = publishedVersions(spec).find((p) => p.version === version)?.suites ?? [];
  return suites.map((s: LabSuite) => `${LAB_SUITES[s].label}:${LAB_RELEASE_VERSION}/${s}`).join(', ');
}

function packageFiles(): string {
  let out = 'Package files:\n 100 /var/lib/dpkg/status\n     release a=now\n';
  for (const s of [...LAB_SUITE_ORDER].reverse()) {
    out += ` 500 ${LAB_REPO_URI} ${s}/main ${NATIVE_ARCH} Packages\n`;
    out += `     release v=${LAB_RELEASE_VERSION},o=${LAB_ORIGIN},a=${s},n=${s},l=${LAB_SUITES[s].label},c=main,b=${NATIVE_ARCH}\n`;
  }
  return `${out}Pinned packages:\n`;
}

/** `df -Pk` of the host's overlay (GNU df's column widths, as in lab-preflight-lock-held-overlay). */
export function dfOutput(freeKb: number, totalKb = DISK_TOTAL_KB): string {
  const avail = Math.max(0, Math.min(freeKb, totalKb));
  const used = totalKb - avail;
  const capacity = used + avail === 0 ? 0 : Math.ceil((used * 100) / (used + avail));
  const cols = [String(totalKb), String(used), String(avail), `${capacity}%`];
  const widths = [11, 5, 9, 8].map((w, i) => Math.max(w, (cols[i] ?? '').length));
  const row = (fs: string, values: readonly string[], mount: string): string =>
    `${fs.padEnd(14)} ${values.map((v, i) => v.padStart(widths[i] ?? 0)).join(' ')} ${mount}\n`;
  return (
    row('Filesystem', ['1024-blocks', 'Used', 'Available', 'Capacity'], 'Mounted on') +
    row('overlay', cols, '/')
  );
}

/** dpkg's summarize_filename: leading directories dropped while the rest is over 30 characters. */
export function summarizeFilename(filename: string): string {
  let p = filename;
  while (p.length > 30 && p.includes('/')) p = p.slice(p.indexOf('/') + 1);
  return p === filename ? p : `.../${p}`;
}

/** The size of a lab .deb: an estimate (a few hundred bytes, as dpkg-deb builds them). */
function debSize(spec: SimPackageSpec): number {
  return 720 + spec.description.length + (spec.requestsReboot || spec.failsOnUpgrade ? 110 : 0);
}
