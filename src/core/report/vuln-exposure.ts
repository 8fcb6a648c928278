// The compliance report's view of open risk (docs/vulnerabilities.md, "Matching" and "Priority"):
// each host's open vulnerabilities, its risk by tier, the fleet's hosts ranked by it, the KEV
// CVEs open anywhere, what imported findings say beyond that, and which feeds it was judged
// against. Pure: the feeds come in ObservedState.intel.
import type { Severity } from '../model/types.js';
import type { HostState } from '../state/types.js';
import type { VulnIndex } from '../vuln/index.js';
import { indexIntel } from '../vuln/index.js';
import { exposureOf } from '../vuln/match.js';
import { cvesOf } from '../vuln/observed.js';
import { compareCveIds } from '../vuln/priority.js';
import type { OpenVulnerability, Risk, RiskTier, VulnIntel } from '../vuln/types.js';
import { RISK_TIERS } from '../vuln/types.js';
import type {
  FindingsFacts,
  HostCompliance,
  HostRisk,
  HostVulnerability,
  IntelRead,
  MissingUpdate,
  OpenKevCve,
  RankedHost,
  RiskFields,
  TierCounts,
} from './types.js';

/** What matching needs, built once per report. */
export interface ExposureContext {
  intel: VulnIntel;
  index: VulnIndex;
  threshold: number;
}

/** undefined when no OSV record and no findings were read: no host has open vulnerabilities. */
export function exposureContext(
  intel: VulnIntel | undefined,
  threshold: number,
): ExposureContext | undefined {
  if (intel === undefined || (intel.advisories.length === 0 && intel.findings.size === 0)) return undefined;
  return { intel, index: indexIntel(intel), threshold };
}

const NOTHING_OBSERVED: Pick<HostState, 'os' | 'packageManager' | 'installed' | 'updates'> = {
  installed: [],
  updates: [],
};

/**
 * A host's open vulnerabilities (core/vuln/match.ts exposureOf), most urgent first. A host
 * never scanned has none from the feeds, but its imported findings still count (taken as they
 * stand); an unreachable host is judged by its last scan.
 */
export function hostExposure(
  ctx: ExposureContext,
  host: string,
  observed: HostState | undefined,
): HostVulnerability[] {
  const findings = ctx.intel.findings.get(host);
  return exposureOf({
    host: observed ?? NOTHING_OBSERVED,
    index: ctx.index,
    ...(findings ? { findings } : {}),
    kev: ctx.intel.kev,
    epss: ctx.intel.epss,
    epssThreshold: ctx.threshold,
  }).map(hostVulnerability);
}

function hostVulnerability(v: OpenVulnerability): HostVulnerability {
  return {
    advisory: v.advisory,
    cves: [...v.cves],
    package: v.package,
    ...(v.arch === undefined ? {} : { arch: v.arch }),
    installed: v.installed,
    fixedIn: v.fixedIn,
    fixedBy: v.fixedBy === null ? null : { to: v.fixedBy.to },
    severity: v.severity,
    ...riskFields(v.risk),
    from: v.from,
  };
}

const fieldsOf = new WeakMap<Risk, RiskFields>();

/**
 * The report's fields for a Risk: the tier, the KEV facts when it is `kev`, the top EPSS score.
 * Worked out once per Risk object (updates with the same CVEs and severity share one).
 */
export function riskFields(r: Risk): RiskFields {
  let f = fieldsOf.get(r);
  if (f === undefined) {
    f = computeRiskFields(r);
    fieldsOf.set(r, f);
  }
  return f;
}

function computeRiskFields(r: Risk): RiskFields {
  return {
    tier: r.tier,
    ...(r.tier === 'kev' && r.cve !== null
      ? { kev: { cve: r.cve, dueDate: r.kevDueDate, ransomware: r.ransomware } }
      : {}),
    ...(r.epss !== null ? { epss: r.epss } : {}),
  };
}

