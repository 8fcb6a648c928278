// One simulated SUSE-like host of the mixed lab (lab/lib/rpm.mjs: SLES 15 SP5 release package,
// rpm + zypper 1.14, the lab's RPM repository with its updateinfo.xml as patches, fleet-held
// locked): the answer to each command the zypper driver sends, in the shape of the driver's
// captures on the lab's SLE 15 layer (src/drivers/zypper/__fixtures__/sle15, README.md there).
// Commands are recognised by rebuilding them with the driver's own builders and comparing the
// whole command line (docs/architecture.md, "Two fleets"): anything else exits 127.
import {
  factsCommand,
  installCommand,
  inventoryCommand,
  preflightCommand,
  refreshCommand,
  scanCommand,
} from '../drivers/zypper/commands.js';
import { RPM_QUERY_FORMAT } from '../drivers/rpm/query.js';
import type { PackageRef } from '../drivers/types.js';
import type { SimCommand } from './linux-host.js';
import type { ScriptSection, SectionAnswer } from './linux-host.js';
import { answerScript, reply, tryBuild } from './linux-host.js';
import type { RpmChange, RpmHostOptions, RpmVerdict } from './rpm-host.js';
import { SimRpmHost, evrText, nevraText, queryFormatIn } from './rpm-host.js';
import type { SimAdvisory } from './rpm-packages.js';
import { RELEASE_PACKAGES, RPM_LAB_ADVISORIES, RPM_LAB_REPO, SUSE_OS_RELEASE } from './rpm-packages.js';
import type { SimReply } from './simulated-host.js';

const ZYPPER_VERSION = 'zypper 1.14.42';
const LOADING = 'Loading repository data...\nReading installed packages...\n';
const XML_HEAD = "<?xml version='1.0'?>\n<stream>\n";
const XML_LOADING =
  '<message type="info">Loading repository data...</message>\n<message type="info">Reading installed packages...</message>\n';
const ROOT_REQUIRED = 'Root privileges are required for installing or uninstalling packages.\n';

export class SimZypperHost extends SimRpmHost {
  readonly family = 'suse';
  readonly osId = 'sles';

  constructor(options: RpmHostOptions) {
    super(options, RELEASE_PACKAGES.suse);
  }

  protected osRelease(): string {
    return SUSE_OS_RELEASE;
  }

  protected answerDriver({ parsed, root, is }: SimCommand): SimReply | undefined {
    for (const build of [factsCommand, inventoryCommand, scanCommand, preflightCommand]) {
      const cmd = build();
      if (!is(cmd)) continue;
      const out = answerScript(cmd.argv[2] ?? '', this.answers());
      return out === undefined ? undefined : reply(0, out, '');
    }
    const timeoutText = parsed.env.ZYPP_LOCK_TIMEOUT ?? '';
    const seconds = /^\d{1,5}$/.test(timeoutText) ? Number(timeoutText) : undefined;
    if (seconds === undefined) return undefined;
    if (is(refreshCommand({ lockTimeoutSeconds: seconds }))) return this.refresh(root, seconds);
    const refs = packageRefs(parsed.argv, this);
    if (refs !== undefined && is(tryBuild(() => installCommand(refs, { lockTimeoutSeconds: seconds }))))
      return this.update(parsed.argv.slice(parsed.argv.indexOf('--') + 1), refs, root, seconds);
    return undefined;
  }

  /** Whether `name` is a package this host knows (to read `name.arch=edition` back). */
  knows(name: string): boolean {
    return this.rpmdb.some((p) => p.name === name) || this.specs.has(name);
  }

  // ------------------------------------------------------------------ read-only scripts

