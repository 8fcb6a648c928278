// documents × observed state × run journals × the plan at a point in time → the compliance
// report (README.md, "Reports"). Pure: the engine reads the files and passes everything in.
//
// A host's missing updates are the plan's view of it: an update the plan would install, or
// skips only for a reason that does not make it optional (approval delay, no window, blackout,
// a hold on the host, the host unreachable), is missing. An update skipped by an exception is
// excepted; one a policy does not select (classification, severity, exclude, pin) is not
// required at all — also when it is held on the host, waived, or the host is unreachable: the
// planner's own decision without the hold and the exceptions says whether the governing policy
// would install it (schedule-track.ts). Each missing update and each host is then placed on
// its schedule: on track, overdue, blocked (README "Reports").
import type { DateTime } from 'luxon';
import { resolveGroups } from '../model/groups.js';
import type { Repository } from '../model/repository.js';
import { CONFIG_DEFAULTS, configSpec } from '../model/repository.js';
import type { InventoryHost, Severity } from '../model/types.js';
import { SEVERITIES } from '../model/types.js';
import type { ActiveException } from '../plan/exceptions.js';
import { activeExceptions, exceptionFor } from '../plan/exceptions.js';
import { decisionMemo } from '../plan/decide-update.js';
import type { PolicyDoc } from '../plan/policies-for-host.js';
import { policiesByHost, policyHosts } from '../plan/policies-for-host.js';
import { unknownHostKnowledge } from '../plan/host-knowledge.js';
import type { Driven } from '../model/driven.js';
import type { Plan, PlanHost, PlanRing, PlanSkip, UpgradeAction } from '../plan/types.js';
import type { HostErrorKind, HostState, ObservedState, PendingUpdate } from '../state/types.js';
import type { FeedJudge } from '../plan/decide-update.js';
import { epssThresholdOf, updateRiskOf, withVulnIntel } from '../vuln/observed.js';
import { compareRisk } from '../vuln/priority.js';
import type { Risk } from '../vuln/types.js';
import { RISK_TIERS } from '../vuln/types.js';
import { reportExceptions } from './exceptions.js';
import type { RunJournal, RunJournalEvent } from './last-run.js';
import { lastRunSummary } from './last-run.js';
import { remediationByTier } from './remediation.js';
import { rolloutStatus } from './rollout-status.js';
import type { Requirement, ScheduleClock } from './schedule-track.js';
import type { SlaClock } from './sla-clock.js';
import { dueOf, slaClock } from './sla-clock.js';
import {
  gateOpenedMs,
  hostTrack,
  missedWindow,
  plannedStartKnown,
  requirementOf,
  rolloutHalted,
  scheduleClock,
  updateTrack,
} from './schedule-track.js';
import type {
  ApplyOutcome,
  BreakdownRow,
  ComplianceReport,
  ComplianceState,
  ComplianceSummary,
  Evidence,
  ExceptedUpdate,
  HistoryEntry,
  HostCompliance,
  HostOutcome,
  MissingUpdate,
  MissingWhy,
  PendingReboot,
  ProductRisk,
  SlaBreach,
  StateCounts,
  TrackCounts,
  UnreachableHost,
} from './types.js';
import { COMPLIANCE_FORMAT_VERSION, COMPLIANCE_STATES, HOST_TRACKS, IN_COMPLIANCE } from './types.js';
import { exceptionsByAdvisory } from './exceptions-by-advisory.js';
import {
  exposureContext,
  findingsFacts,
  hostExposure,
  hostRisk,
  intelRead,
  openKevCves,
  rankHosts,
  riskFields,
  riskOfFields,
  tierCounts,
} from './vuln-exposure.js';

const DAY_MS = 86_400_000;
/** An exception ending within this long is listed as expiring. */
export const EXPIRING_WITHIN_MS = 30 * DAY_MS;
/** Error excerpts stay readable in a table cell. */
const EXCERPT_CHARS = 300;

export interface ComplianceInputs {
  repository: Repository;
  state: ObservedState;
  /** The plan for the same inputs at `at` (it decides what is missing and why). */
  plan: Plan;
  journals: readonly RunJournal[];
  /** Earlier days' entries (reports/history/); an entry for the report's own date is replaced. */
  history: readonly HistoryEntry[];
  at: DateTime;
  /** Applied to every error text taken from journals and state. */
  redact?: (text: string) => string;
}

const MISSING_SKIPS: ReadonlySet<PlanSkip['reason']> = new Set([
  'not-approved-yet',
  'not-in-earlier-ring',
  'held',
  'no-window',
  'blackout',
  'host-unreachable',
]);

const UNREACHABLE_STATUSES = new Set(['unreachable', 'auth-failed', 'host-key-mismatch']);
const FAILED_STATUSES = new Set(['failed', 'reboot-timeout', 'health-check-failed', 'drifted']);