/** The Risk back from the report's fields, for ordering (compareRisk). */
export function riskOfFields(f: RiskFields, severity: Severity | null): Risk {
  return {
    tier: f.tier,
    ransomware: f.kev?.ransomware ?? false,
    kevDueDate: f.kev?.dueDate ?? null,
    epss: f.epss ?? null,
    severity,
    cve: f.kev?.cve ?? null,
  };
}

export function tierCounts(tiers: Iterable<RiskTier>): TierCounts {
  const counts: TierCounts = { kev: 0, epss: 0, severity: 0, routine: 0 };
  for (const t of tiers) counts[t] += 1;
  return counts;
}

const tierRank = (t: RiskTier): number => RISK_TIERS.indexOf(t);

/**
 * A host's open risk: its most urgent tier among its open vulnerabilities and its missing
 * updates (null with neither), the counts by tier of each, the vulnerabilities with no fix,
 * and the age of its oldest missing security update.
 */
export function hostRisk(vulns: readonly HostVulnerability[], missing: readonly MissingUpdate[]): HostRisk {
  const vulnerabilities = tierCounts(vulns.map((v) => v.tier));
  const missingCounts = tierCounts(missing.map((m) => m.tier));
  const tier = RISK_TIERS.find((t) => vulnerabilities[t] + missingCounts[t] > 0) ?? null;
  let oldest: number | null = null;
  for (const m of missing)
    if (m.classification === 'security' && m.ageDays !== null && (oldest === null || m.ageDays > oldest))
      oldest = m.ageDays;
  return {
    tier,
    vulnerabilities,
    missing: missingCounts,
    noFix: vulns.filter((v) => v.fixedIn === null).length,
    oldestMissingDays: oldest,
  };
}

/**
 * Hosts with open risk, most urgent first: by tier (kev, epss, severity, routine); then, tier
 * by tier from kev down, by how many open vulnerabilities plus missing updates it has there
 * (more first); then by open vulnerabilities with no fix (more first); then by the age of the
 * oldest missing security update (older first, unknown last); then by name.
 */
export function rankHosts(hosts: readonly HostCompliance[]): RankedHost[] {
  const ranked: RankedHost[] = [];
  for (const h of hosts)
    if (h.risk.tier !== null) ranked.push({ host: h.host, ...h.risk, tier: h.risk.tier });
  const at = (r: RankedHost, t: RiskTier): number => r.vulnerabilities[t] + r.missing[t];
  return ranked.sort((a, b) => {
    const tier = tierRank(a.tier) - tierRank(b.tier);
    if (tier !== 0) return tier;
    for (const t of RISK_TIERS) {
      const d = at(b, t) - at(a, t);
      if (d !== 0) return d;
    }
    return (
      b.noFix - a.noFix ||
      (b.oldestMissingDays ?? -1) - (a.oldestMissingDays ?? -1) ||
      (a.host < b.host ? -1 : a.host > b.host ? 1 : 0)
    );
  });
}

/**
 * The CVEs in CISA KEV open somewhere: a host's open vulnerability covering one, or a missing
 * update fixing one. With the fixes offered (the pending update that reaches the fix, or the
 * missing update itself) and the hosts where no fix is published yet. Known ransomware use
 * first, then the earliest dueDate (none last), then more hosts, then the CVE id.
 */
