// The apply engine core (DESIGN.md §4): rings in plan order, bounded concurrency, failure budget,
// per-host pre-flight → drift check → install → reboot → verification, journal events for resume.
// Hooks and health checks run as the login user (sudo: false): they are the operator's own
// commands and can call sudo themselves; the engine grants root only to the driver and `reboot`.
import type { Hooks, RebootMode } from '../../core/model/types.js';
import { durationToMillis, parseDuration } from '../../core/schedule/duration.js';
import type { Plan, PlanHost, PlanRing, UpgradeAction } from '../../core/plan/types.js';
import type { PackageDriver } from '../../drivers/types.js';
import { TransportError } from '../../transports/errors.js';
import type { Transport } from '../../transports/types.js';

export type HostStatus =
  | 'patched'
  | 'patched-pending-reboot'
  | 'failed'
  | 'unreachable'
  | 'auth-failed'
  | 'host-key-mismatch'
  | 'reboot-timeout'
  | 'health-check-failed'
  | 'skipped-window-closed'
  | 'drifted';

export interface AppliedAction {
  package: string;
  from: string;
  to: string;
}

export interface HostResult {
  host: string;
  status: HostStatus;
  actions: AppliedAction[];
  startedAt: string;
  finishedAt: string;
  verification: { ok: boolean; mismatches: string[] } | null;
  error?: string;
}

export interface RingLimits {
  /** A number or "N%" of the ring's hosts; at least 1. */
  maxParallel?: number | string;
  maxFailed?: number;
  maxFailedPercent?: number;
}

export interface RingOutcome {
  ring: string;
  status: 'completed' | 'halted' | 'not-started';
  startedAt: string | null;
  finishedAt: string | null;
  failures: number;
  reason?: string;
}

export interface ApplyResult {
  runId: string;
  halted: boolean;
  reason?: string;
  rings: RingOutcome[];
  hosts: HostResult[];
}

export type JournalEvent =
  | { type: 'run-started'; at: string; runId: string; planDigest: string }
  | { type: 'host-started'; at: string; runId: string; host: string }
  | { type: 'host-step'; at: string; runId: string; host: string; step: string }
  | {
      type: 'host-finished';
      at: string;
      runId: string;
      planDigest: string;
      host: string;
      status: HostStatus;
      error?: string;
    }
  | {
      type: 'ring-finished';
      at: string;
      runId: string;
      ring: string;
      status: RingOutcome['status'];
      failures: number;
    }
  | { type: 'run-finished'; at: string; runId: string; halted: boolean };

export interface ApplyObserver {
  hostStarted?(host: string): void;
  hostFinished?(result: HostResult): void;
  ringStarted?(ring: string): void;
  ringHalted?(ring: string, reason: string): void;
}

export interface ApplyContext {
  /** Limits for a ring (from the repository's rollout); undefined fields take the defaults. */
  ringLimits(ring: PlanRing): RingLimits;
  /** Reboot mode of a policy by name; 'never' turns a reboot action into patched-pending-reboot. */
  rebootMode?(policy: string): RebootMode | undefined;
  /** The policy's hooks by policy name (pre, post, healthCheck). */
  hooks?(policy: string): Hooks | undefined;
  connect(host: string): Promise<Transport> | Transport;
  driver: PackageDriver;
  concurrency: number;
  now(): Date;
  sleep(ms: number): Promise<void>;
  observer?: ApplyObserver;
  journal(event: JournalEvent): void;
  signal?: AbortSignal;
  skipHosts?: ReadonlySet<string>;
  runId?: string;
  /** Reboot deadline (ms of sleep) and poll interval; defaults 600000 / 5000. */
  rebootTimeoutMs?: number;
  rebootPollMs?: number;
}

const FAILED: ReadonlySet<HostStatus> = new Set<HostStatus>([
  'failed',
  'unreachable',
  'auth-failed',
  'host-key-mismatch',
  'reboot-timeout',
  'health-check-failed',
  'drifted',
]);

