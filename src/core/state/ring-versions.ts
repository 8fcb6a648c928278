// Per-update ring gating (README "Apply"): when a ring completes, apply records
// in state/rollouts/<rollout>.json which version of each package the ring's hosts ran (by
// ecosystem, then `name:arch`); a later ring gets an update only when an earlier ring ran that
// version or a later one (in the ecosystem's own order) when it completed and baked. Pure.
import { compareVersions } from '../versions/compare.js';
import type { Ecosystem, PackageManagerId } from './types.js';

/** Ecosystem → `name:arch` (or `name` when the package manager names no architecture) → version. */
export type RingVersions = Partial<Record<Ecosystem, Record<string, string>>>;

export interface RingPackage {
  name: string;
  version: string;
  arch?: string;
}

const ECOSYSTEMS: Record<PackageManagerId, Ecosystem | undefined> = {
  apt: 'deb',
  dnf: 'rpm',
  yum: 'rpm',
  zypper: 'rpm',
  apk: 'apk',
  winupdate: undefined,
};

/** The version order a package manager's versions follow; undefined where patchctl has none. */
export function ecosystemOf(pm: PackageManagerId | undefined): Ecosystem | undefined {
  return pm === undefined ? undefined : ECOSYSTEMS[pm];
}

export function ringVersionKey(name: string, arch: string | undefined): string {
  return arch === undefined ? name : `${name}:${arch}`;
}

/** `b` newer than `a` in the ecosystem's order; a version it cannot order never wins. */
function newer(ecosystem: Ecosystem, a: string, b: string): boolean {
  try {
    return compareVersions(ecosystem, b, a) > 0;
  } catch {
    return false;
  }
}

/** Adds packages (of one ecosystem) to `into`, keeping the highest version of each. */
export function addRingVersions(
  into: RingVersions,
  ecosystem: Ecosystem,
  packages: readonly RingPackage[],
): void {
  let map = into[ecosystem];
  for (const p of packages) {
    map ??= into[ecosystem] = {};
    const key = ringVersionKey(p.name, p.arch);
    const had = map[key];
    if (had === undefined || newer(ecosystem, had, p.version)) map[key] = p.version;
  }
}

/** The highest version of each package over several records (shards of one ring). */
export function mergeRingVersions(records: readonly (RingVersions | undefined)[]): RingVersions | undefined {
  const present = records.filter((r): r is RingVersions => r !== undefined);
  if (present.length === 0) return undefined;
  const out: RingVersions = {};
  for (const r of present)
    for (const eco of Object.keys(r) as Ecosystem[])
      addRingVersions(
        out,
        eco,
        Object.entries(r[eco] ?? {}).map(([key, version]) => ({ name: key, version })),
      );
  return sortRingVersions(out);
}

/** The record with sorted keys, so that the state file is stable across runs. */
export function sortRingVersions(r: RingVersions): RingVersions {
  const out: RingVersions = {};
  for (const eco of (Object.keys(r) as Ecosystem[]).sort()) {
    const map = r[eco] ?? {};
    const sorted: Record<string, string> = {};
    for (const key of Object.keys(map).sort()) sorted[key] = map[key] as string;
    out[eco] = sorted;
  }
  return out;
}

/**
 * The highest version of `name` (for `arch`, else any architecture) a ring ran, or undefined
 * when the ring's record does not list the package.
 */
export function ringVersionOf(
  r: RingVersions,
  ecosystem: Ecosystem,
  name: string,
  arch: string | undefined,
): string | undefined {
  const map = r[ecosystem];
  if (!map) return undefined;
  if (arch !== undefined) {
    const exact = map[ringVersionKey(name, arch)];
    if (exact !== undefined) return exact;
  }
  let best: string | undefined;
  for (const [key, version] of Object.entries(map)) {
    if (key !== name && !key.startsWith(`${name}:`)) continue;
    if (best === undefined || newer(ecosystem, best, version)) best = version;
  }
  return best;
}

/** Whether `ran` is `to` or later in the ecosystem's order (never by string comparison). */
export function ranAtLeast(ecosystem: Ecosystem, ran: string, to: string): boolean {
  try {
    return compareVersions(ecosystem, ran, to) >= 0;
  } catch {
    return false;
  }
}
