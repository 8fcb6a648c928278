// Parsers of the apt driver's command outputs. Pure functions: they throw DriverOutputError (and only
// that) on output they cannot read; a package-manager failure they can explain is a result.
import { byNameThenArch } from '../../core/state/order.js';
import type { InstalledPackage, PendingUpdate } from '../../core/state/types.js';
import { DriverOutputError, excerptOf, failureReason as reason, resultExcerpt } from '../errors.js';
import { LINUX_FACTS_SECTIONS, linuxFactsFrom } from '../linux/facts.js';
import { lockHoldersFrom, parseDfSection } from '../linux/preflight.js';
import { readSections } from '../sections.js';
import type {
  CommandResult,
  FailureReason,
  HostFacts,
  InstallOutcome,
  Inventory,
  LockHolder,
  PackageChange,
  PackageProcesses,
  PackageState,
  Preflight,
  RefreshOutcome,
  RestartCheck,
  UpdateScan,
} from '../types.js';
import { classifyOrigins, type RepositoryOrigin } from './classify.js';

const DRIVER = 'apt';

const fail = (message: string, excerpt: string): DriverOutputError =>
  new DriverOutputError(DRIVER, message, excerptOf(excerpt));

const splitLines = (text: string): string[] =>
  text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));

const sortedUnique = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

/** A package name as dpkg and apt print it (lenient: parsing must not reject what a real host has). */
const PKG_NAME = /^[A-Za-z0-9][A-Za-z0-9+._-]*$/;
const ARCH = /^[a-z0-9][a-z0-9-]*$/;
const VERSION = /^[A-Za-z0-9.+~:_-]+$/;

/** `name:arch` as apt and dpkg print foreign-architecture packages → name and qualifier. */
function splitQualified(qualified: string): { name: string; arch?: string } {
  const colon = qualified.indexOf(':');
  if (colon === -1) return { name: qualified };
  return { name: qualified.slice(0, colon), arch: qualified.slice(colon + 1) };
}

// ---------------------------------------------------------------------------------------------
// Facts

// os-release, kernel, boot id and /run/reboot-required are read by the shared Linux module
// (../linux/facts.ts); they are re-exported here for compatibility.
export { osFactsFrom, osVersionFrom, parseOsRelease, UNKNOWN_OS_VERSION } from '../linux/facts.js';

function rebootFlag(text: string | undefined, excerpt: string): boolean {
  if (text === 'yes') return true;
  if (text === 'no') return false;
  throw fail(`reboot-required is neither yes nor no: ${JSON.stringify(text)}`, excerpt);
}

const pkgsList = (text: string | undefined): string[] =>
  sortedUnique(
    splitLines(text ?? '')
      .map((l) => l.trim())
      .filter((l) => l !== ''),
  );

/** The facts script's output (FACTS_SCRIPT): the Linux facts, then apt's own sections. */
export function parseFacts(out: CommandResult): HostFacts {
  const s = readSections(DRIVER, 'facts', out, LINUX_FACTS_SECTIONS);
  const facts: HostFacts = {
    ...linuxFactsFrom(DRIVER, s, out.stdout),
    rebootRequiredPackages: pkgsList(s.get('reboot-required-pkgs')?.text),
  };
  const arch = s.get('dpkg-arch')?.text;
  if (arch !== undefined && ARCH.test(arch)) facts.nativeArch = arch;
  const aptVersion = s.get('apt-version')?.text;
  if (aptVersion !== undefined && VERSION.test(aptVersion)) facts.packageManagerVersion = aptVersion;
  return facts;
}

/** REBOOT_REQUIRED_SCRIPT's output. */
export function parseRebootRequired(out: CommandResult): boolean {
  const s = readSections(DRIVER, 'reboot-required', out, ['reboot-required']);
  return rebootFlag(s.get('reboot-required')?.text, out.stdout);
}

// ---------------------------------------------------------------------------------------------
// Installed packages (dpkg-query -W -f DPKG_QUERY_FORMAT)

const DPKG_STATUS =
  /^(unknown|install|hold|deinstall|purge) (ok|reinstreq) (not-installed|config-files|half-installed|unpacked|half-configured|triggers-awaited|triggers-pending|installed)$/;

