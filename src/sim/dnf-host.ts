// One simulated RHEL-like host of the mixed lab (lab/lib/rpm.mjs: AlmaLinux 9.4 release package,
// rpm + dnf 4.14, the lab's RPM repository, fleet-held version-locked): the answer to each command
// the dnf driver sends, in the shape of the driver's captures on the lab's EL 9 layer
// (src/drivers/dnf/__fixtures__/el9, README.md there). Commands are recognised by rebuilding them
// with the driver's own builders and comparing the whole command line (docs/architecture.md,
// "Two fleets"): anything else exits 127.
import {
  factsCommand,
  installCommand,
  installedCommand,
  preflightCommand,
  rebootRequiredCommand,
  refreshCommand,
  updatesCommand,
} from '../drivers/dnf/commands.js';
import {
  INSTALL_SCRIPT,
  INSTALL_SCRIPT_NAME,
  LOCK_TIMEOUT_MESSAGE,
  REBOOT_PACKAGES,
  UPGRADE_SCRIPT,
  UPGRADE_SCRIPT_NAME,
} from '../drivers/dnf/scripts.js';
import { parseNevra } from '../drivers/rpm/nevra.js';
import { RPM_QUERY_FORMAT } from '../drivers/rpm/query.js';
import type { PackageRef } from '../drivers/types.js';
import type { SimCommand } from './linux-host.js';
import type { ScriptSection, SectionAnswer } from './linux-host.js';
import { answerScript, reply, sections, tryBuild } from './linux-host.js';
import type { RpmChange, RpmHostOptions, RpmRequest, SimRpmEntry } from './rpm-host.js';
import { SimRpmHost, evrText, nevraText, queryFormatIn } from './rpm-host.js';
import { EL_OS_RELEASE, RELEASE_PACKAGES, RPM_LAB_ADVISORIES, RPM_LAB_REPO } from './rpm-packages.js';
import type { SimAdvisory } from './rpm-packages.js';
import type { SimReply } from './simulated-host.js';

const DNF_VERSION = '4.14.0';
const RULE = '='.repeat(80);
/** The order dnf 4.14 printed the lab's advisories in `updateinfo info` (el9/updates.stdout). */
const INFO_ORDER = ['FLEET-2026:0001', 'FLEET-2026:0003', 'FLEET-2026:0002'];

export class SimDnfHost extends SimRpmHost {
  readonly family = 'el';
  readonly osId = 'almalinux';
  private readonly rpmLockInode: number;

  constructor(options: RpmHostOptions) {
    super(options, RELEASE_PACKAGES.el);
    this.rpmLockInode = 5_000_000 + Math.floor(this.random() * 900_000);
  }

  protected osRelease(): string {
    return EL_OS_RELEASE;
  }

  protected answerDriver({ parsed, root, is }: SimCommand): SimReply | undefined {
    for (const build of [
      factsCommand,
      installedCommand,
      updatesCommand,
      preflightCommand,
      rebootRequiredCommand,
    ]) {
      const cmd = build();
      if (!is(cmd)) continue;
      const out = answerScript(cmd.argv[2] ?? '', this.answers());
      return out === undefined ? undefined : reply(0, out, '');
    }
    const { argv } = parsed;
    const seconds = /^\d{1,5}$/.test(argv[4] ?? '') ? Number(argv[4]) : undefined;
    if (seconds === undefined || argv[0] !== 'sh' || argv[1] !== '-c') return undefined;
    if (argv[2] === INSTALL_SCRIPT && argv[3] === INSTALL_SCRIPT_NAME) {
      if (is(refreshCommand({ lockTimeoutSeconds: seconds }))) return this.refresh(root);
      return undefined;
    }
    if (argv[2] === UPGRADE_SCRIPT && argv[3] === UPGRADE_SCRIPT_NAME) {
      const refs = nevraRefs(argv.slice(5));
      if (refs !== undefined && is(tryBuild(() => installCommand(refs, { lockTimeoutSeconds: seconds }))))
        return this.upgrade(argv.slice(5), refs, root, seconds);
    }
    return undefined;
  }

  // ------------------------------------------------------------------ read-only scripts

