// Where a host's missing updates stand against their schedule: on track, overdue or blocked
// (README "Reports"; the definitions are on UpdateTrack and HostTrack in ./types.ts). Pure: the
// planner's own decision (decide-update.ts) says whether the governing policy would install an
// update and from when it is approved; the same calendar code as the plan says which window
// could have installed it.
import type { DateTime } from 'luxon';
import { DateTime as LuxonDateTime } from 'luxon';
import type { GroupMembers } from '../model/groups.js';
import type { Repository } from '../model/repository.js';
import type { RolloutDocument } from '../model/types.js';
import type { Calendar } from '../plan/calendar.js';
import { buildCalendar, HORIZON_DAYS, hostOpening } from '../plan/calendar.js';
import type { DecisionMemo, FeedJudge } from '../plan/decide-update.js';
import { decideUpdate, isEmergency, iso } from '../plan/decide-update.js';
import type { PolicyDoc } from '../plan/policies-for-host.js';
import { governingPolicy } from '../plan/policies-for-host.js';
import type { PlanHost, PlanRing } from '../plan/types.js';
import { durationToMillis, parseDuration } from '../schedule/duration.js';
import type { HostState, ObservedState, PendingUpdate } from '../state/types.js';
import type { ComplianceState, HostTrack, MissingUpdate, UpdateTrack } from './types.js';

/** The governing policy's view of an update it would install, holds and exceptions aside. */
export interface Requirement {
  policy: PolicyDoc;
  /** Since when its approval delay is over (epoch ms); undefined when that is not known. */
  approvedMs: number | undefined;
  /** It takes the policy's emergency track. */
  emergency: boolean;
}

/**
 * Whether the host's governing policy would install `u` (classification, minSeverity,
 * include/exclude, pins), were it not held on the host or waived by an exception: the planner's
 * decision with the hold and the exceptions taken away, at the beginning of time, so that an
 * approval delay shows as the instant it ends. Undefined: the policy would not install it.
 */
export function requirementOf(
  u: PendingUpdate,
  host: HostState,
  policies: readonly PolicyDoc[],
  judge: FeedJudge,
  memo: DecisionMemo,
  at: DateTime,
): Requirement | undefined {
  const free = host.held.length === 0 ? host : { ...host, held: [] };
  const d = decideUpdate(u, {
    host: free,
    ecosystem: undefined, // the plan already judged the version order
    policies,
    exceptions: [],
    ...judge,
    at,
    atMs: -Infinity,
    memo,
  });
  if (d.kind === 'upgrade') {
    const released = u.releasedAt === undefined ? Number.NaN : Date.parse(u.releasedAt);
    return {
      policy: d.policy,
      approvedMs: Number.isNaN(released) ? undefined : released,
      emergency: d.action.emergency === true,
    };
  }
  if (d.skip.reason !== 'not-approved-yet') return undefined;
  const g = governingPolicy(policies, u.name);
  if (g.kind !== 'governed') return undefined;
  const approved = d.skip.eligibleAt === undefined ? Number.NaN : Date.parse(d.skip.eligibleAt);
  return {
    policy: g.policy,
    approvedMs: Number.isNaN(approved) ? undefined : approved,
    emergency: isEmergency(g.policy, u, judge.feeds, judge.kev),
  };
}

export interface ScheduleClock {
  /** Start of the report's day (Config zone), epoch ms: a window must have closed before it. */
  dayStartMs: number;
  /** Windows and blackouts from HORIZON_DAYS before the report's day, built when first needed. */
  calendar: () => Calendar;
  rollouts: ReadonlyMap<string, RolloutDocument>;
  progress: ObservedState['rollouts'];
  /** `host \0 windows \0 ready` → the missed opening, or null. */
  missed: Map<string, MissedWindow | null>;
}

export interface MissedWindow {
  name: string;
  start: string;
  end: string;
}

export function scheduleClock(
  repo: Repository,
  members: GroupMembers,
  zone: string,
  day: DateTime,
  state: ObservedState,
): ScheduleClock {
  let calendar: Calendar | undefined;
  return {
    dayStartMs: day.toMillis(),
    calendar: () =>
      (calendar ??= buildCalendar(
        repo.windows,
        repo.blackouts,
        members,
        zone,
        day.minus({ days: HORIZON_DAYS }).toUTC(),
      )),
    rollouts: new Map(repo.rollouts.map((r) => [r.doc.metadata.name, r.doc])),
    progress: state.rollouts,
    missed: new Map(),
  };
}

/** The rollout of this ring has a halted ring (nothing moves until someone acts). */
export function rolloutHalted(ring: PlanRing, clock: ScheduleClock): boolean {
  if (ring.rollout === '') return false;
  const rings = clock.progress.get(ring.rollout)?.rings ?? {};
  return Object.values(rings).some((p) => p.status === 'halted');
}