export function buildComplianceReport(inputs: ComplianceInputs): ComplianceReport {
  const { repository: repo, plan, at } = inputs;
  // Each pending update with the advisories, severity and release date the feeds give it, as
  // the planner sees it (core/vuln/observed.ts; the same object when the plan came from it).
  const state = withVulnIntel(inputs.state);
  const redact = inputs.redact ?? ((t: string) => t);
  const config = configSpec(repo);
  const zone = config.timezone ?? CONFIG_DEFAULTS.timezone;
  const sla = slaOf(repo);
  const threshold = epssThresholdOf(config);
  // One shared Risk per severity when no feed names a CVE: a large fleet pays nothing per update.
  const risk = updateRiskOf(state, threshold);
  // What the planner judges emergencies and risk by, so the report says what the plan does.
  const judge: FeedJudge = { feeds: state.feeds, ...(state.intel ? { kev: state.intel.kev } : {}), risk };
  // The OSV index is built once per report; exposureOf memoises on it (identical hosts cost one).
  const exposure = exposureContext(state.intel, threshold);
  const members = resolveGroups(repo);
  const applies = policyHosts(repo.policies, repo.hosts, members);
  const policies = repo.policies.map((p) => p.doc);
  const hostPolicies = policiesByHost(
    repo.hosts.map((h) => h.name),
    policies,
    applies,
  );
  const memo = decisionMemo();
  const outcomes = latestOutcomes(inputs.journals, redact);
  const placed = planPlacement(plan);
  // SLA clocks count calendar days in the Config zone, so the report reads the same all day.
  const day = at.setZone(zone).startOf('day');
  const waivers = activeExceptions(repo.exceptions, members, zone, at);
  const clock: ReportClock = {
    ...slaClock(day, sla, config.sla?.unknown ?? null),
    feeds: [...state.feeds.values()],
    risk,
  };
  const schedule = scheduleClock(repo, members, zone, day, state);
  const groupsOf = new Map<string, string[]>();
  for (const [group, hosts] of [...members].sort(([a], [b]) => cmp(a, b)))
    for (const h of hosts) groupsOf.set(h, [...(groupsOf.get(h) ?? []), group]);

  const hosts = [...repo.hosts]
    .sort((a, b) => cmp(a.name, b.name))
    .map((h): HostCompliance => {
      const observed = state.hosts.get(h.name);
      const where = placed.get(h.name);
      const governing = hostPolicies.get(h.name) ?? [];
      const required = requirements(observed, governing, judge, memo, at);
      const waived = waiverOf(h.name, observed, waivers, required);
      const halted = where ? rolloutHalted(where.ring, schedule) : false;
      const missing = where
        ? missingUpdates(where.host, where.ring, observed, clock, waived, plan.at, {
            required,
            schedule,
            halted,
            gateOpened: gateOpenedMs(where.ring, schedule),
          })
        : [];
      const excepted = where ? exceptedUpdates(where.host, observed, waived, risk) : [];
      const vulnerabilities = exposure ? hostExposure(exposure, h.name, observed) : [];
      const lastApply = outcomes.get(h.name) ?? null;
      const judged = judgeHost({
        observed,
        missing,
        excepted,
        lastApply,
        hasPolicy: governing.length > 0,
        inventory: h,
        driven: repo.driven,
      });
      return {
        host: h.name,
        state: judged.state,
        reason: redact(judged.reason),
        track: hostTrack({ state: judged.state, missing, planHost: where?.host, ring: where?.ring, halted }),
        rollout: where && where.ring.rollout !== '' ? where.ring.rollout : null,
        ring: where?.ring.name ?? '',
        site: h.labels.site ?? null,
        groups: groupsOf.get(h.name) ?? [],
        policies: governing.map((p) => p.metadata.name),
        os: observed?.os ? `${observed.os.id} ${observed.os.version}` : null,
        scannedAt: observed?.scannedAt ?? null,
        lastReachableAt: observed
          ? observed.reachable
            ? observed.scannedAt
            : (observed.lastReachableAt ?? null)
          : null,
        needsReboot: judged.needsReboot,
        missing,
        excepted,
        lastApply,
        vulnerabilities,
        risk: hostRisk(vulnerabilities, missing),
      };
    });

  const exceptions = reportExceptions(repo, at, EXPIRING_WITHIN_MS);
  const date = day.toISODate() ?? '';
  const asOf = newestObservation(state, inputs.journals);
  const summary = summarise(hosts, exceptions.counts);
  const riskRanking = rankHosts(hosts);
  const today: HistoryEntry = {
    formatVersion: 1,
    date,
    asOf,
    hosts: summary.hosts,
    states: summary.states,
    compliancePercent: summary.compliancePercent,
    missingUpdates: summary.missingUpdates,
    slaBreaches: summary.slaBreaches,
    emergencyMissing: summary.emergencyMissing,
    onTrack: summary.tracks['on-track'],
    overdue: summary.tracks.overdue,
  };

  return {
    formatVersion: COMPLIANCE_FORMAT_VERSION,
    date,
    timezone: zone,
    asOf,
    inputsDigest: plan.inputsDigest,
    sla: clock.unknown === null ? sla : { ...sla, unknown: clock.unknown },
    summary,
    hosts,
    slaBreaches: slaBreaches(hosts),
    pendingReboot: hosts
      .filter((h) => h.needsReboot)
      .map((h): PendingReboot => ({
        host: h.host,
        state: h.state,
        source:
          h.lastApply?.status === 'patched-pending-reboot' &&
          !rebootFromScan(state.hosts.get(h.host), h.lastApply)
            ? `apply run ${h.lastApply.runId}`
            : 'scan',
      })),
    didNotComeBack: hosts
      .filter((h) => h.lastApply?.status === 'reboot-timeout')
      .map((h) => ({ host: h.host, ...(h.lastApply as ApplyOutcome) })),
    unreachable: hosts.filter((h) => h.state === 'unreachable').map((h) => unreachableHost(h, state, redact)),
    failures: hosts
      .filter((h) => h.lastApply !== null && FAILED_STATUSES.has(h.lastApply.status))
      .map((h): HostOutcome => ({ host: h.host, ...(h.lastApply as ApplyOutcome) })),
    exceptions: exceptions.exceptions,
    products: rankProducts(hosts),
    riskRanking,
    openKev: openKevCves(hosts, state.intel, date),
    exceptionsByAdvisory: exceptionsByAdvisory(hosts, exceptions.exceptions, state.intel, threshold),
    remediation: remediationByTier({
      journals: inputs.journals,
      state,
      clock,
      risk,
      ...(exposure ? { index: exposure.index } : {}),
    }),
    findings: findingsFacts(hosts, state.intel, new Set(repo.hosts.map((h) => h.name))),
    intel: intelRead(state.intel, threshold),
    rollouts: rolloutStatus({ rollouts: repo.rollouts.map((r) => r.doc), states: state.rollouts, at }),
    lastRun: lastRunSummary(inputs.journals) ?? null,
    breakdowns: breakdowns(hosts, repo, members),
    evidence: collectEvidence(inputs.journals, redact),
    history: [...inputs.history.filter((e) => e.date !== date), today].sort((a, b) => cmp(a.date, b.date)),
  };
}