export function parallelLimit(maxParallel: number | string | undefined, hosts: number): number {
  if (maxParallel === undefined) return Math.max(1, hosts);
  if (typeof maxParallel === 'number') return Math.max(1, Math.floor(maxParallel));
  const m = /^(\d+(?:\.\d+)?)%$/.exec(maxParallel);
  const pct = m?.[1] === undefined ? 100 : Number(m[1]);
  return Math.max(1, Math.floor((hosts * pct) / 100));
}

/** True when `failures` exceeds the budget (reaching it exactly does not). Default budget: 0. */
export function budgetExceeded(limits: RingLimits, failures: number, hosts: number): boolean {
  if (limits.maxFailed === undefined && limits.maxFailedPercent === undefined) return failures > 0;
  if (limits.maxFailed !== undefined && failures > limits.maxFailed) return true;
  if (
    limits.maxFailedPercent !== undefined &&
    (failures * 100) / Math.max(1, hosts) > limits.maxFailedPercent
  )
    return true;
  return false;
}

/** Hosts already finished for this plan digest, last status wins. */
export function hostsDoneInJournal(
  events: readonly JournalEvent[],
  planDigest: string,
): Map<string, HostStatus> {
  const done = new Map<string, HostStatus>();
  for (const e of events)
    if (e.type === 'host-finished' && e.planDigest === planDigest) done.set(e.host, e.status);
  return done;
}

function millis(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const d = parseDuration(text);
  return d.ok ? durationToMillis(d.value) : undefined;
}

