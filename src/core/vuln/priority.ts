// The risk tier of an update, a vulnerability or a host (docs/vulnerabilities.md, "Priority"):
// CISA KEV first, then EPSS at or above the Config threshold, then the vendor's severity.
// Deterministic: the same CVEs, catalogue and scores give the same tier and the same order.
// KEV is whatever the feeds read this run say (a CVE can enter KEV years after its fix:
// CVE-2023-0386), so a Risk is never cached across runs.
import type { Severity } from '../model/types.js';
import type { EpssScore, KevEntry, Risk, RiskTier } from './types.js';
import { RISK_TIERS } from './types.js';

/**
 * The risk of a set of CVEs with a vendor severity:
 * - `kev`: one of the CVEs is in KEV (whatever the vendor's rating: a Low advisory fixing a KEV
 *   CVE is still kev). `cve` is the deciding KEV entry: known ransomware use first, then the
 *   earliest dueDate, then the CVE id.
 * - `epss`: else the highest EPSS score is at or above `epssThreshold` (0.09729 < 0.1 is not).
 * - `severity`: else `severity` is critical or high.
 * - `routine`: everything else, including an unknown severity.
 * `ransomware`, `kevDueDate` and `epss` are filled whatever the tier, for ordering.
 */
export function riskOf(
  cves: readonly string[],
  severity: Severity | null,
  kev: ReadonlyMap<string, KevEntry>,
  epss: ReadonlyMap<string, EpssScore>,
  epssThreshold: number,
): Risk {
  // One pass, nothing sorted: plans judge hundreds of thousands of updates. Ids neither feed knows
  // (DSA-…, ALSA-…, unknown CVEs) change nothing; ids are looked up as given, then upper-cased.
  let firstKev: KevEntry | undefined;
  let ransomware = false;
  let kevDueDate: string | null = null;
  let topEpss: number | null = null;
  let topEpssCve: string | null = null;
  for (const given of cves) {
    let id = given;
    let entry = kev.get(id);
    let score = epss.get(id)?.epss;
    if (entry === undefined && score === undefined) {
      id = given.toUpperCase();
      if (id === given) continue;
      entry = kev.get(id);
      score = epss.get(id)?.epss;
    }
    if (entry !== undefined) {
      if (entry.ransomware) ransomware = true;
      if (entry.dueDate !== null && (kevDueDate === null || entry.dueDate < kevDueDate))
        kevDueDate = entry.dueDate;
      if (firstKev === undefined || compareKevEntries(entry, firstKev) < 0) firstKev = entry;
    }
    if (score !== undefined && !Number.isNaN(score)) {
      // The highest score; between equal scores, the oldest CVE id.
      if (
        topEpss === null ||
        score > topEpss ||
        (score === topEpss && compareCveIds(id, topEpssCve ?? id) < 0)
      ) {
        topEpss = score;
        topEpssCve = id;
      }
    }
  }

  if (firstKev !== undefined)
    return { tier: 'kev', ransomware, kevDueDate, epss: topEpss, severity, cve: firstKev.cve };
  if (topEpss !== null && topEpss >= epssThreshold)
    return { tier: 'epss', ransomware, kevDueDate, epss: topEpss, severity, cve: topEpssCve };
  if (severity === 'critical' || severity === 'high')
    return { tier: 'severity', ransomware, kevDueDate, epss: topEpss, severity, cve: null };
  return { tier: 'routine', ransomware, kevDueDate, epss: topEpss, severity, cve: null };
}

/** KEV entries, most urgent first: known ransomware use, then earliest dueDate, then CVE id. */
function compareKevEntries(a: KevEntry, b: KevEntry): number {
  if (a.ransomware !== b.ransomware) return a.ransomware ? -1 : 1;
  const due = compareNullableAsc(a.dueDate, b.dueDate);
  if (due !== 0) return due;
  return compareCveIds(a.cve, b.cve);
}

const TIER_RANK: Readonly<Record<RiskTier, number>> = Object.fromEntries(
  RISK_TIERS.map((t, i) => [t, i]),
) as Record<RiskTier, number>;

const SEVERITY_RANK: Readonly<Record<Severity, number>> = { critical: 0, high: 1, medium: 2, low: 3 };

/**
 * Order risks, most urgent first (negative: `a` before `b`), in this order of keys:
 * 1. the tier: kev, epss, severity, routine;
 * 2. inside kev: known ransomware use first, then the earliest KEV dueDate (none last);
 * 3. the higher EPSS score (none last);
 * 4. the higher severity: critical, high, medium, low, unknown;
 * 5. the deciding CVE id, oldest first (CVE-2021-4034 before CVE-2021-33909; none last).
 * Equal risks compare 0; callers break remaining ties on their own names (host, package).
 */
export function compareRisk(a: Risk, b: Risk): number {
  const tier = TIER_RANK[a.tier] - TIER_RANK[b.tier];
  if (tier !== 0) return tier;
  if (a.tier === 'kev') {
    if (a.ransomware !== b.ransomware) return a.ransomware ? -1 : 1;
    const due = compareNullableAsc(a.kevDueDate, b.kevDueDate);
    if (due !== 0) return due;
  }
  if (a.epss !== b.epss) {
    if (a.epss === null) return 1;
    if (b.epss === null) return -1;
    return b.epss - a.epss;
  }
  const sa = a.severity === null ? 4 : SEVERITY_RANK[a.severity];
  const sb = b.severity === null ? 4 : SEVERITY_RANK[b.severity];
  if (sa !== sb) return sa - sb;
  if (a.cve === b.cve) return 0;
  if (a.cve === null) return 1;
  if (b.cve === null) return -1;
  return compareCveIds(a.cve, b.cve);
}

/** The most urgent of several risks (compareRisk), undefined for none: a host's or an update's. */
export function mostUrgent(risks: Iterable<Risk>): Risk | undefined {
  let best: Risk | undefined;
  for (const r of risks) if (best === undefined || compareRisk(r, best) < 0) best = r;
  return best;
}

/** CVE ids by year, then number (numerically), then as text for anything else. */
export function compareCveIds(a: string, b: string): number {
  const ma = /^CVE-(\d+)-(\d+)$/i.exec(a);
  const mb = /^CVE-(\d+)-(\d+)$/i.exec(b);
  if (ma !== null && mb !== null) {
    const year = Number(ma[1]) - Number(mb[1]);
    if (year !== 0) return year;
    const num = Number(ma[2]) - Number(mb[2]);
    if (num !== 0) return num;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareNullableAsc(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}