  /** Each section of the dnf driver's read-only scripts (el9/facts, installed, updates, preflight-clean). */
  private answers(): Record<string, SectionAnswer> {
    const linux = new Map(this.linuxFactsSections());
    const fromLinux = (s: ScriptSection): readonly [string] => [linux.get(s.name) ?? ''];
    const needsRestarting = this.needsRestarting();
    const h = this.lockHolder;
    return {
      'os-release': fromLinux,
      kernel: fromLinux,
      'boot-id': fromLinux,
      'reboot-required': fromLinux,
      'rpm-arch': () => ['x86_64\n'],
      'dnf-version': () => [`${DNF_VERSION}\n`],
      'needs-restarting': () => needsRestarting,
      'boot-time': () => [`${this.bootTime}\n`],
      'core-packages': () => [
        REBOOT_PACKAGES.map((n) =>
          this.queryOne('%{INSTALLTIME}\\t%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\\n', n),
        ).join(''),
      ],
      'rpm-qa': (s) => [this.queryAll(queryFormatIn(s.body) ?? RPM_QUERY_FORMAT), 0],
      installonly: () => [this.installonlyOutput()],
      versionlock: () => [this.versionlockText()],
      excludes: () => [''],
      ...this.updateAnswers(),
      'lock-files': () => [`39 ${this.rpmLockInode} /var/lib/rpm/.rpm.lock\n`],
      'lock-holders': () => [
        h ? `1: POSIX  ADVISORY  WRITE ${h.pid} 00:27:${this.rpmLockInode} 0 EOF\t${h.command}\n` : '',
      ],
      'pid-locks': () => [h ? `/var/lib/dnf/rpmdb_lock.pid\t${h.pid}\t${h.command}\n` : ''],
      'yum-transactions': () => [''],
      'dnf-check': () => ['', 0],
      df: (s) => [
        [...s.body.matchAll(/^for p in (.*); do$/gm)]
          .flatMap((m) => (m[1] ?? '').split(' '))
          // yum's cache directory does not exist on an EL 9 host: df skips what is not a directory.
          .filter((p) => p !== '/var/cache/yum')
          .map((p) => `path ${p}\n${this.dfOutput()}`)
          .join(''),
      ],
    };
  }

  /** `dnf needs-restarting -r`: exit 1 and the packages updated since boot, or exit 0. */
  private needsRestarting(): readonly [string, number] {
    if (!this.rebootRequired)
      return [
        'No core libraries or services have been updated since boot-up.\nReboot should not be necessary.\n',
        0,
      ];
    const since = REBOOT_PACKAGES.filter((n) =>
      this.rpmdb.some((p) => p.name === n && p.installtime > this.bootTime),
    );
    return [
      `Core libraries or services have been updated since boot-up:\n${(since.length > 0 ? since : ['kernel'])
        .map((n) => `  * ${n}\n`)
        .join('')}\n` +
        'Reboot is required to fully utilize these updates.\nMore information: https://access.redhat.com/solutions/27943\n',
      1,
    ];
  }

  /** versionlock.list: `name-epoch:version-release.*` of each locked package (el9/installed.stdout). */
  private versionlockText(): string {
    return [...this.locked]
      .flatMap((n) => this.installedOf(n))
      .map((p) => `${p.name}-${p.epoch ?? '0'}:${p.version}-${p.release}.*\n`)
      .join('');
  }

  /** check-update (exit 100 with updates), updateinfo list and info (el9/updates.stdout). */
  private updateAnswers(): Record<string, SectionAnswer> {
    const all = this.upgradable();
    const rows = all.map(
      (u) => [`${u.spec.name}.${u.spec.arch}`, evrText(u.to), RPM_LAB_REPO.alias] as const,
    );
    const pending = RPM_LAB_ADVISORIES.flatMap((a) =>
      all.filter((u) => a.packages.includes(u.spec.name)).map((u) => ({ a, nevra: nevraText(u.to) })),
    ).sort((x, y) => (x.nevra < y.nevra ? -1 : 1));
    const label = (a: SimAdvisory): string => (a.type === 'security' ? `${a.severity}/Sec.` : a.type);
    const idWidth = Math.max(0, ...pending.map((p) => p.a.id.length));
    const typeWidth = Math.max(0, ...pending.map((p) => label(p.a).length));
    const advisories = [...new Set(pending.map((p) => p.a))].sort(
      (x, y) => INFO_ORDER.indexOf(x.id) - INFO_ORDER.indexOf(y.id),
    );
    return {
      'check-update': () => (rows.length === 0 ? ['', 0] : [`\n${columns(rows)}`, 100]),
      'updateinfo-list': () => [
        pending.map((p) => `${p.a.id.padEnd(idWidth)} ${label(p.a).padEnd(typeWidth)} ${p.nevra}\n`).join(''),
        0,
      ],
      'updateinfo-info': () => [
        `${advisories.map(infoBlock).join('\n')}${advisories.length === 0 ? '\n' : ''}`,
        0,
      ],
    };
  }

  // ------------------------------------------------------------------ commands that change the host