/** Runs hooks in order; returns the first required hook's failure, or undefined. */
async function runHooks(
  transport: Transport,
  hooks: readonly { command: string[]; timeout?: string; required?: boolean }[],
): Promise<string | undefined> {
  for (const hook of hooks) {
    const timeoutMs = millis(hook.timeout);
    let failure: string | undefined;
    try {
      const out = await transport.run({ argv: hook.command }, timeoutMs === undefined ? {} : { timeoutMs });
      if (out.exitCode !== 0)
        failure = `hook ${hook.command.join(' ')} exited ${String(out.exitCode)}: ${(out.stderr || out.stdout).trim()}`;
    } catch (err) {
      failure = `hook ${hook.command.join(' ')}: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (failure !== undefined && hook.required !== false) return excerpt(failure);
  }
  return undefined;
}

function excerpt(text: string): string {
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

export async function applyPlan(plan: Plan, ctx: ApplyContext): Promise<ApplyResult> {
  const runId = ctx.runId ?? `run-${ctx.now().toISOString()}`;
  const at = (): string => ctx.now().toISOString();
  ctx.journal({ type: 'run-started', at: at(), runId, planDigest: plan.inputsDigest });
  const result: ApplyResult = { runId, halted: false, rings: [], hosts: [] };

  for (const ring of plan.rings) {
    if (result.halted) {
      result.rings.push({
        ring: ring.name,
        status: 'not-started',
        startedAt: null,
        finishedAt: null,
        failures: 0,
      });
      continue;
    }
    const hosts = ring.hosts.filter((h) => h.actions.length > 0 && !(ctx.skipHosts?.has(h.host) ?? false));
    const limits = ctx.ringLimits(ring);
    const cap = Math.min(Math.max(1, ctx.concurrency), parallelLimit(limits.maxParallel, hosts.length));
    const outcome: RingOutcome = {
      ring: ring.name,
      status: 'completed',
      startedAt: at(),
      finishedAt: null,
      failures: 0,
    };
    ctx.observer?.ringStarted?.(ring.name);
    let next = 0;
    let stop: string | undefined;
    const worker = async (): Promise<void> => {
      for (;;) {
        if (stop !== undefined) return;
        if (next >= hosts.length) return;
        if (ctx.signal?.aborted === true) {
          stop = 'aborted';
          return;
        }
        const host = hosts[next++];
        if (host === undefined) return;
        const r = await applyHost(plan, host, ctx, runId);
        result.hosts.push(r);
        if (FAILED.has(r.status)) {
          outcome.failures++;
          if (stop === undefined && budgetExceeded(limits, outcome.failures, hosts.length))
            stop = `failure budget exceeded: ${outcome.failures} failed`;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(cap, hosts.length) }, () => worker()));
    if (stop === undefined && ctx.signal?.aborted === true && next < hosts.length) stop = 'aborted';
    outcome.finishedAt = at();
    if (stop !== undefined) {
      outcome.status = 'halted';
      outcome.reason = stop;
      result.halted = true;
      result.reason = `ring ${ring.name}: ${stop}`;
      ctx.observer?.ringHalted?.(ring.name, stop);
    }
    result.rings.push(outcome);
    ctx.journal({
      type: 'ring-finished',
      at: at(),
      runId,
      ring: ring.name,
      status: outcome.status,
      failures: outcome.failures,
    });
  }
  ctx.journal({ type: 'run-finished', at: at(), runId, halted: result.halted });
  return result;
}

async function applyHost(plan: Plan, host: PlanHost, ctx: ApplyContext, runId: string): Promise<HostResult> {
  const startedAt = ctx.now().toISOString();
  const upgrades = host.actions.filter((a): a is UpgradeAction => a.type === 'upgrade');
  const wantsReboot = host.actions.some((a) => a.type === 'reboot');
  const res: HostResult = {
    host: host.host,
    status: 'failed',
    actions: [],
    startedAt,
    finishedAt: startedAt,
    verification: null,
  };
  const step = (s: string): void =>
    ctx.journal({ type: 'host-step', at: ctx.now().toISOString(), runId, host: host.host, step: s });
  ctx.observer?.hostStarted?.(host.host);
  ctx.journal({ type: 'host-started', at: startedAt, runId, host: host.host });
  let transport: Transport | undefined;
  try {
    const now = ctx.now().getTime();
    if (host.window !== null && (now > Date.parse(host.window.end) || now < Date.parse(host.window.start))) {
      res.status = 'skipped-window-closed';
      return res;
    }
    step('connect');
    try {
      transport = await ctx.connect(host.host);
    } catch (err) {
      if (err instanceof TransportError) {
        res.status =
          err.kind === 'auth-failed' || err.kind === 'host-key-mismatch' ? err.kind : 'unreachable';
        res.error = excerpt(err.message);
        return res;
      }
      throw err;
    }
    const d = ctx.driver;
    step('preflight');
    const problems = d.checkPreflight(d.parsePreflight(await transport.run(d.preflight())));
    if (problems.length > 0) {
      res.error = problems.map((p) => p.message).join('; ');
      return res;
    }
    step('drift-check');
    const before = d.parseInstalled(await transport.run(d.listInstalled())).installed;
    const version = (name: string): string | undefined => before.find((p) => p.name === name)?.version;
    const drift = upgrades.filter((u) => version(u.package) !== u.from);
    if (drift.length > 0) {
      res.status = 'drifted';
      res.error = drift
        .map((u) => `${u.package} is ${version(u.package) ?? 'absent'}, planned from ${u.from}`)
        .join('; ');
      return res;
    }
    const policy = upgrades[0]?.policy;
    const hooks = policy === undefined ? undefined : ctx.hooks?.(policy);
    step('pre-hooks');
    const preErr = await runHooks(transport, hooks?.pre ?? []);
    if (preErr !== undefined) {
      res.error = preErr;
      return res;
    }
    let bootBefore: string | undefined;
    if (wantsReboot) bootBefore = d.parseFacts(await transport.run(d.facts())).bootId;
    step('install');
    const out = d.parseInstall(
      await transport.run(
        d.install(
          upgrades.map((u) => ({
            name: u.package,
            version: u.to,
            ...(u.arch === undefined ? {} : { arch: u.arch }),
          })),
        ),
      ),
    );
    if (!out.ok) {
      res.error = out.failure?.message ?? 'install failed';
      return res;
    }
    res.actions = upgrades.map((u) => ({ package: u.package, from: u.from, to: u.to }));
    let pendingReboot = false;
    const rebootNever = upgrades.some((u) => ctx.rebootMode?.(u.policy) === 'never');
    if (wantsReboot && !rebootNever) {
      step('reboot');
      await transport.run({ argv: ['reboot'], sudo: true }).catch(() => undefined);
      await transport.close();
      transport = undefined;
      const deadline = ctx.rebootTimeoutMs ?? 600_000;
      const poll = ctx.rebootPollMs ?? 5000;
      let waited = 0;
      for (;;) {
        await ctx.sleep(poll);
        waited += poll;
        try {
          const t = await ctx.connect(host.host);
          const boot = d.parseFacts(await t.run(d.facts())).bootId;
          if (boot !== bootBefore) {
            transport = t;
            break;
          }
          await t.close();
        } catch {
          // not back yet
        }
        if (waited >= deadline) {
          res.status = 'reboot-timeout';
          res.error = `boot id did not change within ${deadline} ms`;
          return res;
        }
      }
    } else if (wantsReboot) pendingReboot = true;
    step('post-hooks');
    const postErr = await runHooks(transport, hooks?.post ?? []);
    if (postErr !== undefined) {
      res.error = postErr;
      return res;
    }
    if (hooks?.healthCheck !== undefined) {
      step('health-check');
      const hc = hooks.healthCheck;
      const attempts = 1 + Math.max(0, hc.retries ?? 0);
      const interval = millis(hc.interval) ?? 5000;
      let healthy = false;
      let last = '';
      for (let i = 0; i < attempts && !healthy; i++) {
        if (i > 0) await ctx.sleep(interval);
        const timeoutMs = millis(hc.timeout);
        try {
          const out = await transport.run({ argv: hc.command }, timeoutMs === undefined ? {} : { timeoutMs });
          healthy = out.exitCode === 0;
          last = `exit ${String(out.exitCode)}: ${(out.stderr || out.stdout).trim()}`;
        } catch (err) {
          last = err instanceof Error ? err.message : String(err);
        }
      }
      if (!healthy) {
        res.status = 'health-check-failed';
        res.error = excerpt(
          `health check ${hc.command.join(' ')} failed after ${attempts} attempt(s): ${last}`,
        );
        return res;
      }
    }
    step('verify');
    const after = d.parseInstalled(await transport.run(d.listInstalled())).installed;
    const mismatches = upgrades
      .filter((u) => after.find((p) => p.name === u.package)?.version !== u.to)
      .map(
        (u) =>
          `verification: ${u.package} is ${after.find((p) => p.name === u.package)?.version ?? 'absent'}, expected ${u.to}`,
      );
    res.verification = { ok: mismatches.length === 0, mismatches };
    if (mismatches.length > 0) {
      res.error = mismatches.join('; ');
      return res;
    }
    if (!wantsReboot) {
      step('reboot-required');
      pendingReboot = d.parseFacts(await transport.run(d.facts())).rebootRequired;
    }
    res.status = pendingReboot ? 'patched-pending-reboot' : 'patched';
    return res;
  } catch (err) {
    res.status = 'failed';
    res.error = excerpt(err instanceof Error ? err.message : String(err));
    return res;
  } finally {
    await transport?.close().catch(() => undefined);
    res.finishedAt = ctx.now().toISOString();
    ctx.journal({
      type: 'host-finished',
      at: res.finishedAt,
      runId,
      planDigest: plan.inputsDigest,
      host: host.host,
      status: res.status,
      ...(res.error === undefined ? {} : { error: res.error }),
    });
    ctx.observer?.hostFinished?.(res);
  }
}