  /** Each section of the zypper driver's read-only scripts (sle15/facts, inventory, scan, preflight). */
  private answers(): Record<string, SectionAnswer> {
    const linux = new Map(this.linuxFactsSections());
    const fromLinux = (s: ScriptSection): readonly [string] => [linux.get(s.name) ?? ''];
    const installed = (s: ScriptSection): readonly [string, number] => [
      this.queryAll(queryFormatIn(s.body) ?? RPM_QUERY_FORMAT),
      0,
    ];
    const h = this.lockHolder;
    return {
      'os-release': fromLinux,
      kernel: fromLinux,
      'boot-id': fromLinux,
      'reboot-required': fromLinux,
      'rpm-arch': () => ['x86_64\n'],
      'zypper-version': () => [`${ZYPPER_VERSION}\n`],
      'needs-rebooting': () =>
        this.rebootRequired
          ? [
              'Core libraries or services have been updated.\nReboot is required to ensure that your system benefits from these updates.\n',
              102,
            ]
          : ['No core libraries or services have been updated.\nReboot is probably not necessary.\n', 0],
      'reboot-needed': () => [this.rebootRequired ? 'yes\n' : 'no\n'],
      installed,
      'rpm-qa': installed,
      locks: () => [this.locksXml(), 0],
      installonly: () => [this.installonlyOutput()],
      ...this.scanAnswers(),
      'lock-files': () => ['46 2 /run/zypp.pid\n43 5400215 /var/lib/rpm/.rpm.lock\n'],
      'lock-holders': () => [h ? `1: POSIX  ADVISORY  WRITE ${h.pid} 00:2e:2 0 EOF\t${h.command}\n` : ''],
      'zypp-pid': () => [h ? `held ${h.pid} ${h.command}\n` : 'free\n'],
      'rpm-dupes': () => [this.duplicates()],
      multiversion: () => [
        this.rpmdb
          .filter((p) => this.specs.get(p.name)?.kernel === true)
          .map((p) => `${p.name}.${p.arch}\n`)
          .join(''),
      ],
      verify: () => [`${LOADING}Dependencies of all installed packages are satisfied.\n`, 0],
      df: (s) => [
        [...s.body.matchAll(/^for p in (.*); do$/gm)]
          .flatMap((m) => (m[1] ?? '').split(' '))
          .map((p) => `path ${p}\n${this.dfOutput()}`)
          .join(''),
      ],
    };
  }

  /** `rpm -qa --qf '%{NAME}.%{ARCH}\n' | sort | uniq -d`. */
  private duplicates(): string {
    const counts = new Map<string, number>();
    for (const p of this.rpmdb)
      counts.set(`${p.name}.${p.arch}`, (counts.get(`${p.name}.${p.arch}`) ?? 0) + 1);
    return [...counts]
      .filter(([, n]) => n > 1)
      .map(([k]) => `${k}\n`)
      .sort()
      .join('');
  }

  private locksXml(): string {
    const locks = [...this.locked].sort();
    const items = locks
      .map((n, i) => `<lock number="${i + 1}"><name>${n}</name><type>package</type></lock>\n`)
      .join('');
    return `${XML_HEAD}<locks size="${locks.length}">${items}</locks></stream>\n`;
  }

  /** The patches whose packages are installed at an older version (status needed). */
  private neededPatches(): SimAdvisory[] {
    return RPM_LAB_ADVISORIES.filter((a) => this.upgradable().some((u) => a.packages.includes(u.spec.name)));
  }

  /** The scan's own sections: XML of list-updates, list-patches, repos, search; patch info (sle15/scan). */
  private scanAnswers(): Record<string, SectionAnswer> {
    const updates = this.upgradable()
      .filter((u) => !this.locked.has(u.spec.name))
      .map(
        (u) =>
          `<update kind="package" name="${u.spec.name}" edition="${evrText(u.to)}" arch="${u.spec.arch}" edition-old="${evrText(u.from)}"><summary>${escapeXml(u.spec.summary)}</summary><description>${escapeXml(`Test package built by patchctl's lab (lab/lib/rpm.mjs), ${u.spec.name} ${evrText(u.to)}.`)}</description><license/><source url="${RPM_LAB_REPO.url}" alias="${RPM_LAB_REPO.alias}"/></update>`,
      );
    const patches = this.neededPatches();
    const list = (items: readonly string[]): string =>
      `${XML_HEAD}${XML_LOADING}<update-status version="0.6">\n<update-list>\n${items.join('')}</update-list>\n</update-status>\n</stream>\n`;
    const info =
      patches.length === 0 ? '' : `${LOADING}\n\n${patches.map((a) => this.patchInfo(a)).join('\n\n\n')}\n\n`;
    const held = [...this.locked].sort();
    const search =
      held.length === 0
        ? ''
        : `${XML_HEAD}${XML_LOADING}\n<search-result version="0.0">\n<solvable-list>\n${held
            .map((n) => this.heldSolvables(n))
            .join('')}</solvable-list>\n</search-result>\n</stream>\n`;
    return {
      updates: () => [list(updates), 0],
      patches: () => [list(patches.map(patchXml)), 0],
      'patch-info': () => [info, 0],
      repos: () => [
        `${XML_HEAD}<repo-list>\n<repo alias="${RPM_LAB_REPO.alias}" name="${RPM_LAB_REPO.name}" type="rpm-md" priority="99" enabled="1" autorefresh="1" gpgcheck="0" repo_gpgcheck="0" pkg_gpgcheck="0">\n<url>${RPM_LAB_REPO.url}</url>\n</repo>\n</repo-list>\n</stream>\n`,
        0,
      ],
      'held-search': () => [search, 0],
    };
  }

