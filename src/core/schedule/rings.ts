// Ring membership. Rings that name groups or a selector claim their hosts first, whatever their
// position; the hosts left form a pool that `percent` rings split by a stable hash of the host
// name (so adding a host never moves the others), and a `rest` ring takes what remains.
import type { GroupMembers } from '../model/groups.js';
import { hostsMatching } from '../model/groups.js';
import type { ResolvedHost } from '../model/repository.js';
import type { Ring, RolloutDocument } from '../model/types.js';

export interface RingAssignment {
  /** Host name → ring name. */
  ringOf: Map<string, string>;
  /** Hosts claimed by more than one group/selector ring. */
  conflicts: { host: string; rings: [string, string] }[];
  /** Hosts of the rollout that no ring took. */
  unassigned: string[];
}

export function isExplicitRing(ring: Ring): boolean {
  return ring.groups !== undefined || ring.selector !== undefined;
}

export function rolloutHosts(
  rollout: RolloutDocument,
  hosts: readonly ResolvedHost[],
  members: GroupMembers,
): ResolvedHost[] {
  const scope = rollout.spec.appliesTo;
  if (!scope) return [...hosts];
  const inScope = hostsMatching(hosts, members, { groups: scope });
  return hosts.filter((h) => inScope.has(h.name));
}

export function assignRings(
  rollout: RolloutDocument,
  hosts: readonly ResolvedHost[],
  members: GroupMembers,
): RingAssignment {
  const scope = rolloutHosts(rollout, hosts, members);
  const scopeNames = new Set(scope.map((h) => h.name));
  const ringOf = new Map<string, string>();
  const conflicts: RingAssignment['conflicts'] = [];
  for (const ring of rollout.spec.rings) {
    if (!isExplicitRing(ring)) continue;
    for (const h of hostsMatching(scope, members, ring)) {
      if (!scopeNames.has(h)) continue;
      const earlier = ringOf.get(h);
      if (earlier !== undefined) {
        if (earlier !== ring.name) conflicts.push({ host: h, rings: [earlier, ring.name] });
        continue;
      }
      ringOf.set(h, ring.name);
    }
  }
  const pool = scope.filter((h) => !ringOf.has(h.name));
  let buckets: number[] | undefined; // each pool host's bucket, hashed once for all percent rings
  let lower = 0;
  for (const ring of rollout.spec.rings) {
    if (ring.percent === undefined || isExplicitRing(ring)) continue;
    const upper = lower + ring.percent;
    const bs = (buckets ??= pool.map((h) => bucketOf(rollout.metadata.name, h.name)));
    pool.forEach((h, i) => {
      const b = bs[i] as number;
      if (b >= lower && b < upper && !ringOf.has(h.name)) ringOf.set(h.name, ring.name);
    });
    lower = upper;
  }
  const rest = rollout.spec.rings.find((r) => r.rest === true);
  if (rest) for (const h of pool) if (!ringOf.has(h.name)) ringOf.set(h.name, rest.name);
  const unassigned = scope.filter((h) => !ringOf.has(h.name)).map((h) => h.name);
  return { ringOf, conflicts, unassigned };
}

/** A host's position in [0, 100) for percent rings: FNV-1a of "rollout/host", stable forever. */
export function bucketOf(rollout: string, host: string): number {
  return (fnv1a(`${rollout}/${host}`) % 10000) / 100;
}

/** The 32-bit FNV-1a hash of `text`'s UTF-16 code units: small, fast and the same everywhere. */
export function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}