export function parseInstalled(out: CommandResult): Inventory {
  if (out.timedOut === true || out.truncated === true || out.exitCode !== 0) {
    const why =
      out.timedOut === true
        ? 'timed out'
        : out.truncated === true
          ? 'output truncated'
          : `exit status ${String(out.exitCode)}`;
    throw new DriverOutputError(DRIVER, `dpkg-query failed (${why})`, resultExcerpt(out));
  }
  const installed: InstalledPackage[] = [];
  const held: string[] = [];
  const notFullyInstalled: PackageState[] = [];
  let entries = 0;
  for (const line of splitLines(out.stdout)) {
    if (line === '') continue;
    const fields = line.split('\t');
    const [name = '', arch = '', version = '', status = ''] = fields;
    const m = DPKG_STATUS.exec(status);
    if (fields.length !== 6 || !PKG_NAME.test(name) || m === null || (arch !== '' && !ARCH.test(arch))) {
      throw fail(`dpkg-query: unexpected line ${JSON.stringify(line.slice(0, 200))}`, line);
    }
    entries++;
    const [, want, , state] = m;
    if (state === 'not-installed' || state === 'config-files') continue;
    if (version === '' || !VERSION.test(version)) {
      throw fail(`dpkg-query: package ${name} has no valid version (${JSON.stringify(version)})`, line);
    }
    if (want === 'hold') held.push(name);
    if (state === 'installed') {
      installed.push(arch === '' ? { name, version } : { name, version, arch });
    } else {
      notFullyInstalled.push({ name, arch, version, status });
    }
  }
  if (entries === 0)
    throw new DriverOutputError(DRIVER, 'dpkg-query listed no packages at all', resultExcerpt(out));
  return {
    installed: installed.sort(byNameThenArch),
    held: sortedUnique(held),
    notFullyInstalled: notFullyInstalled.sort(byNameThenArch),
  };
}

// ---------------------------------------------------------------------------------------------
// apt-cache policy

export interface PolicySource {
  priority: number;
  uri: string;
  /** The distribution as written in sources.list (bookworm-security, jammy-updates...). */
  dist?: string;
  component?: string;
  indexArch?: string;
  /** The line for /var/lib/dpkg/status (the installed version). */
  status?: true;
}

export interface PolicyVersion {
  version: string;
  priority: number;
  /** Marked *** (the installed version). */
  current: boolean;
  sources: PolicySource[];
}

export interface PolicyEntry {
  name: string;
  arch?: string;
  installed: string | null;
  candidate: string | null;
  versions: PolicyVersion[];
}

function parsePolicySource(priority: number, rest: string): PolicySource {
  const tokens = rest.trim().split(/\s+/);
  const uri = tokens[0] ?? '';
  if (uri === '/var/lib/dpkg/status' && tokens.length === 1) return { priority, uri, status: true };
  const source: PolicySource = { priority, uri };
  if (tokens.length === 4 && tokens[3] === 'Packages') {
    const distComp = tokens[1] ?? '';
    const slash = distComp.indexOf('/');
    source.dist = slash === -1 ? distComp : distComp.slice(0, slash);
    if (slash !== -1) source.component = distComp.slice(slash + 1);
    source.indexArch = tokens[2] ?? '';
  }
  return source;
}

const versionOrNull = (v: string): string | null => (v === '(none)' ? null : v);

/** `apt-cache policy PKG…`. */
export function parseAptCachePolicy(text: string): PolicyEntry[] {
  const entries: PolicyEntry[] = [];
  let entry:
    | {
        name: string;
        arch?: string;
        installed?: string | null;
        candidate?: string | null;
        versions: PolicyVersion[];
      }
    | undefined;
  let version: PolicyVersion | undefined;
  const close = () => {
    if (entry === undefined) return;
    if (entry.installed === undefined || entry.candidate === undefined) {
      throw fail(`apt-cache policy: no Installed/Candidate lines for ${entry.name}`, text);
    }
    const e: PolicyEntry = {
      name: entry.name,
      installed: entry.installed,
      candidate: entry.candidate,
      versions: entry.versions,
    };
    if (entry.arch !== undefined) e.arch = entry.arch;
    entries.push(e);
  };
  for (const line of splitLines(text)) {
    if (line.trim() === '') continue;
    let m: RegExpExecArray | null;
    if ((m = /^(\S+):$/.exec(line)) !== null) {
      close();
      const q = splitQualified(m[1] ?? '');
      if (!PKG_NAME.test(q.name))
        throw fail(`apt-cache policy: unexpected package line ${JSON.stringify(line)}`, text);
      entry = { name: q.name, versions: [] };
      if (q.arch !== undefined) entry.arch = q.arch;
      version = undefined;
    } else if (entry === undefined) {
      throw fail(`apt-cache policy: unexpected line ${JSON.stringify(line.slice(0, 200))}`, text);
    } else if ((m = /^ {2}Installed: (\S+)$/.exec(line)) !== null) {
      entry.installed = versionOrNull(m[1] ?? '');
    } else if ((m = /^ {2}Candidate: (\S+)$/.exec(line)) !== null) {
      entry.candidate = versionOrNull(m[1] ?? '');
    } else if ((m = /^ (\*\*\*| {3}) (\S+) (-?\d+)$/.exec(line)) !== null) {
      version = { version: m[2] ?? '', priority: Number(m[3]), current: m[1] === '***', sources: [] };
      entry.versions.push(version);
    } else if ((m = /^ {8}(-?\d+) (.+)$/.exec(line)) !== null && version !== undefined) {
      version.sources.push(parsePolicySource(Number(m[1]), m[2] ?? ''));
    }
    // Other lines ("  Version table:", "  Package pin: …") carry nothing the driver uses.
  }
  close();
  return entries;
}