  private heldSolvables(name: string): string {
    const spec = this.specs.get(name);
    const installed = this.installedOf(name).at(-1);
    if (spec === undefined || installed === undefined) return '';
    const row = (status: string, evr: string): string =>
      `<solvable status="${status}" name="${name}" kind="package" edition="${evr}" arch="${spec.arch}" repository="${RPM_LAB_REPO.name}"/>\n`;
    const candidate = `${spec.new[0]}-${spec.new[1]}`;
    return candidate === evrText(installed)
      ? row('installed', candidate)
      : row('other-version', candidate) + row('installed', evrText(installed));
  }

  /** `zypper info -t patch NAME` (sle15/scan.stdout). */
  private patchInfo(a: SimAdvisory): string {
    const title = `Information for patch ${a.id}:`;
    const conflicts = a.packages.flatMap((n) => {
      const spec = this.specs.get(n);
      if (spec === undefined) return [];
      const evr = `${spec.new[0]}-${spec.new[1]}`;
      // The lab's updateinfo.xml lists the kernel for its arch and noarch.
      return spec.arch === 'noarch'
        ? [`${n} < ${evr}`]
        : [`${n}.${spec.arch} < ${evr}`, `${n}.noarch < ${evr}`];
    });
    const conflictText =
      conflicts.length === 1
        ? `Conflicts   : ${conflicts[0] ?? ''}`
        : `Conflicts   : [${conflicts.length}]\n${conflicts.map((c) => `    ${c}`).join('\n')}`;
    return [
      title,
      '-'.repeat(title.length),
      `Repository  : ${RPM_LAB_REPO.name}`,
      `Name        : ${a.id}`,
      'Version     : 2',
      'Arch        : noarch',
      'Vendor      : lab@patchctl.invalid',
      'Status      : needed',
      `Category    : ${a.type}`,
      `Severity    : ${a.severity.toLowerCase()}`,
      `Created On  : ${ctime(a.updated)}`,
      `Interactive : ${a.rebootSuggested === true ? 'reboot' : '---'}`,
      `Summary     : ${a.title}`,
      'Description : ',
      `    ${a.description}`,
      `Provides    : patch:${a.id} = 2`,
      conflictText,
    ].join('\n');
  }

  // ------------------------------------------------------------------ commands that change the host

  private lockedOut(seconds: number): SimReply | undefined {
    const h = this.lockHolder;
    if (h === undefined) return undefined;
    return {
      ...reply(
        7,
        '',
        `System management is locked by the application with pid ${h.pid} (${h.command}).\nClose this application before trying again.\n`,
      ),
      effects: [{ kind: 'wait', ms: seconds * 1000 }],
    };
  }

  private refresh(root: boolean, seconds: number): SimReply {
    if (!root) return reply(5, '', ROOT_REQUIRED);
    return (
      this.lockedOut(seconds) ??
      reply(
        0,
        `Retrieving repository '${RPM_LAB_REPO.name}' metadata [.done]\nBuilding repository '${RPM_LAB_REPO.name}' cache [....done]\nAll repositories have been refreshed.\n`,
        '',
      )
    );
  }

