// The apply engine core (README.md, "Apply"): rings in plan order, gated by the previous ring's bake
// time; p-limit concurrency per ring; failure budgets that halt a rollout; per host: window →
// connect → remote lock → pre-flight (bounded wait on the package-manager lock) → drift check →
// pre hooks → exact install → reboot proven by a new boot id → post hooks / health checks →
// verification → recorded state. Every step is a journal event, so a killed run can be resumed.
// Hooks and health checks run as the login user (sudo: false): they are the operator's own
// commands and can call sudo themselves; the engine grants root only to the driver and its OS
// steps (reboot, the remote lock: drivers/linux for Linux hosts).
import { setMaxListeners } from 'node:events';
import pLimit from 'p-limit';
import type { HealthCheck, Hooks, RebootMode } from '../../core/model/types.js';
import { durationToMillis, parseDuration } from '../../core/schedule/duration.js';
import { budgetExceeded as ringBudgetExceeded } from '../../core/plan/failure-budget.js';
import type { RingSettings } from '../../core/plan/start-check.js';
import type { Plan, PlanHost, PlanRing, UpgradeAction } from '../../core/plan/types.js';
import type { RebootSay } from '../../core/plan/reboot-policy.js';
import { rebootDecision } from '../../core/plan/reboot-policy.js';
import { drivers, driverServing } from '../../drivers/api.js';
import type { InstalledPackage } from '../../core/state/types.js';
import { compareVersions } from '../../core/versions/compare.js';
import type { Ecosystem } from '../../core/versions/types.js';
import type {
  HostFacts,
  Inventory,
  PackageDriver,
  Preflight,
  PreflightProblem,
  RemoteLockSteps,
  UpdateScan,
} from '../../drivers/types.js';
import { isLocalIoErrno, LocalIoError, PatchctlError } from '../../errors.js';
import { AbortedError, reachStatus, TransportError } from '../../transports/errors.js';
import type { CommandResult, RemoteCommand, Transport } from '../../transports/types.js';
import type { HostStatus, JournalEvent, RingStatusInRun } from './journal.js';

export type { HostStatus, JournalEvent } from './journal.js';
export { hostsDoneInJournal } from './journal.js';

export interface AppliedAction {
  package: string;
  from: string;
  to: string;
  /** The package's architecture, when the plan names one (`fleet-multi:i386` is not `fleet-multi:amd64`). */
  arch?: string;
}

export interface HostResult {
  host: string;
  ring: string;
  status: HostStatus;
  /** The upgrades now in place (evidence): installed by this run, or found already done. */
  actions: AppliedAction[];
  startedAt: string;
  finishedAt: string;
  verification: { ok: boolean; mismatches: string[] } | null;
  rebooted?: { bootIdBefore: string; bootIdAfter: string };
  error?: string;
  /** The state file rewritten from what the host reported after the run. */
  stateFile?: string;
  /** Why the host's state file could not be rewritten (its status stays what the run found). */
  stateNotRecorded?: string;
}

/** A ring's parallelism, failure budget, bake time and health check (from its Rollout). */
export type RingLimits = RingSettings;

export interface RingOutcome {
  ring: string;
  rollout: string;
  status: RingStatusInRun;
  startedAt: string | null;
  finishedAt: string | null;
  failures: number;
  /** Hosts of the ring that this run did not start (halted, interrupted, outside their window). */
  notStarted: number;
  /** Hosts of the ring that failed (in this run, or in an earlier run of its plan). */
  failedHosts?: string[];
  reason?: string;
}

export interface ApplyResult {
  runId: string;
  /** A ring halted (failure budget) or the run was interrupted. */
  halted: boolean;
  interrupted: boolean;
  reason?: string;
  rings: RingOutcome[];
  hosts: HostResult[];
}

export interface ApplyObserver {
  ringStarted?(ring: PlanRing, hosts: number): void;
  ringFinished?(outcome: RingOutcome): void;
  hostStarted?(host: string, ring: string): void;
  hostStep?(host: string, step: string): void;
  hostFinished?(result: HostResult): void;
}

/** What apply read from a host after its last change: recordHost need not read it again. */
export interface ObservedAfterPatching {
  inventory: Inventory;
  facts?: HostFacts;
  /** The pending updates, when they could be read. */
  scan?: UpdateScan;
}

/** The remote per-host lock, held. */
export interface HeldRemoteLock {
  ok: true;
  release(): Promise<void>;
  /**
   * Leaves this run's reservation of the host for `seconds` by the host's clock, so that no other
   * run takes the host while it reboots (remote-lock.ts); absent where the lock cannot outlive
   * its channel anyway.
   */
  reserve?(seconds: number): Promise<{ ok: true } | { ok: false; reason: string }>;
}

export type RemoteLockOutcome = HeldRemoteLock | { ok: false; reason: string };

/** How much longer than the reboot deadline the host stays reserved for this run. */
export const REBOOT_RESERVATION_MARGIN_MS = 300_000;
/** How long `reboot` itself may take to answer. */
const REBOOT_COMMAND_TIMEOUT_MS = 30_000;

