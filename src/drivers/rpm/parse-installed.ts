// `rpm -qa --qf RPM_QUERY_FORMAT` (query.ts) → the installed packages (readme.md). gpg-pubkey entries
// (imported signing keys, arch `(none)`) are not packages and are left out; `warning:` lines are
// skipped; an `error:` line (a damaged rpmdb) or any other line that is not seven tab-separated fields
// is refused with a DriverOutputError naming the driver that asked.
import { byNameThenArch } from '../../core/state/order.js';
import type { InstalledPackage } from '../../core/state/types.js';
import { DriverOutputError, excerptOf, resultExcerpt } from '../errors.js';
import type { CommandResult, PackageState } from '../types.js';
import { compareEvr, evrOf, parseNevr } from './nevra.js';
import { INSTALLONLY_NAMES } from './query.js';

export interface RpmPackage {
  name: string;
  /** null for `(none)`. */
  epoch: string | null;
  version: string;
  release: string;
  arch: string;
  /** The source RPM file name (`name-version-release.src.rpm`); null for `(none)`. */
  sourceRpm: string | null;
  /** Seconds since the epoch. */
  installTime: number;
}

export interface RpmInventory {
  /** Sorted by name then arch; an installonly package (kernel) appears once per installed version. */
  installed: InstalledPackage[];
  /** The same packages with every field rpm printed, in the same order. */
  packages: RpmPackage[];
}

/** Lenient on what a real host may hold (non-ASCII names), strict on shape. */
const NAME = /^[^\s/]+$/;
const FIELD = /^[^\s:/-]+$/;
const ARCH = /^[A-Za-z0-9_]+$/;

const splitLines = (text: string): string[] =>
  text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
const quoteLine = (line: string): string => JSON.stringify(line.slice(0, 200));

/** The rpm -qa result of `driver`'s command: a failed, cut or timed-out query is refused. */
export function parseRpmQueryResult(driver: string, out: CommandResult): RpmInventory {
  if (out.timedOut === true || out.truncated === true || out.exitCode !== 0) {
    const why =
      out.timedOut === true
        ? 'timed out'
        : out.truncated === true
          ? 'output truncated'
          : out.exitCode === null
            ? `ended by ${out.signal ?? 'a signal'}`
            : `exit status ${out.exitCode}`;
    throw new DriverOutputError(driver, `rpm -qa failed (${why})`, resultExcerpt(out));
  }
  const dbError = splitLines(out.stderr).find((l) => l.startsWith('error: '));
  if (dbError !== undefined) {
    throw new DriverOutputError(
      driver,
      `rpm -qa: the rpm database reports ${quoteLine(dbError)}`,
      excerptOf(out.stderr),
    );
  }
  return parseRpmQuery(driver, out.stdout);
}

/** One line of RPM_QUERY_FORMAT; null for a gpg-pubkey entry; undefined when it is not one. */
export function parseRpmQueryLine(line: string): RpmPackage | null | undefined {
  const f = line.split('\t');
  const [name = '', epoch = '', version = '', release = '', arch = '', source = '', time = ''] = f;
  if (f.length !== 7) return undefined;
  if (name === 'gpg-pubkey') return null;
  if (
    !NAME.test(name) ||
    !(epoch === '(none)' || /^\d{1,10}$/.test(epoch)) ||
    !FIELD.test(version) ||
    !FIELD.test(release) ||
    !ARCH.test(arch) ||
    !/^\d{1,12}$/.test(time)
  ) {
    return undefined;
  }
  return {
    name,
    epoch: epoch === '(none)' ? null : epoch,
    version,
    release,
    arch,
    sourceRpm: source === '(none)' || source === '' ? null : source,
    installTime: Number(time),
  };
}

/** RPM_QUERY_FORMAT lines → the packages, sorted by name, arch, then EVR (rpmvercmp). */
export function parseRpmQuery(driver: string, text: string): RpmInventory {
  const fail = (message: string, excerpt: string) =>
    new DriverOutputError(driver, message, excerptOf(excerpt));
  const packages: RpmPackage[] = [];
  for (const line of splitLines(text)) {
    if (line.trim() === '' || line.startsWith('warning: ')) continue;
    if (line.startsWith('error: ')) throw fail(`rpm -qa: the rpm database reports ${quoteLine(line)}`, text);
    const p = parseRpmQueryLine(line);
    if (p === undefined) throw fail(`rpm -qa: unexpected line ${quoteLine(line)}`, line);
    if (p !== null) packages.push(p);
  }
  if (packages.length === 0) throw fail('rpm -qa listed no packages at all', text);
  packages.sort((a, b) => byNameThenArch(a, b) || compareEvr(evrOf(a), evrOf(b)));
  return { installed: packages.map(installedOf), packages };
}

/**
 * `{name, version: [epoch:]version-release, arch}` (the epoch only when set and not 0), and the
 * source RPM's name where it differs (SUSE advisories name source packages:
 * docs/vulnerabilities.md).
 */
export const installedOf = (p: RpmPackage): InstalledPackage => {
  const source = sourceNameOf(p);
  return source !== null && source !== p.name
    ? { name: p.name, version: evrOf(p), arch: p.arch, source }
    : { name: p.name, version: evrOf(p), arch: p.arch };
};

/** The source package's name (`kernel` of `kernel-5.14.0-427.el9.src.rpm`), or null. */
export function sourceNameOf(p: Pick<RpmPackage, 'sourceRpm'>): string | null {
  const m = /^(.+)\.(?:no)?src\.rpm$/.exec(p.sourceRpm ?? '');
  return m === null ? null : (parseNevr(m[1] ?? '')?.name ?? null);
}

/** The names of an `installonly` section (rpm -q --whatprovides …), sorted, without duplicates. */
export function parseInstallonly(text: string): string[] {
  const names = splitLines(text)
    .map((l) => l.trim())
    .filter((l) => NAME.test(l));
  return [...new Set([...INSTALLONLY_NAMES, ...names])].sort();
}

/**
 * Several versions of one name and arch that is not installonly: rpm installs the new version before
 * it erases the old one, so a transaction that did not finish leaves both (dnf check's "is a
 * duplicate with"). The older ones are returned (status `duplicate`), sorted by name then arch.
 */
export function duplicatesOf(
  packages: readonly RpmPackage[],
  installonly: readonly string[],
): PackageState[] {
  const only = new Set(installonly);
  const groups = new Map<string, RpmPackage[]>();
  for (const p of packages) {
    if (only.has(p.name)) continue;
    const key = `${p.name}\u0000${p.arch}`;
    groups.set(key, [...(groups.get(key) ?? []), p]);
  }
  const result: PackageState[] = [];
  for (const group of groups.values()) {
    if (group.length < 2) continue;
    const sorted = [...group].sort((a, b) => compareEvr(evrOf(a), evrOf(b)));
    for (const p of sorted.slice(0, -1)) {
      result.push({ name: p.name, arch: p.arch, version: evrOf(p), status: 'duplicate' });
    }
  }
  return result.sort((a, b) => byNameThenArch(a, b) || compareEvr(a.version, b.version));
}
