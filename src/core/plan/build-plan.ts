// documents × observed state × a point in time → the plan. Pure: the same inputs give the same
// plan, byte for byte once serialised.
import { DateTime } from 'luxon';
import type { GroupMembers } from '../model/groups.js';
import { resolveGroups } from '../model/groups.js';
import type { Repository } from '../model/repository.js';
import { CONFIG_DEFAULTS, configSpec } from '../model/repository.js';
import type { RolloutDocument } from '../model/types.js';
import { ecosystemOf, ranAtLeast, ringVersionOf } from '../state/ring-versions.js';
import { durationToLuxon, parseDuration } from '../schedule/duration.js';
import { assignRings } from '../schedule/rings.js';
import type {
  Ecosystem,
  HostErrorKind,
  HostState,
  ObservedState,
  PendingUpdate,
  RingProgress,
} from '../state/types.js';
import { epssThresholdOf, updateRiskOf, withVulnIntel } from '../vuln/observed.js';
import { compareRisk, mostUrgent } from '../vuln/priority.js';
import type { Risk } from '../vuln/types.js';
import type { Calendar, HostOpening } from './calendar.js';
import { buildCalendar, hostOpening } from './calendar.js';
import type { DecisionMemo } from './decide-update.js';
import { decideUpdate, decisionMemo, iso } from './decide-update.js';
import type { ActiveException } from './exceptions.js';
import { activeExceptions } from './exceptions.js';
import { budgetExceeded } from './failure-budget.js';
import type { PolicyDoc } from './policies-for-host.js';
import { policiesByHost, policyHosts } from './policies-for-host.js';
import type {
  Plan,
  PlanAction,
  PlanHost,
  PlanRing,
  PlanSkip,
  PlanSummary,
  PlanWindow,
  RebootAction,
  UpgradeAction,
} from './types.js';
import { hostStateOf, PLAN_FORMAT_VERSION } from './types.js';
import type { ResolvedHost } from '../model/repository.js';
import { unknownHostKnowledge } from './host-knowledge.js';
import type { Driven } from '../model/driven.js';
import type { RebootSay } from './reboot-policy.js';
import { rebootDecision, rebootSay, rebootVeto, usuallyAsksForReboot } from './reboot-policy.js';

export interface PlanInputs {
  repository: Repository;
  state: ObservedState;
  at: DateTime;
  inputsDigest: string;
  inputs: Record<string, string>;
  gitCommit: string | null;
}

export interface PlanFilter {
  /** Only this ring. */
  ring?: string;
  /** Only these hosts. */
  hosts?: readonly string[];
}

/** Ring of hosts that no rollout covers. */
export const NO_ROLLOUT_RING = 'unassigned';

/** A host the plan knows nothing current about: never scanned, or its last scan failed. */
export interface UnknownHost {
  host: string;
  kind: HostErrorKind | 'never-scanned';
  /** The last scan (absent for a host never scanned). */
  scannedAt?: string;
}

/**
 * A ring that cannot start because the ring before it has hosts patchctl knows nothing current
 * about, more than that ring's failure budget allows (see ringGate).
 */
export interface RingHold {
  rollout: string;
  ring: string;
  /** The ring before it, whose hosts hold it. */
  after: string;
  hosts: UnknownHost[];
}

export interface PlanWithHolds {
  plan: Plan;
  /** The rings of the plan held by unknown hosts of the ring before them. */
  holds: RingHold[];
  /**
   * `rollout/ring` → when a host of the ring without a window of its own may start (the gate's
   * time), or null when the gate blocks the ring: what earliestStart would be for such a host.
   */
  gateStarts: Map<string, string | null>;
}

export function buildPlan(inputs: PlanInputs, filter: PlanFilter = {}): Plan {
  return buildPlanWithHolds(inputs, filter).plan;
}

