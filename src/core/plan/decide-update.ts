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
import type { Governance, PolicyDoc } from './policies-for-host.js';
import { governingPolicy } from './policies-for-host.js';
import type { ActiveException } from './exceptions.js';
import { exceptionFor } from './exceptions.js';
import type { PlanSkip, UpgradeAction } from './types.js';
import { riskOf } from '../vuln/priority.js';
import type { EpssScore, KevEntry, Risk } from '../vuln/types.js';

export interface UpdateContext {
  host: HostState;
  ecosystem: Ecosystem | undefined;
  /** Policies that apply to the host, in precedence order. */
  policies: readonly PolicyDoc[];
  exceptions: readonly ActiveException[];
  /** Advisory ids per emergency feed file name. */
  feeds: ReadonlyMap<string, ReadonlySet<string>>;
  /** The CISA KEV entries read (ObservedState.intel), by CVE: a track naming no feed reads these. */
  kev?: ReadonlyMap<string, unknown>;
  at: DateTime;
  /** `at` in epoch milliseconds, compared once per update. */
  atMs: number;
  /** Answers shared by the hosts of one plan (see decisionMemo); optional for a single decision. */
  memo?: DecisionMemo;
  /**
   * The update's risk (core/vuln/priority.ts): KEV, EPSS, severity. Without it every update is
   * judged by its severity alone (see riskBySeverity).
   */
  risk?: (u: PendingUpdate) => Risk;
}

/** What decides an update's emergency track and risk: the feeds, KEV, each update's risk. */
export type FeedJudge = Pick<UpdateContext, 'feeds' | 'kev' | 'risk'>;

/**
 * What many hosts of one plan ask again and again, answered once: the order of two versions,
 * the policy governing a package under one list of policies (hosts with the same policies share
 * the list), and an instant as ISO text. Every answer is a pure function of its key.
 */
export interface DecisionMemo {
  /** ecosystem → to → from → order, undefined when a version is invalid. */
  orders: Map<Ecosystem, Map<string, Map<string, number | undefined>>>;
  governance: Map<readonly PolicyDoc[], Map<string, Governance>>;
  /** Epoch milliseconds → iso() of that instant. */
  isoOf: Map<number, string>;
  /** An instant as written (releasedAt, scannedAt) → Date.parse of it. */
  instants: Map<string, number>;
  /** Policy → `policy <name>`, the `by` of its skips. */
  byPolicy: Map<PolicyDoc, string>;
}

export function decisionMemo(): DecisionMemo {
  return {
    orders: new Map(),
    governance: new Map(),
    isoOf: new Map(),
    instants: new Map(),
    byPolicy: new Map(),
  };
}

const DEFAULT_CLASSES: readonly string[] = ['security'];

export type UpdateDecision =
  | { kind: 'upgrade'; action: UpgradeAction; policy: PolicyDoc; risk: Risk }
  | { kind: 'skip'; skip: PlanSkip };

function skipOf(u: PendingUpdate, reason: PlanSkip['reason'], by: string): UpdateDecision {
  return { kind: 'skip', skip: { package: u.name, to: u.to, reason, by } };
}