  private refresh(root: boolean): SimReply {
    if (!root)
      return reply(
        1,
        '',
        'Error: This command has to be run with superuser privileges (under the root user on most systems).\n',
      );
    return reply(0, '', '');
  }

  /** UPGRADE_SCRIPT: `dnf upgrade NEVRA…`, then the requested, installed-after and holds sections. */
  private upgrade(
    args: readonly string[],
    refs: readonly PackageRef[],
    root: boolean,
    seconds: number,
  ): SimReply {
    const after = (): string => {
      const format = queryFormatIn(UPGRADE_SCRIPT, 'rpm -q --qf') ?? RPM_QUERY_FORMAT;
      return sections([
        ['requested', args.map((a) => `${a}\n`).join('')],
        ['installed-after', refs.map((r) => this.queryOne(format, r.name)).join('')],
        ['versionlock', this.versionlockText()],
        ['excludes', ''],
      ]);
    };
    if (!root) {
      return reply(
        1,
        after(),
        'Error: This command has to be run with superuser privileges (under the root user on most systems).\n',
      );
    }
    const holder = this.lockHolder;
    if (holder !== undefined) {
      const err =
        `RPMDB already locked by ${holder.pid}\n  The application with PID ${holder.pid} is: ${holder.command}\n` +
        `${UPGRADE_SCRIPT_NAME}: ${LOCK_TIMEOUT_MESSAGE} ${seconds}s\n`;
      return {
        ...reply(200, `Running transaction check\n${after()}`, err),
        effects: [{ kind: 'wait', ms: seconds * 1000 }],
      };
    }
    const requests: RpmRequest[] = refs.map((r) => ({
      name: r.name,
      evr: r.version,
      ...(r.arch ? { arch: r.arch } : {}),
    }));
    const verdicts = this.judge(requests);
    let out = '';
    verdicts.forEach((v, i) => {
      // A locked package is hidden by the versionlock plugin: dnf does not know the NEVRA either.
      if (v.kind === 'not-installed' || v.kind === 'not-found' || v.kind === 'locked')
        out += `No match for argument: ${args[i] ?? ''}\n`;
    });
    const matched = verdicts.filter(
      (v) => v.kind !== 'not-installed' && v.kind !== 'not-found' && v.kind !== 'locked',
    );
    if (matched.length === 0) return reply(1, out + after(), 'Error: No packages marked for upgrade.\n');
    const changes = matched.filter(
      (v): v is RpmChange => v.kind === 'upgrade' || v.kind === 'install-beside',
    );
    out += 'Dependencies resolved.\n';
    if (changes.length === 0) return reply(0, `${out}Nothing to do.\nComplete!\n${after()}`, '');
    const upgrades = changes.filter((c) => c.kind === 'upgrade');
    const installs = changes.filter((c) => c.kind === 'install-beside');
    out += transactionTable(installs, upgrades);
    const order = [...upgrades, ...installs];
    const failed = this.commit(order);
    out += transactionRun(order, failed);
    const work = this.installWorkMs ?? 0;
    const effects = work > 0 ? [{ kind: 'wait' as const, ms: work }] : [];
    if (failed.length > 0) {
      const err =
        failed.map((f) => `Error in PREIN scriptlet in rpm package ${f.spec.name}\n`).join('') +
        'Error: Transaction failed\n';
      return { ...reply(1, out + after(), err), effects };
    }
    return { ...reply(0, `${out}Complete!\n${after()}`, ''), effects };
  }
}

/** `name-[epoch:]version-release.arch` arguments → package refs (undefined when one is not). */
function nevraRefs(args: readonly string[]): PackageRef[] | undefined {
  if (args.length === 0) return undefined;
  const refs: PackageRef[] = [];
  for (const a of args) {
    const n = parseNevra(a);
    if (n === undefined) return undefined;
    refs.push({ name: n.name, version: evrText(n), arch: n.arch });
  }
  return refs;
}

/** dnf's list columns on an 80-column line: the spare width shared by the first two columns. */
function columns(rows: readonly (readonly [string, string, string])[]): string {
  const w = [0, 1, 2].map((i) => Math.max(...rows.map((r) => r[i]?.length ?? 0)));
  const spare = Math.max(0, 80 - ((w[0] ?? 0) + 1) - ((w[1] ?? 0) + 1) - (w[2] ?? 0));
  const a = (w[0] ?? 0) + 1 + Math.floor(spare / 2);
  const b = (w[1] ?? 0) + 1 + (spare - Math.floor(spare / 2));
  return rows.map(([n, v, r]) => `${n.padEnd(a)}${v.padEnd(b)}${r}\n`).join('');
}