  /** `zypper update … -- name[.arch]=edition…` (sle15/install*). */
  private update(
    args: readonly string[],
    refs: readonly PackageRef[],
    root: boolean,
    seconds: number,
  ): SimReply {
    if (!root) return reply(5, '', ROOT_REQUIRED);
    const busy = this.lockedOut(seconds);
    if (busy) return busy;
    const verdicts = this.judge(
      refs.map((r) => ({ name: r.name, evr: r.version, ...(r.arch ? { arch: r.arch } : {}) })),
    );
    let out = LOADING;
    const notFound = verdicts.findIndex((v) => v.kind === 'not-found');
    if (notFound !== -1) {
      const arg = args[notFound] ?? '';
      return reply(
        104,
        `${out}'${arg}' not found in package names. Trying capabilities.\n`,
        `No provider of '${arg}' found.\n`,
      );
    }
    verdicts.forEach((v, i) => (out += this.skipMessage(v, args[i] ?? '')));
    out += 'Resolving package dependencies...\n';
    const locked = verdicts.filter((v): v is Extract<RpmVerdict, { kind: 'locked' }> => v.kind === 'locked');
    if (locked.length > 0) {
      out += '\n';
      for (const l of locked) {
        const to = `${l.spec.new[0]}-${l.spec.new[1]}`;
        const target = l.request.arch === undefined ? l.spec.name : `${l.spec.name}.${l.request.arch}`;
        out +=
          'Problem: conflicting requests\n Solution 1: Following actions will be done:\n' +
          `  remove lock to allow installation of ${l.spec.name}-${to}.${l.spec.arch}[${RPM_LAB_REPO.alias}]\n` +
          `  remove lock to allow removal of ${nevraText(l.installed)}\n` +
          ` Solution 2: do not ask to install a solvable providing ${target} = ${to}\n\n`;
      }
      const choices = locked.length === 1 ? '[1/2/c/d/?]' : '[1/2/c/d/?]';
      return reply(4, `${out}Choose from above solutions by number or cancel ${choices} (c): c\n`, '');
    }
    const held = [...this.locked].sort();
    if (held.length === 1)
      out += `\nThe following item is locked and will not be changed by any action:\n Installed:\n  ${held[0] ?? ''}\n`;
    else if (held.length > 1)
      out += `\nThe following ${held.length} items are locked and will not be changed by any action:\n Installed:\n  ${held.join(' ')}\n`;
    const changes = verdicts
      .filter((v): v is RpmChange => v.kind === 'upgrade' || v.kind === 'install-beside')
      .sort((a, b) => (a.spec.name < b.spec.name ? -1 : a.spec.name > b.spec.name ? 1 : 0));
    if (changes.length === 0) return reply(0, `${out}Nothing to do.\n`, '');
    const installs = changes.filter((c) => c.kind === 'install-beside');
    const upgrades = changes.filter((c) => c.kind === 'upgrade');
    const reboot = changes.filter((c) => c.spec.kernel === true);
    const vr = (c: RpmChange): string => `${c.spec.name}-${evrText(c.to)}`;
    const s = (n: number): string => (n === 1 ? '' : 's');
    if (installs.length > 0)
      out += `\nThe following ${installs.length === 1 ? 'NEW package is' : `${installs.length} NEW packages are`} going to be installed:\n  ${installs.map(vr).join(' ')}\n`;
    if (upgrades.length > 0)
      out += `\nThe following ${upgrades.length === 1 ? 'package is' : `${upgrades.length} packages are`} going to be upgraded:\n  ${upgrades.map((c) => c.spec.name).join(' ')}\n`;
    if (reboot.length > 0)
      out += `\nThe following ${reboot.length === 1 ? 'package requires' : `${reboot.length} packages require`} a system reboot:\n  ${reboot.map(vr).join(' ')}\n`;
    const counts = [
      ...(upgrades.length > 0 ? [`${upgrades.length} package${s(upgrades.length)} to upgrade`] : []),
      ...(installs.length > 0 ? [`${installs.length} new`] : []),
    ];
    const size = changes.reduce((n, c) => n + sizeKib(c), 0);
    const added = installs.reduce((n, c) => n + unpacked(c), 0);
    out += `\n${counts.join(', ')}.\nOverall download size: ${size.toFixed(1)} KiB. Already cached: 0 B. ${
      added > 0
        ? `After the operation, additional ${added.toFixed(1)} B will be used.`
        : 'No additional space will be used or freed after the operation.'
    }\n`;
    if (reboot.length > 0) out += '\n    Note: System reboot required.\n';
    out += 'Continue? [y/n/v/...? shows all options] (y): y\n';
    changes.forEach((c, i) => {
      out += `Retrieving package ${nevraText(c.to)} (${i + 1}/${changes.length}),   ${sizeKib(c).toFixed(1)} KiB (   ${unpacked(c)}   B unpacked)\n`;
    });
    out += '\nChecking for file conflicts: [.........done]\n';
    let done = 0;
    for (const [i, c] of changes.entries()) {
      const failed = this.commit([c]);
      if (failed.length > 0) {
        out += `(${i + 1}/${changes.length}) Installing: ${nevraText(c.to)} [...error]\nAbort, retry, ignore? [a/r/i] (a): a\n`;
        const old = c.kind === 'upgrade' ? nevraText(c.from) : '';
        const err =
          `Installation of ${nevraText(c.to)} failed:\n` +
          `Error: Subprocess failed. Error: RPM failed: ${c.spec.name}: %pre failed on purpose (lab test package, upgrade to ${c.to.version})\n` +
          `error: %prein(${nevraText(c.to)}) scriptlet failed, exit status 1\n` +
          `error: ${nevraText(c.to)}: install failed\n` +
          (old === '' ? '' : `error: ${old}: erase skipped\n`) +
          '\nProblem occurred during or after installation or removal of packages:\nInstallation has been aborted as directed.\nPlease see the above error message for a hint.\n';
        return { ...reply(8, out, err), effects: this.work(done) };
      }
      done++;
      out += `(${i + 1}/${changes.length}) Installing: ${nevraText(c.to)} [${c.spec.kernel === true ? '.....' : '.......'}done]\n`;
    }
    if (reboot.length > 0)
      out +=
        ' \nCore libraries or services have been updated.\nReboot is required to ensure that your system benefits from these updates.\n';
    return { ...reply(0, out, ''), effects: this.work(done) };
  }

