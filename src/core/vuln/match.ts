// What the feeds say about one host (docs/vulnerabilities.md, "Matching"): its open
// vulnerabilities (installed packages in an affected range, with the fix and the pending update
// that reaches it) and the advisories each pending update fixes. Pure; the index and its memo
// are built once per run (index.ts), so identical hosts cost one evaluation.
import type { Severity } from '../model/types.js';
import type { HostState, InstalledPackage, PendingUpdate } from '../state/types.js';
import { compareVersions, isValidVersion } from '../versions/index.js';
import { highest } from './feeds/osv.js';
import { hostEcosystemOf, orderingOf, type HostEcosystem, type VersionOrdering } from './ecosystem.js';
import { entriesFor, namesFor, type AffectedMatch, type VulnIndex } from './index.js';
import { compareRisk, riskOf } from './priority.js';
import type {
  AffectedPackage,
  EpssScore,
  Finding,
  FindingsFile,
  KevEntry,
  OpenVulnerability,
  UpdateIntel,
} from './types.js';

/** One host and what this run knows: the input of exposureOf and updateIntelOf. */
export interface HostIntelInput {
  host: Pick<HostState, 'os' | 'packageManager' | 'installed' | 'updates'>;
  index: VulnIndex;
  /** advisories/findings/<host>.json, when a scanner's findings were imported for the host. */
  findings?: FindingsFile;
}

export interface HostRiskInput extends HostIntelInput {
  kev: ReadonlyMap<string, KevEntry>;
  epss: ReadonlyMap<string, EpssScore>;
  /** Config `advisories.epssThreshold` (CONFIG_DEFAULTS.epssThreshold). */
  epssThreshold: number;
}

// ---------------------------------------------------------------- range evaluation

/**
 * Whether `version` is affected by one `affected[]` entry, and its first fixed version. Only
 * ECOSYSTEM ranges count (SEMVER and GIT ranges are kept in the Advisory but not evaluated here),
 * plus `versions[]`. A range is walked as the OSV specification evaluates it: events sorted by
 * version (`introduced: "0"` first); `introduced ≤ V` enters the range, `fixed ≤ V` leaves it,
 * `last_affected < V` leaves it. No upper event: affected from `introduced` on, no fix.
 * Every comparison uses the ecosystem's ordering. A version that does not parse, in the host
 * or in a range, never matches (the range is skipped), never throws.
 * `fixedIn` is the lowest `fixed` above V; null when the record has none ("affected, no fix"),
 * or when an affected range ends at `last_affected` only.
 */
export function evaluateAffected(
  entry: AffectedPackage,
  version: string,
  ordering: VersionOrdering,
): { affected: boolean; fixedIn: string | null } {
  if (!isValidVersion(ordering, version)) return { affected: false, fixedIn: null };
  const cmp = (a: string, b: string): number => compareVersions(ordering, a, b);
  let affected = false;
  let unfixed = false;
  const fixes: string[] = [];
  const fixesAbove = (events: readonly { v: string; kind: string }[]): string[] =>
    events.filter((e) => e.kind === 'fixed' && cmp(version, e.v) < 0).map((e) => e.v);

  for (const range of entry.ranges) {
    if (range.type !== 'ECOSYSTEM') continue;
    try {
      const events = range.events
        .map((e) =>
          'introduced' in e
            ? { kind: 'introduced', v: e.introduced }
            : 'fixed' in e
              ? { kind: 'fixed', v: e.fixed }
              : 'last_affected' in e
                ? { kind: 'last_affected', v: e.last_affected }
                : { kind: 'limit', v: e.limit },
        )
        .filter((e) => e.kind !== 'limit');
      const zero = (e: { kind: string; v: string }): boolean => e.kind === 'introduced' && e.v === '0';
      events.sort((a, b) => (zero(a) ? (zero(b) ? 0 : -1) : zero(b) ? 1 : cmp(a.v, b.v)));
      let inside = false;
      for (const e of events) {
        if (e.kind === 'introduced') {
          if (zero(e) || cmp(version, e.v) >= 0) inside = true;
        } else if (e.kind === 'fixed') {
          if (cmp(version, e.v) >= 0) inside = false;
        } else if (cmp(version, e.v) > 0) inside = false;
      }
      if (!inside) continue;
      affected = true;
      const above = fixesAbove(events);
      if (above.length === 0) unfixed = true;
      else fixes.push(above.reduce((lo, v) => (cmp(v, lo) < 0 ? v : lo)));
    } catch {
      continue; // a version in the range that does not parse: the range says nothing
    }
  }

  if (!affected && entry.versions.some((v) => v === version || safeCompare(ordering, v, version) === 0)) {
    affected = true;
    const above = entry.ranges
      .filter((r) => r.type === 'ECOSYSTEM')
      .flatMap((r) => r.events.flatMap((e) => ('fixed' in e ? [e.fixed] : [])))
      .filter((f) => safeCompare(ordering, version, f) === -1);
    if (above.length === 0) unfixed = true;
    else fixes.push(above.reduce((lo, v) => (cmp(v, lo) < 0 ? v : lo)));
  }
  if (!affected) return { affected: false, fixedIn: null };
  if (unfixed || fixes.length === 0) return { affected: true, fixedIn: null };
  // Several affected ranges: the fix is the version that leaves all of them.
  return { affected: true, fixedIn: fixes.reduce((hi, v) => (cmp(v, hi) > 0 ? v : hi)) };
}