function slaOf(repo: Pick<Repository, 'config'>): Record<Severity, string> {
  const configured = configSpec(repo).sla ?? {};
  return {
    critical: configured.critical ?? CONFIG_DEFAULTS.sla.critical,
    high: configured.high ?? CONFIG_DEFAULTS.sla.high,
    medium: configured.medium ?? CONFIG_DEFAULTS.sla.medium,
    low: configured.low ?? CONFIG_DEFAULTS.sla.low,
  };
}

interface Placement {
  ring: PlanRing;
  host: PlanHost;
}

function planPlacement(plan: Plan): Map<string, Placement> {
  const out = new Map<string, Placement>();
  for (const ring of plan.rings) for (const host of ring.hosts) out.set(host.host, { ring, host });
  return out;
}

/** The SLA clock, with what marks an update emergency and its risk. */
interface ReportClock extends SlaClock {
  /** The advisory ids of each emergency feed. */
  feeds: readonly ReadonlySet<string>[];
  /** Each update's risk: KEV, EPSS, severity (core/vuln/observed.ts updateRiskOf). */
  risk: (u: PendingUpdate) => Risk;
}

/** What places a host's missing updates on their schedule (schedule-track.ts). */
interface HostScheduleFacts {
  required: (u: PendingUpdate) => Requirement | undefined;
  schedule: ScheduleClock;
  halted: boolean;
  gateOpened: number | undefined;
}

function missingUpdates(
  host: PlanHost,
  ring: PlanRing,
  observed: HostState | undefined,
  clock: ReportClock,
  waived: (s: PlanSkip) => Waiver | undefined,
  planAt: string,
  facts: HostScheduleFacts,
): MissingUpdate[] {
  const out: MissingUpdate[] = [];
  const update = (name: string, to: string) => observed?.updates.find((u) => u.name === name && u.to === to);
  const tracked = (
    m: Omit<MissingUpdate, 'track'>,
    req: Requirement | undefined,
    startKnown: boolean,
    blackoutEnds: boolean,
  ): MissingUpdate => {
    const missed =
      m.breached || req === undefined
        ? undefined
        : missedWindow(host.host, req, facts.gateOpened, facts.schedule);
    const track = updateTrack({ breached: m.breached, missed, why: m.why, startKnown, blackoutEnds });
    return { ...m, track, ...(missed ? { missedWindow: missed } : {}) };
  };
  for (const a of host.actions) {
    if (a.type !== 'upgrade') continue;
    const u = update(a.package, a.to);
    const req = u ? facts.required(u) : undefined;
    out.push(
      tracked(
        missingUpdate(u, a, 'planned', plannedDetail(host, ring, planAt), clock),
        req,
        plannedStartKnown(ring, req, facts.halted),
        false,
      ),
    );
  }
  for (const s of host.skipped) {
    if (!MISSING_SKIPS.has(s.reason) || waived(s) !== undefined) continue;
    const u = update(s.package, s.to);
    if (!u) continue;
    // Held on the host or on an unreachable host: missing only if its policy would install it.
    const req = facts.required(u);
    if (req === undefined) continue;
    const m = missingUpdate(u, undefined, s.reason as MissingWhy, skipDetail(s), clock);
    if (s.reason === 'not-in-earlier-ring') {
      // Its ring's gate is not open for this version yet: no window of this ring was missed.
      const track = updateTrack({ ...m, missed: undefined, startKnown: !facts.halted, blackoutEnds: false });
      out.push({ ...m, track });
      continue;
    }
    out.push(tracked(m, req, false, s.reason === 'blackout' && s.eligibleAt !== undefined));
  }
  return out.sort((a, b) => cmp(a.package, b.package) || cmp(a.arch ?? '', b.arch ?? ''));
}