/**
 * Since when the ring's gate has been open (epoch ms): -Infinity for a first ring or a host no
 * rollout covers; the recorded completion (healthy since) of the ring before it plus its bake
 * time; undefined when the plan holds the ring now or the opening is not recorded.
 */
export function gateOpenedMs(ring: PlanRing, clock: ScheduleClock): number | undefined {
  if (ring.rollout === '') return -Infinity;
  const rollout = clock.rollouts.get(ring.rollout);
  const index = rollout ? rollout.spec.rings.findIndex((r) => r.name === ring.name) : -1;
  const prev = index > 0 ? rollout?.spec.rings[index - 1] : undefined;
  if (!prev) return -Infinity;
  if (ring.gate !== undefined) return undefined;
  const progress = clock.progress.get(ring.rollout)?.rings[prev.name];
  const since = progress?.status === 'completed' ? (progress.healthySince ?? progress.finishedAt) : undefined;
  const ms = since === undefined ? Number.NaN : Date.parse(since);
  if (Number.isNaN(ms)) return undefined;
  const bake = prev.bakeTime ? parseDuration(prev.bakeTime) : undefined;
  return ms + (bake?.ok ? durationToMillis(bake.value) : 0);
}

/**
 * The first opening of the governing policy's windows for this host that began after the update
 * became installable (approved, its ring's gate open) and closed before the report's day; none
 * for a policy without windows (it may patch at any time: only the SLA judges it), nor when
 * either instant is unknown.
 */
export function missedWindow(
  host: string,
  req: Requirement,
  gateOpened: number | undefined,
  clock: ScheduleClock,
): MissedWindow | undefined {
  const e = req.policy.spec.emergency;
  const gate = req.emergency && e?.skipBakeTime === true ? -Infinity : gateOpened;
  const windows = req.emergency && e?.ignoreWindows === true ? [] : (req.policy.spec.windows ?? []);
  if (gate === undefined || req.approvedMs === undefined || windows.length === 0) return undefined;
  const ready = Math.max(req.approvedMs, gate);
  if (ready >= clock.dayStartMs) return undefined;
  const key = `${host}\u0000${windows.join(',')}\u0000${ready}`;
  const known = clock.missed.get(key);
  if (known !== undefined) return known ?? undefined;
  const calendar = clock.calendar();
  const from = LuxonDateTime.fromMillis(Math.max(ready, calendar.at.toMillis()), { zone: 'utc' });
  const o = hostOpening(calendar, host, windows, req.policy.metadata.name, from);
  const missed =
    o.kind === 'open' && o.opening && o.opening.end.toMillis() <= clock.dayStartMs
      ? { name: o.opening.window, start: iso(o.opening.start), end: iso(o.opening.end) }
      : null;
  clock.missed.set(key, missed);
  return missed ?? undefined;
}

/** Facts about the update's place in the plan that decide on-track against blocked. */
export interface TrackFacts {
  breached: boolean;
  missed: MissedWindow | undefined;
  why: MissingUpdate['why'];
  /** The plan knows when the ring (or, for an emergency update that skips bake time, the host) starts. */
  startKnown: boolean;
  /** A blackout skip with the instant it ends. */
  blackoutEnds: boolean;
}

export function updateTrack(f: TrackFacts): UpdateTrack {
  if (f.breached || f.missed !== undefined) return 'overdue';
  switch (f.why) {
    case 'not-approved-yet':
      return 'on-track';
    case 'not-in-earlier-ring':
      return f.startKnown ? 'on-track' : 'blocked';
    case 'planned':
      return f.startKnown ? 'on-track' : 'blocked';
    case 'blackout':
      return f.blackoutEnds ? 'on-track' : 'blocked';
    default:
      return 'blocked';
  }
}

/** A planned update's start is known: its ring's, unless the rollout is halted. */
export function plannedStartKnown(ring: PlanRing, req: Requirement | undefined, halted: boolean): boolean {
  if (halted) return false;
  if (req?.emergency === true && req.policy.spec.emergency?.skipBakeTime === true) return true;
  return ring.earliestStart !== null;
}

/** The first that holds wins (HostTrack in ./types.ts). */
export function hostTrack(h: {
  state: ComplianceState;
  missing: readonly MissingUpdate[];
  planHost: PlanHost | undefined;
  ring: PlanRing | undefined;
  halted: boolean;
}): HostTrack {
  if (h.state === 'not-applicable') return 'not-applicable';
  if (h.state === 'compliant' || h.state === 'excepted') return 'in-compliance';
  if (h.missing.some((m) => m.track === 'overdue')) return 'overdue';
  if (h.state === 'unsupported' || h.state === 'never-scanned') return 'unknown';
  if (h.state === 'missing' && h.missing.every((m) => m.track === 'on-track')) return 'on-track';
  if (h.state === 'pending-reboot') {
    const planned = h.planHost?.actions.some((a) => a.type === 'reboot') === true;
    if (planned && h.ring && h.ring.earliestStart !== null && !h.halted) return 'on-track';
  }
  return 'needs-attention';
}