/** buildPlan, and which of its rings unknown hosts hold (apply fails on those: see apply's help). */
export function buildPlanWithHolds(inputs: PlanInputs, filter: PlanFilter = {}): PlanWithHolds {
  const { repository: repo, at } = inputs;
  // Each pending update with the advisories, severity and release date the feeds give it.
  const state = withVulnIntel(inputs.state);
  const members = resolveGroups(repo);
  const zone = configSpec(repo).timezone ?? CONFIG_DEFAULTS.timezone;
  const policies = repo.policies.map((p) => p.doc);
  const applies = policyHosts(repo.policies, repo.hosts, members);
  const hostPolicies = policiesByHost(
    repo.hosts.map((h) => h.name),
    policies,
    applies,
  );
  const exceptions = activeExceptions(repo.exceptions, members, zone, at);
  const calendar = buildCalendar(repo.windows, repo.blackouts, members, zone, at);
  const placement = placeHosts(repo, members, hostPolicies);

  const rolloutDocs = new Map(repo.rollouts.map((r) => [r.doc.metadata.name, r.doc]));
  const ctx: HostContext = {
    exceptions: exceptionsByHost(exceptions),
    feeds: state.feeds,
    ...(state.intel ? { kev: state.intel.kev } : {}),
    risk: updateRiskOf(state, epssThresholdOf(configSpec(repo))),
    hostRisks: new Map(),
    calendar,
    at,
    memo: decisionMemo(),
    inventory: new Map(repo.hosts.map((h) => [h.name, h])),
    driven: repo.driven,
  };
  // Each slot's hosts, in inventory order (sorted below). Every host is planned, also with
  // `hosts` (the filter): a ring's gate depends on the whole ring before it, not on the part of
  // it that is shown.
  const wanted = filter.hosts ? new Set(filter.hosts) : undefined;
  const inSlot = new Map<string, string[]>();
  for (const h of repo.hosts) {
    const key = placement.slotOf.get(h.name);
    if (key === undefined) continue;
    const list = inSlot.get(key);
    if (list) list.push(h.name);
    else inSlot.set(key, [h.name]);
  }
  const rings: PlanRing[] = [];
  const holds: RingHold[] = [];
  const gateStarts = new Map<string, string | null>();
  // Slot key → the whole ring (every host, also with `hosts`), its gate, and whether this plan
  // holds it whole: for the gates of the rings after it.
  const planned = new Map<string, PlannedRing>();
  for (const slot of placement.order) {
    const names = (inSlot.get(slot.key) ?? []).sort(cmp);
    const rollout = rolloutDocs.get(slot.rollout);
    const gate = ringGate(slot, rollout, planned, state, at);
    const updateGate = ringVersionGate(slot, rollout, state);
    const ringCtx = updateGate ? { ...ctx, updateGate } : ctx;
    const all = names.map((n) => {
      const h = planHost(n, state.hosts.get(n), hostPolicies.get(n) ?? [], gate.notBefore, ringCtx);
      // The host's package manager, so apply opens its own driver (docs/adding-a-driver.md, "Registries").
      const pm = state.hosts.get(n)?.packageManager;
      return pm === undefined ? h : { ...h, packageManager: pm };
    });
    // Most urgent first (docs/vulnerabilities.md, "Priority"): apply starts a ring's hosts in this order.
    all.sort(
      (a, b) => compareHostRisk(ctx.hostRisks.get(a.host), ctx.hostRisks.get(b.host)) || cmp(a.host, b.host),
    );
    const completes = completesWithoutWork(slot, rollout, gate, all, state, at);
    const ringGateNow = completes ? { ...gate, text: completes } : gate;
    const whole = ringOf(slot, ringGateNow, all, ctx.memo);
    if (completes) whole.completesWithoutWork = true;
    const inRing = filter.ring === undefined || filter.ring === slot.ring;
    const hosts = wanted ? all.filter((h) => wanted.has(h.host)) : all;
    const omitted = wanted ? all.filter((h) => h.actions.length > 0 && !wanted.has(h.host)).length : 0;
    planned.set(slot.key, {
      ring: whole,
      gate,
      // A ring this plan leaves out, or holds only part of the work of, cannot complete in a run
      // of it: the rings after it wait (README "Apply": ring order).
      whole: inRing && omitted === 0 && (hosts.length > 0 || !completes),
    });
    if (hosts.length > 0 && inRing) {
      const shown = wanted ? ringOf(slot, ringGateNow, hosts, ctx.memo) : whole;
      if (wanted && completes) shown.completesWithoutWork = true;
      if (omitted > 0) shown.omitted = omitted;
      rings.push(shown);
      gateStarts.set(slot.key, gate.blocked ? null : isoCached(ctx.memo, gate.notBefore));
      if (gate.held) holds.push({ rollout: slot.rollout, ring: slot.ring, ...gate.held });
    }
  }

  const plan: Plan = {
    formatVersion: PLAN_FORMAT_VERSION,
    createdAt: iso(at),
    at: iso(at),
    inputsDigest: inputs.inputsDigest,
    inputs: inputs.inputs,
    gitCommit: inputs.gitCommit,
    summary: summarise(rings),
    rings,
  };
  return { plan, holds, gateStarts };
}

/** A ring of the plan: its hosts, its gate, and the earliest start of a host with changes. */
function ringOf(slot: Slot, gate: RingGate, hosts: PlanHost[], memo: DecisionMemo): PlanRing {
  // The earliest start of a host with changes: its window's, else the gate's.
  let earliest: string | undefined;
  for (const h of hosts) {
    if (h.actions.length === 0) continue;
    const start = h.window?.start ?? isoCached(memo, gate.notBefore);
    if (earliest === undefined || start < earliest) earliest = start;
  }
  return {
    name: slot.ring,
    rollout: slot.rollout,
    earliestStart: gate.blocked ? null : (earliest ?? null),
    ...(gate.text ? { gate: gate.text } : {}),
    ...(gate.waitsFor.length > 0 ? { waitsFor: [...gate.waitsFor] } : {}),
    hosts,
  };
}

