// SCAN_SCRIPT's output as the contract's UpdateScan (readme.md, "Scan"): package updates with their
// patches' metadata, the held (locked) packages with their candidates kept (as apt's scan keeps
// them), and the patches that need something from the run (a reboot, an answer, a restart of
// zypper), listed, never dropped.
import { byNameThenArch } from '../../core/state/order.js';
import type { InstalledPackage, PendingUpdate } from '../../core/state/types.js';
import { compareRpmEvr } from '../../core/versions/rpm.js';
import { parseRpmQueryResult } from '../rpm/parse-installed.js';
import { readSections } from '../sections.js';
import type { CommandResult, UpdateScan } from '../types.js';
import { sectionResult } from './parse-inventory.js';
import { heldPackages } from './parse-locks.js';
import type { ZypperPatch } from './parse-patches.js';
import { parseRepos, parseSearch, type ZypperSolvable } from './parse-search.js';
import { parseScan } from './parse-scan.js';
import type { ZypperPackageUpdate } from './parse-updates.js';
import { isApplicable, patchesFor, toPendingUpdates } from './pending.js';
import { DRIVER } from './stream.js';

/** What an applicable patch needs from the run that installs its packages. */
export type PatchNeed = 'reboot' | 'interactive' | 'package-manager-restart';

export interface PatchAttention {
  patch: string;
  needs: PatchNeed[];
  /** The pending updates (package names) it carries. */
  packages: string[];
}

export interface ZypperUpdateScan extends UpdateScan {
  /**
   * Applicable patches that zypper's own `patch` would not install silently: `restart="true"`
   * (reboot), `interactive="true"` (a message or licence; zypper skips it without
   * --with-interactive), `pkgmanager="true"` (zypper restarts after it). patchctl installs the
   * packages by exact version, so none is skipped; the reboot shows on its packages'
   * `rebootRequired`, and this list says why. Sorted by patch name.
   */
  attention: PatchAttention[];
  /** zypper's warnings (repositories skipped: the lists may be incomplete). */
  warnings: string[];
}

const SCAN_SECTIONS = ['updates', 'patches', 'locks', 'patch-info', 'installed', 'repos', 'held-search'];

/**
 * The candidate of each held package: the newest edition a repository has for its name and arch
 * that is newer than the newest installed one (rpmvercmp), as a package update. `installed` is
 * sorted by name, arch, then edition (parseRpmQueryResult, ../rpm/parse-installed.ts).
 */
export function heldCandidates(
  held: readonly string[],
  installed: readonly InstalledPackage[],
  solvables: readonly ZypperSolvable[],
  aliasOf: ReadonlyMap<string, string>,
): ZypperPackageUpdate[] {
  const newestInstalled = new Map<string, InstalledPackage>();
  for (const p of installed) {
    if (!held.includes(p.name)) continue;
    const key = `${p.name}.${p.arch ?? ''}`;
    const prev = newestInstalled.get(key);
    if (prev === undefined || compareRpmEvr(p.version, prev.version) > 0) newestInstalled.set(key, p);
  }
  const result: ZypperPackageUpdate[] = [];
  for (const [key, p] of newestInstalled) {
    let best: ZypperSolvable | undefined;
    for (const s of solvables) {
      if (`${s.name}.${s.arch}` !== key || s.status === 'installed') continue;
      if (compareRpmEvr(s.edition, p.version) <= 0) continue;
      if (best === undefined || compareRpmEvr(s.edition, best.edition) > 0) best = s;
    }
    if (best === undefined) continue;
    const u: ZypperPackageUpdate = { name: p.name, arch: best.arch, from: p.version, to: best.edition };
    const alias = aliasOf.get(best.repository) ?? (best.repository !== '' ? best.repository : undefined);
    if (alias !== undefined) u.repo = alias;
    result.push(u);
  }
  return result;
}

function attentionOf(
  patches: readonly ZypperPatch[],
  updates: readonly PendingUpdate[],
  conflicts: Parameters<typeof patchesFor>[2],
): PatchAttention[] {
  const result: PatchAttention[] = [];
  for (const p of patches) {
    if (!isApplicable(p)) continue;
    const needs: PatchNeed[] = [];
    if (p.rebootSuggested) needs.push('reboot');
    if (p.interactive) needs.push('interactive');
    if (p.packageManager) needs.push('package-manager-restart');
    if (needs.length === 0) continue;
    const packages = updates.filter((u) => patchesFor(u, [p], conflicts).length > 0).map((u) => u.name);
    result.push({ patch: p.name, needs, packages: [...new Set(packages)].sort() });
  }
  return result.sort((a, b) => (a.patch < b.patch ? -1 : a.patch > b.patch ? 1 : 0));
}

export function parseUpdateScan(out: CommandResult): ZypperUpdateScan {
  const s = readSections(DRIVER, 'scan', out, SCAN_SECTIONS);
  const scan = parseScan(out);
  const { installed } = parseRpmQueryResult(DRIVER, sectionResult(s.get('installed'), out));
  const held = heldPackages(
    scan.locks,
    installed.map((p) => p.name),
  );
  const aliasOf = parseRepos(sectionResult(s.get('repos'), out));
  const solvables = parseSearch(sectionResult(s.get('held-search'), out));
  const listed = new Set(scan.updates.updates.map((u) => `${u.name}.${u.arch}`));
  const candidates = heldCandidates(held, installed, solvables, aliasOf).filter(
    (u) => !listed.has(`${u.name}.${u.arch}`),
  );
  const updates = toPendingUpdates({
    updates: [...scan.updates.updates, ...candidates],
    patches: scan.patches.patches,
    conflicts: scan.conflicts,
    installed,
  }).sort((a, b) => byNameThenArch(a, b) || compareRpmEvr(a.to, b.to));
  return {
    updates,
    held,
    // zypper upgrades a locked package never on its own: each held package with a candidate.
    keptBack: [...new Set(candidates.map((u) => u.name))].sort(),
    attention: attentionOf(scan.patches.patches, updates, scan.conflicts),
    warnings: [...new Set([...scan.updates.warnings, ...scan.patches.warnings])],
  };
}

/** The pending updates alone. */
export const parseUpdates = (out: CommandResult): PendingUpdate[] => parseUpdateScan(out).updates;
