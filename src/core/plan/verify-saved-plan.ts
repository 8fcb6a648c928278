// A saved plan is re-derived, never trusted (issue 12, docs/security.md): plans travel through CI
// artifacts and pull requests, and anything in one could have been edited. `apply plan.json`
// recomputes the plan from the repository at the saved plan's `at`, for the saved plan's hosts,
// and refuses any difference; what it then executes is the recomputation, so no string of the
// saved file (a ring or rollout name that becomes a path, a package name, an input path) is used
// as written.
//
// The rule, for a plan applied again (`apply --resume`, or one shard while the others rewrite
// their hosts' state): the caller's freshness check tolerates the files earlier runs of this plan
// and the other shards wrote (host state, ring progress). Those files changed, so:
// - a host whose own state file changed ("changed hosts": patched by an earlier run, or another
//   shard's host) cannot be recomputed as it was: it must be in the same ring (and shard) as the
//   repository places it, and keeps its saved actions, which only count toward its ring's work
//   and failure budget, as the earlier run counted them; the caller refuses to run such a host
//   (run-apply never runs a host an earlier run of the plan finished);
// - every other host is compared exactly, except its `window`: together with the rings'
//   `earliestStart` and `gate`, the "when" of a plan depends on ring progress and on the other
//   hosts' work, so these come from the recomputation whenever an input changed (a ring's
//   earliestStart counts a changed host as starting at the ring's gate, whatever window it had:
//   a ring whose work earlier runs did is then what apply expects, one it finds done or
//   re-counts, not one "with no host whose window opens"). A difference in what is done
//   (actions, skips, notes) is refused, even on a resume.
// Without any changed input, the saved plan must equal the recomputation in every field but
// `gitCommit` (informational: plans are often applied after the commit they were made at).
import { summarise } from './build-plan.js';
import { withShards } from './shards.js';
import type { Plan, PlanAction, PlanHost, PlanRing, PlanSkip } from './types.js';

export interface SavedPlanContext {
  /** How messages name the saved plan (`plan.json`, `state/runs/<id>.plan.json`). */
  label: string;
  /** Hosts whose own state file changed since the plan was made, in files the caller tolerated. */
  changedHosts: ReadonlySet<string>;
  /** Some input file changed (tolerated by the caller): the "when" fields are the recomputation's. */
  inputsChanged: boolean;
  /** build-plan's gateStarts of the recomputation (`rollout/ring` → the gate's start, null: blocked). */
  gateStarts: ReadonlyMap<string, string | null>;
}

export type SavedPlanCheck = { ok: true; plan: Plan } | { ok: false; differences: string[] };

/** The hosts a saved plan covers (it may be a part of the fleet: `plan --ring`, `--hosts`). */
export function savedPlanHosts(saved: Plan): string[] {
  return saved.rings.flatMap((r) => r.hosts.map((h) => h.host));
}

/**
 * Compares `saved` with `recomputed` (the repository's plan at `saved.at` for
 * savedPlanHosts(saved), without shards), following the rule above. On success, `plan` is what
 * apply executes: the recomputation (split into the saved plan's shards, if it has them), with
 * the changed hosts as saved.
 */
