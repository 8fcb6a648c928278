// What the simulated dnf and zypper hosts share (docs/architecture.md, "Two fleets"): an rpm
// database seeded like the lab's RPM layers (lab/lib/rpm.mjs), the lab's RPM repository, the lock
// (versionlock / zypper lock) and the rules rpm keeps in a transaction: an installonly kernel is
// installed beside the running one, a package whose %pre fails stays at its old version, a locked
// package is never changed. `rpm -qa --qf` answers are rendered from the query format the
// driver's script itself carries, so that a change of the format changes the answer with it.
import { compareRpmEvr } from '../core/versions/rpm.js';
import { INSTALLONLY_PROVIDES } from '../drivers/rpm/query.js';
import type { LinuxHostOptions } from './linux-host.js';
import { SimLinuxHost } from './linux-host.js';
import type { SimRpmPackageSpec } from './rpm-packages.js';
import { RPM_LAB_PACKAGES } from './rpm-packages.js';
import type { SimLockHolder } from './simulated-host.js';

export interface SimRpmEntry {
  name: string;
  /** null: rpm's `(none)`. */
  epoch: string | null;
  version: string;
  release: string;
  arch: string;
  sourcerpm: string;
  /** Seconds since the epoch. */
  installtime: number;
}

export interface RpmHostOptions extends LinuxHostOptions {
  packages?: readonly SimRpmPackageSpec[];
  /** How long an install that changes something takes before it answers (default 0). */
  installWorkMs?: number;
}

/** One package a request names (dnf's NEVRA, zypper's `name[.arch]=edition`). */
export interface RpmRequest {
  name: string;
  arch?: string;
  /** `[epoch:]version-release`. */
  evr: string;
}

/** What rpm would do with a request, before the transaction runs. */
export type RpmVerdict =
  | { kind: 'upgrade'; spec: SimRpmPackageSpec; from: SimRpmEntry; to: SimRpmEntry }
  | { kind: 'install-beside'; spec: SimRpmPackageSpec; to: SimRpmEntry }
  | { kind: 'not-installed'; request: RpmRequest }
  | { kind: 'not-found'; request: RpmRequest }
  | { kind: 'not-newer'; request: RpmRequest; installed: SimRpmEntry }
  | { kind: 'locked'; request: RpmRequest; installed: SimRpmEntry; spec: SimRpmPackageSpec };

export type RpmChange = Extract<RpmVerdict, { kind: 'upgrade' | 'install-beside' }>;

const DISK_TOTAL_KB = 264_212_084;

export const evrText = (p: { epoch: string | null; version: string; release: string }): string =>
  `${p.epoch === null || p.epoch === '0' ? '' : `${p.epoch}:`}${p.version}-${p.release}`;

export const nevraText = (p: SimRpmEntry): string => `${p.name}-${evrText(p)}.${p.arch}`;

export abstract class SimRpmHost extends SimLinuxHost {
  /** rpm's database, in its own order (new packages at the end, as `rpm -qa` lists them). */
  readonly rpmdb: SimRpmEntry[] = [];
  /** Names locked against change (dnf versionlock, zypper locks). */
  readonly locked = new Set<string>();
  /** Another process holds the package manager's lock (a fault) until the next boot. */
  lockHolder: SimLockHolder | undefined;
  /** `stat -c %Y /proc/1`: when the host booted. */
  bootTime: number;
  protected readonly specs: Map<string, SimRpmPackageSpec>;
  protected readonly installWorkMs: number | undefined;

  constructor(
    options: RpmHostOptions,
    release: { name: string; version: string; release: string; arch: string },
  ) {
    super(options, 80_522_644);
    this.installWorkMs = options.installWorkMs;
    this.specs = new Map((options.packages ?? RPM_LAB_PACKAGES).map((p) => [p.name, p]));
    const seeded = this.hostSeconds() - 6_000;
    this.bootTime = this.hostSeconds() - 60;
    this.rpmdb.push(entry(release.name, release.version, release.release, release.arch, seeded));
    // The lab seeds the packages in the reverse of RPM_PACKAGES' order (rpm -qa lists them so).
    for (const p of [...this.specs.values()].reverse()) {
      this.rpmdb.push(entry(p.name, p.old[0], p.old[1], p.arch, seeded));
      if (p.held === true) this.locked.add(p.name);
    }
  }

  get packageLock(): SimLockHolder | undefined {
    return this.lockHolder;
  }

  set packageLock(holder: SimLockHolder | undefined) {
    this.lockHolder = holder;
  }

  protected onBoot(): void {
    this.lockHolder = undefined;
    this.bootTime = this.hostSeconds();
  }