export function decideUpdate(u: PendingUpdate, ctx: UpdateContext): UpdateDecision {
  const memo = ctx.memo;
  if (ctx.ecosystem) {
    const order = memo
      ? orderOf(memo, ctx.ecosystem, u.to, u.from)
      : safeCompare(ctx.ecosystem, u.to, u.from);
    if (order === undefined)
      return skipOf(
        u,
        'excluded',
        `version order: ${u.to} or ${u.from} is not a valid ${ctx.ecosystem} version`,
      );
    if (order <= 0) return skipOf(u, 'excluded', `version order: ${u.to} is not newer than ${u.from}`);
  }
  if (ctx.host.held.includes(u.name)) return skipOf(u, 'held', 'package manager hold on the host');
  if (ctx.exceptions.length > 0) {
    const waiver = exceptionFor(ctx.exceptions, ctx.host.host, u);
    if (waiver) {
      return {
        kind: 'skip',
        skip: {
          package: u.name,
          to: u.to,
          reason: 'exception',
          by: `exception ${waiver.name}`,
          expires: waiver.expires,
        },
      };
    }
  }
  const governance = memo ? governanceOf(memo, ctx.policies, u.name) : governingPolicy(ctx.policies, u.name);
  if (governance.kind === 'excluded') return skipOf(u, 'excluded', governance.by);
  const p = governance.policy;
  const by = memo ? policyBy(memo, p) : `policy ${p.metadata.name}`;
  const classes: readonly string[] = p.spec.classification ?? DEFAULT_CLASSES;
  if (!classes.includes('all') && !classes.includes(u.classification)) return skipOf(u, 'classification', by);
  const risk = ctx.risk ? ctx.risk(u) : riskBySeverity(u.severity);
  const emergency =
    isEmergency(p, u, ctx.feeds, ctx.kev) || (p.spec.emergency?.epss === true && emergencyByEpss(p, risk));
  const min = p.spec.minSeverity;
  // An update on the emergency track is urgent whatever its vendor rating: a Low advisory can fix
  // a CVE exploited in the wild (docs/vulnerabilities.md, "Priority").
  if (min && u.classification === 'security' && !emergency) {
    const below = belowSeverity(u.severity, min, p.spec.unknownSeverity);
    if (below) return skipOf(u, 'below-severity', u.severity === undefined ? `${by} (severity unknown)` : by);
  }
  const pins = p.spec.pins;
  if (pins) {
    for (const pin of pins) {
      if (!globMatches(pin.package, u.name)) continue;
      if (!ctx.ecosystem || !safeSatisfies(ctx.ecosystem, u.to, pin.version)) {
        return skipOf(u, 'pinned', `${by} (pin ${pin.package} ${pin.version})`);
      }
    }
  }
  if (!(emergency && p.spec.emergency?.skipApproval === true)) {
    const eligibleMs = approvedAtMs(p, u, ctx.host, memo);
    if (eligibleMs !== undefined && eligibleMs > ctx.atMs) {
      return {
        kind: 'skip',
        skip: {
          package: u.name,
          to: u.to,
          reason: 'not-approved-yet',
          by,
          eligibleAt: memo
            ? isoOfMillis(memo, eligibleMs)
            : iso(LuxonDateTime.fromMillis(eligibleMs, { zone: 'utc' })),
        },
      };
    }
  }
  // The same keys in the same order as ever: the plan is compared byte for byte.
  const action: UpgradeAction = u.arch
    ? {
        type: 'upgrade',
        package: u.name,
        from: u.from,
        to: u.to,
        arch: u.arch,
        classification: u.classification,
        severity: u.severity ?? null,
        advisories: u.advisories ? u.advisories.slice() : [],
        policy: p.metadata.name,
      }
    : {
        type: 'upgrade',
        package: u.name,
        from: u.from,
        to: u.to,
        classification: u.classification,
        severity: u.severity ?? null,
        advisories: u.advisories ? u.advisories.slice() : [],
        policy: p.metadata.name,
      };
  if (emergency) action.emergency = true;
  action.tier = risk.tier;
  return { kind: 'upgrade', policy: p, action, risk };
}

/**
 * Whether minSeverity skips a security update. An update whose severity nobody states is judged
 * by the policy's `unknownSeverity`: `include` (the default: a fix is never skipped for want of a
 * rating), `exclude`, or ranked as the severity it names.
 */
function belowSeverity(
  severity: Severity | undefined,
  min: Severity,
  unknown: PolicyDoc['spec']['unknownSeverity'],
): boolean {
  if (severity !== undefined) return severityRank(severity) < severityRank(min);
  if (unknown === undefined || unknown === 'include') return false;
  if (unknown === 'exclude') return true;
  return severityRank(unknown) < severityRank(min);
}

