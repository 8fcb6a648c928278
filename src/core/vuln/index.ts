// The OSV advisories of one run, indexed once by ecosystem key and package name
// (docs/vulnerabilities.md, "Matching"): a host looks up only its own installed packages, so a
// plan over 10 000 hosts never scans every advisory per host.
import { ecosystemKeyOf } from './ecosystem.js';
import type { Advisory, AffectedPackage, VulnIntel } from './types.js';

/** One `affected[]` entry of one advisory, as the index holds it. */
export interface IndexedAffected {
  advisory: Advisory;
  entry: AffectedPackage;
}

/** An advisory that says one package at one version is affected, and its first fixed version. */
export interface AffectedMatch {
  advisory: Advisory;
  /** The `fixed` event that ends the affected range; null: none ("affected, no fix"). */
  fixedIn: string | null;
}

export interface VulnIndex {
  /** ecosystemKeyOf(ecosystem) → package name as the feed writes it → entries, in advisory order. */
  readonly byEcosystem: ReadonlyMap<string, ReadonlyMap<string, readonly IndexedAffected[]>>;
  /**
   * Results of match.ts per (ecosystem keys, name, version), filled while hosts are matched, so
   * identical hosts cost one evaluation. Belongs to this index: build a new index for new feeds.
   */
  readonly memo: Map<string, readonly AffectedMatch[]>;
  /** namesFor's cache: the package names under a host's ecosystem keys. */
  readonly names: Map<string, ReadonlySet<string>>;
}

/**
 * Index the advisories of `intel` (one call per run). Entries whose ecosystem no host can have
 * (ecosystemKeyOf: undefined) and entries with neither an ECOSYSTEM range nor `versions[]` are
 * left out. An advisory id met twice for the same key and name (the same record in two files)
 * counts once: the first in `intel.advisories` order.
 */
export function indexIntel(intel: Pick<VulnIntel, 'advisories'>): VulnIndex {
  const byEcosystem = new Map<string, Map<string, IndexedAffected[]>>();
  const seen = new Set<string>();
  for (const advisory of intel.advisories) {
    for (const entry of advisory.affected) {
      const key = ecosystemKeyOf(entry.ecosystem);
      if (key === undefined) continue;
      if (!entry.ranges.some((r) => r.type === 'ECOSYSTEM') && entry.versions.length === 0) continue;
      const once = `${key}\u0000${entry.name}\u0000${advisory.id}`;
      if (seen.has(once)) continue;
      seen.add(once);
      let byName = byEcosystem.get(key);
      if (byName === undefined) byEcosystem.set(key, (byName = new Map()));
      const list = byName.get(entry.name);
      if (list === undefined) byName.set(entry.name, [{ advisory, entry }]);
      else list.push({ advisory, entry });
    }
  }
  return { byEcosystem, memo: new Map(), names: new Map() };
}

/** The entries naming `name` under any of `keys` (a host's ecosystem keys), in key order. */
export function entriesFor(index: VulnIndex, keys: readonly string[], name: string): IndexedAffected[] {
  const out: IndexedAffected[] = [];
  for (const key of keys) {
    const list = index.byEcosystem.get(key)?.get(name);
    if (list !== undefined) out.push(...list);
  }
  return out;
}

/** Every package name any advisory names under `keys`: most installed packages are in none. */
export function namesFor(index: VulnIndex, keys: readonly string[]): ReadonlySet<string> {
  const cacheKey = keys.join('\u0000');
  let names = index.names.get(cacheKey);
  if (names === undefined) {
    const set = new Set<string>();
    for (const key of keys) for (const name of index.byEcosystem.get(key)?.keys() ?? []) set.add(name);
    index.names.set(cacheKey, (names = set));
  }
  return names;
}