/** compareVersions, or null when either version does not parse. */
function safeCompare(ordering: VersionOrdering, a: string, b: string): number | null {
  try {
    return compareVersions(ordering, a, b);
  } catch {
    return null;
  }
}

/** Answers per index: a fleet asks the same (to, fixed) and the same packages again and again. */
interface MatchMemo {
  reaches: Map<string, boolean>;
  packages: Map<string, PackageMatch[]>;
}
const memos = new WeakMap<VulnIndex, MatchMemo>();

function memoOf(index: VulnIndex): MatchMemo {
  let memo = memos.get(index);
  if (memo === undefined) memos.set(index, (memo = { reaches: new Map(), packages: new Map() }));
  return memo;
}

/** `to` is at or above `fixed` in the ordering (false when either does not parse). */
function reaches(ordering: VersionOrdering, to: string, fixed: string, index?: VulnIndex): boolean {
  const memo = index === undefined ? undefined : memoOf(index).reaches;
  const key = memo === undefined ? '' : `${ordering}\u0000${to}\u0000${fixed}`;
  const known = memo?.get(key);
  if (known !== undefined) return known;
  const c = safeCompare(ordering, to, fixed);
  const answer = c !== null && c >= 0;
  memo?.set(key, answer);
  return answer;
}

// ---------------------------------------------------------------- installed package → advisories

/**
 * The Debian binNMU suffix (`+b1`): a rebuild of the same source, so the source version of a
 * binary `1.2-3+b1` is `1.2-3`. A pending update names the binary's candidate version only; its
 * source version is taken as that version without `+bN` (docs/vulnerabilities.md, "Matching").
 */
export function debSourceVersionOf(binaryVersion: string): string {
  return binaryVersion.replace(/\+b\d+$/, '');
}

interface Lookup {
  /** The name the feed keys on. */
  name: string;
  /** The version compared with the ranges. */
  version: string;
  /** SUSE: the binary that must be in the entry's `binaries` when it lists them. */
  binary?: string;
  /** The pending update's `to` → the version compared with `fixedIn`. */
  toVersion: (to: string) => string;
}

const asIs = (to: string): string => to;

/** Debian's and Ubuntu's signed kernel sources; the images carry the `linux` source's version. */
const LINUX_SIGNED = /^linux-signed(?:-|$)/;

/**
 * How an installed package is looked up (ecosystem.ts FeedNaming): Debian/Ubuntu/Alpine by
 * `source ?? name` at `sourceVersion ?? version` (a deb update's `to` without `+bN`), and a
 * signed kernel (`linux-signed-*`, whose image carries the kernel's own version) also as `linux`;
 * AlmaLinux/Rocky/RHEL by the binary name, then the source RPM's; SUSE by the source RPM,
 * checked against the entry's binaries.
 */