interface HostContext {
  /** The active exceptions naming each host, by name. */
  exceptions: ReadonlyMap<string, readonly ActiveException[]>;
  feeds: ObservedState['feeds'];
  /** KEV entries by CVE, when the feeds were parsed (decide-update.ts, isEmergency). */
  kev?: ReadonlyMap<string, unknown>;
  /** Each update's risk: KEV, EPSS, severity (core/vuln/observed.ts). */
  risk: (u: PendingUpdate) => Risk;
  /** Filled by planHost: the most urgent risk among each planned host's upgrades. */
  hostRisks: Map<string, Risk>;
  calendar: Calendar;
  at: DateTime;
  memo: DecisionMemo;
  /** Inventory hosts by name: their transport and OS hint decide what can be planned. */
  inventory: ReadonlyMap<string, ResolvedHost>;
  /** What this version drives (Repository.driven). */
  driven: Driven;
  /** Per-update ring gating of the host's ring (ringVersionGate): a skip, or undefined to plan it. */
  updateGate?: UpdateGate;
}

/** Host name → the exceptions (in their order) that name it. */
function exceptionsByHost(exceptions: readonly ActiveException[]): Map<string, ActiveException[]> {
  const out = new Map<string, ActiveException[]>();
  for (const e of exceptions) {
    for (const h of e.hosts) {
      const list = out.get(h);
      if (list) list.push(e);
      else out.set(h, [e]);
    }
  }
  return out;
}

/** iso(d), once per instant in a plan. */
function isoCached(memo: DecisionMemo, d: DateTime): string {
  const ms = d.toMillis();
  let text = memo.isoOf.get(ms);
  if (text === undefined) {
    text = iso(d);
    memo.isoOf.set(ms, text);
  }
  return text;
}

function planHost(
  name: string,
  host: HostState | undefined,
  policies: readonly PolicyDoc[],
  notBefore: DateTime,
  { exceptions, feeds, kev, risk, hostRisks, calendar, at, memo, inventory, updateGate, driven }: HostContext,
): PlanHost {
  // Never scanned, unreachable, its last scan failed or met another host key, or a transport or
  // package manager this version cannot drive: nothing to plan, and the note says which.
  const unknown = unknownHostKnowledge(inventory.get(name), host, driven);
  if (unknown || !host) {
    const { state, note } = unknown ?? { state: 'never-scanned', note: 'never scanned: run patchctl scan' };
    const skipped: PlanSkip[] =
      host && !host.reachable && state !== 'unsupported'
        ? host.updates.map((u) => ({
            package: u.name,
            to: u.to,
            reason: 'host-unreachable',
            by: `last scan ${host.scannedAt}${host.error ? `: ${host.error}` : ''}`,
          }))
        : [];
    return { host: name, state, note, window: null, actions: [], skipped };
  }
  const ecosystem = ecosystemOf(host.packageManager);
  const ctx = {
    host,
    ecosystem,
    policies,
    exceptions: exceptions.get(name) ?? [],
    feeds,
    ...(kev ? { kev } : {}),
    at,
    atMs: at.toMillis(),
    memo,
    risk,
  };
  const says = policies.map(rebootSay);
  const skipped: PlanSkip[] = [];
  const byPolicy = new Map<PolicyDoc, UpgradeAction[]>();
  const actionRisks = new Map<UpgradeAction, Risk>();
  for (const u of host.updates) {
    const d = decideUpdate(u, ctx);
    if (d.kind === 'upgrade') actionRisks.set(d.action, d.risk);
    // Per-update ring gating (ringVersionGate): only versions an earlier ring ran and baked.
    const gated = d.kind === 'skip' ? undefined : updateGate?.(d.action, d.policy, ecosystem);
    if (d.kind === 'skip') skipped.push(d.skip);
    else if (gated) skipped.push(gated);
    else {
      const list = byPolicy.get(d.policy);
      if (list) list.push(d.action);
      else byPolicy.set(d.policy, [d.action]);
    }
  }
  // Windows, blackouts and ring gates: per governing policy (each names its own windows), and
  // separately for its emergency updates, which may skip windows and bake time.
  const upgrades: UpgradeAction[] = [];
  let window: PlanHost['window'] = null;
  const reboots: string[] = [];
  const mayReboot: string[] = [];
  for (const [policy, actions] of byPolicy) {
    const e = policy.spec.emergency;
    for (const track of ['normal', 'emergency'] as const) {
      const group = actions.filter((a) => (a.emergency === true) === (track === 'emergency'));
      if (group.length === 0) continue;
      const from = track === 'emergency' && e?.skipBakeTime === true ? at : notBefore;
      const opening: HostOpening =
        track === 'emergency' && e?.ignoreWindows === true
          ? { kind: 'open', opening: null }
          : hostOpening(calendar, name, policy.spec.windows, policy.metadata.name, from);
      if (opening.kind !== 'open') {
        for (const a of group) {
          skipped.push({
            package: a.package,
            to: a.to,
            reason: opening.kind,
            by: opening.by,
            ...(opening.kind === 'blackout' && opening.eligibleAt
              ? { eligibleAt: isoCached(memo, opening.eligibleAt) }
              : {}),
          });
        }
        continue;
      }
      if (opening.opening) {
        const start = isoCached(memo, opening.opening.start);
        if (!window || start < window.start) {
          window = { name: opening.opening.window, start, end: isoCached(memo, opening.opening.end) };
        }
      }
      upgrades.push(...group);
      const r = rebootReasons(policy, group, host, says, ecosystem);
      reboots.push(...r.reboots);
      mayReboot.push(...r.may);
    }
  }
  const actions: PlanAction[] = upgrades.sort(
    (a, b) => cmp(a.package, b.package) || cmp(a.arch ?? '', b.arch ?? ''),
  );
  const reason = [...new Set(reboots)].sort()[0];
  if (reason) actions.push({ type: 'reboot', reason });
  skipped.sort((a, b) => cmp(a.package, b.package) || cmp(a.to, b.to));
  if (actions.length === 0 && host.rebootRequired === true) {
    const pending = pendingReboot(name, host, policies, notBefore, calendar, memo);
    if (pending)
      return { host: name, state: 'planned', window: pending.window, actions: [pending.action], skipped };
  }
  const may = reason === undefined ? [...new Set(mayReboot)].sort().join('; ') : '';
  const urgent = mostUrgent(upgrades.flatMap((a) => actionRisks.get(a) ?? []));
  if (urgent) hostRisks.set(name, urgent);
  return {
    host: name,
    state: hostStateOf({ host: name, window, actions, skipped }),
    window,
    actions,
    skipped,
    ...(may !== '' ? { mayReboot: may } : {}),
    ...(urgent ? { tier: urgent.tier } : {}),
  };
}

