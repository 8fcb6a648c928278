// The installed packages: apk's installed database (INSTALLED_SCRIPT, reduced to its P/V/A/o/f
// fields; the full file parses too) and, for comparison with other tools, `apk list --installed`.
import { byNameThenArch } from '../../core/state/order.js';
import type { InstalledPackage } from '../../core/state/types.js';
import { DriverOutputError, resultExcerpt } from '../errors.js';
import { readSections } from '../sections.js';
import type { CommandResult, Inventory, PackageState } from '../types.js';
import { APK_ARCH, APK_NAME, DRIVER, fail, isApkVersion, splitLines, splitNameVersion } from './common.js';
import { heldFromWorld, parseWorld, type World } from './parse-world.js';

export interface InstalledRecord {
  name: string;
  version: string;
  arch?: string;
  /** `o:` the origin: the source package (aport) it was built from; absent in very old databases. */
  origin?: string;
  /** `f:` flags that say the install is incomplete: f (files), s (script), x (xattrs). */
  broken: string[];
}

/** The apk inventory: the common Inventory plus what Alpine's advisory feeds key on. */
export interface ApkInventory extends Inventory {
  /** Package name → origin (source package): secdb and OSV `Alpine:v3.N` name origins. */
  origins: ReadonlyMap<string, string>;
  /** The world file as read (holds, tags, conflicts). */
  world: World;
}

const FIELD = /^([A-Za-z]):(.*)$/;
const BROKEN_FLAGS: Readonly<Record<string, string>> = { f: 'files', s: 'script', x: 'xattrs' };

/**
 * apk's installed database (`P:` name, `V:` version, `A:` arch, `o:` origin, `f:` flags; one
 * package per blank-line separated record; other fields ignored). Records are returned in file order.
 */
export function parseInstalledDb(text: string): InstalledRecord[] {
  const records: InstalledRecord[] = [];
  let fields = new Map<string, string>();
  let first = '';
  const close = () => {
    if (fields.size === 0) return;
    const name = fields.get('P');
    const version = fields.get('V');
    if (name === undefined || version === undefined || !APK_NAME.test(name) || !isApkVersion(version)) {
      throw fail(
        `installed database: a package record without a valid P:/V: pair (${JSON.stringify(first.slice(0, 100))})`,
        first,
      );
    }
    const r: InstalledRecord = { name, version, broken: [] };
    const arch = fields.get('A');
    if (arch !== undefined && APK_ARCH.test(arch)) r.arch = arch;
    const origin = fields.get('o');
    if (origin !== undefined && APK_NAME.test(origin)) r.origin = origin;
    for (const flag of fields.get('f') ?? '') {
      const what = BROKEN_FLAGS[flag];
      if (what !== undefined) r.broken.push(what);
    }
    records.push(r);
    fields = new Map();
  };
  for (const line of splitLines(text)) {
    if (line === '') {
      close();
      continue;
    }
    const m = FIELD.exec(line);
    if (m === null)
      throw fail(`installed database: unexpected line ${JSON.stringify(line.slice(0, 200))}`, line);
    const key = m[1] ?? '';
    if (fields.size === 0) first = line;
    if (key === 'P' && fields.has('P')) {
      // A new package without the blank line between: never written by apk, refused.
      throw fail(
        `installed database: two P: lines in one record (${JSON.stringify(line.slice(0, 100))})`,
        line,
      );
    }
    if (!fields.has(key)) fields.set(key, m[2] ?? '');
  }
  close();
  return records;
}

/** INSTALLED_SCRIPT's output. */
export function parseInstalled(out: CommandResult): ApkInventory {
  const s = readSections(DRIVER, 'installed', out, ['installed-db', 'world']);
  const db = s.get('installed-db');
  if (db?.rc !== 0) {
    throw new DriverOutputError(
      DRIVER,
      `cannot read the installed database /lib/apk/db/installed (grep exit status ${String(db?.rc)})`,
      resultExcerpt(out),
    );
  }
  const records = parseInstalledDb(db.text);
  if (records.length === 0) throw fail('the installed database lists no packages at all', out.stdout);
  const worldSection = s.get('world');
  if (worldSection?.rc !== 0) {
    throw new DriverOutputError(DRIVER, 'cannot read /etc/apk/world', resultExcerpt(out));
  }
  const world = parseWorld(worldSection.text);
  const installed: InstalledPackage[] = [];
  const notFullyInstalled: PackageState[] = [];
  const origins = new Map<string, string>();
  for (const r of records) {
    if (r.origin !== undefined) origins.set(r.name, r.origin);
    if (r.broken.length > 0) {
      // apk fix repairs these; until then the package does not verify as installed.
      notFullyInstalled.push({
        name: r.name,
        arch: r.arch ?? '',
        version: r.version,
        status: `broken ${r.broken.join(',')}`,
      });
      continue;
    }
    installed.push(
      r.arch === undefined
        ? { name: r.name, version: r.version }
        : { name: r.name, version: r.version, arch: r.arch },
    );
  }
  return {
    installed: installed.sort(byNameThenArch),
    held: heldFromWorld(world),
    notFullyInstalled: notFullyInstalled.sort(byNameThenArch),
    origins,
    world,
  };
}

/** One package line of `apk list` (apk-list(8); app_list.c print_package at the default verbosity). */
export interface ApkListEntry {
  name: string;
  version: string;
  arch: string;
  /** `{origin}`; apk prints the package's own name when it has no origin. */
  origin: string;
  license: string;
  installed: boolean;
  /** `[upgradable from: name-version]`: the installed version this one would replace. */
  upgradableFrom?: string;
}

const LIST_LINE = /^(\S+) (\S+) \{([^}]*)\} \((.*)\)(?: \[(installed|upgradable from: (\S+))\])?$/;

/** A line of `apk list`, or undefined when it is not one (warnings, blank lines). */
export function parseApkListLine(line: string): ApkListEntry | undefined {
  const m = LIST_LINE.exec(line);
  if (m === null) return undefined;
  const split = splitNameVersion(m[1] ?? '');
  const arch = m[2] ?? '';
  if (split === undefined || !APK_ARCH.test(arch)) return undefined;
  const entry: ApkListEntry = {
    name: split.name,
    version: split.version,
    arch,
    origin: m[3] ?? '',
    license: m[4] ?? '',
    installed: m[5] === 'installed',
  };
  const from = m[6];
  if (from !== undefined) {
    // The installed package has the same name: its version is what follows `name-`.
    if (!from.startsWith(`${split.name}-`)) return undefined;
    const version = from.slice(split.name.length + 1);
    if (!isApkVersion(version)) return undefined;
    entry.upgradableFrom = version;
  }
  return entry;
}

/** apk's message lines (`WARNING: …`, `ERROR: …`) in a listing. */
export const APK_MESSAGE = /^(WARNING|ERROR): /;

/**
 * `apk list` output: its package lines, and its WARNING/ERROR lines. Any other line is refused.
 */
export function parseApkList(text: string): { entries: ApkListEntry[]; messages: string[] } {
  const entries: ApkListEntry[] = [];
  const messages: string[] = [];
  for (const line of splitLines(text)) {
    if (line.trim() === '') continue;
    if (APK_MESSAGE.test(line)) {
      messages.push(line);
      continue;
    }
    const entry = parseApkListLine(line);
    if (entry === undefined)
      throw fail(`apk list: unexpected line ${JSON.stringify(line.slice(0, 200))}`, line);
    entries.push(entry);
  }
  return { entries, messages };
}