export interface PackageFile {
  priority: number;
  uri: string;
  dist?: string;
  component?: string;
  indexArch?: string;
  status?: true;
  /** The Release fields apt shows: v (version), o (origin), a (suite), n (codename), l (label), c, b. */
  release: Record<string, string>;
  /** The host the index came from (`origin` line). */
  site?: string;
}

/** `apt-cache policy` without arguments: the "Package files:" list with each file's Release fields. */
export function parsePackageFiles(text: string): PackageFile[] {
  const files: PackageFile[] = [];
  let inFiles = false;
  let current: PackageFile | undefined;
  for (const line of splitLines(text)) {
    if (line === 'Package files:') {
      inFiles = true;
      continue;
    }
    if (line.startsWith('Pinned packages:')) break;
    if (!inFiles || line.trim() === '') continue;
    let m: RegExpExecArray | null;
    if ((m = /^ (-?\d+) (.+)$/.exec(line)) !== null) {
      const s = parsePolicySource(Number(m[1]), m[2] ?? '');
      current = { ...s, release: {} };
      files.push(current);
    } else if ((m = /^ {5}release (.*)$/.exec(line)) !== null && current !== undefined) {
      for (const kv of (m[1] ?? '').split(',')) {
        const eq = kv.indexOf('=');
        if (eq > 0) current.release[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
    } else if ((m = /^ {5}origin (\S+)$/.exec(line)) !== null && current !== undefined) {
      current.site = m[1] ?? '';
    }
  }
  if (!inFiles) throw fail('apt-cache policy: no "Package files:" list', text);
  return files;
}

function originOfFile(f: PackageFile): RepositoryOrigin {
  const o: RepositoryOrigin = {};
  const r = f.release;
  if (r.l !== undefined) o.label = r.l;
  if (r.o !== undefined) o.origin = r.o;
  if (r.a !== undefined) o.suite = r.a;
  if (r.n !== undefined) o.codename = r.n;
  if (r.v !== undefined) o.version = r.v;
  if (f.site !== undefined) o.site = f.site;
  return o;
}

// ---------------------------------------------------------------------------------------------
// apt-get -s (simulation) and the lists apt prints before acting

/** One `Label:Version/Archive` of an Inst line (pkgCache::VerIterator::RelStr). */
export interface ReleaseRef {
  label?: string;
  version?: string;
  /** The suite, or the site (or `localhost`) when the index has no Release file. */
  archive: string;
}

export interface SimulatedInst {
  name: string;
  arch: string;
  /** The installed version; absent for a newly installed package. */
  from?: string;
  to: string;
  releases: ReleaseRef[];
}

export interface AptSummary {
  upgraded: number;
  newlyInstalled: number;
  downgraded: number;
  reinstalled: number;
  toRemove: number;
  notUpgraded: number;
}

export interface Simulation {
  insts: SimulatedInst[];
  removals: string[];
  /** The "The following …:" lists, by their heading without the colon. */
  lists: Map<string, string[]>;
  summary?: AptSummary;
  errors: string[];
  warnings: string[];
}

const INST = /^Inst (\S+)(?: \[([^\]]*)\])? \((\S+) (.*?)\[([^\]\s]*)\]\)(.*)$/;
const REMV = /^Remv (\S+)/;
const SUMMARY =
  /^(\d+) upgraded, (\d+) newly installed, (?:(\d+) downgraded, )?(?:(\d+) reinstalled, )?(\d+) to remove and (\d+) not upgraded\.$/;

export function parseReleaseRefs(relstr: string): ReleaseRef[] {
  return relstr
    .split(', ')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const m = /^(?:([^:/]+):)?(?:([^/]+)\/)?(.+)$/.exec(s);
      const ref: ReleaseRef = { archive: m?.[3] ?? s };
      if (m?.[1] !== undefined) ref.label = m[1];
      if (m?.[2] !== undefined) ref.version = m[2];
      return ref;
    });
}

/** The "The following …:" lists apt prints, each followed by indented package names. */
export function parseAptLists(lines: readonly string[]): Map<string, string[]> {
  const lists = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of lines) {
    if (current !== undefined && line.startsWith('  ')) {
      current.push(
        ...line
          .trim()
          .split(/\s+/)
          .filter((w) => w !== '' && w !== '|'),
      );
      continue;
    }
    current = undefined;
    const m = /^(The following [^:]*|Suggested packages|Recommended packages):$/.exec(line);
    if (m !== null) {
      current = [];
      lists.set(m[1] ?? '', current);
    }
  }
  return lists;
}