/** Hosts with upgrades by their most urgent risk; hosts without any after them. */
function compareHostRisk(a: Risk | undefined, b: Risk | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  return compareRisk(a, b);
}

/**
 * A reboot the host still needs although nothing is upgraded (an install whose reboot never
 * came, e.g. after a second Ctrl-C): planned until a scan shows it happened. The host's reboot
 * policy is its highest-precedence policy that is not narrowed to some packages by `include`
 * (a "browsers, without reboot" policy decides for browsers, not for the host), else its
 * highest-precedence policy; `reboot: never` plans none, and neither does another policy's
 * `reboot: never` that wins over it (reboot-policy.ts). Its windows and blackouts apply as
 * to upgrades.
 */
function pendingReboot(
  name: string,
  host: HostState,
  policies: readonly PolicyDoc[],
  notBefore: DateTime,
  calendar: Calendar,
  memo: DecisionMemo,
): { action: RebootAction; window: PlanWindow | null } | undefined {
  const policy = policies.find((p) => (p.spec.include ?? []).length === 0) ?? policies[0];
  if (!policy || (policy.spec.reboot ?? 'ifRequired') === 'never') return undefined;
  if (rebootVeto(policies.map(rebootSay), policy.metadata.name) !== undefined) return undefined;
  const opening = hostOpening(calendar, name, policy.spec.windows, policy.metadata.name, notBefore);
  if (opening.kind !== 'open') return undefined;
  return {
    action: {
      type: 'reboot',
      reason: `the host needs a reboot (pending since the scan at ${host.scannedAt})`,
      policy: policy.metadata.name,
    },
    window: opening.opening
      ? {
          name: opening.opening.window,
          start: isoCached(memo, opening.opening.start),
          end: isoCached(memo, opening.opening.end),
        }
      : null,
  };
}

/**
 * Why the host reboots after these upgrades of `policy` (`reboots`: policy `always`, an update or
 * the host already asks), or why it may (`may`: policy `ifRequired` and packages that usually
 * ask on this ecosystem). Nothing when the policy says `never`, or another policy's `never`
 * wins over it (reboot-policy.ts): the same rule apply follows.
 */