  private work(done: number): SimReply['effects'] {
    const ms = done > 0 ? (this.installWorkMs ?? 0) : 0;
    return ms > 0 ? [{ kind: 'wait', ms }] : [];
  }

  /** What zypper says of a request it leaves alone (sle15/install-downgrade, lab/update-not-installed). */
  private skipMessage(v: RpmVerdict, arg: string): string {
    if (v.kind === 'not-installed') return `Package '${arg}' is not installed.\n`;
    if (v.kind !== 'not-newer') return '';
    const spec = this.specs.get(v.request.name);
    const nevra = `${v.request.name}-${v.request.evr}.${v.request.arch ?? spec?.arch ?? 'noarch'}`;
    if (evrText(v.installed) === v.request.evr) return `'${nevra}' is already installed.\n`;
    return `The selected package '${nevra}' from repository '${RPM_LAB_REPO.name}' has lower version than the installed one. Use 'zypper install --oldpackage ${nevra}' to force installation of the package.\n`;
  }
}

/** `name[.arch]=edition` arguments after `--` of a `zypper update` line (undefined: not one). */
function packageRefs(argv: readonly string[], host: SimZypperHost): PackageRef[] | undefined {
  if (argv[0] !== 'zypper' || argv[2] !== 'update') return undefined;
  const dash = argv.indexOf('--');
  if (dash === -1 || dash === argv.length - 1) return undefined;
  const refs: PackageRef[] = [];
  for (const arg of argv.slice(dash + 1)) {
    const m = /^([^=]+)=(.+)$/.exec(arg);
    if (m === null) return undefined;
    const [what = '', version = ''] = [m[1], m[2]];
    const dot = what.lastIndexOf('.');
    const name = dot > 0 ? what.slice(0, dot) : what;
    refs.push(
      dot > 0 && !host.knows(what) && host.knows(name)
        ? { name, version, arch: what.slice(dot + 1) }
        : { name: what, version },
    );
  }
  return refs;
}

/** The lab's RPMs: a few KiB each (sle15/install.stdout). */
function sizeKib(c: RpmChange): number {
  if (c.spec.kernel === true || c.spec.failingPre === true) return 6.4;
  return c.spec.name === 'fleet-lib' ? 6.2 : 6.3;
}

function unpacked(c: RpmChange): number {
  return c.spec.kernel === true ? 20 : 10;
}

function patchXml(a: SimAdvisory): string {
  const time = Date.parse(`${a.updated.replace(' ', 'T')}Z`) / 1000;
  const issues = [
    ...a.cves.map(
      (c) =>
        `<issue type="cve" id="${c}"><title>${c}</title><href>https://www.cve.org/CVERecord?id=${c}</href></issue>`,
    ),
    `<issue type="self" id="${a.id}"><title>${a.id}</title><href>https://patchctl.invalid/lab/errata/${a.id}</href></issue>`,
  ].join('');
  const reboot = a.rebootSuggested === true;
  return (
    `<update kind="patch" name="${a.id}" edition="2" arch="noarch" status="needed" category="${a.type}" severity="${a.severity.toLowerCase()}" pkgmanager="false" restart="${reboot}" interactive="${reboot}">` +
    `<summary>${escapeXml(a.title)}</summary><description>${escapeXml(a.description)}</description><license/>` +
    `<source url="${RPM_LAB_REPO.url}" alias="${RPM_LAB_REPO.alias}"/><issue-date time_t="${time}" text="${a.updated.replace(' ', 'T')}Z"/>` +
    `<issue-list>${issues}</issue-list></update>`
  );
}

function escapeXml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/'/g, '&apos;')
    .replace(/"/g, '&quot;');
}

/** `Fri Jan 16 00:00:00 2026` (C's ctime, UTC). */
function ctime(date: string): string {
  const d = new Date(`${date.replace(' ', 'T')}Z`);
  const day = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][d.getUTCDay()] ?? '';
  const month =
    ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][d.getUTCMonth()] ??
    '';
  return `${day} ${month} ${String(d.getUTCDate()).padStart(2)} ${d.toISOString().slice(11, 19)} ${d.getUTCFullYear()}`;
}