export interface ApplyContext {
  runId: string;
  /** Limits for a ring (from the repository's rollout); undefined fields take the defaults. */
  ringLimits(ring: PlanRing): RingLimits;
  /** Reboot mode of a policy by name (default ifRequired). */
  rebootMode?(policy: string): RebootMode | undefined;
  /**
   * Every policy that applies to the host, for the reboot rule shared with the plan
   * (core/plan/reboot-policy.ts: a whole-host `reboot: never` wins). Without it, only the
   * policies of the host's actions count, with `rebootMode`.
   */
  rebootPolicies?(host: string): readonly RebootSay[];
  /**
   * Why this version cannot drive the host (a transport it has no plug-in for), or undefined. Such a
   * host is refused (`unsupported`) before anything connects to it.
   */
  unsupported?(host: string): string | undefined;
  /** The policy's hooks by policy name (pre, post, healthCheck). */
  hooks?(policy: string): Hooks | undefined;
  /** A transport for the host; it may connect lazily (the first command then fails to connect). */
  connect(host: string): Promise<Transport> | Transport;
  /**
   * The host's own package-manager driver, from the plan's `packageManager` for it
   * (docs/adding-a-driver.md, "Registries"); undefined when this version has none for it: the
   * host is then refused (`unsupported`) before anything connects to it.
   */
  driverFor(host: PlanHost): PackageDriver | undefined;
  /** Hosts in flight at once, a number or "N%" of each ring's hosts. */
  concurrency: number | string;
  now(): Date;
  sleep(ms: number): Promise<void>;
  observer?: ApplyObserver;
  journal(event: JournalEvent): void;
  /** Graceful stop: start no new host, let running ones finish (the first Ctrl-C). */
  signal?: AbortSignal;
  /** Hard stop: abort commands in flight (the second Ctrl-C). */
  hardSignal?: AbortSignal;
  /** Hosts that an earlier run already finished for this plan, with their status: never run again. */
  done?: ReadonlyMap<string, HostStatus>;
  /** Rings (`rollout/ring`) an earlier run of this plan completed, and when: their bake counts from then. */
  ringsDone?: ReadonlyMap<string, string>;
  /** Only this ring (`--ring`); the others are left for another run. */
  onlyRing?: string;
  /**
   * `apply --ignore-ring-order REASON`: rings start whatever the rings before them did (order,
   * bake time, halts); the run's journal records who and why. Windows, blackouts and failure
   * budgets still hold.
   */
  ignoreRingOrder?: string;
  /** Why the host may not start now (window closed, cutoff passed, blackout), or undefined. */
  mayStart?(host: PlanHost, now: Date): string | undefined;
  /**
   * Takes the remote per-host lock over the transport, for this run (its id): after a reboot the
   * lock is taken again with it before anything else runs on the host. `steps`: the host's lock
   * commands, from its driver (`os.lock`, drivers/linux for Linux hosts).
   */
  remoteLock?(transport: Transport, steps: RemoteLockSteps): Promise<RemoteLockOutcome>;
  /**
   * Rewrites the host's state file from a fresh read; returns the file written. A LocalIoError
   * (this machine cannot write) stops the run like a journal write that fails; any other error
   * (the host could not be read again, its data is invalid) leaves the host's status as it is and
   * says in `stateNotRecorded` why its state was not recorded.
   */
  recordHost?(host: string, transport: Transport, known?: ObservedAfterPatching): Promise<string | undefined>;
  /** Ring progress for state/rollouts: when a ring starts, and when it ends (with its outcome). */
  ringProgress?(ring: PlanRing, event: 'started' | 'finished', outcome: RingOutcome): void;
  /** Removes secrets from text that is kept (errors, hook output). */
  redact?(text: string): string;
  /** Reboot deadline and poll interval (ms); defaults 600000 / 5000. */
  rebootTimeoutMs?: number;
  rebootPollMs?: number;
  /** How long to wait for a package-manager lock held by someone else (ms); default 120000, poll 5000. */
  lockWaitMs?: number;
  lockPollMs?: number;
}

const FAILED: ReadonlySet<HostStatus> = new Set<HostStatus>([
  'failed',
  'unreachable',
  'auth-failed',
  'host-key-mismatch',
  'reboot-timeout',
  'health-check-failed',
  'drifted',
  // Refused: a planned host that was not patched is never counted as done (issue 13).
  'unsupported',
]);

export function isFailure(status: HostStatus): boolean {
  return FAILED.has(status);
}

export function parallelLimit(maxParallel: number | string | undefined, hosts: number): number {
  if (maxParallel === undefined) return Math.max(1, hosts);
  if (typeof maxParallel === 'number') return Math.max(1, Math.floor(maxParallel));
  const m = /^(\d+(?:\.\d+)?)%$/.exec(maxParallel);
  if (m?.[1] === undefined) {
    const n = Number(maxParallel);
    return Number.isFinite(n) ? Math.max(1, Math.floor(n)) : Math.max(1, hosts);
  }
  return Math.max(1, Math.floor((hosts * Number(m[1])) / 100));
}

/** True when `failures` exceeds the budget (reaching it exactly does not). Default budget: 0. */
export function budgetExceeded(limits: RingLimits, failures: number, hosts: number): boolean {
  // One rule with the plan, whose ring gates count a ring's unknown hosts with it.
  return ringBudgetExceeded(limits, failures, hosts);
}

function millis(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const d = parseDuration(text);
  return d.ok ? durationToMillis(d.value) : undefined;
}

function excerpt(text: string): string {
  const t = text.trim();
  return t.length > 600 ? `${t.slice(0, 600)}…` : t;
}

/**
 * Local writes (the journal, host state, ring progress) that fail: this machine's problem, never a
 * host's. The first one stops the run from starting hosts; the hosts in flight finish; applyPlan
 * then throws it (see stopped()).
 */
class LocalFailures {
  first: unknown;
  /** Called once, at the first failure. */
  onFirst: (() => void) | undefined;

  get failed(): boolean {
    return this.first !== undefined;
  }

  note(err: unknown): void {
    if (this.first !== undefined) return;
    this.first = err ?? new Error('unknown local failure');
    this.onFirst?.();
  }

  /** Runs a local effect; a failure is noted, not thrown. */
  guard(effect: () => void): void {
    try {
      effect();
    } catch (err) {
      this.note(err);
    }
  }

  /** Why no more host starts. */
  reason(): string {
    return `stopped: ${messageOf(this.first)}`;
  }