/** Each update's Requirement, worked out once (undefined: its policy would not install it). */
function requirements(
  observed: HostState | undefined,
  policies: readonly PolicyDoc[],
  feeds: FeedJudge,
  memo: ReturnType<typeof decisionMemo>,
  at: DateTime,
): (u: PendingUpdate) => Requirement | undefined {
  const known = new Map<PendingUpdate, Requirement | undefined>();
  return (u) => {
    if (!observed) return undefined;
    if (known.has(u)) return known.get(u);
    const req = requirementOf(u, observed, policies, feeds, memo, at);
    known.set(u, req);
    return req;
  };
}

function missingUpdate(
  u: PendingUpdate | undefined,
  action: UpgradeAction | undefined,
  why: MissingWhy,
  detail: string,
  clock: ReportClock,
): Omit<MissingUpdate, 'track'> {
  const advisories = [...(action?.advisories ?? u?.advisories ?? [])];
  const severity = action?.severity ?? u?.severity ?? null;
  const releasedAt = u?.releasedAt ?? null;
  const classification = action?.classification ?? u?.classification ?? 'security';
  const risk = clock.risk(
    u ?? {
      name: action?.package ?? '',
      from: action?.from ?? '',
      to: action?.to ?? '',
      classification,
      advisories,
      ...(severity !== null ? { severity } : {}),
    },
  );
  const { ageDays, dueDate, overdue, sla, slaSource } = dueOf(clock, {
    severity,
    classification,
    releasedAt,
    risk,
  });
  const breached = overdue !== undefined && overdue > 0;
  const arch = action?.arch ?? u?.arch;
  return {
    package: action?.package ?? u?.name ?? '',
    ...(arch ? { arch } : {}),
    from: action?.from ?? u?.from ?? '',
    to: action?.to ?? u?.to ?? '',
    classification,
    severity,
    advisories,
    emergency: action?.emergency === true || advisories.some((a) => clock.feeds.some((f) => f.has(a))),
    ...riskFields(risk),
    releasedAt,
    ageDays,
    sla,
    dueDate,
    slaSource,
    breached,
    overdueDays: breached ? (overdue ?? null) : null,
    why,
    detail,
  };
}

function plannedDetail(host: PlanHost, ring: PlanRing, at: string): string {
  const where = ring.rollout === '' ? `ring ${ring.name} (no rollout)` : `ring ${ring.rollout}/${ring.name}`;
  // An open window's start is the plan's own time: naming it would change the report every run.
  const opens =
    host.window && Date.parse(host.window.start) > Date.parse(at) ? ` from ${host.window.start}` : ' (open)';
  const window = host.window ? `, window ${host.window.name}${opens}` : '';
  const gate = ring.gate ? `; ${ring.gate}` : '';
  return `planned in ${where}${window}${gate}`;
}

function skipDetail(s: PlanSkip): string {
  switch (s.reason) {
    case 'not-approved-yet':
      return `approved from ${s.eligibleAt ?? '?'} (${s.by})`;
    case 'held':
      return 'held on the host (apt-mark hold or versionlock): release the hold to patch';
    case 'no-window':
      return `no maintenance window opens (${s.by})`;
    case 'blackout':
      return `blackout ${s.by}`;
    case 'not-in-earlier-ring':
      return `waits until ${s.by} has installed and baked this version`;
    default:
      return `host unreachable (${s.by})`;
  }
}

interface Waiver {
  name: string;
  expires?: string;
}

/**
 * The exception that waives a skipped update. The plan names it when it is the reason; a hold
 * on the host or an unreachable host comes first in the plan, yet a reviewed waiver still makes
 * the update excepted rather than missing.
 */