/** Output of `apt-get -s …` (stdout and stderr together). */
export function parseSimulation(text: string): Simulation {
  const lines = splitLines(text);
  const insts: SimulatedInst[] = [];
  const removals: string[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  let summary: AptSummary | undefined;
  for (const line of lines) {
    if (line.startsWith('Inst ')) {
      const m = INST.exec(line);
      if (m === null)
        throw fail(`apt-get -s: unexpected Inst line ${JSON.stringify(line.slice(0, 200))}`, line);
      const q = splitQualified(m[1] ?? '');
      const to = m[3] ?? '';
      const arch = m[5] ?? '';
      if (!PKG_NAME.test(q.name) || !VERSION.test(to) || !ARCH.test(arch)) {
        throw fail(`apt-get -s: unexpected Inst line ${JSON.stringify(line.slice(0, 200))}`, line);
      }
      const inst: SimulatedInst = { name: q.name, arch, to, releases: parseReleaseRefs(m[4] ?? '') };
      if (m[2] !== undefined) inst.from = m[2];
      insts.push(inst);
    } else if (line.startsWith('Remv ')) {
      const m = REMV.exec(line);
      if (m !== null) removals.push(splitQualified(m[1] ?? '').name);
    } else if (line.startsWith('E: ')) {
      errors.push(line.slice(3));
    } else if (line.startsWith('W: ')) {
      warnings.push(line.slice(3));
    } else {
      const m = SUMMARY.exec(line);
      if (m !== null) {
        summary = {
          upgraded: Number(m[1]),
          newlyInstalled: Number(m[2]),
          downgraded: Number(m[3] ?? 0),
          reinstalled: Number(m[4] ?? 0),
          toRemove: Number(m[5]),
          notUpgraded: Number(m[6]),
        };
      }
    }
  }
  const sim: Simulation = { insts, removals, lists: parseAptLists(lines), errors, warnings };
  if (summary !== undefined) sim.summary = summary;
  return sim;
}

/** The simulation, checked to be complete: apt's own counts match the Inst lines it printed. */
export function checkedSimulation(text: string): Simulation {
  const sim = parseSimulation(text);
  if (sim.errors.length > 0) {
    throw fail(`apt-get -s failed: ${sim.errors.join(' / ')}`, text);
  }
  const s = sim.summary;
  if (s === undefined) throw fail('apt-get -s: no summary line ("N upgraded, N newly installed, …")', text);
  const announced = s.upgraded + s.newlyInstalled + s.downgraded + s.reinstalled;
  if (announced !== sim.insts.length) {
    throw fail(
      `apt-get -s: the summary announces ${announced} installs but the output has ${sim.insts.length} Inst lines (not a complete simulation)`,
      text,
    );
  }
  return sim;
}

// ---------------------------------------------------------------------------------------------
// Pending updates (UPDATES_SCRIPT)

function originsOfRelease(ref: ReleaseRef, files: readonly PackageFile[]): RepositoryOrigin {
  const match = files.find((f) => {
    if (f.status === true) return false;
    const r = f.release;
    if (r.l !== ref.label || r.v !== ref.version) return false;
    return r.a !== undefined ? r.a === ref.archive : (f.site ?? 'localhost') === ref.archive;
  });
  if (match !== undefined) return originOfFile(match);
  const o: RepositoryOrigin = { suite: ref.archive };
  if (ref.label !== undefined) o.label = ref.label;
  if (ref.version !== undefined) o.version = ref.version;
  return o;
}

function originsOfPolicySource(src: PolicySource, files: readonly PackageFile[]): RepositoryOrigin {
  const match = files.find(
    (f) =>
      f.uri === src.uri &&
      f.dist === src.dist &&
      f.component === src.component &&
      f.indexArch === src.indexArch,
  );
  if (match !== undefined) return originOfFile(match);
  return src.dist !== undefined && src.dist !== '' ? { codename: src.dist } : { site: src.uri };
}

/** Classification and source of a candidate from `apt-cache policy` (held packages). */
export function classifyPolicyCandidate(
  entry: PolicyEntry,
  files: readonly PackageFile[] = [],
): { classification: PendingUpdate['classification']; source?: string } {
  const candidate = entry.versions.find((v) => v.version === entry.candidate);
  const sources = (candidate?.sources ?? []).filter((s) => s.status !== true);
  return classifyOrigins(sources.map((s) => originsOfPolicySource(s, files)));
}

/** The update script's output (UPDATES_SCRIPT): pending updates with classification and source. */
export function parseUpdateScan(out: CommandResult): UpdateScan {
  const s = readSections(DRIVER, 'updates', out, ['simulate', 'held', 'package-files']);
  const simulate = s.get('simulate');
  if (simulate?.rc !== 0) {
    const reason = parseAptFailure({
      ...out,
      exitCode: simulate?.rc ?? 1,
      stdout: simulate?.text ?? '',
      stderr: '',
    });
    throw fail(
      `apt-get -s dist-upgrade failed: ${reason?.message ?? 'no reason given'}`,
      simulate?.text ?? out.stdout,
    );
  }
  const sim = checkedSimulation(simulate.text);
  const heldSection = s.get('held');
  if (heldSection?.rc !== 0) throw fail('apt-mark showhold failed', heldSection?.text ?? out.stdout);
  const held = pkgsList(heldSection.text);
  const filesSection = s.get('package-files');
  const files = filesSection?.rc === 0 ? parsePackageFiles(filesSection.text) : [];

  const updates: PendingUpdate[] = [];
  for (const inst of sim.insts) {
    if (inst.from === undefined) continue; // a new dependency, not an update of an installed package
    const { classification, source } = classifyOrigins(inst.releases.map((r) => originsOfRelease(r, files)));
    const u: PendingUpdate = {
      name: inst.name,
      from: inst.from,
      to: inst.to,
      arch: inst.arch,
      classification,
    };
    if (source !== undefined) u.source = source;
    updates.push(u);
  }
  const heldPolicy = s.get('held-policy');
  if (held.length > 0 && heldPolicy !== undefined && heldPolicy.rc === 0) {
    for (const entry of parseAptCachePolicy(heldPolicy.text)) {
      if (entry.installed === null || entry.candidate === null || entry.installed === entry.candidate)
        continue;
      if (updates.some((u) => u.name === entry.name && (entry.arch === undefined || u.arch === entry.arch)))
        continue;
      const { classification, source } = classifyPolicyCandidate(entry, files);
      const u: PendingUpdate = {
        name: entry.name,
        from: entry.installed,
        to: entry.candidate,
        classification,
      };
      if (entry.arch !== undefined) u.arch = entry.arch;
      if (source !== undefined) u.source = source;
      updates.push(u);
    }
  }
  const keptBack = sim.lists.get('The following packages have been kept back') ?? [];
  return {
    updates: updates.sort(byNameThenArch),
    held,
    keptBack: sortedUnique(keptBack.map((n) => splitQualified(n).name)),
  };
}

export function parseUpdates(out: CommandResult): PendingUpdate[] {
  return parseUpdateScan(out).updates;
}

// ---------------------------------------------------------------------------------------------
// Pre-flight (PREFLIGHT_SCRIPT)

export function parsePreflight(out: CommandResult): Preflight {
  const s = readSections(DRIVER, 'preflight', out, [
    'lock-files',
    'lock-holders',
    'dpkg-updates',
    'dpkg-audit',
    'df',
  ]);
  // Who holds the lock files and the free space: the shared Linux module (../linux/preflight.ts).
  const lockHolders = lockHoldersFrom(s.get('lock-files')?.text ?? '', s.get('lock-holders')?.text ?? '');

  const journal = splitLines(s.get('dpkg-updates')?.text ?? '').map((l) => l.trim());
  const audit = splitLines(s.get('dpkg-audit')?.text ?? '')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');

  return {
    lockHolders,
    // apt's own test (debSystem::CheckUpdates): any all-digits entry in dpkg's journal directory.
    interrupted: journal.some((e) => /^\d+$/.test(e)),
    audit,
    freeSpace: parseDfSection(s.get('df')?.text ?? ''),
  };
}

export { parseDfSection } from '../linux/preflight.js';

// ---------------------------------------------------------------------------------------------
// Failures of apt-get (install, update)

const LOCK_HELD = /Could not get lock (\S+?)\.? It is held by process (\d+)(?: \(([^)]*)\))?/g;
const LOCK_OLD = /Could not get lock (\S+?)(?: - open \(\d+: [^)]*\))?$/;
const LOCK_UNABLE =
  /Unable to (?:acquire the dpkg frontend lock|lock the administration directory) \(([^)]+)\), (is another process using it|are you root)\?/;
