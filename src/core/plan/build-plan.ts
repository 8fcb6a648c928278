// documents × observed state × a point in time → the plan. Pure: the same inputs give the same
// plan, byte for byte once serialised.
import { DateTime } from 'luxon';
import type { GroupMembers } from '../model/groups.js';
import { resolveGroups } from '../model/groups.js';
import type { Repository } from '../model/repository.js';
import { CONFIG_DEFAULTS, configSpec } from '../model/repository.js';
import type { RolloutDocument } from '../model/types.js';
import { durationToLuxon, parseDuration } from '../schedule/duration.js';
import { assignRings } from '../schedule/rings.js';
import type { Ecosystem, HostErrorKind, HostState, ObservedState, PackageManagerId } from '../state/types.js';
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
import { HOST_KEY_CHANGED_NOTE, PLAN_FORMAT_VERSION } from './types.js';

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

const ECOSYSTEM: Record<PackageManagerId, Ecosystem | undefined> = {
  apt: 'deb',
  dnf: 'rpm',
  yum: 'rpm',
  zypper: 'rpm',
  apk: 'apk',
  winupdate: undefined,
};

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
  const { repository: repo, state, at } = inputs;
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
    calendar,
    at,
    memo: decisionMemo(),
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
  const planned = new Map<string, PlanRing>(); // slot key → the whole ring, for the gate of the next ring
  for (const slot of placement.order) {
    const names = (inSlot.get(slot.key) ?? []).sort(cmp);
    const gate = ringGate(slot, rolloutDocs.get(slot.rollout), planned, state, at);
    const all = names.map((n) =>
      planHost(n, state.hosts.get(n), hostPolicies.get(n) ?? [], gate.notBefore, ctx),
    );
    const whole = ringOf(slot, gate, all, ctx.memo);
    planned.set(slot.key, whole);
    const hosts = wanted ? all.filter((h) => wanted.has(h.host)) : all;
    if (hosts.length > 0 && (filter.ring === undefined || filter.ring === slot.ring)) {
      rings.push(wanted ? ringOf(slot, gate, hosts, ctx.memo) : whole);
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
    hosts,
  };
}

interface HostContext {
  /** The active exceptions naming each host, by name. */
  exceptions: ReadonlyMap<string, readonly ActiveException[]>;
  feeds: ObservedState['feeds'];
  calendar: Calendar;
  at: DateTime;
  memo: DecisionMemo;
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
  { exceptions, feeds, calendar, at, memo }: HostContext,
): PlanHost {
  if (!host)
    return { host: name, note: 'never scanned: run patchctl scan', window: null, actions: [], skipped: [] };
  if (!host.reachable) {
    const why = `last scan ${host.scannedAt}${host.error ? `: ${host.error}` : ''}`;
    return {
      host: name,
      // A changed key is never just "unreachable": someone may be in the middle (docs/security.md).
      note:
        host.errorKind === 'host-key-mismatch'
          ? `${HOST_KEY_CHANGED_NOTE} (possible interception): verify the host's new key and update known_hosts (${why})`
          : `unreachable (${why})`,
      window: null,
      actions: [],
      skipped: host.updates.map((u) => ({ package: u.name, to: u.to, reason: 'host-unreachable', by: why })),
    };
  }
  const ecosystem = host.packageManager ? ECOSYSTEM[host.packageManager] : undefined;
  const ctx = {
    host,
    ecosystem,
    policies,
    exceptions: exceptions.get(name) ?? [],
    feeds,
    at,
    atMs: at.toMillis(),
    memo,
  };
  const skipped: PlanSkip[] = [];
  const byPolicy = new Map<PolicyDoc, UpgradeAction[]>();
  for (const u of host.updates) {
    const d = decideUpdate(u, ctx);
    if (d.kind === 'skip') skipped.push(d.skip);
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
      reboots.push(...rebootReasons(policy, group, host));
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
    if (pending) return { host: name, window: pending.window, actions: [pending.action], skipped };
  }
  return { host: name, window, actions, skipped };
}