function waiverOf(
  host: string,
  observed: HostState | undefined,
  waivers: readonly ActiveException[],
  required: (u: PendingUpdate) => Requirement | undefined,
): (s: PlanSkip) => Waiver | undefined {
  return (s) => {
    // An update its policy would not install needs no waiver: neither missing nor excepted.
    const waived = observed?.updates.find((x) => x.name === s.package && x.to === s.to);
    if (waived && (s.reason === 'exception' || s.reason === 'held' || s.reason === 'host-unreachable'))
      if (required(waived) === undefined) return undefined;
    if (s.reason === 'exception')
      return {
        name: s.by.replace(/^exception /, ''),
        ...(s.expires !== undefined ? { expires: s.expires } : {}),
      };
    if (s.reason !== 'held' && s.reason !== 'host-unreachable') return undefined;
    const u = observed?.updates.find((x) => x.name === s.package && x.to === s.to);
    const e = u ? exceptionFor(waivers, host, u) : undefined;
    return e ? { name: e.name, expires: e.expires } : undefined;
  };
}

function exceptedUpdates(
  host: PlanHost,
  observed: HostState | undefined,
  waived: (s: PlanSkip) => Waiver | undefined,
  risk: (u: PendingUpdate) => Risk,
): ExceptedUpdate[] {
  const out: ExceptedUpdate[] = [];
  for (const s of host.skipped) {
    const waiver = waived(s);
    if (waiver === undefined) continue;
    const u = observed?.updates.find((x) => x.name === s.package && x.to === s.to);
    out.push({
      package: s.package,
      to: s.to,
      severity: u?.severity ?? null,
      tier: u ? risk(u).tier : 'routine',
      advisories: [...(u?.advisories ?? [])],
      exception: waiver.name,
      ...(waiver.expires !== undefined ? { expires: waiver.expires } : {}),
    });
  }
  return out.sort((a, b) => cmp(a.package, b.package));
}

interface Judged {
  state: ComplianceState;
  reason: string;
  needsReboot: boolean;
}

/** The first that holds wins: the order is part of the contract (README "Reports"). */
function judgeHost(h: {
  observed: HostState | undefined;
  missing: readonly MissingUpdate[];
  excepted: readonly ExceptedUpdate[];
  lastApply: ApplyOutcome | null;
  hasPolicy: boolean;
  /** The inventory's settings for the host (transport, os hint). */
  inventory: Pick<InventoryHost, 'transport' | 'os'>;
  /** What this version drives (Repository.driven). */
  driven: Driven;
}): Judged {
  const { observed, missing, excepted, lastApply } = h;
  // An apply result newer than the last scan says more about the host than that scan.
  const fresh =
    lastApply !== null && (!observed || Date.parse(lastApply.at) >= Date.parse(observed.scannedAt));
  const needsReboot =
    (observed?.reachable === true && observed.rebootRequired === true) ||
    (fresh && lastApply.status === 'patched-pending-reboot');
  const judged = (state: ComplianceState, reason: string): Judged => ({ state, reason, needsReboot });
  if (!h.hasPolicy) return judged('not-applicable', 'no policy applies to this host');
  // Never "unreachable" for a host patchctl cannot drive or never looked at (README.md, "Reports"):
  // the plan's reading of what it knows about the host, in the plan's words.
  const known = unknownHostKnowledge(h.inventory, observed, h.driven);
  if (known?.state === 'unsupported') return judged('unsupported', excerpt(known.note));
  if (!observed) return judged('never-scanned', known?.note ?? 'never scanned: run patchctl scan');
  if (fresh && UNREACHABLE_STATUSES.has(lastApply.status)) {
    const since = observed.lastReachableAt ? ` since ${observed.lastReachableAt}` : '';
    return judged(
      'unreachable',
      `${UNREACHABLE_PHRASE[lastApply.status as HostErrorKind] ?? lastApply.status}${since} ` +
        `(apply ${lastApply.runId}: ${lastApply.status}${suffix(lastApply.error)})`,
    );
  }
  if (!observed.reachable)
    return judged('unreachable', excerpt(known?.note ?? `last scan ${observed.scannedAt}`));
  if (fresh && FAILED_STATUSES.has(lastApply.status))
    return judged('failed', `apply ${lastApply.runId}: ${lastApply.status}${suffix(lastApply.error)}`);
  if (missing.length > 0) {
    const breached = missing.filter((m) => m.breached).length;
    const sla = breached > 0 ? `, ${breached} past SLA` : '';
    return judged('missing', `${count(missing.length, 'update')} missing${sla}`);
  }
  if (needsReboot) return judged('pending-reboot', 'patched; the host needs a reboot to finish');
  if (excepted.length > 0)
    return judged(
      'excepted',
      `${count(excepted.length, 'update')} waived by ${[...new Set(excepted.map((e) => e.exception))].join(', ')}`,
    );
  return judged('compliant', 'every required update is installed');
}

/** What the reason of a host an apply could not reach starts with, by what it ran into. */
const UNREACHABLE_PHRASE: Partial<Record<HostErrorKind, string>> = {
  unreachable: 'unreachable',
  'auth-failed': 'refused authentication',
  'host-key-mismatch': 'host key changed',
};

function suffix(error: string | undefined): string {
  return error ? `: ${excerpt(error)}` : '';
}