function lookupsOf(eco: HostEcosystem, p: InstalledPackage): Lookup[] {
  switch (eco.naming) {
    case 'source': {
      const toVersion = eco.ordering === 'deb' ? debSourceVersionOf : asIs;
      const out: Lookup[] = [{ name: p.source ?? p.name, version: p.sourceVersion ?? p.version, toVersion }];
      if (eco.ordering === 'deb' && p.source !== undefined && LINUX_SIGNED.test(p.source))
        out.push({ name: 'linux', version: p.version, toVersion: asIs });
      return out;
    }
    case 'binary': {
      const out: Lookup[] = [{ name: p.name, version: p.version, toVersion: asIs }];
      if (p.source !== undefined && p.source !== p.name)
        out.push({ name: p.source, version: p.version, toVersion: asIs });
      return out;
    }
    case 'source-rpm':
      return [{ name: p.source ?? p.name, version: p.version, binary: p.name, toVersion: asIs }];
  }
}

/** The advisories affecting one lookup, memoised per (ecosystem keys, name, version, binary). */
function matchesOf(index: VulnIndex, eco: HostEcosystem, l: Lookup): readonly AffectedMatch[] {
  const key = [eco.keys.join('|'), eco.ordering, l.name, l.version, l.binary ?? ''].join('\u0000');
  const memo = index.memo.get(key);
  if (memo !== undefined) return memo;
  const out: AffectedMatch[] = [];
  const seen = new Set<string>();
  for (const { advisory, entry } of entriesFor(index, eco.keys, l.name)) {
    if (seen.has(advisory.id)) continue;
    if (l.binary !== undefined && entry.binaries !== undefined && !entry.binaries.includes(l.binary))
      continue;
    const r = evaluateAffected(entry, l.version, eco.ordering);
    if (!r.affected) continue;
    seen.add(advisory.id);
    out.push({ advisory, fixedIn: r.fixedIn });
  }
  index.memo.set(key, out);
  return out;
}

interface PackageMatch extends AffectedMatch {
  lookup: Lookup;
}

/** Every advisory affecting an installed package, once per advisory id. */
function packageMatches(
  index: VulnIndex,
  eco: HostEcosystem,
  names: ReadonlySet<string>,
  p: InstalledPackage,
): PackageMatch[] {
  // Most installed packages have no advisory at all: a set look-up or two, nothing allocated.
  const source = p.source;
  if (
    !names.has(p.name) &&
    (source === undefined || !names.has(source)) &&
    !(source !== undefined && LINUX_SIGNED.test(source) && names.has('linux'))
  )
    return [];
  // Hosts of one release share most installed versions: worked out once per package version.
  const memo = memoOf(index).packages;
  const key = [
    eco.keys.join('|'),
    eco.naming,
    eco.ordering,
    p.name,
    p.version,
    source ?? '',
    p.sourceVersion ?? '',
  ].join('\u0000');
  const known = memo.get(key);
  if (known !== undefined) return known;
  const out: PackageMatch[] = [];
  for (const lookup of lookupsOf(eco, p)) {
    for (const m of matchesOf(index, eco, lookup)) {
      if (out.some((o) => o.advisory.id === m.advisory.id)) continue;
      out.push({ ...m, lookup });
    }
  }
  memo.set(key, out);
  return out;
}

const sameArch = (a: string | undefined, b: string | undefined): boolean =>
  a === undefined || b === undefined || a === b;

/** The pending updates of a package (several installed kernels share one update). */
function updatesOf(updates: readonly PendingUpdate[], p: InstalledPackage): PendingUpdate[] {
  return updates.filter((u) => u.name === p.name && sameArch(u.arch, p.arch));
}

// ---------------------------------------------------------------- findings

const CVE = /^CVE-\d{4}-\d{4,}$/;

function cvesOfFinding(f: Finding): string[] {
  return [...new Set([f.id, ...f.aliases].map((x) => x.toUpperCase()).filter((x) => CVE.test(x)))].sort();
}

/** A host's installed packages by name and by source name, built once per host. */
interface InstalledIndex {
  all: readonly InstalledPackage[];
  byName: Map<string, InstalledPackage[]>;
  bySource: Map<string, InstalledPackage[]>;
}