function rebootReasons(
  policy: PolicyDoc,
  scheduled: readonly UpgradeAction[],
  host: HostState,
  governing: readonly RebootSay[],
  ecosystem: Ecosystem | undefined,
): { reboots: string[]; may: string[] } {
  const none = { reboots: [], may: [] };
  const name = policy.metadata.name;
  const { mode } = rebootDecision(governing, [name]);
  if (mode === 'never') return none;
  if (mode === 'always') return { reboots: [`policy ${name} reboots after every patch run`], may: [] };
  const rebooting = new Set<string>();
  for (const u of host.updates) if (u.rebootRequired === true) rebooting.add(u.name);
  const needing = rebooting.size === 0 ? [] : scheduled.filter((a) => rebooting.has(a.package));
  if (needing.length > 0)
    return {
      reboots: [`${packageList(needing)} require${needing.length === 1 ? 's' : ''} a reboot`],
      may: [],
    };
  if (host.rebootRequired === true) return { reboots: ['the host already needs a reboot'], may: [] };
  const usually = scheduled.filter((a) => usuallyAsksForReboot(ecosystem, a.package));
  if (usually.length === 0) return none;
  return {
    reboots: [],
    may: [
      `${packageList(usually)} usually ask${usually.length === 1 ? 's' : ''} for a reboot; policy ${name} reboots if the host asks`,
    ],
  };
}

/** `libc6, linux-image-amd64`: the names, sorted, once each. */
function packageList(actions: readonly UpgradeAction[]): string {
  return [...new Set(actions.map((a) => a.package))].sort().join(', ');
}

interface Slot {
  key: string;
  rollout: string;
  ring: string;
}

/**
 * Each host's ring: from the rollout of its highest-precedence policy that names one and
 * places the host; otherwise the first rollout (by name) that places it; otherwise none.
 */
function placeHosts(
  repo: Repository,
  members: GroupMembers,
  hostPolicies: ReadonlyMap<string, readonly PolicyDoc[]>,
): { order: Slot[]; slotOf: Map<string, string> } {
  const rollouts = [...repo.rollouts].sort((a, b) => cmp(a.doc.metadata.name, b.doc.metadata.name));
  const ringOf = new Map<string, Map<string, string>>();
  for (const r of rollouts) ringOf.set(r.doc.metadata.name, assignRings(r.doc, repo.hosts, members).ringOf);
  const order: Slot[] = [];
  for (const r of rollouts) {
    for (const ring of r.doc.spec.rings)
      order.push({
        key: `${r.doc.metadata.name}/${ring.name}`,
        rollout: r.doc.metadata.name,
        ring: ring.name,
      });
  }
  order.push({ key: `/${NO_ROLLOUT_RING}`, rollout: '', ring: NO_ROLLOUT_RING });
  const slotOf = new Map<string, string>();
  const byName = rollouts.map((r) => r.doc.metadata.name);
  for (const h of repo.hosts) {
    let rollout: string | undefined;
    for (const p of hostPolicies.get(h.name) ?? []) {
      const r = p.spec.rollout;
      if (r !== undefined && ringOf.get(r)?.has(h.name)) {
        rollout = r;
        break;
      }
    }
    rollout ??= byName.find((r) => ringOf.get(r)?.has(h.name));
    const ring = rollout ? ringOf.get(rollout)?.get(h.name) : undefined;
    slotOf.set(h.name, rollout && ring ? `${rollout}/${ring}` : `/${NO_ROLLOUT_RING}`);
  }
  return { order, slotOf };
}

interface RingGate {
  /** No host of the ring starts before this. */
  notBefore: DateTime;
  /** The ring cannot start at a time the plan can tell (halted, or waiting on a ring in progress). */
  blocked: boolean;
  text?: string;
  /** Set when unknown hosts of the ring before hold it. */
  held?: { after: string; hosts: UnknownHost[] };
  /** Earlier rings of the rollout that must complete first, in the run that starts this one. */
  waitsFor: string[];
}

/** A ring already planned, for the gates of the rings after it. */
interface PlannedRing {
  /** Every host of the ring (a plan of some hosts plans them all). */
  ring: PlanRing;
  gate: RingGate;
  /** This plan holds all of the ring's work (a run of it can complete the ring). */
  whole: boolean;
}

/** The ring's hosts with work that hold the rings after it (see ringGate). */
function holdingWork(
  ring: PlanRing,
  spec: RolloutDocument['spec']['rings'][number],
  progress: RingProgress | undefined,
): PlanHost[] {
  const work = ring.hosts.filter((h) => h.actions.length > 0);
  // A ring that completed within its failure budget: the hosts that failed then are retried
  // when the ring runs again, and hold nothing as long as they stay within the budget.
  if (progress?.status !== 'completed' || !progress.failedHosts) return work;
  const failed = new Set(progress.failedHosts);
  const retries = work.filter((h) => failed.has(h.host));
  if (retries.length !== work.length) return work;
  return budgetExceeded(spec.failureBudget ?? {}, retries.length, ring.hosts.length) ? work : [];
}