function rebootFromScan(observed: HostState | undefined, lastApply: ApplyOutcome): boolean {
  return observed?.rebootRequired === true && Date.parse(observed.scannedAt) > Date.parse(lastApply.at);
}

/** The latest host-finished of each host across all runs (by time, then journal order). */
function latestOutcomes(
  journals: readonly RunJournal[],
  redact: (t: string) => string,
): Map<string, ApplyOutcome> {
  const latest = new Map<string, { ms: number; outcome: ApplyOutcome }>();
  for (const j of journals) {
    const digest = planDigestOf(j);
    for (const e of j.events) {
      if (e.type !== 'host-finished' || e.host === undefined || e.status === undefined) continue;
      if (e.status === 'skipped-window-closed') continue; // not touched
      const ms = Date.parse(e.at);
      const known = latest.get(e.host);
      if (known && known.ms > ms) continue;
      latest.set(e.host, {
        ms,
        outcome: {
          runId: e.runId,
          planDigest: e.planDigest ?? digest,
          at: e.at,
          status: e.status,
          ...(e.error !== undefined ? { error: excerpt(redact(e.error)) } : {}),
        },
      });
    }
  }
  return new Map([...latest].map(([h, v]) => [h, v.outcome]));
}

function planDigestOf(j: RunJournal): string | null {
  return j.events.find((e) => e.type === 'run-started')?.planDigest ?? null;
}

/**
 * The lines that say what went wrong: apt's `E:` lines and the like when there are any, else
 * the start; one line, at most EXCERPT_CHARS.
 */
export function excerpt(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const telling = lines.filter((l) => /^(E|W|error|fatal)\b|:\s*(error|fatal)\b/i.test(l));
  const chosen =
    telling.length > 0 && lines[0] !== undefined
      ? [lines[0], ...telling.filter((l) => l !== lines[0])]
      : lines;
  const one = chosen.join(' … ').replace(/\s+/g, ' ');
  return one.length > EXCERPT_CHARS ? `${one.slice(0, EXCERPT_CHARS - 1)}…` : one;
}

function collectEvidence(journals: readonly RunJournal[], redact: (t: string) => string): Evidence[] {
  const out: Evidence[] = [];
  for (const j of journals) {
    const digest = planDigestOf(j);
    const started = new Map<string, string>();
    for (const e of j.events) {
      if (e.type === 'host-started' && e.host !== undefined) started.set(e.host, e.at);
      if (e.type !== 'host-finished' || e.host === undefined || !e.actions || e.actions.length === 0)
        continue;
      if (e.status === 'skipped-window-closed') continue;
      out.push(evidenceOf(e, e.host, started.get(e.host) ?? null, digest, redact));
    }
  }
  return out.sort((a, b) => cmp(a.finishedAt, b.finishedAt) || cmp(a.runId, b.runId) || cmp(a.host, b.host));
}

function evidenceOf(
  e: RunJournalEvent,
  host: string,
  startedAt: string | null,
  digest: string | null,
  redact: (t: string) => string,
): Evidence {
  return {
    runId: e.runId,
    planDigest: e.planDigest ?? digest,
    host,
    ring: e.ring ?? '',
    status: e.status ?? '',
    startedAt,
    finishedAt: e.at,
    changes: (e.actions ?? []).map((a) => ({ package: a.package, from: a.from, to: a.to })),
    verification: e.verification ? (e.verification.ok ? 'passed' : 'failed') : 'not-run',
    mismatches: (e.verification?.mismatches ?? []).map(redact),
    rebooted: e.rebooted
      ? { bootIdBefore: e.rebooted.bootIdBefore, bootIdAfter: e.rebooted.bootIdAfter }
      : null,
    ...(e.error !== undefined ? { error: excerpt(redact(e.error)) } : {}),
  };
}

function unreachableHost(
  h: HostCompliance,
  state: ObservedState,
  redact: (t: string) => string,
): UnreachableHost {
  const observed = state.hosts.get(h.host);
  const applyFailed = h.lastApply !== null && UNREACHABLE_STATUSES.has(h.lastApply.status);
  const scanAt = observed && !observed.reachable ? observed.scannedAt : null;
  const applyAt = applyFailed ? (h.lastApply?.at ?? null) : null;
  const lastAttempt =
    [scanAt, applyAt]
      .filter((t): t is string => t !== null)
      .sort(byInstant)
      .at(-1) ?? null;
  const error = applyAt !== null && applyAt === lastAttempt ? h.lastApply?.error : observed?.error;
  return {
    host: h.host,
    lastSeen: h.lastReachableAt,
    lastAttempt,
    error: error === undefined ? (observed ? null : 'never scanned') : excerpt(redact(error)),
  };
}

