// Pending updates from what the scan gathered: the installed packages (rpm -qa), the candidates
// (check-update), the advisories (updateinfo list joined with updateinfo info) and the holds.
//
// - `from` is the installed version of the same name and arch (any arch when the arch changed, e.g.
//   noarch → x86_64); for an installonly package (kernel, several versions installed) the newest one.
//   A candidate that is not newer (rpmvercmp) than `from` is no update; one with nothing installed is
//   a new package, not an update: both are left out.
// - The advisories of an update are those listing the same name (and arch) at a version newer than
//   `from` and not newer than the candidate: installing 1.2 over 1.0 fixes 1.1's advisory too.
// - classification: security if any of them is a security advisory, else bugfix if any is a bugfix,
//   else enhancement if any is one; an update without advisory is a bugfix (as apt's rule says of a
//   candidate from a regular repository).
// - severity: the highest among its security advisories. advisories: the advisory ids and their CVE
//   ids, sorted. releasedAt: the date of the advisory for exactly the candidate version, else the
//   newest date among them. rebootRequired: installonly packages and REBOOT_PACKAGES.
// - Sorted by name then arch, like apt's.
import { SEVERITIES, type Severity } from '../../core/model/types.js';
import { byNameThenArch } from '../../core/state/order.js';
import type { PendingUpdate } from '../../core/state/types.js';
import type { CheckUpdateEntry } from './parse-check-update.js';
import type { RpmPackage } from './parse-installed.js';
import type { AdvisoryInfo, AdvisoryPackage } from './parse-updateinfo.js';
import { compareEvr, evrOf } from './nevra.js';
import { REBOOT_PACKAGES } from './scripts.js';

export interface ScanParts {
  installed: readonly RpmPackage[];
  candidates: readonly CheckUpdateEntry[];
  advisories: readonly AdvisoryPackage[];
  details: readonly AdvisoryInfo[];
}

const newest = (pkgs: readonly RpmPackage[]): RpmPackage | undefined =>
  pkgs.reduce<RpmPackage | undefined>(
    (best, p) => (best === undefined || compareEvr(evrOf(p), evrOf(best)) > 0 ? p : best),
    undefined,
  );

const rank = (s: Severity): number => SEVERITIES.indexOf(s);

export function combineUpdates(parts: ScanParts): PendingUpdate[] {
  const byName = new Map<string, RpmPackage[]>();
  for (const p of parts.installed) byName.set(p.name, [...(byName.get(p.name) ?? []), p]);
  const details = new Map(parts.details.map((d) => [d.id, d]));
  const updates = new Map<string, PendingUpdate>();
  for (const c of parts.candidates) {
    const same = byName.get(c.name) ?? [];
    const sameArch = same.filter((p) => p.arch === c.arch);
    const installed = newest(sameArch.length > 0 ? sameArch : same);
    if (installed === undefined) continue;
    const from = evrOf(installed);
    if (compareEvr(c.evr, from) <= 0) continue;
    const relevant = parts.advisories.filter((a) => {
      if (a.package.name !== c.name || (a.package.arch !== c.arch && a.package.arch !== 'noarch'))
        return false;
      const v = evrOf(a.package);
      return compareEvr(v, from) > 0 && compareEvr(v, c.evr) <= 0;
    });
    const types = new Set(relevant.map((a) => details.get(a.advisory)?.type ?? a.type));
    const classification: PendingUpdate['classification'] = types.has('security')
      ? 'security'
      : types.has('bugfix')
        ? 'bugfix'
        : types.has('enhancement')
          ? 'enhancement'
          : 'bugfix';
    const u: PendingUpdate = { name: c.name, from, to: c.evr, arch: c.arch, classification };
    if (c.repo !== '') u.source = c.repo;
    const severities = relevant
      .filter((a) => (details.get(a.advisory)?.type ?? a.type) === 'security')
      .map((a) => details.get(a.advisory)?.severity ?? a.severity)
      .filter((s): s is Severity => s !== undefined)
      .sort((x, y) => rank(x) - rank(y));
    if (severities[0] !== undefined) u.severity = severities[0];
    const ids = new Set<string>();
    for (const a of relevant) {
      ids.add(a.advisory);
      for (const cve of details.get(a.advisory)?.cves ?? []) ids.add(cve);
    }
    if (ids.size > 0) u.advisories = [...ids].sort();
    const exact = relevant.find((a) => compareEvr(evrOf(a.package), c.evr) === 0);
    const dateOf = (id: string) => details.get(id)?.updated ?? details.get(id)?.issued;
    const exactDate = exact === undefined ? undefined : dateOf(exact.advisory);
    const dates = relevant
      .map((a) => dateOf(a.advisory))
      .filter((d): d is string => d !== undefined)
      .sort();
    const releasedAt = exactDate ?? dates[dates.length - 1];
    if (releasedAt !== undefined) u.releasedAt = releasedAt;
    if (sameArch.length > 1 || REBOOT_PACKAGES.includes(c.name)) u.rebootRequired = true;
    const key = `${c.name}.${c.arch}`;
    const prev = updates.get(key);
    if (prev === undefined || compareEvr(u.to, prev.to) > 0) updates.set(key, u);
  }
  return [...updates.values()].sort(byNameThenArch);
}
