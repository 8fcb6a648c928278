// Everything the feeds under advisories/ say, merged into the one VulnIntel that planning and
// reporting read (docs/vulnerabilities.md). The feeds were read and checked by
// core/model/advisories.ts; a feed with errors carries no payload and adds nothing here.
import type { CheckedFeed } from '../core/model/advisories.js';
import type { Advisory, EpssScore, Finding, FindingsFile, KevEntry, VulnIntel } from '../core/vuln/types.js';

/**
 * Merges every KEV catalogue (an entry in any counts: known ransomware use in any, the earliest
 * dueDate and dateAdded), every EPSS file (for a CVE scored in several, the newest score_date
 * wins), every OSV advisory (sorted by id, then file) and every findings file (by host; two
 * files for one host are merged, findings deduplicated by id, package and installed version).
 * Deterministic: the result does not depend on the order of `feeds`.
 */
export function intelOf(feeds: readonly CheckedFeed[]): VulnIntel {
  const sorted = [...feeds].sort((a, b) => compare(a.file, b.file));
  const kev = new Map<string, KevEntry>();
  const kevVersions = new Set<string>();
  for (const f of sorted) {
    if (!f.kev) continue;
    if (f.kev.catalogVersion) kevVersions.add(f.kev.catalogVersion);
    for (const [cve, entry] of f.kev.entries) {
      const seen = kev.get(cve);
      kev.set(cve, seen ? mergeKev(seen, entry) : entry);
    }
  }

  const epssFiles = sorted
    .flatMap((f) => (f.epss ? [f.epss] : []))
    .sort((a, b) => compare(a.scoreDate ?? '', b.scoreDate ?? '') || compare(a.file, b.file));
  const epss = new Map<string, EpssScore>();
  const epssDates = new Set<string>();
  for (const e of epssFiles) {
    if (e.scoreDate) epssDates.add(e.scoreDate);
    for (const [cve, score] of e.scores) epss.set(cve, score);
  }

  const advisories: Advisory[] = sorted
    .flatMap((f) => (f.osv ? [f.osv] : []))
    .sort((a, b) => compare(a.id, b.id) || compare(a.file, b.file));

  const findings = new Map<string, FindingsFile>();
  for (const f of sorted) {
    if (!f.findings) continue;
    const seen = findings.get(f.findings.host);
    findings.set(f.findings.host, seen ? mergeFindings(seen, f.findings) : f.findings);
  }

  return {
    kev,
    kevVersions: [...kevVersions].sort(),
    epss,
    epssDates: [...epssDates].sort(),
    advisories,
    findings,
  };
}

function mergeKev(a: KevEntry, b: KevEntry): KevEntry {
  const dueDate = a.dueDate === null ? b.dueDate : b.dueDate === null ? a.dueDate : min(a.dueDate, b.dueDate);
  return {
    ...b,
    ...a,
    dateAdded: min(a.dateAdded, b.dateAdded),
    dueDate,
    ransomware: a.ransomware || b.ransomware,
  };
}

function mergeFindings(a: FindingsFile, b: FindingsFile): FindingsFile {
  const key = (f: Finding) => `${f.id}\u0000${f.package}\u0000${f.installedVersion}`;
  const byKey = new Map<string, Finding>();
  for (const f of [...a.findings, ...b.findings]) if (!byKey.has(key(f))) byKey.set(key(f), f);
  return { ...a, findings: [...byKey.values()] };
}

function min(a: string, b: string): string {
  return a <= b ? a : b;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