function summarise(
  hosts: readonly HostCompliance[],
  exceptions: ComplianceSummary['exceptions'],
): ComplianceSummary {
  const missing = hosts.flatMap((h) => h.missing);
  const tracks = countTracks(hosts);
  const inScope = hosts.length - tracks['not-applicable'];
  return {
    hosts: hosts.length,
    states: countStates(hosts),
    compliancePercent: compliancePercent(hosts),
    tracks,
    onTrackPercent:
      inScope === 0
        ? null
        : Math.round(((tracks['in-compliance'] + tracks['on-track']) / inScope) * 1000) / 10,
    missingUpdates: missing.length,
    missingSecurityUpdates: missing.filter((m) => m.classification === 'security').length,
    emergencyMissing: missing.filter((m) => m.emergency).length,
    slaBreaches: missing.filter((m) => m.breached).length,
    hostsPendingReboot: hosts.filter((h) => h.needsReboot).length,
    exceptions: { ...exceptions },
    hostsByTier: tierCounts(hosts.flatMap((h) => (h.risk.tier === null ? [] : [h.risk.tier]))),
    openVulnerabilities: hosts.reduce((n, h) => n + h.vulnerabilities.length, 0),
  };
}

function countStates(hosts: readonly HostCompliance[]): StateCounts {
  const counts = Object.fromEntries(COMPLIANCE_STATES.map((s) => [s, 0])) as StateCounts;
  for (const h of hosts) counts[h.state] += 1;
  return counts;
}

function countTracks(hosts: readonly HostCompliance[]): TrackCounts {
  const counts = Object.fromEntries(HOST_TRACKS.map((t) => [t, 0])) as TrackCounts;
  for (const h of hosts) counts[h.track] += 1;
  return counts;
}

export function compliancePercent(hosts: readonly Pick<HostCompliance, 'state'>[]): number | null {
  const inScope = hosts.filter((h) => h.state !== 'not-applicable');
  if (inScope.length === 0) return null;
  const ok = inScope.filter((h) => IN_COMPLIANCE.has(h.state)).length;
  return Math.round((ok / inScope.length) * 1000) / 10;
}

function slaBreaches(hosts: readonly HostCompliance[]): SlaBreach[] {
  const out: SlaBreach[] = [];
  for (const h of hosts) {
    for (const m of h.missing) {
      // Breaches count whichever clock set the due date (sla-clock.ts): the KEV clock may
      // apply to an update with no release date or no SLA.
      if (!m.breached || m.dueDate === null || m.slaSource === null) continue;
      out.push({
        host: h.host,
        package: m.package,
        to: m.to,
        severity: m.severity,
        tier: m.tier,
        advisories: m.advisories,
        emergency: m.emergency,
        releasedAt: m.releasedAt,
        ageDays: m.ageDays,
        sla: m.sla,
        dueDate: m.dueDate,
        slaSource: m.slaSource,
        overdueDays: m.overdueDays ?? 0,
      });
    }
  }
  return out.sort(
    (a, b) =>
      Number(b.emergency) - Number(a.emergency) ||
      byNullableInstant(a.releasedAt, b.releasedAt) ||
      cmp(a.dueDate, b.dueDate) ||
      severityRank(a.severity) - severityRank(b.severity) ||
      cmp(a.host, b.host) ||
      cmp(a.package, b.package),
  );
}

/**
 * Packages by open risk (docs/vulnerabilities.md, "Priority"), over their missing security
 * updates: the most urgent tier among them (an update listed in an emergency feed counts as
 * `kev`, also when no KEV catalogue was read), then the most urgent risk (compareRisk: tier,
 * ransomware use, KEV dueDate, EPSS, severity), then how many are KEV, emergency, then the
 * highest EPSS, the worst severity, the oldest release, how many missing, how many past SLA,
 * then the name.
 */