function sizeOf(c: RpmChange): string {
  return c.spec.kernel === true ? '6.4 k' : c.spec.failingPre === true ? '6.4 k' : '6.3 k';
}

/** The plan's table and summary (el9/install-ok.stdout). */
function transactionTable(installs: readonly RpmChange[], upgrades: readonly RpmChange[]): string {
  const all = [...installs, ...upgrades];
  const nameW = Math.max(19, ...all.map((c) => c.spec.name.length + 1));
  const verW = Math.max(27, ...all.map((c) => evrText(c.to).length + 1));
  const row = (c: RpmChange): string =>
    ` ${c.spec.name.padEnd(nameW)} ${c.spec.arch.padEnd(12)} ${evrText(c.to).padEnd(verW)} ${RPM_LAB_REPO.alias.padEnd(9)} ${sizeOf(c).padStart(7)}\n`;
  let out = `${RULE}\n ${'Package'.padEnd(nameW)} ${'Architecture'} ${'Version'.padEnd(verW)} Repository ${'Size'.padStart(6)}\n${RULE}\n`;
  if (installs.length > 0) out += `Installing:\n${installs.map(row).join('')}`;
  if (upgrades.length > 0) out += `Upgrading:\n${upgrades.map(row).join('')}`;
  const plural = (n: number): string => `${n} Package${n === 1 ? '' : 's'}`;
  out += `\nTransaction Summary\n${RULE}\n`;
  if (installs.length > 0) out += `Install  ${plural(installs.length)}\n`;
  if (upgrades.length > 0) out += `Upgrade  ${plural(upgrades.length)}\n`;
  return `${out}\nTotal size: ${Math.round(all.length * 6.4)} k\nDownloading Packages:\nRunning transaction check\nTransaction check succeeded.\nRunning transaction test\nTransaction test succeeded.\nRunning transaction\n`;
}

/** rpm's progress lines, then dnf's result lists (el9/install-ok, install-scriptlet-pre). */
function transactionRun(order: readonly RpmChange[], failed: readonly RpmChange[]): string {
  const step = (what: string, nevra: string, i: number, n: number): string =>
    `  ${what.padEnd(17)}: ${nevra.padEnd(55)}${`${i}/${n}`.padStart(3)} \n`;
  const ok = order.filter((c) => !failed.includes(c));
  const olds = ok.flatMap((c) => (c.kind === 'upgrade' ? [c.from] : []));
  const total = order.length + olds.length + failed.length;
  let out = step('Preparing', '', 1, 1);
  let i = 0;
  for (const c of order) {
    i++;
    const nevra = nevraText(c.to);
    if (failed.includes(c)) {
      out +=
        step('Running scriptlet', nevra, i, total) +
        `${c.spec.name}: %pre failed on purpose (lab test package, upgrade to ${c.to.version})\n` +
        `error: %prein(${nevra}) scriptlet failed, exit status 1\n\n`;
      continue;
    }
    out += step(c.kind === 'upgrade' ? 'Upgrading' : 'Installing', nevra, i, total);
  }
  for (const old of olds) out += step('Cleanup', nevraText(old), ++i, total);
  let v = 0;
  for (const c of order) {
    out += step('Verifying', nevraText(c.to), ++v, total);
    if (c.kind === 'upgrade') out += step('Verifying', nevraText(c.from), ++v, total);
  }
  const list = (title: string, items: readonly SimRpmEntry[]): string =>
    items.length === 0 ? '' : `${title}:\n  ${items.map((p) => nevraText(p).padEnd(37)).join('\n  ')}\n`;
  out += '\n';
  out += list(
    'Upgraded',
    ok.filter((c) => c.kind === 'upgrade').map((c) => c.to),
  );
  out += list(
    'Installed',
    ok.filter((c) => c.kind === 'install-beside').map((c) => c.to),
  );
  out += list(
    'Failed',
    failed.flatMap((c) => (c.kind === 'upgrade' ? [c.from, c.to] : [c.to])),
  );
  return `${out}\n`;
}

function infoBlock(a: SimAdvisory): string {
  const line = '='.repeat(79);
  const cves = [...a.cves]
    .sort()
    .map((c, i) => (i === 0 ? `       CVEs: ${c}\n` : `           : ${c}\n`))
    .join('');
  return (
    `${line}\n  ${a.title}\n${line}\n` +
    `  Update ID: ${a.id}\n       Type: ${a.type}\n    Updated: ${a.updated}\n${cves}` +
    `Description: ${a.description}\n   Severity: ${a.severity}\n`
  );
}