const LOCK_DIR = /Unable to lock directory (\S+)/;

/** The lines after a "The following …:" heading. */
function listAfter(lines: readonly string[], heading: string): string[] {
  return (parseAptLists(lines).get(heading) ?? []).map((n) => splitQualified(n).name);
}

/** The indented package list after dpkg's "Errors were encountered while processing:". */
function dpkgErrorList(lines: readonly string[]): string[] {
  const i = lines.indexOf('Errors were encountered while processing:');
  if (i === -1) return [];
  const names: string[] = [];
  for (const line of lines.slice(i + 1)) {
    if (!line.startsWith(' ')) break;
    names.push(debPackageName(line.trim()));
  }
  return names;
}

/** A package name from a name, `name:arch`, or a .deb path (`…/name_version_arch.deb`). */
function debPackageName(s: string): string {
  if (s.endsWith('.deb')) {
    const base = s.slice(s.lastIndexOf('/') + 1);
    return base.slice(0, base.indexOf('_') === -1 ? undefined : base.indexOf('_'));
  }
  return splitQualified(s).name;
}

function lockHolderIn(lines: readonly string[]): LockHolder | undefined {
  let holder: LockHolder | undefined;
  for (const line of lines) {
    for (const m of line.matchAll(LOCK_HELD)) {
      holder = { path: m[1] ?? '', pid: Number(m[2]) };
      if (m[3] !== undefined) holder.command = m[3];
    }
  }
  if (holder !== undefined) return holder;
  for (const line of lines) {
    const old = line.startsWith('E: ') ? LOCK_OLD.exec(line.slice(3)) : null;
    if (old !== null) return { path: old[1] ?? '', pid: null };
    const unable = LOCK_UNABLE.exec(line);
    if (unable !== null && unable[2] === 'is another process using it') {
      const dir = unable[1] ?? '';
      return { path: dir.endsWith('/') ? `${dir}lock` : dir, pid: null };
    }
    const dir = LOCK_DIR.exec(line);
    if (dir !== null) return { path: `${(dir[1] ?? '').replace(/\/$/, '')}/lock`, pid: null };
  }
  return undefined;
}