export function openKevCves(
  hosts: readonly HostCompliance[],
  intel: VulnIntel | undefined,
  date: string,
): OpenKevCve[] {
  const kev = intel?.kev;
  if (kev === undefined || kev.size === 0) return [];
  interface Acc {
    hosts: Set<string>;
    packages: Set<string>;
    fixes: Map<string, { package: string; to: string }>;
    noFix: Set<string>;
  }
  const byCve = new Map<string, Acc>();
  const acc = (cve: string): Acc => {
    let a = byCve.get(cve);
    if (a === undefined) {
      a = { hosts: new Set(), packages: new Set(), fixes: new Map(), noFix: new Set() };
      byCve.set(cve, a);
    }
    return a;
  };
  const fix = (a: Acc, pkg: string, to: string): void => {
    a.fixes.set(`${pkg}\u0000${to}`, { package: pkg, to });
  };
  for (const h of hosts) {
    for (const v of h.vulnerabilities) {
      for (const cve of v.cves) {
        if (!kev.has(cve)) continue;
        const a = acc(cve);
        a.hosts.add(h.host);
        a.packages.add(v.package);
        if (v.fixedBy !== null) fix(a, v.package, v.fixedBy.to);
        if (v.fixedIn === null) a.noFix.add(h.host);
      }
    }
    for (const m of h.missing) {
      for (const cve of cvesOf(m.advisories)) {
        if (!kev.has(cve)) continue;
        const a = acc(cve);
        a.hosts.add(h.host);
        a.packages.add(m.package);
        fix(a, m.package, m.to);
      }
    }
  }
  const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const out: OpenKevCve[] = [...byCve].map(([cve, a]) => {
    const entry = kev.get(cve);
    const dueDate = entry?.dueDate ?? null;
    return {
      cve,
      dueDate,
      ransomware: entry?.ransomware ?? false,
      overdue: dueDate !== null && date > dueDate,
      hosts: a.hosts.size,
      packages: [...a.packages].sort(text),
      fixes: [...a.fixes.values()].sort((x, y) => text(x.package, y.package) || text(x.to, y.to)),
      noFixHosts: a.noFix.size,
    };
  });
  return out.sort(
    (a, b) =>
      Number(b.ransomware) - Number(a.ransomware) ||
      (a.dueDate === b.dueDate
        ? 0
        : a.dueDate === null
          ? 1
          : b.dueDate === null
            ? -1
            : text(a.dueDate, b.dueDate)) ||
      b.hosts - a.hosts ||
      compareCveIds(a.cve, b.cve),
  );
}

/**
 * What imported findings say beyond the hosts' vulnerabilities: per inventory host, the
 * findings its scanner knows no fix for (as they still match its installed packages); and the
 * findings files for names that are not inventory hosts (`patchctl import findings` writes
 * advisories/findings/<host>.json), which match nothing.
 */
export function findingsFacts(
  hosts: readonly HostCompliance[],
  intel: VulnIntel | undefined,
  inventory: ReadonlySet<string>,
): FindingsFacts {
  if (intel === undefined || intel.findings.size === 0) return { noFix: [], unknownHosts: [] };
  const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const noFix: FindingsFacts['noFix'] = [];
  for (const h of hosts) {
    const open = h.vulnerabilities.filter((v) => v.from === 'findings' && v.fixedIn === null);
    if (open.length === 0) continue;
    noFix.push({
      host: h.host,
      findings: open.length,
      packages: [...new Set(open.map((v) => v.package))].sort(text),
    });
  }
  const unknownHosts: FindingsFacts['unknownHosts'] = [...intel.findings]
    .filter(([name]) => !inventory.has(name))
    .sort(([a], [b]) => text(a, b))
    .map(([name, f]) => ({
      host: name,
      file: `advisories/findings/${name}.json`,
      importedFrom: f.importedFrom.file,
      scanner: f.scanner.name,
      scannedAt: f.scannedAt,
      findings: f.findings.length,
    }));
  return { noFix, unknownHosts };
}

/** The feeds the report was judged against (catalogue versions, score dates, sizes); null without any. */
export function intelRead(intel: VulnIntel | undefined, threshold: number): IntelRead | null {
  if (intel === undefined) return null;
  return {
    kevVersions: [...intel.kevVersions],
    kevEntries: intel.kev.size,
    epssDates: [...intel.epssDates],
    epssScores: intel.epss.size,
    epssThreshold: threshold,
    advisories: intel.advisories.length,
    findingsHosts: intel.findings.size,
  };
}
