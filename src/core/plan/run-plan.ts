// What an apply run keeps of its plan, `state/runs/<run id>.plan.json` (README.md, "Apply"): not
// the plan (megabytes for a large fleet, committed by every run) but its identity — `at`, the
// inputs and their digest, the summary — and, per ring and host, digests of what the plan
// decided. The journal next to it holds what happened. `apply --resume` re-derives the plan from
// the repository at `at` (as for a saved plan, verify-saved-plan.ts) and checks it against these
// digests, so that a resumed run runs what the repository decides, and only when that is what
// the interrupted run decided:
// - every host whose own state file did not change since (its inputs are the plan's) must be
//   decided exactly as before: same ring, same actions, skips, note, shard and package manager
//   (`what`: apply opens the host's driver from it), and,
//   when no input changed at all, the same window (`when`) and the same ring gates;
// - a host whose state file changed (patched by an earlier run of the plan, or another shard's
//   host) is taken as the repository decides it now: the caller never runs it again (it refuses
//   a host it would run whose state changed, and run-apply skips the hosts the journal finished).
import { withShards } from './shards.js';
import type { Plan, PlanHost, PlanRing, PlanSummary } from './types.js';
import { PLAN_FORMAT_VERSION } from './types.js';

export const RUN_PLAN_KIND = 'run-plan';

export interface RunPlanRing {
  name: string;
  rollout: string;
  earliestStart: string | null;
  gate?: string;
  /** `host what when`, in the plan's order: the host and the digests of hostWhat and hostWhen. */
  hosts: string[];
}

export interface RunPlan {
  formatVersion: typeof PLAN_FORMAT_VERSION;
  kind: typeof RUN_PLAN_KIND;
  createdAt: string;
  at: string;
  inputsDigest: string;
  inputs: Record<string, string>;
  gitCommit: string | null;
  summary: PlanSummary;
  /** The split of a plan made with `--shards N`. */
  shards?: { count: number };
  rings: RunPlanRing[];
}

/** A short digest of a text (the engine passes sha256): for telling decisions apart, not secrets. */
export type TextDigest = (text: string) => string;

/** What the plan decides for a host: everything but its window. */
export function hostWhat(host: PlanHost): string {
  const { window: _window, ...what } = host;
  return canonicalJson(what);
}

/**
 * hostWhat as a run plan written before PlanHost.packageManager existed digested it. Such a
 * record still resumes: the host's state file did not change (changedHosts), so neither did the
 * package manager it names.
 */
function hostWhatBeforePackageManager(host: PlanHost): string {
  const { packageManager: _pm, ...rest } = host;
  return hostWhat(rest);
}

/** When the plan lets the host start: its window. */
export function hostWhen(host: PlanHost): string {
  return canonicalJson(host.window);
}

export function runPlanOf(plan: Plan, digest: TextDigest): RunPlan {
  return {
    formatVersion: PLAN_FORMAT_VERSION,
    kind: RUN_PLAN_KIND,
    createdAt: plan.createdAt,
    at: plan.at,
    inputsDigest: plan.inputsDigest,
    inputs: plan.inputs,
    gitCommit: plan.gitCommit,
    summary: plan.summary,
    ...(plan.shards ? { shards: { count: plan.shards.count } } : {}),
    rings: plan.rings.map((r) => ({
      name: r.name,
      rollout: r.rollout,
      earliestStart: r.earliestStart,
      ...(r.gate === undefined ? {} : { gate: r.gate }),
      hosts: r.hosts.map((h) => `${h.host} ${digest(hostWhat(h))} ${digest(hostWhen(h))}`),
    })),
  };
}

/** The hosts a run plan covers. */
export function runPlanHosts(record: RunPlan): string[] {
  return record.rings.flatMap((r) => r.hosts.map((h) => h.split(' ')[0] ?? ''));
}

export interface RunPlanContext {
  /** How messages name the run plan (`state/runs/<id>.plan.json`). */
  label: string;
  /** Hosts whose own state file changed since the plan was made, in files the caller tolerated. */
  changedHosts: ReadonlySet<string>;
  /** Some input file changed (tolerated by the caller): windows and ring gates may differ. */
  inputsChanged: boolean;
  digest: TextDigest;
}

export type RunPlanCheck = { ok: true; plan: Plan } | { ok: false; differences: string[] };

/**
 * Checks `recomputed` (the repository's plan at `record.at` for runPlanHosts(record), without
 * shards) against the run plan, following the rule above. On success, `plan` is what the
 * resumed run executes: the recomputation, split into the run plan's shards if it has them.
 */
export function verifyRunPlan(record: RunPlan, recomputed: Plan, ctx: RunPlanContext): RunPlanCheck {
  const differences: string[] = [];
  const say = (text: string): void => void differences.push(`${ctx.label}: ${text}`);
  if (record.at !== recomputed.at)
    say(`"at" ${JSON.stringify(record.at)} is not how patchctl writes that time`);
  const whole = record.shards === undefined ? recomputed : withShards(recomputed, record.shards.count);
  const recordRings = record.rings.map((r) => ringName(r));
  const repoRings = whole.rings.map((r) => ringName(r));
  if (recordRings.join('\n') !== repoRings.join('\n'))
    say(`its rings (${recordRings.join(', ')}) are not the repository's (${repoRings.join(', ')})`);
  else
    record.rings.forEach((mine, i) => {
      const ring = whole.rings[i] as PlanRing;
      const at = `ring ${ringName(ring)}`;
      if (!ctx.inputsChanged && (mine.earliestStart !== ring.earliestStart || mine.gate !== ring.gate))
        say(
          `${at}: the repository now starts it at ${JSON.stringify(ring.earliestStart)}${ring.gate === undefined ? '' : ` (${ring.gate})`}, not at ${JSON.stringify(mine.earliestStart)} as the run's plan did`,
        );
      // The same hosts, in any order: a ring's hosts are ordered by risk (docs/vulnerabilities.md,
      // "Priority"), which changes as hosts of the run get patched.
      const mineByHost = new Map(mine.hosts.map((line) => [line.split(' ')[0] ?? '', line] as const));
      const names = [...mineByHost.keys()].sort();
      const theirs = ring.hosts.map((h) => h.host).sort();
      if (names.length !== mine.hosts.length || names.join('\n') !== theirs.join('\n')) {
        say(`${at}: its hosts (${names.join(', ')}) are not the repository's (${theirs.join(', ')})`);
        return;
      }
      ring.hosts.forEach((h) => {
        if (ctx.changedHosts.has(h.host)) return;
        const [, what, when] = (mineByHost.get(h.host) ?? '').split(' ');
        if (what !== ctx.digest(hostWhat(h)) && what !== ctx.digest(hostWhatBeforePackageManager(h)))
          say(
            `${at} host ${h.host}: the repository no longer decides what the run's plan decided (its upgrades, reboot, skips, note, shard or package manager changed)`,
          );
        else if (!ctx.inputsChanged && when !== ctx.digest(hostWhen(h)))
          say(`${at} host ${h.host}: the repository no longer gives it the window the run's plan gave it`);
      });
    });
  return differences.length > 0 ? { ok: false, differences } : { ok: true, plan: whole };
}

function ringName(ring: Pick<PlanRing, 'name' | 'rollout'>): string {
  return ring.rollout === '' ? ring.name : `${ring.rollout}/${ring.name}`;
}

/** JSON with object keys sorted: equal values give equal text whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object')
    return `{${Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}
