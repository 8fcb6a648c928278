// list-updates + list-patches + the patches' Conflicts → PendingUpdate[] (readme.md, "Scan"). A
// patch carries a package update when it conflicts with `name[.arch] < E` and the installed edition
// is older than E while the candidate is E or newer (rpmvercmp, core/versions/rpm.ts): installing the
// candidate is what makes the patch applied.
import { byNameThenArch } from '../../core/state/order.js';
import type { InstalledPackage, PendingUpdate } from '../../core/state/types.js';
import { compareRpmEvr } from '../../core/versions/rpm.js';
import { classificationOfCategory, higherSeverity, severityOf, strongerClassification } from './classify.js';
import type { PatchConflict, ZypperPatch } from './parse-patches.js';
import type { ZypperPackageUpdate } from './parse-updates.js';

export interface PendingInputs {
  updates: readonly ZypperPackageUpdate[];
  patches: readonly ZypperPatch[];
  /** parsePatchInfo's result; a patch missing here carries no known package. */
  conflicts: ReadonlyMap<string, readonly PatchConflict[]>;
  /** For updates without `edition-old` (older zypper): the newest installed edition of the same name and arch. */
  installed?: readonly InstalledPackage[];
}

/** Patches that still apply to the host: needed, or optional (enhancements zypper leaves to the user). */
export const isApplicable = (p: ZypperPatch): boolean => p.status === 'needed' || p.status === 'optional';

/** The applicable patches that carry `u` (from → to), in the input order. */
export function patchesFor(
  u: { name: string; arch?: string; from: string; to: string },
  patches: readonly ZypperPatch[],
  conflicts: ReadonlyMap<string, readonly PatchConflict[]>,
): ZypperPatch[] {
  return patches.filter(
    (p) =>
      isApplicable(p) &&
      (conflicts.get(p.name) ?? []).some(
        (c) =>
          c.name === u.name &&
          (c.arch === undefined || u.arch === undefined || c.arch === u.arch) &&
          compareRpmEvr(u.from, c.edition) < 0 &&
          compareRpmEvr(u.to, c.edition) >= 0,
      ),
  );
}

function installedEdition(
  installed: readonly InstalledPackage[] | undefined,
  name: string,
  arch: string,
): string | undefined {
  let best: string | undefined;
  for (const p of installed ?? []) {
    if (p.name !== name || (p.arch !== undefined && p.arch !== arch)) continue;
    if (best === undefined || compareRpmEvr(p.version, best) > 0) best = p.version;
  }
  return best;
}

/**
 * One PendingUpdate per package update, sorted by name then arch (as apt's): classification the
 * strongest, severity the highest of the patches that carry it; advisories their names and CVEs;
 * releasedAt the newest issue date among them (the approval delay runs from the latest fix); reboot
 * when any of them suggests one. An update no patch carries is a bugfix with no severity; `source`
 * is the repository alias. An update whose installed edition is unknown is left out.
 */
export function toPendingUpdates(inputs: PendingInputs): PendingUpdate[] {
  const result: PendingUpdate[] = [];
  for (const u of inputs.updates) {
    const from = u.from ?? installedEdition(inputs.installed, u.name, u.arch);
    if (from === undefined) continue;
    const carriers = patchesFor(
      { name: u.name, arch: u.arch, from, to: u.to },
      inputs.patches,
      inputs.conflicts,
    );
    const p: PendingUpdate = { name: u.name, from, to: u.to, arch: u.arch, classification: 'bugfix' };
    if (u.repo !== undefined) p.source = u.repo;
    if (carriers.length > 0) {
      p.classification = carriers
        .map((c) => classificationOfCategory(c.category))
        .reduce(strongerClassification);
      const severity = carriers.map((c) => severityOf(c.severity)).reduce(higherSeverity, undefined);
      if (severity !== undefined) p.severity = severity;
      p.advisories = [...new Set(carriers.flatMap((c) => [c.name, ...c.cves]))].sort();
      const dates = carriers
        .map((c) => c.issuedAt)
        .filter((d): d is string => d !== undefined)
        .sort();
      const newest = dates[dates.length - 1];
      if (newest !== undefined) p.releasedAt = newest;
      if (carriers.some((c) => c.rebootSuggested)) p.rebootRequired = true;
    }
    result.push(p);
  }
  return result.sort((a, b) => byNameThenArch(a, b) || compareRpmEvr(a.to, b.to));
}
