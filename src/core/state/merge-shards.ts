// Ring progress written by shards (`apply --shard i/N`): each shard records its own part of a
// ring in state/rollouts/shards/<rollout>.<i>-of-<N>.json, so that shards running at the same
// time (or in separate CI jobs) never write one file. Reading merges them into one progress per
// ring: a ring is completed when all N shards completed it, halted when one halted.
import { mergeRingVersions } from './ring-versions.js';
import type { RingProgress, RolloutState } from './types.js';

export interface RolloutShard {
  index: number;
  count: number;
}

/** The file name (without folder) of a shard's progress for `rollout`. */
export function shardProgressFileName(rollout: string, shard: RolloutShard): string {
  return `${rollout}.${shard.index}-of-${shard.count}.json`;
}

/**
 * The progress of a rollout: `main` (state/rollouts/<rollout>.json) overlaid with what its
 * shards recorded after it. The files of one split (same count: shard i always holds the same
 * hosts) are merged ring by ring; splits are applied oldest first, and one older than `main`
 * was merged into it already (`patchctl report` folds them and removes them).
 *
 * A shard's file accumulates across plans, so a ring another shard completed in an earlier plan
 * still counts as completed there: the plan keeps the next ring waiting while any host of this
 * one has work, so "completed" only decides when bake time starts.
 */
export function mergeShardProgress(
  main: RolloutState | undefined,
  shards: readonly RolloutState[],
): RolloutState | undefined {
  const splits = new Map<string, RolloutState[]>();
  for (const s of shards) {
    if (s.shard === undefined) continue;
    const key = String(s.shard.count);
    splits.set(key, [...(splits.get(key) ?? []), s]);
  }
  const ordered = [...splits.values()]
    .map((members) => ({ members, updatedAt: latest(members.map((m) => m.updatedAt)) }))
    .filter((s) => main === undefined || Date.parse(s.updatedAt) > Date.parse(main.updatedAt))
    .sort((a, b) => Date.parse(a.updatedAt) - Date.parse(b.updatedAt));
  let merged = main;
  for (const { members, updatedAt } of ordered) {
    const newest = [...members].sort((a, b) => Date.parse(b.updatedAt) - Date.parse(a.updatedAt))[0];
    const first = members[0];
    if (!first?.shard || !newest) continue;
    const count = first.shard.count;
    const ringNames = [...new Set(members.flatMap((m) => Object.keys(m.rings)))].sort();
    const rings: Record<string, RingProgress> = { ...(merged?.rings ?? {}) };
    for (const ring of ringNames) {
      const parts = members
        .filter((m) => m.rings[ring] !== undefined)
        .map((m) => ({ shard: m.shard?.index ?? 0, progress: m.rings[ring] as RingProgress }));
      const ringNow = mergeRing(parts, count);
      // What the ring ran at its last completion, and its last release, stay until replaced.
      const before = merged?.rings[ring];
      rings[ring] = {
        ...ringNow,
        ...(ringNow.versions === undefined && before?.versions ? { versions: before.versions } : {}),
        ...(ringNow.released === undefined && before?.released ? { released: before.released } : {}),
      };
    }
    merged = {
      formatVersion: 1,
      rollout: first.rollout,
      ...(newest.planDigest !== undefined ? { planDigest: newest.planDigest } : {}),
      updatedAt,
      rings,
    };
  }
  return merged;
}

/** One ring's progress from the shards that recorded it (the others have not run it yet). */
export function mergeRing(
  parts: readonly { shard: number; progress: RingProgress }[],
  count: number,
): RingProgress {
  const sorted = [...parts].sort((a, b) => a.shard - b.shard);
  const all = sorted.map((p) => p.progress);
  const failures = all.reduce((n, p) => n + (p.failures ?? 0), 0);
  const startedAt = earliest(all.flatMap((p) => (p.startedAt ? [p.startedAt] : [])));
  const finishedAt = latest(all.flatMap((p) => (p.finishedAt ? [p.finishedAt] : [])));
  // What the shards' hosts ran at completion (the highest version of each package), the hosts
  // that failed, and the latest release: kept like the rest of the ring's progress.
  const versions = mergeRingVersions(all.map((p) => p.versions));
  const failedHosts = [...new Set(all.flatMap((p) => p.failedHosts ?? []))].sort();
  const released = all
    .flatMap((p) => (p.released ? [p.released] : []))
    .sort((a, b) => Date.parse(b.at) - Date.parse(a.at))[0];
  const common = {
    ...(startedAt ? { startedAt } : {}),
    ...(failures > 0 || all.some((p) => p.failures !== undefined) ? { failures } : {}),
    ...(versions ? { versions } : {}),
    ...(failedHosts.length > 0 ? { failedHosts } : {}),
    ...(released ? { released } : {}),
  };
  const halted = sorted.find((p) => p.progress.status === 'halted');
  if (halted)
    return {
      status: 'halted',
      ...common,
      ...(finishedAt ? { finishedAt } : {}),
      haltedReason: `shard ${halted.shard}/${count}: ${halted.progress.haltedReason ?? 'halted'}`,
    };
  const completed = new Set(sorted.filter((p) => p.progress.status === 'completed').map((p) => p.shard));
  if (completed.size === count) {
    const healthySince = latest(all.flatMap((p) => (p.healthySince ? [p.healthySince] : [])));
    return {
      status: 'completed',
      ...common,
      ...(finishedAt ? { finishedAt } : {}),
      ...(healthySince ? { healthySince } : finishedAt ? { healthySince: finishedAt } : {}),
    };
  }
  if (all.every((p) => p.status === 'pending')) return { status: 'pending' };
  return { status: 'in-progress', ...common };
}

function latest(times: readonly string[]): string {
  return times.reduce((a, b) => (a === '' || Date.parse(b) > Date.parse(a) ? b : a), '');
}

function earliest(times: readonly string[]): string {
  return times.reduce((a, b) => (a === '' || Date.parse(b) < Date.parse(a) ? b : a), '');
}