/**
 * What holds a ring back (README "Apply": ring order): every earlier ring of its rollout must
 * have completed and stayed healthy for its bake time (recorded in state/rollouts/ across runs),
 * whatever part of the fleet the plan shows (`--hosts`, `--ring`) or a run applies. The gate
 * of a ring includes the gate of the ring before it (which includes the one before that).
 *
 * An earlier ring with work in this plan (or that completes without work, completesWithoutWork)
 * is named in `waitsFor`: apply starts this ring only once that ring completed in the same run.
 * When the previous ring still has work, the estimate is its earliest start plus the bake time;
 * when this plan does not hold all of that work (`--hosts`, `--ring`), this ring is blocked.
 *
 * A previous ring without work has completed only if none of its hosts is unknown — never
 * scanned, or unreachable (any failed last scan: a changed host key, refused authentication…)
 * — beyond its failure budget (the rule apply uses, core/plan/failure-budget.ts; default 0):
 * an unreachable canary is a canary that did not prove the patches, not one with nothing to
 * do. This holds even when state/rollouts records the ring completed: that record may be from
 * an earlier rollout wave, and a host that went dark since is exactly what a bake time is for.
 */
function ringGate(
  slot: Slot,
  rollout: RolloutDocument | undefined,
  planned: ReadonlyMap<string, PlannedRing>,
  { hosts: hostStates, rollouts: progress }: ObservedState,
  at: DateTime,
): RingGate {
  if (!rollout) return { notBefore: at, blocked: false, waitsFor: [] };
  const name = rollout.metadata.name;
  const state = progress.get(name);
  const index = rollout.spec.rings.findIndex((r) => r.name === slot.ring);
  const earlier = rollout.spec.rings.slice(0, Math.max(0, index));
  const info = (ring: string) => planned.get(`${name}/${ring}`);
  // Earlier rings that must complete in the run that starts this one.
  const waitsFor = earlier
    .filter((r) => {
      const p = info(r.name);
      if (!p) return false;
      return p.ring.completesWithoutWork === true || holdingWork(p.ring, r, state?.rings[r.name]).length > 0;
    })
    .map((r) => r.name);
  const open: RingGate = { notBefore: at, blocked: false, waitsFor };
  // A halted ring holds every other ring of its rollout, unless it is an earlier ring that
  // completes now without work (its failed hosts were taken out of it) or has no host left.
  const halted = Object.entries(state?.rings ?? {}).find(([ring, p]) => {
    const earlierRing = info(ring)?.ring;
    return (
      p.status === 'halted' && earlierRing?.completesWithoutWork !== true && earlierRing?.hosts.length !== 0
    );
  });
  if (halted) {
    const why = halted[1].haltedReason ? `: ${halted[1].haltedReason}` : '';
    const stuck = info(halted[0]);
    const release =
      stuck && !stuck.ring.hosts.some((h) => h.actions.length > 0)
        ? `; ring ${halted[0]} has no work left, but a host that failed has nothing left to install either (patched, then failed?): check it, then patchctl rollout release ${name} --ring ${halted[0]} --reason TEXT`
        : '';
    return {
      ...open,
      blocked: halted[0] !== slot.ring,
      text: `rollout halted at ring ${halted[0]}${why}${release}`,
    };
  }
  const prev = earlier.at(-1);
  if (!prev) return open;
  const prevInfo = info(prev.name);
  const prevGate = prevInfo?.gate;
  // The ring before waits itself: this one waits at least as long.
  if (prevGate?.blocked) return { ...open, blocked: true, text: prevGate.text ?? `after ring ${prev.name}` };
  const floor = prevGate && prevGate.notBefore > at ? prevGate : undefined;
  const atLeast = (g: RingGate): RingGate =>
    floor && floor.notBefore > g.notBefore
      ? { ...g, notBefore: floor.notBefore, ...(floor.text ? { text: floor.text } : {}) }
      : g;
  const bake = prev.bakeTime ? parseDuration(prev.bakeTime) : undefined;
  const plusBake = (t: DateTime) => (bake?.ok ? t.plus(durationToLuxon(bake.value)) : t);
  const bakes = prev.bakeTime ? ` and bakes ${prev.bakeTime}` : '';
  const waiting = `after ring ${prev.name} completes${bakes}`;
  const prevRing = prevInfo?.ring;
  const prevState = state?.rings[prev.name];
  const work = prevRing ? holdingWork(prevRing, prev, prevState) : [];
  if (prevRing && (work.length > 0 || prevRing.completesWithoutWork === true)) {
    if (prevInfo && !prevInfo.whole)
      return {
        ...open,
        blocked: true,
        text:
          work.length > 0
            ? `waits for ring ${prev.name}, whose work this plan does not hold whole (${work.length} host(s) with work there): apply ring ${prev.name} first`
            : `waits for ring ${prev.name} to be recorded completed (it has no work left), which this plan leaves out: apply ring ${prev.name} first`,
      };
    if (work.length === 0)
      return atLeast({
        ...open,
        notBefore: plusBake(at),
        text: `after ring ${prev.name} is recorded completed (it has no work left)${bakes}`,
      });
    const estimate = prevRing.earliestStart
      ? plusBake(DateTime.fromISO(prevRing.earliestStart, { setZone: true }))
      : undefined;
    if (!estimate) return { ...open, blocked: true, text: waiting };
    return atLeast({ ...open, notBefore: estimate > at ? estimate : at, text: waiting });
  }
  const unknown = (prevRing?.hosts ?? []).flatMap((h) => {
    const u = unknownHost(h.host, hostStates.get(h.host));
    return u ? [u] : [];
  });
  if (
    unknown.length > 0 &&
    budgetExceeded(prev.failureBudget ?? {}, unknown.length, prevRing?.hosts.length ?? 0)
  )
    return {
      ...open,
      blocked: true,
      text: `waits for ring ${prev.name}: ${describeUnknown(unknown)}`,
      held: { after: prev.name, hosts: unknown },
    };
  // (A ring left without hosts has nothing to complete.)
  if (prevState && prevState.status !== 'completed' && (prevRing?.hosts.length ?? 1) > 0)
    return { ...open, blocked: true, text: waiting };
  const healthy = prevState?.healthySince ?? prevState?.finishedAt;
  if (healthy) {
    const until = plusBake(DateTime.fromISO(healthy, { setZone: true }));
    if (until > at)
      return atLeast({ ...open, notBefore: until, text: `ring ${prev.name} bakes until ${iso(until)}` });
  }
  return atLeast(open);
}