function installedIndexOf(installed: readonly InstalledPackage[]): InstalledIndex {
  const byName = new Map<string, InstalledPackage[]>();
  const bySource = new Map<string, InstalledPackage[]>();
  const add = (m: Map<string, InstalledPackage[]>, k: string, p: InstalledPackage): void => {
    const list = m.get(k);
    if (list === undefined) m.set(k, [p]);
    else list.push(p);
  };
  for (const p of installed) {
    add(byName, p.name, p);
    add(bySource, p.source ?? p.name, p);
  }
  return { all: installed, byName, bySource };
}

/**
 * The installed packages a finding speaks about: by name (else by `sourcePackage` = the
 * installed package's source) at the finding's installed version (binary or source version).
 * A package upgraded since the scan no longer matches: the finding is stale. With no installed
 * list at all the finding is taken as it stands.
 */
function installedOfFinding(ix: InstalledIndex, f: Finding): InstalledPackage[] {
  if (ix.all.length === 0) return [{ name: f.package, version: f.installedVersion }];
  let named = ix.byName.get(f.package) ?? [];
  if (named.length === 0 && f.sourcePackage !== undefined) named = ix.bySource.get(f.sourcePackage) ?? [];
  return named.filter((p) => p.version === f.installedVersion || p.sourceVersion === f.installedVersion);
}

// ---------------------------------------------------------------- the two entry points

/**
 * The vulnerabilities open on a host: every installed package (each installed kernel on its own)
 * that an OSV record of the host's ecosystem says is affected, and every imported finding that
 * still matches an installed package. Each carries the first fixed version (null: no fix), the
 * pending update that reaches it (null: none offered yet) and its risk. Sorted most urgent first
 * (compareRisk), then by package, installed version and advisory id. An OS without an OSV
 * ecosystem gets findings only.
 */
export function exposureOf(input: HostRiskInput): OpenVulnerability[] {
  const { host, index, kev, epss, epssThreshold } = input;
  const eco = hostEcosystemOf(host.os);
  const ordering = orderingOf(host);
  const out: OpenVulnerability[] = [];

  if (eco !== undefined) {
    const names = namesFor(index, eco.keys);
    for (const p of host.installed) {
      const matches = packageMatches(index, eco, names, p);
      if (matches.length === 0) continue;
      const updates = updatesOf(host.updates, p);
      for (const m of matches) {
        const fixedIn = m.fixedIn;
        const by =
          fixedIn === null
            ? undefined
            : updates.find((u) => reaches(eco.ordering, m.lookup.toVersion(u.to), fixedIn, index));
        out.push(
          openVulnerability(p, {
            advisory: m.advisory.id,
            cves: m.advisory.cves,
            fixedIn,
            fixedBy: by === undefined ? null : { to: by.to },
            severity: m.advisory.severity,
            risk: riskOf(m.advisory.cves, m.advisory.severity, kev, epss, epssThreshold),
            from: 'feed',
          }),
        );
      }
    }
  }

  const findings = input.findings?.findings ?? [];
  const ix = findings.length === 0 ? undefined : installedIndexOf(host.installed);
  for (const f of findings) {
    if (ix === undefined) break;
    const cves = cvesOfFinding(f);
    for (const p of installedOfFinding(ix, f)) {
      const fixedIn = f.fixedVersion;
      const by =
        fixedIn === null || ordering === undefined
          ? undefined
          : updatesOf(host.updates, p).find((u) => reaches(ordering, u.to, fixedIn));
      out.push(
        openVulnerability(p, {
          advisory: f.id,
          cves,
          fixedIn,
          fixedBy: by === undefined ? null : { to: by.to },
          severity: f.severity,
          risk: riskOf(cves, f.severity, kev, epss, epssThreshold),
          from: 'findings',
        }),
      );
    }
  }

  return dedupe(out).sort(
    (a, b) =>
      compareRisk(a.risk, b.risk) ||
      cmpText(a.package, b.package) ||
      cmpText(a.installed, b.installed) ||
      cmpText(a.arch ?? '', b.arch ?? '') ||
      cmpText(a.advisory, b.advisory) ||
      cmpText(a.from, b.from),
  );
}

function openVulnerability(
  p: InstalledPackage,
  rest: Omit<OpenVulnerability, 'package' | 'arch' | 'installed'>,
): OpenVulnerability {
  return {
    advisory: rest.advisory,
    cves: rest.cves,
    package: p.name,
    ...(p.arch === undefined ? {} : { arch: p.arch }),
    installed: p.version,
    fixedIn: rest.fixedIn,
    fixedBy: rest.fixedBy,
    severity: rest.severity,
    risk: rest.risk,
    from: rest.from,
  };
}

