// One update on one host: an upgrade, or a skip with its reason and what caused it.
// Host-level scheduling (windows, blackouts, reachability) is decided in build-plan.
import type { DateTime } from 'luxon';
import { DateTime as LuxonDateTime } from 'luxon';
import { durationToMillis, parseDuration } from '../schedule/duration.js';
import type { Severity } from '../model/types.js';
import { SEVERITIES } from '../model/types.js';
import type { Ecosystem, HostState, PendingUpdate } from '../state/types.js';
import { compareVersions, satisfiesConstraint } from '../versions/index.js';
import { globMatches } from './glob.js';
import type { PolicyDoc } from './policies-for-host.js';
import { governingPolicy } from './policies-for-host.js';
import type { ActiveException } from './exceptions.js';
import { exceptionFor } from './exceptions.js';
import type { PlanSkip, UpgradeAction } from './types.js';

export interface UpdateContext {
  host: HostState;
  ecosystem: Ecosystem | undefined;
  /** Policies that apply to the host, in precedence order. */
  policies: readonly PolicyDoc[];
  exceptions: readonly ActiveException[];
  /** Advisory ids per emergency feed file name. */
  feeds: ReadonlyMap<string, ReadonlySet<string>>;
  at: DateTime;
  /** `at` in epoch milliseconds, compared once per update. */
  atMs: number;
}

export type UpdateDecision =
  { kind: 'upgrade'; action: UpgradeAction; policy: PolicyDoc } | { kind: 'skip'; skip: PlanSkip };

export function decideUpdate(u: PendingUpdate, ctx: UpdateContext): UpdateDecision {
  const skip = (reason: PlanSkip['reason'], by: string, extra: Partial<PlanSkip> = {}): UpdateDecision => ({
    kind: 'skip',
    skip: { package: u.name, to: u.to, reason, by, ...extra },
  });
  if (ctx.ecosystem) {
    const order = safeCompare(ctx.ecosystem, u.to, u.from);
    if (order === undefined)
      return skip('excluded', `version order: ${u.to} or ${u.from} is not a valid ${ctx.ecosystem} version`);
    if (order <= 0) return skip('excluded', `version order: ${u.to} is not newer than ${u.from}`);
  }
  if (ctx.host.held.includes(u.name)) return skip('held', 'package manager hold on the host');
  const waiver = exceptionFor(ctx.exceptions, ctx.host.host, u);
  if (waiver) return skip('exception', `exception ${waiver.name}`, { expires: waiver.expires });
  const governance = governingPolicy(ctx.policies, u.name);
  if (governance.kind === 'excluded') return skip('excluded', governance.by);
  const p = governance.policy;
  const by = `policy ${p.metadata.name}`;
  const classes = p.spec.classification ?? ['security'];
  if (!classes.includes('all') && !classes.includes(u.classification)) return skip('classification', by);
  const min = p.spec.minSeverity;
  if (min && u.classification === 'security' && severityRank(u.severity ?? 'low') < severityRank(min)) {
    return skip('below-severity', by);
  }
  for (const pin of p.spec.pins ?? []) {
    if (!globMatches(pin.package, u.name)) continue;
    if (!ctx.ecosystem || !safeSatisfies(ctx.ecosystem, u.to, pin.version)) {
      return skip('pinned', `${by} (pin ${pin.package} ${pin.version})`);
    }
  }
  const emergency = isEmergency(p, u, ctx.feeds);
  if (!(emergency && p.spec.emergency?.skipApproval === true)) {
    const eligibleAt = approvedAt(p, u, ctx.host);
    if (eligibleAt && eligibleAt.toMillis() > ctx.atMs) {
      return skip('not-approved-yet', by, { eligibleAt: iso(eligibleAt) });
    }
  }
  return {
    kind: 'upgrade',
    policy: p,
    action: {
      type: 'upgrade',
      package: u.name,
      from: u.from,
      to: u.to,
      ...(u.arch ? { arch: u.arch } : {}),
      classification: u.classification,
      severity: u.severity ?? null,
      advisories: [...(u.advisories ?? [])],
      policy: p.metadata.name,
      ...(emergency ? { emergency: true } : {}),
    },
  };
}

/** Versions from a host are checked when state is loaded; this guards the planner all the same. */
function safeCompare(ecosystem: Ecosystem, a: string, b: string): number | undefined {
  try {
    return compareVersions(ecosystem, a, b);
  } catch {
    return undefined;
  }
}

/** A pin that cannot be evaluated in this ecosystem holds the package back (never patches it). */
function safeSatisfies(ecosystem: Ecosystem, version: string, constraint: string): boolean {
  try {
    return satisfiesConstraint(ecosystem, version, constraint);
  } catch {
    return false;
  }
}

/** An update takes the emergency track when it fixes an advisory listed in one of the policy's feeds. */
export function isEmergency(
  p: PolicyDoc,
  u: PendingUpdate,
  feeds: ReadonlyMap<string, ReadonlySet<string>>,
): boolean {
  const e = p.spec.emergency;
  if (!e || e.enabled === false || !u.advisories?.length) return false;
  const names = e.feeds ?? [...feeds.keys()];
  return names.some((f) => u.advisories?.some((a) => feeds.get(f)?.has(a) === true) === true);
}

const approvalDelays = new WeakMap<PolicyDoc, number | null>();

/** The policy's approval delay in milliseconds, parsed once per policy document. */
function approvalDelayMs(p: PolicyDoc): number | null {
  let ms = approvalDelays.get(p);
  if (ms === undefined) {
    const delay = p.spec.approveAfter ? parseDuration(p.spec.approveAfter) : undefined;
    ms = delay?.ok ? durationToMillis(delay.value) : null; // validate refuses a bad one before planning
    approvalDelays.set(p, ms);
  }
  return ms;
}

/**
 * When the policy's approval delay is over. It runs from the update's release; when the
 * package manager gives no release date, from the scan that first saw it (never earlier).
 * Days count as 24 hours: delays are elapsed time, not calendar days in a zone.
 */
function approvedAt(p: PolicyDoc, u: PendingUpdate, host: HostState): DateTime | undefined {
  const delay = approvalDelayMs(p);
  if (delay === null) return undefined;
  const released = Date.parse(u.releasedAt ?? host.scannedAt);
  if (Number.isNaN(released)) return undefined;
  return LuxonDateTime.fromMillis(released + delay, { zone: 'utc' });
}

export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s);
}

export function iso(d: DateTime): string {
  return d.toUTC().toISO({ suppressMilliseconds: true }) ?? '';
}