const holderText = (h: LockHolder): string =>
  h.pid === null ? 'another process' : `process ${h.pid}${h.command === undefined ? '' : ` (${h.command})`}`;

/**
 * Why an apt-get command failed, or undefined when it did not: exit status 0 and no `E:` line.
 * Reads stdout and stderr together (apt writes E: to stderr, the lists and dpkg's progress to stdout).
 */
export function parseAptFailure(out: CommandResult): FailureReason | undefined {
  const lines = splitLines(`${out.stdout}\n${out.stderr}`);
  const errors = lines.filter((l) => l.startsWith('E: '));
  const holder = lockHolderIn(lines);
  if (out.timedOut === true) {
    const waiting =
      holder === undefined ? '' : ` while waiting for ${holder.path}, held by ${holderText(holder)}`;
    return reason(
      'timeout',
      `the package manager did not finish in time${waiting}`,
      [...errors, ...lines.slice(-3)],
      holder === undefined ? {} : { holder },
    );
  }
  if (out.exitCode === null) {
    return reason('killed', `the package manager was ended by ${out.signal ?? 'a signal'}`, lines.slice(-5));
  }
  if (out.exitCode === 0 && errors.length === 0) return undefined;
  const find = (re: RegExp) => lines.find((l) => re.test(l));
  let line: string | undefined;
  let m: RegExpExecArray | null;

  const unable = find(LOCK_UNABLE);
  if (unable !== undefined && / are you root\?/.test(unable)) {
    return reason(
      'package-manager-error',
      `apt could not take its lock: not running as root (is sudo configured?)`,
      [unable],
    );
  }
  if (holder !== undefined && errors.some((e) => /lock/i.test(e))) {
    const lockLines = lines.filter((l) => /lock/i.test(l));
    return reason('lock-held', `${holder.path} is held by ${holderText(holder)}`, lockLines.slice(-3), {
      holder,
    });
  }
  if ((line = find(/dpkg was interrupted, you must manually run '[^']+'/)) !== undefined) {
    const cmd = /run '([^']+)'/.exec(line)?.[1] ?? 'dpkg --configure -a';
    return reason(
      'interrupted',
      `dpkg was interrupted by an earlier run: '${cmd}' must be run on the host first`,
      [line],
    );
  }
  if ((line = find(/You don't have enough free space in /)) !== undefined) {
    const dir = /free space in (\S+?)\.?$/.exec(line)?.[1] ?? '';
    return reason('no-space', `not enough free space in ${dir} to download the packages`, [line]);
  }
  if ((line = find(/No space left on device/)) !== undefined) {
    const i = lines.indexOf(line);
    const processing = lines
      .slice(0, i + 1)
      .reverse()
      .find((l) => /error processing (?:archive|package) /.test(l));
    const pkg =
      processing === undefined
        ? undefined
        : /error processing (?:archive|package) (\S+)/.exec(processing)?.[1];
    const packages = pkg === undefined ? [] : [debPackageName(pkg)];
    const where = packages.length > 0 ? ` while installing ${packages.join(', ')}` : '';
    return reason(
      'no-space',
      `no space left on device${where}`,
      [processing ?? '', line].filter((l) => l !== ''),
      { packages },
    );
  }
  const scripts = lines
    .map((l) =>
      /(?:installed|new|old) (\S+) package (pre|post)-(installation|removal) script subprocess returned error exit status (\d+)/.exec(
        l,
      ),
    )
    .filter((x): x is RegExpExecArray => x !== null);
  if (scripts.length > 0) {
    const packages = sortedUnique(scripts.map((s) => debPackageName(s[1] ?? '')));
    const first = scripts[0];
    const what =
      first === undefined
        ? ''
        : `the ${first[2]}-${first[3]} script of ${debPackageName(first[1] ?? '')} failed with exit status ${first[4]}`;
    const more = packages.length > 1 ? ` (failing packages: ${packages.join(', ')})` : '';
    const excerptLines = lines.filter((l) => /error processing|subprocess returned|^E: /.test(l));
    return reason('maintainer-script', `${what}${more}`, excerptLines, { packages });
  }
  const overwrite = lines
    .map((l) => /trying to overwrite '([^']+)', which is also in package (\S+)/.exec(l))
    .find((x) => x !== null);
  if (overwrite !== undefined && overwrite !== null) {
    const i = lines.indexOf(overwrite.input);
    const archive = lines
      .slice(0, i)
      .reverse()
      .find((l) => /error processing (?:archive|package) /.test(l));
    const pkg =
      archive === undefined ? undefined : /error processing (?:archive|package) (\S+)/.exec(archive)?.[1];
    const owner = splitQualified(overwrite[2] ?? '').name;
    const packages = pkg === undefined ? [owner] : [debPackageName(pkg), owner];
    const who = pkg === undefined ? 'a package' : debPackageName(pkg);
    return reason(
      'file-conflict',
      `${who} would overwrite ${overwrite[1]}, which belongs to ${owner}`,
      [archive ?? '', overwrite.input].filter((l) => l !== ''),
      { packages },
    );
  }
  if (
    (line = find(/^E: Held packages were changed and -y was used without --allow-change-held-packages/)) !==
    undefined
  ) {
    const packages = listAfter(lines, 'The following held packages will be changed');
    return reason(
      'held',
      `held packages would change: ${packages.join(', ') || 'unknown'} (patchctl never overrides a hold)`,
      [line],
      { packages },
    );
  }
  if (
    (line = find(/^E: Packages were downgraded and -y was used without --allow-downgrades/)) !== undefined
  ) {
    const packages = listAfter(lines, 'The following packages will be DOWNGRADED');
    return reason(
      'downgrade',
      `the transaction would downgrade ${packages.join(', ') || 'packages'} (patchctl never downgrades)`,
      [line],
      { packages },
    );
  }
  if ((line = find(/^E: Packages need to be removed but remove is disabled/)) !== undefined) {
    const packages = listAfter(lines, 'The following packages will be REMOVED');
    return reason(
      'removal-required',
      `the transaction would remove ${packages.join(', ') || 'packages'} (patchctl never removes)`,
      [line],
      { packages },
    );
  }
  const versions = lines
    .map((l) => /Version '([^']+)' for '([^']+)' was not found/.exec(l))
    .filter((x): x is RegExpExecArray => x !== null);
  if (versions.length > 0) {
    const packages = versions.map((v) => splitQualified(v[2] ?? '').name);
    const which = versions.map((v) => `${v[2]}=${v[1]}`).join(', ');
    return reason(
      'version-not-found',
      `version not available from the host's repositories: ${which}`,
      versions.map((v) => v[0]),
      { packages },
    );
  }
  const unknown = lines
    .map((l) => /Unable to locate package (\S+)/.exec(l))
    .filter((x): x is RegExpExecArray => x !== null);
  if (unknown.length > 0) {
    const packages = unknown.map((u) => splitQualified(u[1] ?? '').name);
    return reason(
      'package-not-found',
      `package not known to the host's package index: ${packages.join(', ')}`,
      unknown.map((u) => u[0]),
      { packages },
    );
  }
  if (
    (line = find(/unauthenticated packages|cannot be authenticated|is not signed|NO_PUBKEY|EXPKEYSIG/)) !==
    undefined
  ) {
    return reason(
      'unauthenticated',
      `a repository or package is not authenticated (patchctl never allows unauthenticated packages)`,
      [line],
    );
  }
  if (
    find(/^E: Failed to fetch |^E: Unable to fetch some archives|^E: Some index files failed to download/) !==
    undefined
  ) {
    const url = lines.map((l) => /^E: Failed to fetch (\S+)/.exec(l)?.[1]).find((u) => u !== undefined);
    const fetchLines = lines.filter((l) => /^(E: (Failed to fetch|Unable to fetch|Some index)|Err:)/.test(l));
    return reason(
      'fetch-failed',
      url === undefined ? 'downloads from the repositories failed' : `could not download ${url}`,
      fetchLines,
    );
  }
  if (find(/Unable to correct problems|unmet dependencies|Unmet dependencies/) !== undefined) {
    const packages = lines
      .map((l) => /^ {1}(\S+) : (?:Pre)?Depends:/.exec(l)?.[1])
      .filter((x): x is string => x !== undefined)
      .map((n) => splitQualified(n).name);
    return reason(
      'unresolvable',
      `the package manager cannot resolve the dependencies${packages.length > 0 ? ` of ${packages.join(', ')}` : ''}`,
      errors,
      { packages },
    );
  }
  if ((m = /Sub-process (\S+) returned an error code \((\d+)\)/.exec(errors.join('\n'))) !== null) {
    const packages = dpkgErrorList(lines);
    const about = packages.length > 0 ? ` while processing ${packages.join(', ')}` : '';
    return reason('package-manager-error', `${m[1]} failed with exit status ${m[2]}${about}`, errors, {
      packages,
    });
  }
  const first = errors[0];
  if (first !== undefined) return reason('unknown', first.slice(3), errors);
  return reason(
    'unknown',
    `apt-get exited with status ${out.exitCode}`,
    lines.filter((l) => l.trim() !== '').slice(-5),
  );
}