function rankProducts(hosts: readonly HostCompliance[]): ProductRisk[] {
  interface Acc extends ProductRisk {
    hostSet: Set<string>;
    urgent: Risk;
  }
  const byPackage = new Map<string, Acc>();
  for (const h of hosts) {
    for (const m of h.missing) {
      if (m.classification !== 'security') continue;
      let p = byPackage.get(m.package);
      if (p === undefined) {
        p = {
          package: m.package,
          missingSecurityUpdates: 0,
          hosts: 0,
          emergency: 0,
          breached: 0,
          worstSeverity: null,
          oldestReleasedAt: null,
          tier: m.tier,
          tiers: tierCounts([]),
          epss: null,
          openVulnerabilities: 0,
          hostSet: new Set<string>(),
          urgent: riskOfFields(m, m.severity),
        };
        byPackage.set(m.package, p);
      }
      p.missingSecurityUpdates += 1;
      p.hostSet.add(h.host);
      p.tiers[m.tier] += 1;
      // A less urgent tier cannot be the most urgent risk: no Risk worked out for it.
      if (RISK_TIERS.indexOf(m.tier) <= RISK_TIERS.indexOf(p.urgent.tier)) {
        const risk = riskOfFields(m, m.severity);
        if (compareRisk(risk, p.urgent) < 0) p.urgent = risk;
      }
      if (m.epss !== undefined && (p.epss === null || m.epss > p.epss)) p.epss = m.epss;
      if (m.emergency) p.emergency += 1;
      if (m.breached) p.breached += 1;
      if (severityRank(m.severity) < severityRank(p.worstSeverity)) p.worstSeverity = m.severity;
      if (
        m.releasedAt !== null &&
        (p.oldestReleasedAt === null || byInstant(m.releasedAt, p.oldestReleasedAt) < 0)
      )
        p.oldestReleasedAt = m.releasedAt;
    }
  }
  if (byPackage.size > 0)
    for (const h of hosts)
      for (const v of h.vulnerabilities) {
        const p = byPackage.get(v.package);
        if (p !== undefined) p.openVulnerabilities += 1;
      }
  return [...byPackage.values()]
    .sort(
      (a, b) =>
        productRank(a) - productRank(b) ||
        compareRisk(a.urgent, b.urgent) ||
        b.tiers.kev - a.tiers.kev ||
        b.emergency - a.emergency ||
        (b.epss ?? -1) - (a.epss ?? -1) ||
        severityRank(a.worstSeverity) - severityRank(b.worstSeverity) ||
        byNullableInstant(a.oldestReleasedAt, b.oldestReleasedAt) ||
        b.missingSecurityUpdates - a.missingSecurityUpdates ||
        b.breached - a.breached ||
        cmp(a.package, b.package),
    )
    .map(({ hostSet, urgent, ...p }): ProductRisk => ({ ...p, tier: urgent.tier, hosts: hostSet.size }));
}

function productRank(p: ProductRisk & { urgent: Risk }): number {
  return p.emergency > 0 ? 0 : RISK_TIERS.indexOf(p.urgent.tier);
}

function breakdowns(
  hosts: readonly HostCompliance[],
  repo: Repository,
  members: ReturnType<typeof resolveGroups>,
): ComplianceReport['breakdowns'] {
  const row = (name: string, of: readonly HostCompliance[], rollout?: string): BreakdownRow => ({
    name,
    ...(rollout !== undefined ? { rollout } : {}),
    hosts: of.length,
    states: countStates(of),
    compliancePercent: compliancePercent(of),
  });
  const ringKeys: { rollout: string; ring: string }[] = [];
  const seen = new Set<string>();
  // Rollout order, then ring order, as written; hosts no rollout covers last.
  const rollouts = [...repo.rollouts].sort((a, b) => cmp(a.doc.metadata.name, b.doc.metadata.name));
  for (const r of rollouts)
    for (const ring of r.doc.spec.rings) {
      seen.add(`${r.doc.metadata.name}/${ring.name}`);
      ringKeys.push({ rollout: r.doc.metadata.name, ring: ring.name });
    }
  for (const h of hosts) {
    const key = `${h.rollout ?? ''}/${h.ring}`;
    if (!seen.has(key)) {
      seen.add(key);
      ringKeys.push({ rollout: h.rollout ?? '', ring: h.ring });
    }
  }
  const rings = ringKeys
    .map((k) =>
      row(
        k.ring,
        hosts.filter((h) => (h.rollout ?? '') === k.rollout && h.ring === k.ring),
        k.rollout,
      ),
    )
    .filter((r) => r.hosts > 0);
  const siteNames = [...new Set(hosts.map((h) => h.site ?? ''))].sort(cmp);
  const sites = siteNames.map((s) =>
    row(
      s === '' ? '(no site label)' : s,
      hosts.filter((h) => (h.site ?? '') === s),
    ),
  );
  const groups = repo.groups
    .map((g) => g.doc.metadata.name)
    .sort(cmp)
    .map((g) =>
      row(
        g,
        hosts.filter((h) => members.get(g)?.has(h.host) === true),
      ),
    );
  return { rings, sites, groups };
}

function newestObservation(state: ObservedState, journals: readonly RunJournal[]): string | null {
  let newest: { ms: number; text: string } | null = null;
  const consider = (text: string | undefined) => {
    if (text === undefined) return;
    const ms = Date.parse(text);
    if (!Number.isNaN(ms) && (newest === null || ms > newest.ms)) newest = { ms, text };
  };
  for (const h of state.hosts.values()) consider(h.scannedAt);
  for (const r of state.rollouts.values()) consider(r.updatedAt);
  for (const j of journals) for (const e of j.events) consider(e.at);
  const found = newest as { ms: number; text: string } | null;
  return found === null ? null : new Date(found.ms).toISOString();
}

function severityRank(s: Severity | null): number {
  return s === null ? SEVERITIES.length : SEVERITIES.indexOf(s);
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** byInstant, with null (unknown) after every instant. */
function byNullableInstant(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return byInstant(a, b);
}

/** Times come from hosts and journals with any offset: compare the instants, not the text. */
function byInstant(a: string, b: string): number {
  const d = Date.parse(a) - Date.parse(b);
  return Number.isNaN(d) ? cmp(a, b) : Math.sign(d);
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