/** The EPSS tier takes an enabled track whose `epss` is set; KEV updates take it through `feeds`. */
function emergencyByEpss(p: PolicyDoc, risk: Risk): boolean {
  return p.spec.emergency?.enabled !== false && risk.tier === 'epss';
}

const NO_KEV: ReadonlyMap<string, KevEntry> = new Map();
const NO_EPSS: ReadonlyMap<string, EpssScore> = new Map();

/** The risk of an update when no feed is read: its severity alone. */
export function riskBySeverity(severity: Severity | undefined): Risk {
  return riskOf([], severity ?? null, NO_KEV, NO_EPSS, 1);
}

function orderOf(memo: DecisionMemo, ecosystem: Ecosystem, a: string, b: string): number | undefined {
  let byA = memo.orders.get(ecosystem);
  if (!byA) memo.orders.set(ecosystem, (byA = new Map()));
  let byB = byA.get(a);
  if (!byB) byA.set(a, (byB = new Map()));
  if (byB.has(b)) return byB.get(b);
  const order = safeCompare(ecosystem, a, b);
  byB.set(b, order);
  return order;
}

function governanceOf(memo: DecisionMemo, policies: readonly PolicyDoc[], name: string): Governance {
  let byName = memo.governance.get(policies);
  if (!byName) memo.governance.set(policies, (byName = new Map()));
  let g = byName.get(name);
  if (!g) byName.set(name, (g = governingPolicy(policies, name)));
  return g;
}

function policyBy(memo: DecisionMemo, p: PolicyDoc): string {
  let by = memo.byPolicy.get(p);
  if (by === undefined) {
    by = `policy ${p.metadata.name}`;
    memo.byPolicy.set(p, by);
  }
  return by;
}

function isoOfMillis(memo: DecisionMemo, ms: number): string {
  let text = memo.isoOf.get(ms);
  if (text === undefined) {
    text = iso(LuxonDateTime.fromMillis(ms, { zone: 'utc' }));
    memo.isoOf.set(ms, text);
  }
  return text;
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

/**
 * An update takes the emergency track when it fixes an advisory listed in one of the policy's
 * feeds. A track that names no feed reads CISA KEV (every catalogue under advisories/) when the
 * feeds were parsed: OSV records say what an update fixes, not that it is urgent, and a synced
 * OSV folder would otherwise make every security update an emergency.
 */
export function isEmergency(
  p: PolicyDoc,
  u: PendingUpdate,
  feeds: ReadonlyMap<string, ReadonlySet<string>>,
  kev?: ReadonlyMap<string, unknown>,
): boolean {
  const e = p.spec.emergency;
  if (!e || e.enabled === false || !u.advisories?.length) return false;
  if (e.feeds === undefined && kev !== undefined) return u.advisories.some((a) => kev.has(a.toUpperCase()));
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

/** The range of a luxon DateTime: beyond it fromMillis gives an invalid DateTime, never later than `at`. */
const MAX_DATE_MS = 8.64e15;

/**
 * When the policy's approval delay is over, in epoch milliseconds. It runs from the update's
 * release; when the package manager gives no release date, from the scan that first saw it
 * (never earlier). Days count as 24 hours: delays are elapsed time, not calendar days in a zone.
 */
function approvedAtMs(
  p: PolicyDoc,
  u: PendingUpdate,
  host: HostState,
  memo: DecisionMemo | undefined,
): number | undefined {
  const delay = approvalDelayMs(p);
  if (delay === null) return undefined;
  const text = u.releasedAt ?? host.scannedAt;
  let released = memo?.instants.get(text);
  if (released === undefined) {
    released = Date.parse(text);
    memo?.instants.set(text, released);
  }
  if (Number.isNaN(released)) return undefined;
  const ms = released + delay;
  return ms < -MAX_DATE_MS || ms > MAX_DATE_MS ? undefined : ms;
}

export function severityRank(s: Severity): number {
  return SEVERITIES.length - SEVERITIES.indexOf(s);
}

export function iso(d: DateTime): string {
  return d.toUTC().toISO({ suppressMilliseconds: true }) ?? '';
}
