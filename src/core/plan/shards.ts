// Sharding a plan by host (README.md, "Sharding"): `plan --shards N` records which of N shards each host
// belongs to, and `apply --shard i/N` runs one shard, as one job of a CI matrix or one pod of a
// Kubernetes Indexed Job.
//
// The split depends only on ring membership (documents), never on what the plan would do at a
// given time: every shard job computes the same split, with or without a saved plan, so no host
// is run by two shards or by none. Inside each ring the hosts are dealt round-robin in name
// order: shards differ by at most one host per ring.
import { fnv1a } from '../schedule/rings.js';
import { summarise } from './build-plan.js';
import type { Plan, PlanRing } from './types.js';

/** Shard `index` (1-based) of `count`. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** Far beyond any CI matrix (GitHub allows 256 jobs): a typo such as 1/10000 is refused. */
export const MAX_SHARDS = 1000;

export type ShardSpecResult = { ok: true; value: ShardSpec } | { ok: false; message: string };

/** `2/4` → shard 2 of 4. */
export function parseShardSpec(text: string): ShardSpecResult {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) return { ok: false, message: `"${text}" is not a shard: write INDEX/COUNT, e.g. 2/4` };
  const index = Number(m[1]);
  const count = Number(m[2]);
  const countProblem = shardCountProblem(count);
  if (countProblem) return { ok: false, message: `"${text}": ${countProblem}` };
  if (index < 1 || index > count)
    return { ok: false, message: `"${text}": the index counts from 1 to ${count}` };
  return { ok: true, value: { index, count } };
}

/** Why `count` cannot be a number of shards, or undefined. */
export function shardCountProblem(count: number): string | undefined {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SHARDS)
    return `the number of shards must be a whole number from 1 to ${MAX_SHARDS}`;
  return undefined;
}

export function formatShard(spec: ShardSpec): string {
  return `${spec.index}/${spec.count}`;
}

/**
 * Host → shard index (1-based) for a split into `count` shards. Each ring deals on its own,
 * from a shard chosen by its name, so a plan of one ring (`--ring`) splits it the same way.
 */
export function assignShards(rings: readonly PlanRing[], count: number): Map<string, number> {
  const shardOf = new Map<string, number>();
  for (const ring of rings) {
    let next = fnv1a(`${ring.rollout}/${ring.name}`) % count;
    for (const name of ring.hosts.map((h) => h.host).sort(cmp)) {
      if (shardOf.has(name)) continue;
      shardOf.set(name, (next % count) + 1);
      next++;
    }
  }
  return shardOf;
}

/**
 * The plan with each host's shard and a per-shard summary: what `plan --shards N` prints and
 * saves. Everything else is unchanged, so `apply` checks it against the same inputs.
 */
export function withShards(plan: Plan, count: number): Plan {
  const shardOf = assignShards(plan.rings, count);
  const rings = plan.rings.map((r) => ({
    ...r,
    hosts: r.hosts.map((h) => ({ ...h, shard: shardOf.get(h.host) ?? 1 })),
  }));
  const summary = Array.from({ length: count }, (_, i) => ({
    shard: i + 1,
    ...summarise(rings.map((r) => ({ ...r, hosts: r.hosts.filter((h) => h.shard === i + 1) }))),
  }));
  return { ...plan, rings, shards: { count, summary } };
}

/** A ring of a rollout that a shard leaves to a later run. */
export interface DeferredRing {
  rollout: string;
  ring: string;
  /** The earlier ring every shard must complete first. */
  after: string;
}

export interface ShardOfPlan {
  /** The shard's hosts, in the rings it runs now. */
  plan: Plan;
  /** Rings each shard runs in this run: the first ring of each rollout with work anywhere. */
  active: { rollout: string; ring: string }[];
  deferred: DeferredRing[];
}

/**
 * What shard `spec` runs of `plan`: its own hosts, and of each rollout only the first ring that
 * has work in the whole plan. A shard cannot know when the other shards complete a ring, so
 * the next ring waits for a later run (the next stage of the pipeline), after
 * `patchctl report` has merged every shard's ring progress. A `--ring` filter is the caller's.
 *
 * A plan saved with `--shards` keeps its split (and must have the same count); a plan saved
 * without one is split here, the same way.
 */
export function shardOfPlan(plan: Plan, spec: ShardSpec): ShardOfPlan {
  if (plan.shards !== undefined && plan.shards.count !== spec.count)
    throw new RangeError(
      `the plan was split into ${plan.shards.count} shards, not ${spec.count} (checked by the caller)`,
    );
  const split = plan.shards === undefined ? withShards(plan, spec.count) : plan;
  const active: ShardOfPlan['active'] = [];
  const deferred: DeferredRing[] = [];
  const firstWithWork = new Map<string, string>();
  const rings: PlanRing[] = [];
  for (const ring of split.rings) {
    const key = ring.rollout === '' ? `/${ring.name}` : ring.rollout;
    const first = firstWithWork.get(key);
    if (first !== undefined) {
      if (hasWork(ring)) deferred.push({ rollout: ring.rollout, ring: ring.name, after: first });
      continue;
    }
    if (hasWork(ring)) {
      firstWithWork.set(key, ring.name);
      active.push({ rollout: ring.rollout, ring: ring.name });
    }
    rings.push({ ...ring, hosts: ring.hosts.filter((h) => h.shard === spec.index) });
  }
  return {
    plan: { ...split, summary: summarise(rings), rings },
    active,
    deferred,
  };
}

function hasWork(ring: PlanRing): boolean {
  return ring.hosts.some((h) => h.actions.length > 0);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