// ---------------------------------------------------------------------------------------------
// Install and refresh outcomes

const UNPACKING = /^Unpacking (\S+) \(([^)]+)\)(?: over \(([^)]+)\))? \.\.\.$/;
const SETTING_UP = /^Setting up (\S+) \(([^)]+)\) \.\.\.$/;
const SKIPPING = /^Skipping (\S+), it is not installed and only upgrades are requested\.$/;

export function parseInstall(out: CommandResult): InstallOutcome {
  const lines = splitLines(`${out.stdout}\n${out.stderr}`);
  const changed = new Map<string, PackageChange>();
  const skipped: string[] = [];
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if ((m = INST.exec(line)) !== null) {
      // A simulation (-s): what the transaction would change.
      const { name } = splitQualified(m[1] ?? '');
      const c: PackageChange = { name, to: m[3] ?? '' };
      if (m[2] !== undefined) c.from = m[2];
      changed.set(name, c);
    } else if ((m = UNPACKING.exec(line)) !== null) {
      const { name } = splitQualified(m[1] ?? '');
      const c: PackageChange = { name, to: m[2] ?? '' };
      if (m[3] !== undefined) c.from = m[3];
      changed.set(name, c);
    } else if ((m = SETTING_UP.exec(line)) !== null) {
      const { name } = splitQualified(m[1] ?? '');
      const prev = changed.get(name);
      changed.set(name, { ...prev, name, to: m[2] ?? '' });
    } else if ((m = SKIPPING.exec(line)) !== null) {
      skipped.push(splitQualified(m[1] ?? '').name);
    }
  }
  const warnings = lines.filter((l) => l.startsWith('W: ')).map((l) => l.slice(3));
  let failure = parseAptFailure(out);
  if (failure === undefined && skipped.length > 0) {
    failure = reason(
      'not-installed',
      `not installed on the host, so not upgraded: ${skipped.join(', ')}`,
      lines.filter((l) => SKIPPING.test(l)),
      { packages: skipped },
    );
  }
  const outcome: InstallOutcome = { ok: failure === undefined, changed: [...changed.values()], warnings };
  if (failure !== undefined) outcome.failure = failure;
  return outcome;
}