  /** The error that ends the run: the first failure, naming its path, and what the run did. */
  stopped(inFlight: number): Error {
    const err = this.first;
    const local =
      err instanceof PatchctlError
        ? err
        : isLocalIoErrno(err)
          ? LocalIoError.from(err, 'write', err.path ?? 'a file')
          : undefined;
    if (local === undefined) return err instanceof Error ? err : new Error(String(err));
    const what = `apply stopped: no host started after it${inFlight > 0 ? `; the ${inFlight} host(s) in flight then finished` : ''}; run apply again once it is fixed`;
    if (local instanceof LocalIoError)
      return new LocalIoError(`${local.message}\n${what}`, local.errno, local.path, { cause: local });
    return local;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** An error of this machine's file system (not a host's, not a bug). */
function isLocalFailure(err: unknown): boolean {
  return err instanceof LocalIoError || isLocalIoErrno(err);
}

export async function applyPlan(plan: Plan, given: ApplyContext): Promise<ApplyResult> {
  const local = new LocalFailures();
  // The journal and ring progress are local writes: a failure stops the run, never a host.
  const ringProgress = given.ringProgress;
  const ctx: ApplyContext = {
    ...given,
    journal: (event) => local.guard(() => given.journal(event)),
    ...(ringProgress ? { ringProgress: (r, e, o) => local.guard(() => ringProgress(r, e, o)) } : {}),
  };
  const result = await applyRings(plan, ctx, local);
  if (local.failed) throw local.stopped(result.inFlightAtFailure);
  return result.result;
}

async function applyRings(
  plan: Plan,
  ctx: ApplyContext,
  local: LocalFailures,
): Promise<{ result: ApplyResult; inFlightAtFailure: number }> {
  const { runId } = ctx;
  /** Hosts running now, and how many were when the first local failure happened. */
  let inFlight = 0;
  let inFlightAtFailure = 0;
  local.onFirst = () => {
    inFlightAtFailure = inFlight;
  };
  // Every command in flight listens on these: hundreds at once is normal, not a leak (without
  // this Node warns on stderr from the eleventh host).
  for (const signal of [ctx.signal, ctx.hardSignal]) if (signal) setMaxListeners(0, signal);
  const at = (): string => ctx.now().toISOString();
  ctx.journal({ type: 'run-started', at: at(), runId, planDigest: plan.inputsDigest });
  const result: ApplyResult = { runId, halted: false, interrupted: false, rings: [], hosts: [] };
  // Read at each use: the signal is aborted asynchronously, by Ctrl-C.
  const interrupted = (): boolean => ctx.signal?.aborted === true;
  /** Rollouts that cannot go further in this run, and why. */
  const stopped = new Map<string, string>();
  /** When each rollout's last ring completed in this run, and its bake time. */
  const completedInRun = new Map<string, { atMs: number; bakeMs: number; ring: string }>();
  /** `rollout/ring` of every ring completed in this run (or by an earlier run of its plan). */
  const completedRings = new Set<string>();

  for (const ring of plan.rings) {
    if (ctx.onlyRing !== undefined && ring.name !== ctx.onlyRing) continue;
    const withWork = ring.hosts.filter((h) => h.actions.length > 0);
    // A ring without work is skipped, unless its progress must be recorded completed now (the
    // plan's completesWithoutWork: in progress or halted, and nothing left to do).
    if (withWork.length === 0 && ring.completesWithoutWork !== true) continue;
    const key = ring.rollout === '' ? `/${ring.name}` : ring.rollout;
    const limits = ctx.ringLimits(ring);
    const earlier = withWork.filter((h) => ctx.done?.has(h.host) === true);
    const todo = withWork.filter((h) => ctx.done?.has(h.host) !== true);
    const outcome: RingOutcome = {
      ring: ring.name,
      rollout: ring.rollout,
      status: 'completed',
      startedAt: null,
      finishedAt: null,
      failures: earlier.filter((h) => isFailure(ctx.done?.get(h.host) ?? 'patched')).length,
      notStarted: 0,
    };
    const failedHosts = earlier
      .filter((h) => isFailure(ctx.done?.get(h.host) ?? 'patched'))
      .map((h) => h.host);
    outcome.failedHosts = failedHosts;
    const finish = (status: RingStatusInRun, reason?: string): void => {
      outcome.status = status;
      if (reason !== undefined) outcome.reason = reason;
      outcome.notStarted = outcome.notStarted || (status === 'not-started' ? todo.length : 0);
      result.rings.push(outcome);
      ctx.journal({
        type: 'ring-finished',
        at: at(),
        runId,
        ring: ring.name,
        rollout: ring.rollout,
        status,
        failures: outcome.failures,
        ...(reason === undefined ? {} : { reason }),
      });
      ctx.observer?.ringFinished?.(outcome);
    };

    if (local.failed) {
      result.halted = true;
      result.reason ??= local.reason();
      finish('not-started', local.reason());
      continue;
    }
    const blockedBy = stopped.get(key);
    if (blockedBy !== undefined) {
      finish('not-started', blockedBy);
      continue;
    }
    // `--ignore-ring-order REASON` (an emergency, journaled with who and why): no ring gate.
    const gate =
      ctx.ignoreRingOrder !== undefined
        ? undefined
        : ringGate(ring, completedInRun.get(key), completedRings, ctx.now().getTime());
    if (gate !== undefined) {
      stopped.set(key, `ring ${ring.name} ${gate}`);
      finish('waiting', gate);
      continue;
    }
    if (interrupted()) {
      result.interrupted = true;
      result.halted = true;
      result.reason ??= 'interrupted';
      stopped.set(key, 'interrupted');
      finish('not-started', 'interrupted');
      continue;
    }

    // Every host done by earlier runs of this plan, and the ring completed then: it is not run
    // (nor recorded) again, and the next ring's bake time counts from when it really completed.
    const completedEarlier = ctx.ringsDone?.get(`${ring.rollout}/${ring.name}`);
    if (todo.length === 0 && completedEarlier !== undefined) {
      completedInRun.set(key, {
        atMs: Date.parse(completedEarlier),
        bakeMs: limits.bakeTimeMs ?? 0,
        ring: ring.name,
      });
      completedRings.add(`${ring.rollout}/${ring.name}`);
      finish('completed', `completed by an earlier run at ${completedEarlier}`);
      continue;
    }

    // Nothing left to do in a ring whose progress is not "completed": it completes now (journal
    // and state/rollouts), so that the rollout moves on.
    if (withWork.length === 0) {
      outcome.finishedAt = at();
      completedInRun.set(key, { atMs: ctx.now().getTime(), bakeMs: limits.bakeTimeMs ?? 0, ring: ring.name });
      completedRings.add(`${ring.rollout}/${ring.name}`);
      finish('completed', 'no work left: recorded completed');
      ctx.ringProgress?.(ring, 'finished', outcome);
      continue;
    }

    outcome.startedAt = at();
    ctx.journal({
      type: 'ring-started',
      at: outcome.startedAt,
      runId,
      ring: ring.name,
      rollout: ring.rollout,
    });
    ctx.observer?.ringStarted?.(ring, todo.length);
    ctx.ringProgress?.(ring, 'started', outcome);
    const cap = Math.min(
      parallelLimit(ctx.concurrency, withWork.length),
      parallelLimit(limits.maxParallel, withWork.length),
    );
    const limit = pLimit(cap);
    let budgetStop: string | undefined = budgetExceeded(limits, outcome.failures, withWork.length)
      ? `failure budget exceeded: ${outcome.failures} of ${withWork.length} hosts failed`
      : undefined;
    let outsideWindow = 0;
    await Promise.all(
      todo.map((h) =>
        limit(async () => {
          if (budgetStop !== undefined || interrupted() || local.failed) {
            outcome.notStarted++;
            return;
          }
          inFlight++;
          const r = await applyHost(plan, ring, h, ctx, limits, local).finally(() => inFlight--);
          result.hosts.push(r);
          if (r.status === 'skipped-window-closed') outsideWindow++;
          if (isFailure(r.status)) {
            outcome.failures++;
            failedHosts.push(r.host);
            if (budgetStop === undefined && budgetExceeded(limits, outcome.failures, withWork.length))
              budgetStop = `failure budget exceeded: ${outcome.failures} of ${withWork.length} hosts failed`;
          }
        }),
      ),
    );
    outcome.finishedAt = at();
    if (budgetStop !== undefined) {
      result.halted = true;
      result.reason ??= `ring ${ring.name}: ${budgetStop}`;
      stopped.set(key, `rollout halted at ring ${ring.name}: ${budgetStop}`);
      finish('halted', budgetStop);
    } else if (local.failed && outcome.notStarted > 0) {
      result.halted = true;
      result.reason ??= local.reason();
      stopped.set(key, local.reason());
      finish('halted', local.reason());
    } else if (interrupted() && outcome.notStarted > 0) {
      result.halted = true;
      result.interrupted = true;
      result.reason ??= 'interrupted';
      stopped.set(key, 'interrupted');
      finish('interrupted', `interrupted: ${outcome.notStarted} host(s) not started`);
    } else if (outsideWindow > 0) {
      const why = `${outsideWindow} host(s) outside their maintenance window: the ring is not complete`;
      stopped.set(key, `ring ${ring.name} is not complete`);
      finish('waiting', why);
    } else if ((ring.omitted ?? 0) > 0) {
      // A plan of some hosts (`--hosts`): the ring's other hosts with work did not run.
      const why = `${ring.omitted ?? 0} host(s) of the ring with work are not in this plan: the ring is not complete`;
      stopped.set(key, `ring ${ring.name} is not complete`);
      finish('waiting', why);
    } else {
      completedInRun.set(key, { atMs: ctx.now().getTime(), bakeMs: limits.bakeTimeMs ?? 0, ring: ring.name });
      completedRings.add(`${ring.rollout}/${ring.name}`);
      finish('completed');
    }
    ctx.ringProgress?.(ring, 'finished', outcome);
  }
  if (local.failed) {
    result.halted = true;
    result.reason ??= local.reason();
  }
  ctx.journal({ type: 'run-finished', at: at(), runId, halted: result.halted });
  return { result, inFlightAtFailure };
}

/**
 * Why a ring cannot start now, or undefined when it can. Every earlier ring of its rollout that
 * the plan names in `waitsFor` (it has work in the plan) must have completed in this run: a run
 * that leaves it out (`--ring`, `--shard`, a plan of some hosts) never starts this ring (README
 * "Apply": ring order).
 */
function ringGate(
  ring: PlanRing,
  previous: { atMs: number; bakeMs: number; ring: string } | undefined,
  completed: ReadonlySet<string>,
  nowMs: number,
): string | undefined {
  const missing = (ring.waitsFor ?? []).filter((w) => !completed.has(`${ring.rollout}/${w}`));
  if (missing.length > 0) {
    const names = missing.map((w) => `ring ${w}`).join(', ');
    return `waits for ${names}: ${missing.length === 1 ? 'it has' : 'they have'} work in the plan and did not complete in this run (rings run in order: apply ${missing.length === 1 ? 'it' : 'them'} first, or the whole plan)`;
  }
  if (previous !== undefined) {
    // The previous ring of the rollout completed in this run: its bake time counts from now on.
    const until = previous.atMs + previous.bakeMs;
    if (until > nowMs)
      return `waits for ring ${previous.ring} to bake until ${new Date(until).toISOString()}; run apply again then`;
    return undefined;
  }
  // A ring with no work left has no start of its own: the plan found nothing holding it.
  if (ring.completesWithoutWork === true && ring.earliestStart === null) return undefined;
  if (ring.earliestStart === null) return ring.gate ?? 'has no host whose window opens';
  if (Date.parse(ring.earliestStart) > nowMs)
    return `cannot start before ${ring.earliestStart}${ring.gate === undefined ? '' : ` (${ring.gate})`}`;
  return undefined;
}

class HostFailure extends Error {
  constructor(
    readonly status: HostStatus,
    message: string,
  ) {
    super(message);
  }
}

async function applyHost(
  plan: Plan,
  ring: PlanRing,
  host: PlanHost,
  ctx: ApplyContext,
  limits: RingLimits,
  local: LocalFailures,
): Promise<HostResult> {
  const { runId } = ctx;
  const startedAt = ctx.now().toISOString();
  const upgrades = host.actions.filter((a): a is UpgradeAction => a.type === 'upgrade');
  const res: HostResult = {
    host: host.host,
    ring: ring.name,
    status: 'failed',
    actions: [],
    startedAt,
    finishedAt: startedAt,
    verification: null,
  };
  const redact = (text: string): string => excerpt(ctx.redact ? ctx.redact(text) : text);
  const step = (s: string): void => {
    ctx.journal({ type: 'host-step', at: ctx.now().toISOString(), runId, host: host.host, step: s });
    ctx.observer?.hostStep?.(host.host, s);
  };
  ctx.observer?.hostStarted?.(host.host, ring.name);
  ctx.journal({ type: 'host-started', at: startedAt, runId, host: host.host, ring: ring.name });
  let transport: Transport | undefined;
  let releaseLock: (() => Promise<void>) | undefined;
  /** Until the first command answers, a transport error is a connection failure. */
  let connected = false;
  /** What the verification read, for the host's new state (saves reading it twice). */
  let known: ObservedAfterPatching | undefined;
  const d = ctx.driverFor(host);
  const run = async (cmd: RemoteCommand, timeoutMs?: number): Promise<CommandResult> => {
    if (!transport) throw new HostFailure('failed', 'no connection');
    const out = await transport.run(cmd, {
      ...(ctx.hardSignal ? { signal: ctx.hardSignal } : {}),
      ...(timeoutMs === undefined ? {} : { timeoutMs }),
    });
    connected = true;
    return out;
  };
  /** The remote lock while held (its reserve() keeps the host for this run across a reboot). */
  let heldLock: HeldRemoteLock | undefined;
  const lock = async (): Promise<void> => {
    if (!transport || !ctx.remoteLock) return;
    if (!d) throw new HostFailure('unsupported', noDriver(host));
    const outcome = await ctx.remoteLock(transport, d.os.lock);
    connected = true;
    if (!outcome.ok) throw new HostFailure('failed', outcome.reason);
    heldLock = outcome;
    releaseLock = () => outcome.release();
  };
  try {
    const refused = ctx.unsupported?.(host.host);
    if (refused !== undefined) throw new HostFailure('unsupported', refused);
    if (d === undefined) throw new HostFailure('unsupported', noDriver(host));
    const closed = ctx.mayStart?.(host, ctx.now()) ?? windowClosed(host, ctx.now());
    if (closed !== undefined) {
      res.status = 'skipped-window-closed';
      res.error = closed;
      return res;
    }
    step('connect');
    transport = await ctx.connect(host.host);
    await lock();

    // One round trip (docs/architecture.md, "Round trips"): facts, pre-flight and the package
    // database. The OS is judged first (issue 13): a host of a family the driver does not serve is
    // refused before any of the driver's output is read, and its state is never rewritten from
    // this driver's data. The facts also give the drift check the native architecture.
    step('preflight');
    const checked = await checkHost(ctx, d, run);
    const factsBefore = checked.facts;

    step('drift-check');
    const before = checked.inventory.installed;
    // By name and architecture, with the ecosystem's own version order (see installedFor).
    const sideBySide = new Set(checked.inventory.sideBySide ?? []);
    const found = new Map(
      upgrades.map((u) => [u, installedFor(u, before, factsBefore.nativeArch, sideBySide)]),
    );
    const isAt = (u: UpgradeAction, version: string): boolean =>
      hasVersion(d.ecosystem, found.get(u), version);
    const drift = upgrades.filter((u) => !isAt(u, u.from) && !isAt(u, u.to));
    if (drift.length > 0) {
      throw new HostFailure(
        'drifted',
        drift.map((u) => `${describeInstalled(u, found.get(u))}, the plan expected ${u.from}`).join('; '),
      );
    }
    // Upgrades already at their target (a resumed run, or someone else) are evidence, not work.
    const todo = upgrades.filter((u) => isAt(u, u.from) && !isAt(u, u.to));
    // A reboot planned without upgrades (the host still needs one) names the policy governing it.
    const rebootPolicy = host.actions.flatMap((a) => (a.type === 'reboot' && a.policy ? [a.policy] : []));
    const policies = [...new Set([...upgrades.map((u) => u.policy), ...rebootPolicy])].sort();
    const hooks = policies.map((p) => ctx.hooks?.(p)).filter((h): h is Hooks => h !== undefined);

    const refs = todo.map((u) => ({
      name: u.package,
      version: u.to,
      ...(u.arch === undefined ? {} : { arch: u.arch }),
    }));
    // What these packages need beyond the defaults (apt: /boot for a kernel), judged on the
    // pre-flight already read: no extra command.
    const needs = todo.length > 0 ? d.minFreeKbFor?.(refs) : undefined;
    const low = needs ? d.checkPreflight(checked.preflight, needs).filter((p) => p.kind === 'low-space') : [];
    if (low.length > 0) throw new HostFailure('failed', `pre-flight: ${describeProblems(low)}`);

    const preHooks = hooks.flatMap((h) => h.pre ?? []);
    const postHooks = hooks.flatMap((h) => h.post ?? []);
    if (todo.length > 0) {
      step('pre-hooks');
      await runHooks(run, preHooks, redact);
      step('install');
      const lockTimeoutSeconds = Math.round((ctx.lockWaitMs ?? 120_000) / 1000);
      const out = d.parseInstall(
        await run(d.install(refs, { lockTimeoutSeconds: Math.min(86_400, lockTimeoutSeconds) })),
      );
      if (!out.ok) throw new HostFailure('failed', out.failure?.message ?? 'the install failed');
    }
    res.actions = upgrades.map((u) => ({
      package: u.package,
      from: u.from,
      to: u.to,
      ...(u.arch === undefined ? {} : { arch: u.arch }),
    }));

    // What the host says now, in one round trip: facts (the reboot signal), the package database
    // (the verification) and the pending updates (the host's new state). Verified at once, so that
    // a host whose install did not take is not rebooted; read and verified again after a reboot or
    // post-hooks, which may change it.
    const verify = async (): Promise<ObservedAfterPatching & { facts: HostFacts }> => {
      step('verify');
      const seen = await observeHost(d, run);
      known = seen;
      const beside = new Set(seen.inventory.sideBySide ?? []);
      const mismatches = upgrades.flatMap((u) => {
        const m = installedFor(u, seen.inventory.installed, factsBefore.nativeArch, beside);
        return hasVersion(d.ecosystem, m, u.to) ? [] : [`${describeInstalled(u, m)}, expected ${u.to}`];
      });
      res.verification = { ok: mismatches.length === 0, mismatches };
      if (mismatches.length > 0) throw new HostFailure('failed', `verification: ${mismatches.join('; ')}`);
      return seen;
    };
    const after = await verify();

    // Reboot: when a policy always reboots, or the plan or the host (after the install) says one
    // is needed; never when the policies' modes say never, or a whole-host `reboot: never`
    // policy wins over them (core/plan/reboot-policy.ts, the plan's rule).
    const governing =
      ctx.rebootPolicies?.(host.host) ?? policies.map((p) => ({ name: p, reboot: ctx.rebootMode?.(p) }));
    const { mode } = rebootDecision(governing, policies);
    const needed = after.facts.rebootRequired || host.actions.some((a) => a.type === 'reboot');
    const mayReboot = mode !== 'never';
    const mustReboot = mode === 'always' && todo.length > 0;
    let pendingReboot = false;
    // A transport that cannot reboot its host (local: the controller itself) is never sent one:
    // the host stays pending, and the note says the operator reboots it (docs/architecture.md).
    if (mayReboot && (needed || mustReboot) && transport?.canReboot === false) {
      pendingReboot = true;
      res.error = `not rebooted: over transport ${transport.id} patchctl cannot reboot the host and prove it came back; the host needs a reboot: reboot it yourself`;
    } else if (mayReboot && (needed || mustReboot)) {
      step('reboot');
      // The reboot ends the lock's channel and empties /run: first, while the lock is held, the
      // host is reserved for this run until past the reboot deadline (remote-lock.ts).
      const reserved = await heldLock?.reserve?.(rebootReservationSeconds(ctx));
      if (reserved?.ok === false)
        throw new HostFailure('failed', `cannot keep the host locked across its reboot: ${reserved.reason}`);
      const bootAfter = await reboot(ctx, d, host.host, factsBefore.bootId, () => {
        const held = { transport, release: releaseLock };
        transport = undefined;
        releaseLock = undefined;
        heldLock = undefined;
        return held;
      });
      transport = bootAfter.transport;
      connected = true;
      if (bootAfter.lock) {
        const again = bootAfter.lock;
        heldLock = again;
        releaseLock = () => again.release();
      }
      res.rebooted = { bootIdBefore: factsBefore.bootId, bootIdAfter: bootAfter.bootId };
    } else if (needed) pendingReboot = true;

    if (todo.length > 0 || res.rebooted) {
      step('post-hooks');
      await runHooks(run, postHooks, redact);
      const checks = [
        ...hooks.map((h) => h.healthCheck).filter((c): c is HealthCheck => c !== undefined),
        ...(limits.healthCheck ? [limits.healthCheck] : []),
      ];
      for (const check of checks) {
        step('health-check');
        await healthCheck(run, check, ctx, redact);
      }
      if (res.rebooted || postHooks.length > 0) {
        const again = await verify();
        if (!res.rebooted && !pendingReboot) pendingReboot = again.facts.rebootRequired;
      }
    }
    res.status = pendingReboot ? 'patched-pending-reboot' : 'patched';
    return res;
  } catch (err) {
    res.status = 'failed';
    if (err instanceof HostFailure) res.status = err.status;
    else if (err instanceof TransportError && !connected) res.status = reachStatus(err);
    const message =
      err instanceof AbortedError
        ? 'aborted (second interrupt): the outcome of the command in flight is unknown'
        : err instanceof Error
          ? err.message
          : String(err);
    res.error = redact(message);
    return res;
  } finally {
    // A refused host's state is never rewritten: this driver would read it as its own family.
    if (
      transport &&
      connected &&
      res.status !== 'skipped-window-closed' &&
      res.status !== 'unsupported' &&
      ctx.recordHost
    ) {
      // What the host says now is the next plan's input. Failing to read it or to store it is not
      // the host's failure: its status stays, and the result says why its state was not recorded;
      // a local write that fails also stops the run (LocalFailures).
      try {
        res.stateFile = await ctx.recordHost(host.host, transport, known);
      } catch (err) {
        if (isLocalFailure(err)) local.note(err);
        res.stateNotRecorded = redact(messageOf(err));
      }
    }
    await releaseLock?.().catch(() => undefined);
    await transport?.close().catch(() => undefined);
    res.finishedAt = ctx.now().toISOString();
    ctx.journal({
      type: 'host-finished',
      at: res.finishedAt,
      runId,
      planDigest: plan.inputsDigest,
      host: host.host,
      ring: ring.name,
      status: res.status,
      actions: res.actions,
      ...(res.verification ? { verification: res.verification } : {}),
      ...(res.rebooted ? { rebooted: res.rebooted } : {}),
      ...(res.error === undefined ? {} : { error: res.error }),
      ...(res.stateFile === undefined ? {} : { stateFile: res.stateFile }),
      ...(res.stateNotRecorded === undefined ? {} : { stateNotRecorded: res.stateNotRecorded }),
    });
    ctx.observer?.hostFinished?.(res);
  }
}

/** Why a host of the plan has no driver: its plan names no package manager, or one this version cannot drive. */
function noDriver(host: PlanHost): string {
  return host.packageManager === undefined
    ? 'the plan names no package manager for the host (its state file names none): run patchctl scan, then plan again; nothing was done on the host'
    : `package manager ${host.packageManager} is not supported by this version: nothing was done on the host`;
}

/** Why the driver cannot patch a host of this OS, or undefined when it serves it (its `serves`). */
function familyMismatch(d: PackageDriver, facts: HostFacts): string | undefined {
  // The plan's driver among the registered ones (it may be one the registry does not hold).
  if (driverServing(facts.os, [d, ...drivers.values()]) === d) return undefined;
  const serving = driverServing(facts.os);
  const { id, version, family } = facts.os;
  const instead =
    serving === undefined
      ? 'this version has no package-manager driver for it'
      : `the ${serving.id} driver serves it, not the plan's`;
  return `the host runs ${id} ${version} (${family} family), which the ${d.id} driver does not serve; ${instead}: nothing was installed and its state was not rewritten`;
}

/** Without a calendar: the plan's window for the host must be open now. */
function windowClosed(host: PlanHost, now: Date): string | undefined {
  if (host.window === null) return undefined;
  const t = now.getTime();
  if (t < Date.parse(host.window.start)) return `window ${host.window.name} opens at ${host.window.start}`;
  if (t >= Date.parse(host.window.end)) return `window ${host.window.name} closed at ${host.window.end}`;
  return undefined;
}

/** What apply reads from a host before it installs anything. */
interface HostCheck {
  facts: HostFacts;
  preflight: Preflight;
  inventory: Inventory;
}

/**
 * Facts, pre-flight and package database in one round trip. A host the driver does not serve is
 * refused on its facts alone; a package-manager lock held by someone else is waited for, within a
 * bound (each poll is one round trip again).
 */
async function checkHost(
  ctx: ApplyContext,
  d: PackageDriver,
  run: (cmd: RemoteCommand) => Promise<CommandResult>,
): Promise<HostCheck> {
  const waitMs = ctx.lockWaitMs ?? 120_000;
  const pollMs = Math.max(1, ctx.lockPollMs ?? 5000);
  let waited = 0;
  for (;;) {
    const parts = [d.facts(), d.preflight(), d.listInstalled()];
    const [factsOut, preflightOut, installedOut] = d.os.unbatch(await run(d.os.batch(parts)), parts.length);
    const facts = d.parseFacts(definedPart(factsOut));
    const otherFamily = familyMismatch(d, facts);
    if (otherFamily !== undefined) throw new HostFailure('unsupported', otherFamily);
    const read = d.parsePreflight(definedPart(preflightOut));
    const problems = d.checkPreflight(read);
    if (problems.length === 0)
      return { facts, preflight: read, inventory: d.parseInstalled(definedPart(installedOut)) };
    const onlyLocks = problems.every((p) => p.kind === 'lock-held');
    if (!onlyLocks || waited >= waitMs || ctx.signal?.aborted === true) {
      const waitedText = onlyLocks ? ` (waited ${Math.round(waited / 1000)} s)` : '';
      throw new HostFailure('failed', `pre-flight: ${describeProblems(problems)}${waitedText}`);
    }
    const wait = Math.min(pollMs, waitMs - waited);
    await ctx.sleep(wait);
    waited += wait;
  }
}

/**
 * Facts, package database and pending updates in one round trip: the verification and the host's
 * new state. Pending updates it cannot read are left to recordHost, which reads them again and
 * says why the state was not recorded: they are not the host's failure.
 */
async function observeHost(
  d: PackageDriver,
  run: (cmd: RemoteCommand) => Promise<CommandResult>,
): Promise<ObservedAfterPatching & { facts: HostFacts }> {
  const parts = [d.facts(), d.listInstalled(), d.listUpdates()];
  const [factsOut, installedOut, updatesOut] = d.os.unbatch(await run(d.os.batch(parts)), parts.length);
  const facts = d.parseFacts(definedPart(factsOut));
  const inventory = d.parseInstalled(definedPart(installedOut));
  let scan: UpdateScan | undefined;
  try {
    scan = d.parseUpdateScan(definedPart(updatesOut));
  } catch {
    scan = undefined;
  }
  return { facts, inventory, ...(scan ? { scan } : {}) };
}

/** unbatch returns one result per part asked for: a missing one is a bug here, not the host's. */
function definedPart(out: CommandResult | undefined): CommandResult {
  if (out === undefined) throw new Error('internal: a batched part has no result');
  return out;
}

function describeProblems(problems: readonly PreflightProblem[]): string {
  return problems
    .map((p) => (p.kind === 'audit' ? `${p.message}: ${p.details.slice(0, 5).join('; ')}` : p.message))
    .join('; ');
}

/** Runs hooks in order; a required hook that fails (the default) fails the host. */
async function runHooks(
  run: (cmd: RemoteCommand, timeoutMs?: number) => Promise<CommandResult>,
  hooks: readonly { command: string[]; timeout?: string; required?: boolean }[],
  redact: (text: string) => string,
): Promise<void> {
  for (const hook of hooks) {
    let failure: string | undefined;
    try {
      const out = await run({ argv: hook.command }, millis(hook.timeout));
      if (out.timedOut === true) failure = `timed out after ${hook.timeout ?? 'the command timeout'}`;
      else if (out.exitCode !== 0)
        failure = `exited ${String(out.exitCode ?? out.signal)}: ${(out.stderr || out.stdout).trim()}`;
    } catch (err) {
      if (err instanceof AbortedError || err instanceof TransportError) throw err;
      failure = err instanceof Error ? err.message : String(err);
    }
    if (failure !== undefined && hook.required !== false)
      throw new HostFailure('failed', redact(`hook ${hook.command.join(' ')} ${failure}`));
  }
}

async function healthCheck(
  run: (cmd: RemoteCommand, timeoutMs?: number) => Promise<CommandResult>,
  check: HealthCheck,
  ctx: ApplyContext,
  redact: (text: string) => string,
): Promise<void> {
  const attempts = 1 + Math.max(0, check.retries ?? 0);
  const interval = millis(check.interval) ?? 5000;
  let last = '';
  for (let i = 0; i < attempts; i++) {
    if (i > 0) await ctx.sleep(interval);
    const out = await run({ argv: check.command }, millis(check.timeout));
    if (out.exitCode === 0 && out.timedOut !== true) return;
    last =
      out.timedOut === true
        ? `timed out after ${check.timeout ?? 'the command timeout'}`
        : `exit ${String(out.exitCode ?? out.signal)}: ${(out.stderr || out.stdout).trim()}`;
  }
  throw new HostFailure(
    'health-check-failed',
    redact(`health check ${check.command.join(' ')} failed after ${attempts} attempt(s): ${last}`),
  );
}

/** The reservation's lifetime: the `reboot` command, the deadline, and a margin. */
function rebootReservationSeconds(ctx: ApplyContext): number {
  const deadline = ctx.rebootTimeoutMs ?? 600_000;
  return Math.ceil((REBOOT_COMMAND_TIMEOUT_MS + deadline + REBOOT_RESERVATION_MARGIN_MS) / 1000);
}

/**
 * Reboots the host and waits for proof that it came back: a new connection on which this run
 * takes the remote lock again (before anything else runs there) and then reads a boot id other
 * than `bootBefore`, within the deadline. The old connection, and the lock channel on it, stay
 * open until then: the lock ends when the host goes down, never before `reboot` is sent.
 */
async function reboot(
  ctx: ApplyContext,
  d: PackageDriver,
  host: string,
  bootBefore: string,
  detach: () => { transport: Transport | undefined; release: (() => Promise<void>) | undefined },
): Promise<{ transport: Transport; bootId: string; lock?: HeldRemoteLock }> {
  const old = detach();
  try {
    // The connection may drop before `reboot` answers: that is the reboot working, not a failure.
    await old.transport
      ?.run(d.os.reboot(), { timeoutMs: REBOOT_COMMAND_TIMEOUT_MS })
      .then((out) => {
        if (out.exitCode !== 0 && out.exitCode !== null)
          throw new HostFailure(
            'failed',
            `reboot exited ${out.exitCode}: ${(out.stderr || out.stdout).trim()}`,
          );
      })
      .catch((err: unknown) => {
        if (err instanceof HostFailure) throw err;
      });
    const deadline = ctx.rebootTimeoutMs ?? 600_000;
    const poll = Math.max(1, ctx.rebootPollMs ?? 5000);
    let waited = 0;
    let lastError = 'no answer';
    for (let attempt = 0; waited < deadline; attempt++) {
      if (ctx.hardSignal?.aborted === true) throw new AbortedError(host, ctx.hardSignal.reason);
      // Most hosts are back within seconds: poll fast at first, then every `poll` ms.
      const wait = Math.min(poll, 500 * 2 ** attempt, deadline - waited);
      await ctx.sleep(wait);
      waited += wait;
      const t = await ctx.connect(host);
      let lock: HeldRemoteLock | undefined;
      try {
        if (ctx.remoteLock) {
          const taken = await ctx.remoteLock(t, d.os.lock);
          if (!taken.ok) throw new Error(taken.reason);
          lock = taken;
        }
        const boot = d.parseFacts(await t.run(d.facts(), { timeoutMs: 30_000 })).bootId;
        if (boot !== bootBefore) return { transport: t, bootId: boot, ...(lock ? { lock } : {}) };
        lastError = 'the boot id has not changed yet';
      } catch (err) {
        lastError = err instanceof Error ? err.message : String(err);
      }
      await lock?.release().catch(() => undefined);
      await t.close().catch(() => undefined);
    }
    throw new HostFailure(
      'reboot-timeout',
      `the host did not come back with a new boot id within ${Math.round(deadline / 1000)} s (last: ${lastError})`,
    );
  } finally {
    await old.release?.().catch(() => undefined);
    await old.transport?.close().catch(() => undefined);
  }
}

/** What is installed for one upgrade (see installedFor). */
type InstalledMatch =
  | { kind: 'one'; pkg: InstalledPackage }
  | { kind: 'absent' }
  | { kind: 'ambiguous'; pkgs: InstalledPackage[] }
  /** Versions of a package the package manager keeps side by side (kernels): all of them. */
  | { kind: 'beside'; pkgs: InstalledPackage[] };

/** Whether `version` is what is installed (for packages kept side by side: one of them). */
function hasVersion(ecosystem: Ecosystem, m: InstalledMatch | undefined, version: string): boolean {
  if (m?.kind === 'one') return sameVersion(ecosystem, m.pkg.version, version);
  if (m?.kind === 'beside') return m.pkgs.some((p) => sameVersion(ecosystem, p.version, version));
  return false;
}

/**
 * The installed package an upgrade is about, by name and architecture: `fleet-multi:i386` is not
 * `fleet-multi:amd64`. An upgrade with an architecture matches only the installed package of that
 * architecture (`all` matches `all`); when there is none, `all` and the native architecture stand
 * for each other, as dpkg counts them as one (a package that moves between arch-specific and
 * `Architecture: all` from one version to the next). A package manager that reports no
 * architectures is matched by name. An upgrade without an architecture while the package is
 * installed for several is ambiguous: apply cannot know which one the plan meant, so the host is
 * `drifted` (nothing installed) and verification never counts it as done. Several versions of a
 * package in `sideBySide` (kernels, which rpm installs beside the running one) are all matched.
 */
export function installedFor(
  u: Pick<UpgradeAction, 'package' | 'arch'>,
  installed: readonly InstalledPackage[],
  nativeArch: string | undefined,
  sideBySide: ReadonlySet<string> = new Set(),
): InstalledMatch {
  const same = installed.filter((p) => p.name === u.package);
  const beside = sideBySide.has(u.package);
  const pick = (pkgs: InstalledPackage[]): InstalledMatch | undefined => {
    if (pkgs.length === 1 && pkgs[0] !== undefined) return { kind: 'one', pkg: pkgs[0] };
    if (pkgs.length <= 1) return undefined;
    // Side by side, one architecture: every version counts. Several architectures stay ambiguous.
    const arches = new Set(pkgs.map((p) => p.arch));
    return beside && arches.size === 1 ? { kind: 'beside', pkgs } : { kind: 'ambiguous', pkgs };
  };
  if (u.arch === undefined || same.every((p) => p.arch === undefined))
    return pick(same) ?? { kind: 'absent' };
  const exact = pick(same.filter((p) => p.arch === u.arch));
  if (exact !== undefined) return exact;
  if (nativeArch !== undefined && (u.arch === 'all' || u.arch === nativeArch)) {
    const other = u.arch === 'all' ? nativeArch : 'all';
    const alike = pick(same.filter((p) => p.arch === other));
    if (alike !== undefined) return alike;
  }
  return { kind: 'absent' };
}

/** Same version in the ecosystem's order (epoch 0 is no epoch); text equality when it cannot tell. */
export function sameVersion(ecosystem: Ecosystem, a: string, b: string): boolean {
  if (a === b) return true;
  try {
    return compareVersions(ecosystem, a, b) === 0;
  } catch {
    return false;
  }
}

/** `fleet-multi:i386`, or the bare name when the upgrade has no architecture or is `all`. */
function qualifiedName(u: Pick<UpgradeAction, 'package' | 'arch'>): string {
  return u.arch === undefined || u.arch === 'all' ? u.package : `${u.package}:${u.arch}`;
}

function describeInstalled(u: UpgradeAction, m: InstalledMatch | undefined): string {
  const name = qualifiedName(u);
  if (m === undefined || m.kind === 'absent') return `${name} is absent`;
  if (m.kind === 'one') return `${name} is ${m.pkg.version}`;
  if (m.kind === 'beside') return `${name} is installed as ${m.pkgs.map((p) => p.version).join(', ')}`;
  const each = m.pkgs.map((p) => `${p.arch ?? '?'} ${p.version}`).join(', ');
  return `${name} is installed for several architectures (${each}) and the plan names none`;
}