export function verifySavedPlan(saved: Plan, recomputed: Plan, ctx: SavedPlanContext): SavedPlanCheck {
  const differences: string[] = [];
  const { label } = ctx;
  const say = (text: string): void => void differences.push(`${label}: ${text}`);
  if (saved.at !== recomputed.at)
    say(`"at" ${q(saved.at)} is not how patchctl writes that time (${recomputed.at})`);
  if (saved.createdAt !== recomputed.createdAt)
    say(`"createdAt" ${q(saved.createdAt)} is not the plan's "at" (${recomputed.createdAt})`);

  // Where the repository puts each host of the saved plan.
  const whole = saved.shards === undefined ? recomputed : withShards(recomputed, saved.shards.count);
  const placed = new Map<string, { ring: PlanRing; host: PlanHost }>();
  for (const ring of whole.rings) for (const host of ring.hosts) placed.set(host.host, { ring, host });
  const seen = new Set<string>();
  for (const ring of saved.rings)
    for (const host of ring.hosts) {
      if (seen.has(host.host)) say(`host ${q(host.host)} appears more than once`);
      seen.add(host.host);
      const there = placed.get(host.host);
      if (!there) say(`host ${q(host.host)} is not a host of the repository`);
      else if (there.ring.name !== ring.name || there.ring.rollout !== ring.rollout)
        say(
          `host ${host.host} is in ring ${ringName(ring, true)} of the plan; the repository puts it in ring ${ringName(there.ring)}`,
        );
    }
  const savedRings = saved.rings.map((r) => ringName(r, true));
  const repoRings = whole.rings.map((r) => ringName(r));
  if (differences.length === 0 && savedRings.join('\n') !== repoRings.join('\n'))
    say(`its rings (${savedRings.join(', ')}) are not the repository's (${repoRings.join(', ')})`);
  if (differences.length > 0) return { ok: false, differences };

  const rings: PlanRing[] = whole.rings.map((ring, i) => {
    const mine = saved.rings[i] as PlanRing;
    const at = `ring ${ringName(ring)}`;
    if (!ctx.inputsChanged) {
      if (mine.earliestStart !== ring.earliestStart)
        say(
          `${at}: earliestStart ${q(mine.earliestStart)} is not what the repository decides (${q(ring.earliestStart)})`,
        );
      if (mine.gate !== ring.gate)
        say(
          `${at}: gate ${q(mine.gate ?? null)} is not what the repository decides (${q(ring.gate ?? null)})`,
        );
    }
    if (mine.hosts.map((h) => h.host).join('\n') !== ring.hosts.map((h) => h.host).join('\n'))
      say(`${at}: its hosts are not in the repository's order (by name)`);
    const byName = new Map(mine.hosts.map((h) => [h.host, h]));
    const hosts = ring.hosts.map((repo) => {
      const kept = byName.get(repo.host) as PlanHost;
      if (ctx.changedHosts.has(repo.host)) {
        // Patched by an earlier run (or another shard's host): kept as saved, never run again.
        if (kept.shard !== repo.shard)
          say(
            `${at} host ${repo.host}: shard ${q(kept.shard ?? null)} is not the repository's split (${q(repo.shard ?? null)})`,
          );
        return kept;
      }
      compareHost(kept, repo, ctx.inputsChanged, (text) => say(`${at} host ${repo.host}: ${text}`));
      return repo;
    });
    if (!ctx.inputsChanged) return { ...ring, hosts };
    const gate = ctx.gateStarts.has(`${ring.rollout}/${ring.name}`)
      ? (ctx.gateStarts.get(`${ring.rollout}/${ring.name}`) ?? null)
      : ring.earliestStart;
    let earliest: string | null = null;
    if (gate !== null)
      for (const h of hosts) {
        if (h.actions.length === 0) continue;
        const start = ctx.changedHosts.has(h.host) ? gate : (h.window?.start ?? gate);
        if (earliest === null || start < earliest) earliest = start;
      }
    return { ...ring, earliestStart: earliest, hosts };
  });

  const { shards: _shards, ...unsplit } = recomputed;
  const executed: Plan =
    saved.shards === undefined
      ? { ...unsplit, summary: summarise(rings), rings }
      : withShards(
          { ...unsplit, summary: summarise(rings), rings: rings.map(withoutShard) },
          saved.shards.count,
        );
  if (!sameJson(saved.summary, executed.summary))
    say(
      `summary ${JSON.stringify(saved.summary)} does not count the plan (${JSON.stringify(executed.summary)})`,
    );
  if (saved.shards !== undefined && !sameJson(saved.shards, executed.shards))
    say(
      `shards ${JSON.stringify(saved.shards)} are not the repository's split (${JSON.stringify(executed.shards)})`,
    );
  return differences.length > 0 ? { ok: false, differences } : { ok: true, plan: executed };
}