/** One entry per (source, advisory, package, arch, installed version): duplicate findings collapse. */
function dedupe(list: OpenVulnerability[]): OpenVulnerability[] {
  const seen = new Set<string>();
  return list.filter((v) => {
    const key = [v.from, v.advisory, v.package, v.arch ?? '', v.installed].join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const cmpText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * What the feeds and findings add to each pending update of a host: the advisories it fixes
 * (the installed version is affected and the update's `to` reaches the fix; for a deb source
 * record, `to` without its binNMU `+bN`), each advisory's id followed by its CVEs, sorted and
 * without the ids the update already carries; the highest severity among them; the earliest
 * `published`. A finding contributes its id and aliases when `to` reaches its fixedVersion.
 * Updates nothing is known about are not in the map. An update of a package missing from the
 * installed list is judged at its `from` version.
 */
export function updateIntelOf(input: HostIntelInput): Map<PendingUpdate, UpdateIntel> {
  const { host, index } = input;
  const eco = hostEcosystemOf(host.os);
  const ordering = orderingOf(host);
  const result = new Map<PendingUpdate, UpdateIntel>();

  const updated = new Set(host.updates.map((u) => u.name));
  const findingsList = input.findings?.findings ?? [];
  const ix = installedIndexOf(
    findingsList.length === 0 ? host.installed.filter((p) => updated.has(p.name)) : host.installed,
  );
  // The findings that still hold, per installed package (per update name without an installed list).
  const findingsOf = new Map<InstalledPackage | string, Finding[]>();
  if (ordering !== undefined) {
    for (const f of findingsList) {
      if (f.fixedVersion === null) continue;
      const keys: (InstalledPackage | string)[] =
        ix.all.length === 0 ? [`${f.package}\u0000${f.installedVersion}`] : installedOfFinding(ix, f);
      for (const k of keys) {
        const list = findingsOf.get(k);
        if (list === undefined) findingsOf.set(k, [f]);
        else list.push(f);
      }
    }
  }
  for (const u of host.updates) {
    const installed = (ix.byName.get(u.name) ?? []).filter((p) => sameArch(u.arch, p.arch));
    const pkgs: InstalledPackage[] = installed.length > 0 ? installed : [fromUpdate(u)];
    const ids = new Set<string>();
    const ratings: (Severity | null)[] = [];
    let releasedAt: string | null = null;
    let found = false;

    if (eco !== undefined) {
      const names = namesFor(index, eco.keys);
      for (const p of pkgs) {
        for (const m of packageMatches(index, eco, names, p)) {
          if (m.fixedIn === null || !reaches(eco.ordering, m.lookup.toVersion(u.to), m.fixedIn, index))
            continue;
          found = true;
          ids.add(m.advisory.id);
          for (const c of m.advisory.cves) ids.add(c);
          ratings.push(m.advisory.severity);
          const published = m.advisory.published;
          if (published !== null && (releasedAt === null || published < releasedAt)) releasedAt = published;
        }
      }
    }
    if (ordering !== undefined && findingsOf.size > 0) {
      const candidates = new Set(
        installed.length > 0
          ? installed.flatMap((p) => findingsOf.get(p) ?? [])
          : (findingsOf.get(`${u.name}\u0000${u.from}`) ?? []),
      );
      for (const f of candidates) {
        if (f.fixedVersion === null || !reaches(ordering, u.to, f.fixedVersion)) continue;
        found = true;
        ids.add(f.id);
        for (const a of f.aliases) ids.add(CVE.test(a.toUpperCase()) ? a.toUpperCase() : a);
        ratings.push(f.severity);
      }
    }
    if (!found) continue;
    const given = new Set(u.advisories ?? []);
    result.set(u, {
      advisories: [...ids].filter((id) => !given.has(id)).sort(),
      severity: highest(ratings),
      releasedAt,
    });
  }
  return result;
}

function fromUpdate(u: PendingUpdate): InstalledPackage {
  const p: InstalledPackage = { name: u.name, version: u.from };
  if (u.arch !== undefined) p.arch = u.arch;
  return p;
}