/**
 * Why a ring with no work left is recorded completed by the next apply (the text for its
 * header), or undefined: its progress is in progress, or halted and each host that failed has
 * left the ring or still lacks updates that the plan now skips by a person's decision (an
 * exception, an exclusion, a pin or a hold); none of its hosts is unknown beyond its failure
 * budget; and nothing before it holds it. A host that failed and now has nothing left to install
 * (patched, then its health check failed) needs `patchctl rollout release`.
 */
function completesWithoutWork(
  slot: Slot,
  rollout: RolloutDocument | undefined,
  gate: RingGate,
  hosts: readonly PlanHost[],
  { hosts: hostStates, rollouts: progress }: ObservedState,
  at: DateTime,
): string | undefined {
  if (!rollout || hosts.length === 0 || hosts.some((h) => h.actions.length > 0)) return undefined;
  const p = progress.get(rollout.metadata.name)?.rings[slot.ring];
  if (p?.status !== 'in-progress' && p?.status !== 'halted') return undefined;
  if (gate.waitsFor.length > 0 || (gate.blocked && p.status !== 'halted') || gate.notBefore > at)
    return undefined;
  const spec = rollout.spec.rings.find((r) => r.name === slot.ring);
  const unknown = hosts.filter((h) => unknownHost(h.host, hostStates.get(h.host)) !== undefined);
  if (unknown.length > 0 && budgetExceeded(spec?.failureBudget ?? {}, unknown.length, hosts.length))
    return undefined;
  if (p.status === 'halted') {
    if ((p.failures ?? 0) > 0 && p.failedHosts === undefined) return undefined;
    for (const failed of p.failedHosts ?? []) {
      const h = hosts.find((x) => x.host === failed);
      if (h && !h.skipped.some((s) => TAKEN_OUT.has(s.reason))) return undefined;
    }
    return `halted${p.haltedReason ? ` (${p.haltedReason})` : ''}; no work left now: the next apply records ring ${slot.ring} completed`;
  }
  return `no work left: the next apply records ring ${slot.ring} completed`;
}

/** Skips that take a failed host's updates out of its ring by a person's decision. */
const TAKEN_OUT: ReadonlySet<PlanSkip['reason']> = new Set<PlanSkip['reason']>([
  'exception',
  'excluded',
  'pinned',
  'held',
]);

/** Per-update ring gating of one ring's hosts: a skip for an update, or undefined to plan it. */
type UpdateGate = (
  action: UpgradeAction,
  policy: PolicyDoc,
  ecosystem: Ecosystem | undefined,
) => PlanSkip | undefined;

/**
 * Per-update ring gating (README "Apply"): a ring gets an update only when an earlier ring of its
 * rollout ran that version or a later one (in the ecosystem's order) when it last completed, as
 * state/rollouts records (RingProgress.versions); ring order makes sure that ring also baked. The
 * nearest earlier ring whose record lists the package decides; a package no earlier ring's
 * record lists (those rings' hosts did not have it, or completed before patchctl recorded
 * versions) is gated by ring order alone. The emergency track of a policy with `skipBakeTime`
 * is not gated (its updates skip bake times by design). Undefined when nothing gates the ring.
 */