/** One host, field by field: the first difference of each kind is named. */
function compareHost(
  saved: PlanHost,
  repo: PlanHost,
  inputsChanged: boolean,
  say: (text: string) => void,
): void {
  if (saved.note !== repo.note)
    say(`note ${q(saved.note ?? null)} is not what the repository decides (${q(repo.note ?? null)})`);
  if (saved.state !== repo.state)
    say(`state ${q(saved.state ?? null)} is not what the repository decides (${q(repo.state ?? null)})`);
  if (saved.mayReboot !== repo.mayReboot)
    say(
      `mayReboot ${q(saved.mayReboot ?? null)} is not what the repository decides (${q(repo.mayReboot ?? null)})`,
    );
  if (!inputsChanged && !sameJson(saved.window, repo.window))
    say(
      `window ${JSON.stringify(saved.window)} is not what the repository decides (${JSON.stringify(repo.window)})`,
    );
  if (saved.shard !== repo.shard)
    say(`shard ${q(saved.shard ?? null)} is not the repository's split (${q(repo.shard ?? null)})`);
  // apply opens the host's driver from it (docs/adding-a-driver.md, "Registries"). A plan saved
  // before the field existed names none: apply then runs the repository's plan, which does.
  if (saved.packageManager !== undefined && saved.packageManager !== repo.packageManager)
    say(
      `packageManager ${q(saved.packageManager ?? null)} is not what the repository's state says (${q(repo.packageManager ?? null)})`,
    );
  compareList('action', saved.actions, repo.actions, describeAction, say);
  compareList('skip', saved.skipped, repo.skipped, describeSkip, say);
}

function compareList<T>(
  kind: string,
  saved: readonly T[],
  repo: readonly T[],
  describe: (item: T) => string,
  say: (text: string) => void,
): void {
  const keys = (list: readonly T[]) => list.map((x) => canonicalJson(x));
  const mine = keys(saved);
  const theirs = keys(repo);
  if (mine.join('\n') === theirs.join('\n')) return;
  const extra = saved.find((_, i) => !theirs.includes(mine[i] as string));
  if (extra !== undefined) return say(`${kind} ${describe(extra)} is not what the repository decides`);
  const missing = repo.find((_, i) => !mine.includes(theirs[i] as string));
  if (missing !== undefined)
    return say(`${kind} ${describe(missing)}, which the repository decides, is missing`);
  say(`its ${kind}s are not in the repository's order, or repeat one`);
}

function describeAction(a: PlanAction): string {
  if (a.type === 'reboot') return `reboot (${q(a.reason)})`;
  const arch = a.arch === undefined ? '' : `:${a.arch}`;
  return `upgrade ${q(a.package)}${arch} ${q(a.from)} → ${q(a.to)} (policy ${q(a.policy)})`;
}

function describeSkip(s: PlanSkip): string {
  return `of ${q(s.package)} ${q(s.to)} (${q(s.reason)} by ${q(s.by)})`;
}

function withoutShard(ring: PlanRing): PlanRing {
  return { ...ring, hosts: ring.hosts.map(({ shard: _shard, ...h }) => h) };
}

/** `canary`, or `rollout/canary`; a saved plan's names are quoted (they may hold anything). */
function ringName(ring: Pick<PlanRing, 'name' | 'rollout'>, fromFile = false): string {
  const name = ring.rollout === '' ? ring.name : `${ring.rollout}/${ring.name}`;
  return fromFile ? q(name) : name;
}

/**
 * A value from the saved plan as it can be shown: a plain name or version as it is, anything
 * else (spaces, quotes, control characters, an escape sequence) as a JSON string.
 */
function q(value: string | number | null | undefined): string {
  if (typeof value === 'string' && /^[\w.:~+@/-]+$/.test(value) && !value.includes('..')) return value;
  return JSON.stringify(value ?? null);
}

function sameJson(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** JSON with object keys sorted: equal values give equal text whatever the key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'undefined';
}