export function parseRefresh(out: CommandResult): RefreshOutcome {
  const lines = splitLines(`${out.stdout}\n${out.stderr}`);
  const warnings = lines.filter((l) => l.startsWith('W: ')).map((l) => l.slice(3));
  const failure = parseAptFailure(out);
  const outcome: RefreshOutcome = { ok: failure === undefined, warnings };
  if (failure !== undefined) outcome.failure = failure;
  return outcome;
}

// ---------------------------------------------------------------------------------------------
// checkrestart (debian-goodies): processes still using files replaced by an upgrade

/** `checkrestart` output; undefined when it is not installed on the host (exit status 127). */
export function parseCheckRestart(out: CommandResult): RestartCheck | undefined {
  if (out.exitCode === 127) return undefined;
  return parseCheckRestartText(out.stdout);
}

export function parseCheckRestartText(text: string): RestartCheck {
  const lines = splitLines(text);
  const found = lines
    .map((l) => /^Found (\d+) processes? using old versions of upgraded files/.exec(l))
    .find((m) => m !== null);
  if (found === undefined || found === null) throw fail('checkrestart: no "Found N processes" line', text);
  const result: RestartCheck = {
    processes: Number(found[1]),
    restartable: [],
    services: [],
    initScripts: [],
    other: [],
  };
  let target: PackageProcesses[] | undefined;
  let pkg: PackageProcesses | undefined;
  let mode: 'packages' | 'services' | 'init' | undefined;
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if (line.startsWith('to restart their services:')) {
      [target, mode] = [result.restartable, 'packages'];
    } else if (/^These processes \(\d+\) do not seem to have an associated init script/.test(line)) {
      [target, mode] = [result.other, 'packages'];
    } else if (line.startsWith('These are the systemd services:')) {
      [target, mode] = [undefined, 'services'];
    } else if (line.startsWith('These are the initd scripts:')) {
      [target, mode] = [undefined, 'init'];
    } else if (mode === 'packages' && target !== undefined && (m = /^(\S+):$/.exec(line)) !== null) {
      pkg = { name: splitQualified(m[1] ?? '').name, processes: [] };
      target.push(pkg);
    } else if (mode === 'packages' && pkg !== undefined && (m = /^\t(\d+)\s+(\S.*)$/.exec(line)) !== null) {
      pkg.processes.push({ pid: Number(m[1]), path: m[2] ?? '' });
    } else if (mode === 'services' && (m = /^systemctl restart (\S+)$/.exec(line)) !== null) {
      result.services.push(m[1] ?? '');
    } else if (mode === 'init' && (m = /^service (\S+) restart$/.exec(line)) !== null) {
      result.initScripts.push(m[1] ?? '');
    }
  }
  return result;
}