function ringVersionGate(
  slot: Slot,
  rollout: RolloutDocument | undefined,
  { rollouts: progress }: ObservedState,
): UpdateGate | undefined {
  if (!rollout) return undefined;
  const state = progress.get(rollout.metadata.name);
  const index = rollout.spec.rings.findIndex((r) => r.name === slot.ring);
  const records = rollout.spec.rings
    .slice(0, Math.max(0, index))
    .reverse()
    .flatMap((r) => {
      const versions = state?.rings[r.name]?.versions;
      return versions ? [{ ring: r.name, versions }] : [];
    });
  if (records.length === 0) return undefined;
  return (action, policy, ecosystem) => {
    if (ecosystem === undefined) return undefined;
    if (action.emergency === true && policy.spec.emergency?.skipBakeTime === true) return undefined;
    for (const { ring, versions } of records) {
      const ran = ringVersionOf(versions, ecosystem, action.package, action.arch);
      if (ran === undefined) continue;
      if (ranAtLeast(ecosystem, ran, action.to)) return undefined;
      return { package: action.package, to: action.to, reason: 'not-in-earlier-ring', by: `ring ${ring}` };
    }
    return undefined;
  };
}

/** The host as an unknown host of its ring, or undefined when its last scan reached it. */
function unknownHost(name: string, host: HostState | undefined): UnknownHost | undefined {
  if (!host) return { host: name, kind: 'never-scanned' };
  if (host.reachable) return undefined;
  return { host: name, kind: host.errorKind ?? 'unreachable', scannedAt: host.scannedAt };
}

const UNKNOWN_PHRASE: Record<UnknownHost['kind'], string> = {
  'never-scanned': 'never scanned',
  unreachable: 'unreachable',
  'auth-failed': 'refused authentication',
  'host-key-mismatch': 'host key changed',
  'invalid-host-data': 'sent data patchctl cannot use',
  unsupported: 'unsupported',
  failed: 'scan failed',
};

/** Hosts named in a gate before "and N more". */
const UNKNOWN_NAMED = 3;

/** `lab-01 unreachable (last scan 2026-11-30T12:00:00Z), lab-02 never scanned and 4 more`. */
function describeUnknown(hosts: readonly UnknownHost[]): string {
  const named = hosts
    .slice(0, UNKNOWN_NAMED)
    .map(
      (u) =>
        `${u.host} ${UNKNOWN_PHRASE[u.kind]}${u.scannedAt === undefined ? '' : ` (last scan ${u.scannedAt})`}`,
    );
  const more = hosts.length - named.length;
  return `${named.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** The counts of `summary` over some rings (a whole plan, or one shard of it). */
export function summarise(rings: readonly PlanRing[]): PlanSummary {
  const s = {
    hosts: 0,
    hostsWithChanges: 0,
    updates: 0,
    reboots: 0,
    skipped: 0,
    mayReboot: 0,
    hostsUpToDate: 0,
    hostsAllSkipped: 0,
    hostsUnsupported: 0,
    hostsUnreachable: 0,
    hostsScanFailed: 0,
    hostsNeverScanned: 0,
  } satisfies Required<PlanSummary>;
  for (const r of rings) {
    for (const h of r.hosts) {
      s.hosts++;
      if (h.actions.length > 0) s.hostsWithChanges++;
      let reboot = false;
      for (const a of h.actions) {
        if (a.type === 'upgrade') s.updates++;
        else if (a.type === 'reboot') reboot = true;
      }
      if (reboot) s.reboots++;
      else if (h.mayReboot !== undefined) s.mayReboot++;
      s.skipped += h.skipped.length;
      // Every host in exactly one count: hosts the plan knows nothing about are never "up to date".
      switch (hostStateOf(h)) {
        case 'up-to-date':
          s.hostsUpToDate++;
          break;
        case 'all-skipped':
          s.hostsAllSkipped++;
          break;
        case 'unsupported':
          s.hostsUnsupported++;
          break;
        case 'unreachable':
          s.hostsUnreachable++;
          break;
        case 'scan-failed':
        case 'host-key-changed':
          s.hostsScanFailed++;
          break;
        case 'never-scanned':
          s.hostsNeverScanned++;
          break;
        case 'planned':
          break;
      }
    }
  }
  return s;
}

/** Hosts of a summary the plan knows nothing current about (0 for a plan without those counts). */
export function unknownHostCount(s: PlanSummary): number {
  return (
    (s.hostsUnsupported ?? 0) +
    (s.hostsUnreachable ?? 0) +
    (s.hostsScanFailed ?? 0) +
    (s.hostsNeverScanned ?? 0)
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
