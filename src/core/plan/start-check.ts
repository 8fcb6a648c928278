// What apply checks again at the moment a host or ring starts, because time has passed since
// the plan was made: is the host's window open (and before its cutoff, outside any blackout),
// and what the repository says about the ring (parallelism, failure budget, bake time).
import { DateTime } from 'luxon';
import { resolveGroups } from '../model/groups.js';
import type { Repository } from '../model/repository.js';
import { CONFIG_DEFAULTS, configSpec } from '../model/repository.js';
import type { HealthCheck, PatchPolicyDocument } from '../model/types.js';
import { durationToMillis, parseDuration } from '../schedule/duration.js';
import { buildCalendar, hostOpening } from './calendar.js';
import type { PlanHost, PlanRing, UpgradeAction } from './types.js';

/**
 * A function telling why a host may not start at `now` (its window is closed, its cutoff has
 * passed, a blackout runs), or undefined when it may. The calendar is built once, from `from`.
 */
export function startChecker(
  repo: Repository,
  from: DateTime,
): (host: PlanHost, now: Date) => string | undefined {
  const members = resolveGroups(repo);
  const zone = configSpec(repo).timezone ?? CONFIG_DEFAULTS.timezone;
  const calendar = buildCalendar(repo.windows, repo.blackouts, members, zone, from);
  const policies = new Map<string, PatchPolicyDocument>(
    repo.policies.map((p) => [p.doc.metadata.name, p.doc]),
  );
  return (host, now) => {
    const at = DateTime.fromJSDate(now, { zone: 'utc' });
    const upgrades = host.actions.filter((a): a is UpgradeAction => a.type === 'upgrade');
    for (const a of upgrades) {
      const policy = policies.get(a.policy);
      if (!policy) return `policy ${a.policy} of the plan is no longer in the repository`;
      if (a.emergency === true && policy.spec.emergency?.ignoreWindows === true) continue;
      const o = hostOpening(calendar, host.host, policy.spec.windows, a.policy, at);
      if (o.kind === 'no-window') return o.by;
      if (o.kind === 'blackout')
        return `${o.by}${o.eligibleAt ? ` until ${o.eligibleAt.toUTC().toISO({ suppressMilliseconds: true })}` : ''}`;
      if (o.opening && o.opening.start > at)
        return `window ${o.opening.window} is closed (or past its cutoff) until ${o.opening.start
          .toUTC()
          .toISO({ suppressMilliseconds: true })}`;
    }
    return undefined;
  };
}

export interface RingSettings {
  maxParallel?: number | string;
  maxFailed?: number;
  maxFailedPercent?: number;
  bakeTimeMs?: number;
  healthCheck?: HealthCheck;
}

/** The ring's settings from its Rollout document; {} for hosts no rollout covers. */
export function ringSettings(repo: Repository, ring: Pick<PlanRing, 'name' | 'rollout'>): RingSettings {
  const rollout = repo.rollouts.find((r) => r.doc.metadata.name === ring.rollout)?.doc;
  const spec = rollout?.spec.rings.find((r) => r.name === ring.name);
  if (!spec) return {};
  const bake = spec.bakeTime === undefined ? undefined : parseDuration(spec.bakeTime);
  return {
    ...(spec.maxParallel === undefined ? {} : { maxParallel: spec.maxParallel }),
    ...(spec.failureBudget?.maxFailed === undefined ? {} : { maxFailed: spec.failureBudget.maxFailed }),
    ...(spec.failureBudget?.maxFailedPercent === undefined
      ? {}
      : { maxFailedPercent: spec.failureBudget.maxFailedPercent }),
    ...(bake?.ok ? { bakeTimeMs: durationToMillis(bake.value) } : {}),
    ...(spec.healthCheck ? { healthCheck: spec.healthCheck } : {}),
  };
}
