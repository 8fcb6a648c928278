// Where each rollout stands (README.md, "Commands": `patchctl status`): per ring done, in progress,
// baking until when, halted why, or pending and waiting for what. Pure: the rollout documents,
// their state/rollouts/ progress and the point in time come in as arguments.
import { DateTime } from 'luxon';
import type { RolloutDocument } from '../model/types.js';
import { durationToLuxon, parseDuration } from '../schedule/duration.js';
import type { RingProgress, RingRelease, RolloutState } from '../state/types.js';

export type RingRolloutStatus = 'pending' | 'in-progress' | 'baking' | 'done' | 'halted';

export interface RingStatusReport {
  ring: string;
  status: RingRolloutStatus;
  startedAt?: string;
  finishedAt?: string;
  /** Since when the ring has been healthy (its bake time counts from here). */
  healthySince?: string;
  failures?: number;
  /** The ring's bake time as written in the Rollout document (`24h`). */
  bakeTime?: string;
  /** With `baking`: when the bake time is over and the next ring may start. */
  bakingUntil?: string;
  /** With `halted`: why (as apply recorded it). */
  haltedReason?: string;
  /** With `pending`: what the ring waits for (`ring canary to complete`); absent when nothing holds it. */
  waitingFor?: string;
  /** Hosts that failed in the run that completed or halted the ring. */
  failedHosts?: string[];
  /**
   * The last `patchctl rollout release` of the ring: who cleared its halt, when, why, and the
   * halt it cleared.
   */
  released?: RingRelease;
}

export interface RolloutStatusReport {
  rollout: string;
  /** The plan the recorded progress belongs to. */
  planDigest?: string;
  /** When apply last wrote the rollout's progress; absent when nothing was recorded. */
  updatedAt?: string;
  /** Whether a ring of the rollout is halted (nothing starts until it is resolved). */
  halted: boolean;
  rings: RingStatusReport[];
}

export interface RolloutStatusInput {
  rollouts: readonly RolloutDocument[];
  /** Progress by rollout name (ObservedState.rollouts). */
  states: ReadonlyMap<string, RolloutState>;
  at: DateTime;
}

/** Each rollout (by name) with the status of each of its rings, in ring order. */
export function rolloutStatus(input: RolloutStatusInput): RolloutStatusReport[] {
  return [...input.rollouts]
    .sort((a, b) => cmp(a.metadata.name, b.metadata.name))
    .map((doc) => oneRollout(doc, input.states.get(doc.metadata.name), input.at));
}

function oneRollout(
  doc: RolloutDocument,
  state: RolloutState | undefined,
  at: DateTime,
): RolloutStatusReport {
  const rings: RingStatusReport[] = [];
  let previous: RingStatusReport | undefined;
  for (const ring of doc.spec.rings) {
    const report = ringStatus(ring.name, ring.bakeTime, state?.rings[ring.name], previous, at);
    rings.push(report);
    previous = report;
  }
  return {
    rollout: doc.metadata.name,
    ...(state?.planDigest !== undefined ? { planDigest: state.planDigest } : {}),
    ...(state ? { updatedAt: state.updatedAt } : {}),
    halted: rings.some((r) => r.status === 'halted'),
    rings,
  };
}

function ringStatus(
  name: string,
  bakeTime: string | undefined,
  progress: RingProgress | undefined,
  previous: RingStatusReport | undefined,
  at: DateTime,
): RingStatusReport {
  const base: RingStatusReport = {
    ring: name,
    status: 'pending',
    ...(progress?.startedAt !== undefined ? { startedAt: progress.startedAt } : {}),
    ...(progress?.finishedAt !== undefined ? { finishedAt: progress.finishedAt } : {}),
    ...(progress?.healthySince !== undefined ? { healthySince: progress.healthySince } : {}),
    ...(progress?.failures !== undefined ? { failures: progress.failures } : {}),
    ...(bakeTime !== undefined ? { bakeTime } : {}),
    ...(progress?.failedHosts !== undefined ? { failedHosts: progress.failedHosts } : {}),
    ...(progress?.released !== undefined ? { released: progress.released } : {}),
  };
  switch (progress?.status) {
    case 'in-progress':
      return { ...base, status: 'in-progress' };
    case 'halted':
      return {
        ...base,
        status: 'halted',
        ...(progress.haltedReason !== undefined ? { haltedReason: progress.haltedReason } : {}),
      };
    case 'completed': {
      const until = bakedAt(progress, bakeTime);
      if (until && until > at) return { ...base, status: 'baking', bakingUntil: iso(until) };
      return { ...base, status: 'done' };
    }
    default: {
      const waitingFor = previous ? waitingOn(previous) : undefined;
      return { ...base, ...(waitingFor !== undefined ? { waitingFor } : {}) };
    }
  }
}

/** What a ring after `previous` waits for; undefined when `previous` is done. */
function waitingOn(previous: RingStatusReport): string | undefined {
  switch (previous.status) {
    case 'done':
      return undefined;
    case 'baking':
      return `ring ${previous.ring} to bake until ${previous.bakingUntil ?? '?'}`;
    case 'halted':
      return `ring ${previous.ring}, which is halted`;
    default:
      return `ring ${previous.ring} to complete`;
  }
}

/**
 * When a completed ring has baked: healthy since (or finished at) plus the bake time, on the
 * calendar like the planner's gate. Undefined without a bake time or a time to count from.
 */
function bakedAt(progress: RingProgress, bakeTime: string | undefined): DateTime | undefined {
  if (bakeTime === undefined) return undefined;
  const bake = parseDuration(bakeTime);
  const healthy = progress.healthySince ?? progress.finishedAt;
  if (!bake.ok || healthy === undefined) return undefined;
  const from = DateTime.fromISO(healthy, { setZone: true });
  return from.isValid ? from.plus(durationToLuxon(bake.value)) : undefined;
}

function iso(t: DateTime): string {
  return t.toUTC().toISO({ suppressMilliseconds: true }) ?? t.toString();
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