/**
 * A reboot the host still needs although nothing is upgraded (an install whose reboot never
 * came, e.g. after a second Ctrl-C): planned until a scan shows it happened. The host's reboot
 * policy is its highest-precedence policy that is not narrowed to some packages by `include`
 * (a "browsers, without reboot" policy decides for browsers, not for the host), else its
 * highest-precedence policy; `reboot: never` plans none. Its windows and blackouts apply as
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

function rebootReasons(policy: PolicyDoc, scheduled: readonly UpgradeAction[], host: HostState): string[] {
  const mode = policy.spec.reboot ?? 'ifRequired';
  if (mode === 'never') return [];
  if (mode === 'always') return [`policy ${policy.metadata.name} reboots after every patch run`];
  const rebooting = new Set<string>();
  for (const u of host.updates) if (u.rebootRequired === true) rebooting.add(u.name);
  const needing = rebooting.size === 0 ? [] : scheduled.filter((a) => rebooting.has(a.package));
  if (needing.length > 0)
    return [
      `${needing
        .map((a) => a.package)
        .sort()
        .join(', ')} require${needing.length === 1 ? 's' : ''} a reboot`,
    ];
  if (host.rebootRequired === true) return ['the host already needs a reboot'];
  return [];
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
}

/**
 * What holds a ring back: the previous ring of its rollout must have completed and stayed
 * healthy for its bake time (recorded in state/rollouts/ across runs). When the previous
 * ring still has work in this plan, the estimate is its earliest start plus the bake time.
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
  planned: ReadonlyMap<string, PlanRing>,
  { hosts: hostStates, rollouts: progress }: ObservedState,
  at: DateTime,
): RingGate {
  const open: RingGate = { notBefore: at, blocked: false };
  if (!rollout) return open;
  const state = progress.get(rollout.metadata.name);
  const halted = Object.entries(state?.rings ?? {}).find(([, p]) => p.status === 'halted');
  if (halted) {
    const why = halted[1].haltedReason ? `: ${halted[1].haltedReason}` : '';
    return {
      notBefore: at,
      blocked: halted[0] !== slot.ring,
      text: `rollout halted at ring ${halted[0]}${why}`,
    };
  }
  const index = rollout.spec.rings.findIndex((r) => r.name === slot.ring);
  const prev = index > 0 ? rollout.spec.rings[index - 1] : undefined;
  if (!prev) return open;
  const bake = prev.bakeTime ? parseDuration(prev.bakeTime) : undefined;
  const plusBake = (t: DateTime) => (bake?.ok ? t.plus(durationToLuxon(bake.value)) : t);
  const waiting = `after ring ${prev.name} completes${prev.bakeTime ? ` and bakes ${prev.bakeTime}` : ''}`;
  const prevRing = planned.get(`${rollout.metadata.name}/${prev.name}`);
  if (prevRing && prevRing.hosts.some((h) => h.actions.length > 0)) {
    const estimate = prevRing.earliestStart
      ? plusBake(DateTime.fromISO(prevRing.earliestStart, { setZone: true }))
      : undefined;
    if (!estimate) return { notBefore: at, blocked: true, text: waiting };
    return { notBefore: estimate > at ? estimate : at, blocked: false, text: waiting };
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
      notBefore: at,
      blocked: true,
      text: `waits for ring ${prev.name}: ${describeUnknown(unknown)}`,
      held: { after: prev.name, hosts: unknown },
    };
  const prevState = state?.rings[prev.name];
  if (prevState && prevState.status !== 'completed') return { notBefore: at, blocked: true, text: waiting };
  const healthy = prevState?.healthySince ?? prevState?.finishedAt;
  if (healthy) {
    const until = plusBake(DateTime.fromISO(healthy, { setZone: true }));
    if (until > at)
      return { notBefore: until, blocked: false, text: `ring ${prev.name} bakes until ${iso(until)}` };
  }
  return open;
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
  const s: PlanSummary = { hosts: 0, hostsWithChanges: 0, updates: 0, reboots: 0, skipped: 0 };
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
      s.skipped += h.skipped.length;
    }
  }
  return s;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
