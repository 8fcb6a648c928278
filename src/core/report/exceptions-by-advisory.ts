// Exceptions by advisory (docs/vulnerabilities.md, "Reports"): which PatchExceptions in force
// waive updates fixing which advisories and CVEs, on how many hosts, until when. Pure.
import { cvesOf } from '../vuln/observed.js';
import { compareCveIds, riskOf } from '../vuln/priority.js';
import type { RiskTier, VulnIntel } from '../vuln/types.js';
import { RISK_TIERS } from '../vuln/types.js';
import type { ExceptionEntry } from './exceptions.js';
import type { ExceptionByAdvisory, HostCompliance } from './types.js';

/**
 * One row per advisory or CVE id: from every excepted update (an update an active exception
 * waives), each id it fixes, with the exceptions that waive it there, the hosts and the
 * packages; and each id an exception in force names in `advisories` that waives nothing today
 * (0 hosts), so that a waiver written for a CVE stays visible. The tier is the most urgent among
 * the waived updates and the id itself (a CVE in KEV is `kev`). Most urgent tier first, then
 * more hosts, then the id (CVE ids by year and number).
 */
export function exceptionsByAdvisory(
  hosts: readonly HostCompliance[],
  exceptions: readonly ExceptionEntry[],
  intel: VulnIntel | undefined,
  threshold: number,
): ExceptionByAdvisory[] {
  interface Acc {
    tiers: RiskTier[];
    exceptions: Map<string, string | undefined>;
    hosts: Set<string>;
    packages: Set<string>;
  }
  const byId = new Map<string, Acc>();
  const acc = (id: string): Acc => {
    let a = byId.get(id);
    if (a === undefined) {
      a = { tiers: [], exceptions: new Map(), hosts: new Set(), packages: new Set() };
      byId.set(id, a);
    }
    return a;
  };
  for (const h of hosts)
    for (const e of h.excepted)
      for (const id of new Set(e.advisories)) {
        const a = acc(id);
        a.tiers.push(e.tier);
        a.exceptions.set(e.exception, e.expires);
        a.hosts.add(h.host);
        a.packages.add(e.package);
      }
  for (const x of exceptions) {
    if (x.status === 'expired') continue;
    for (const id of x.advisories) {
      const a = acc(id);
      if (!a.exceptions.has(x.name)) a.exceptions.set(x.name, x.expires);
    }
  }
  if (byId.size === 0) return [];
  const kev = intel?.kev ?? new Map();
  const epss = intel?.epss ?? new Map();
  const text = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  const rows = [...byId].map(([id, a]): ExceptionByAdvisory => {
    const own = riskOf(cvesOf([id]), null, kev, epss, threshold).tier;
    const tier = RISK_TIERS.find((t) => t === own || a.tiers.includes(t)) ?? 'routine';
    return {
      advisory: id,
      tier,
      exceptions: [...a.exceptions]
        .sort(([x], [y]) => text(x, y))
        .map(([name, expires]) => ({ name, ...(expires !== undefined ? { expires } : {}) })),
      hosts: a.hosts.size,
      packages: [...a.packages].sort(text),
    };
  });
  return rows.sort(
    (a, b) =>
      RISK_TIERS.indexOf(a.tier) - RISK_TIERS.indexOf(b.tier) ||
      b.hosts - a.hosts ||
      compareCveIds(a.advisory, b.advisory),
  );
}