  versions(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const name of [...this.specs.keys()].sort()) out[name] = this.installedVersions(name).at(-1) ?? '';
    return out;
  }

  installedVersions(name: string): string[] {
    return this.installedOf(name).map(evrText);
  }

  /** The installed entries of a name, oldest first (rpmvercmp). */
  installedOf(name: string, arch?: string): SimRpmEntry[] {
    return this.rpmdb
      .filter((p) => p.name === name && (arch === undefined || p.arch === arch))
      .sort((a, b) => compareRpmEvr(evrText(a), evrText(b)));
  }

  /** The repository's candidate of an installed test package when newer than what is installed. */
  upgradable(): { spec: SimRpmPackageSpec; from: SimRpmEntry; to: SimRpmEntry }[] {
    const out: { spec: SimRpmPackageSpec; from: SimRpmEntry; to: SimRpmEntry }[] = [];
    for (const spec of [...this.specs.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const from = this.installedOf(spec.name).at(-1);
      const to = entry(spec.name, spec.new[0], spec.new[1], spec.arch, 0);
      if (from !== undefined && compareRpmEvr(evrText(to), evrText(from)) > 0) out.push({ spec, from, to });
    }
    return out;
  }

  /** What rpm would do with each request (in request order). */
  judge(requests: readonly RpmRequest[]): RpmVerdict[] {
    return requests.map((request): RpmVerdict => {
      const spec = this.specs.get(request.name);
      const installed = this.installedOf(request.name, request.arch).at(-1);
      if (installed === undefined) return { kind: 'not-installed', request };
      if (spec === undefined) return { kind: 'not-found', request };
      const published = [spec.old, spec.new].map(([v, r]) => entry(spec.name, v, r, spec.arch, 0));
      const to = published.find(
        (p) => compareRpmEvr(evrText(p), request.evr) === 0 && (request.arch ?? p.arch) === p.arch,
      );
      if (to === undefined) return { kind: 'not-found', request };
      if (compareRpmEvr(evrText(to), evrText(installed)) <= 0)
        return { kind: 'not-newer', request, installed };
      if (this.locked.has(spec.name)) return { kind: 'locked', request, installed, spec };
      return spec.kernel === true
        ? { kind: 'install-beside', spec, to }
        : { kind: 'upgrade', spec, from: installed, to };
    });
  }

  /**
   * Runs the changes in order: rpm installs each new package (at the end of the database), erases
   * the old one of an upgrade, and refuses one whose %pre fails. Returns those that failed.
   */
  commit(changes: readonly RpmChange[]): RpmChange[] {
    const failed: RpmChange[] = [];
    const now = this.hostSeconds();
    for (const c of changes) {
      if (c.kind === 'upgrade' && c.spec.failingPre === true) {
        failed.push(c);
        continue;
      }
      if (c.kind === 'upgrade') this.rpmdb.splice(this.rpmdb.indexOf(c.from), 1);
      this.rpmdb.push({ ...c.to, installtime: now });
      if (c.spec.kernel === true) this.rebootRequired = true;
    }
    return failed;
  }

  /** `rpm -qa --qf FORMAT` (rpm's escapes \t and \n, `%{TAG}`; `(none)` for an absent epoch). */
  queryAll(format: string): string {
    return this.rpmdb.map((p) => renderQuery(format, p)).join('');
  }

  /** `rpm -q --qf FORMAT NAME`, or rpm's message when it is not installed. */
  queryOne(format: string, name: string): string {
    const found = this.rpmdb.filter((p) => p.name === name);
    if (found.length === 0) return `package ${name} is not installed\n`;
    return found.map((p) => renderQuery(format, p)).join('');
  }

  /** `rpm -q --qf '%{NAME}\n' --whatprovides P…` over INSTALLONLY_PROVIDES (drivers/rpm/query.ts). */
  installonlyOutput(): string {
    const kernels = this.rpmdb.filter((p) => this.specs.get(p.name)?.kernel === true);
    return INSTALLONLY_PROVIDES.map((provide) =>
      /^(installonlypkg|multiversion)\(kernel\)$/.test(provide) && kernels.length > 0
        ? kernels.map((k) => `${k.name}\n`).join('')
        : `no package provides ${provide}\n`,
    ).join('');
  }

  /** `df -Pk PATH` on the host's overlay (the captures' column widths). */
  dfOutput(): string {
    const avail = Math.max(0, Math.min(this.diskFreeKb, DISK_TOTAL_KB));
    const used = Math.max(0, DISK_TOTAL_KB - avail - 157_821_172);
    const capacity = Math.ceil((used * 100) / Math.max(1, used + avail));
    return (
      'Filesystem     1024-blocks     Used Available Capacity Mounted on\n' +
      `${'ovl'.padEnd(14)} ${String(DISK_TOTAL_KB).padStart(11)} ${String(used).padStart(8)} ${String(avail).padStart(9)} ${`${capacity}%`.padStart(8)} /\n`
    );
  }
}

function entry(
  name: string,
  version: string,
  release: string,
  arch: string,
  installtime: number,
): SimRpmEntry {
  return {
    name,
    epoch: null,
    version,
    release,
    arch,
    sourcerpm: `${name}-${version}-${release}.src.rpm`,
    installtime,
  };
}

const TAGS: Readonly<Record<string, (p: SimRpmEntry) => string>> = {
  NAME: (p) => p.name,
  EPOCH: (p) => p.epoch ?? '(none)',
  VERSION: (p) => p.version,
  RELEASE: (p) => p.release,
  ARCH: (p) => p.arch,
  SOURCERPM: (p) => p.sourcerpm,
  INSTALLTIME: (p) => String(p.installtime),
};

/** One package rendered with an rpm query format; an unknown tag prints `(none)`, as rpm does. */
export function renderQuery(format: string, p: SimRpmEntry): string {
  return format
    .replace(/%\{([A-Z]+)\}/g, (_m, tag: string) => TAGS[tag]?.(p) ?? '(none)')
    .replace(/\\t/g, '\t')
    .replace(/\\n/g, '\n');
}

/** The query format of the first `rpm -qa --qf '…'` in a driver's script (its own constant). */
export function queryFormatIn(script: string, command = 'rpm -qa --qf'): string | undefined {
  const at = script.indexOf(`${command} '`);
  if (at === -1) return undefined;
  const start = at + command.length + 2;
  const end = script.indexOf("'", start);
  return end === -1 ? undefined : script.slice(start, end);
}
