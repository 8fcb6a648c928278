// One `patchctl apply` run with its effects: the repository lock, the run's saved plan and
// journal under state/runs/, transports, the remote per-host lock, state files rewritten after
// each host, ring progress in state/rollouts/. The decisions are the engine's (apply.ts).
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { DateTime } from 'luxon';
import type { Repository, ResolvedHost } from '../../core/model/repository.js';
import { configSpec } from '../../core/model/repository.js';
import { drivesTransport, transportOf } from '../../core/model/driven.js';
import type { ShardSpec } from '../../core/plan/shards.js';
import { formatShard } from '../../core/plan/shards.js';
import { ringSettings, startChecker } from '../../core/plan/start-check.js';
import type { Plan } from '../../core/plan/types.js';
import { resolveGroups } from '../../core/model/groups.js';
import { policiesByHost, policyHosts } from '../../core/plan/policies-for-host.js';
import { rebootSay } from '../../core/plan/reboot-policy.js';
import { driverFor } from '../../drivers/api.js';
import { LocalIoError, UsageError } from '../../errors.js';
import type { Transport } from '../../transports/types.js';
import { writeFileAtomic } from '../../platform/atomic-write.js';
import type { RunPlan } from '../../core/plan/run-plan.js';
import { runPlanOf } from '../../core/plan/run-plan.js';
import { runPlanDigest, serialiseRunPlan } from './run-plan-file.js';
import { redactorFor } from '../../platform/redact.js';
import { acquireRepoLock, describeRepoLock, splitDigestOf, stateDirOf } from '../repo-lock.js';
import type { RingEvent } from '../rollout-state.js';
import { recordRingEvent, ringVersionsFromState } from '../rollout-state.js';
import { rescanHost } from '../scan.js';
import type { ApplyObserver, ApplyResult, RingOutcome } from './apply.js';
import { applyPlan } from './apply.js';
import type { HostStatus, JournalEvent, JournalFile } from './journal.js';
import { hostsDoneInJournal, JournalWriter, readJournals } from './journal.js';
import { acquireRemoteLock } from './remote-lock.js';

export interface ApplyRunOptions {
  dir: string;
  repository: Repository;
  plan: Plan;
  now: () => DateTime;
  /** A transport for an inventory host (the CLI passes the ssh transport). */
  connect: (host: ResolvedHost) => Transport;
  /** Hosts in flight at once: a number or "N%"; default the Config concurrency. */
  concurrency?: number | string;
  onlyRing?: string;
  /**
   * `apply --ignore-ring-order REASON`: rings start whatever the rings before them did; the
   * journal's run-started event records the reason (and who) as `ignoreRingOrder`.
   */
  ignoreRingOrder?: string;
  observer?: ApplyObserver;
  signal?: AbortSignal;
  hardSignal?: AbortSignal;
  env: Readonly<Record<string, string | undefined>>;
  rebootTimeoutMs?: number;
  rebootPollMs?: number;
  lockWaitMs?: number;
  lockPollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  /**
   * One shard of a split plan (`apply --shard`): `plan` holds only its hosts, and `activeRings`
   * the rings every shard runs now. The shard takes its own repository lock and records ring
   * progress in its own file, so that shards can run side by side.
   */
  shard?: { spec: ShardSpec; activeRings: readonly { rollout: string; ring: string }[] };
  /**
   * What the run keeps of its plan (core/plan/run-plan.ts): by default that of `plan`; a resumed
   * run passes the one of the run it resumes, so that every run of a plan keeps the same.
   */
  runPlan?: RunPlan;
  /**
   * Sees every journal event as it happens (docs/notifications.md: the CLI passes the webhooks'
   * sink, engine/notify/apply-notifications.ts). It only queues; whatever it does, the run goes on.
   */
  notify?: (event: JournalEvent) => void;
}

export interface ApplyRun {
  result: ApplyResult;
  /**
   * The run's journal and plan file, relative to the repository; undefined when the run did
   * nothing (no ring started, no ring progress recorded): such a run writes neither.
   */
  journalFile: string | undefined;
  planFile: string | undefined;
  /** Earlier runs of the same plan whose finished hosts this run skipped. */
  resumed: string[];
  skipped: ReadonlyMap<string, HostStatus>;
  /** State files rewritten by this run. */
  stateFiles: string[];
  /** Rollout progress files this run wrote (a shard's own ones under rollouts/shards/). */
  rolloutFiles: string[];
  /** The stale repository lock this run took over (its process was gone), described. */
  lockTakenOverFrom?: string;
}

/** `20261123T140501Z-3fa29c01`: sorts by time; 32 random bits tell runs of one second apart. */
export function newRunId(now: DateTime): string {
  const stamp = now.toUTC().toFormat("yyyyLLdd'T'HHmmss'Z'");
  return `${stamp}-${randomBytes(4).toString('hex')}`;
}

/** When each ring (`rollout/ring`) completed in earlier runs of the plan, latest first wins. */
export function ringsCompletedByRuns(runs: readonly JournalFile[]): Map<string, string> {
  const done = new Map<string, string>();
  for (const j of runs)
    for (const e of j.events)
      if (e.type === 'ring-finished' && e.status === 'completed') done.set(`${e.rollout}/${e.ring}`, e.at);
  return done;
}

export function runsDirOf(dir: string, repository: Repository): string {
  return path.join(stateDirOf(dir, repository), 'runs');
}

/** Earlier runs of this plan (by digest), oldest first. */
export function runsOfPlan(journals: readonly JournalFile[], planDigest: string): JournalFile[] {
  return journals.filter((j) =>
    j.events.some((e) => e.type === 'run-started' && e.planDigest === planDigest),
  );
}

/**
 * Files the runs of a plan wrote themselves (host state, rollout progress): a saved plan is not
 * stale for them when it is resumed.
 */
export function filesWrittenByRuns(runs: readonly JournalFile[], stateDirRel: string): Set<string> {
  const files = new Set<string>();
  for (const j of runs)
    for (const e of j.events) {
      if (e.type === 'host-finished' && e.stateFile) files.add(e.stateFile);
      if (e.type === 'ring-started' && e.rollout !== '')
        files.add(path.posix.join(stateDirRel, 'rollouts', `${e.rollout}.json`));
    }
  return files;
}

export async function runApply(options: ApplyRunOptions): Promise<ApplyRun> {
  const { dir, repository, plan } = options;
  const stateAbs = stateDirOf(dir, repository);
  const stateRel = path.relative(dir, stateAbs).split(path.sep).join('/');
  const runsDir = path.join(stateAbs, 'runs');
  const nowDate = (): Date => options.now().toJSDate();
  const runId = newRunId(options.now());
  const shard = options.shard?.spec;
  const lock = acquireRepoLock(
    stateAbs,
    {
      operation: 'apply',
      planDigest: plan.inputsDigest,
      runId,
      // Shards that plan for themselves see each other's state changes: they share a split.
      ...(shard ? { shard, splitDigest: splitDigestOf(plan.inputs, stateRel) } : {}),
    },
    nowDate,
  );
  try {
    const earlier = runsOfPlan(readJournals(runsDir), plan.inputsDigest);
    const done = hostsDoneInJournal(
      earlier.flatMap((j) => j.events),
      plan.inputsDigest,
    );
    const planRel = path.posix.join(stateRel, 'runs', `${runId}.plan.json`);
    const journalRel = path.posix.join(stateRel, 'runs', `${runId}.jsonl`);
    /**
     * The journal and the run's plan file are written from the run's first effect on: a ring
     * that starts (before any host), or ring progress recorded. Until then events wait here: a
     * run that starts no host (a ring baking, windows closed) writes nothing under runs/, so a
     * scheduled `apply --commit` has nothing to commit (README.md, "Apply").
     */
    let journal: JournalWriter | undefined;
    const pending: JournalEvent[] = [];
    const materialise = (): JournalWriter => {
      if (journal) return journal;
      const record = options.runPlan ?? runPlanOf(plan, runPlanDigest);
      writeFileAtomic(path.join(dir, planRel), serialiseRunPlan(record));
      journal = openJournal(path.join(dir, journalRel));
      return journal;
    };
    const spec = configSpec(repository);
    const who = `${safeUser()}@${os.hostname()}`;
    const owner = `patchctl apply run ${runId} by ${who} (pid ${process.pid})`;
    const hostsByName = new Map(repository.hosts.map((h) => [h.name, h]));
    const policies = new Map(repository.policies.map((p) => [p.doc.metadata.name, p.doc.spec]));
    /** Every policy that applies to each host, in precedence order (the reboot rule reads them all). */
    const governing = policiesByHost(
      repository.hosts.map((h) => h.name),
      repository.policies.map((p) => p.doc),
      policyHosts(repository.policies, repository.hosts, resolveGroups(repository)),
    );
    const redact = redactorFor(options.env, [spec.ssh?.passphraseEnv, spec.winrm?.passwordEnv]);
    const stateFiles: string[] = [];
    const rolloutFiles = new Set<string>();
    const mayStart = startChecker(repository, options.now());
    /**
     * A shard without hosts (with work) in a ring every shard runs now has completed its part:
     * recorded, so that the merged progress can tell a finished ring from one a shard has not run.
     */
    const recordIdleShardRings = (
      s: NonNullable<ApplyRunOptions['shard']>,
      result: { rings: readonly RingOutcome[]; halted: boolean; interrupted: boolean },
    ): void => {
      if (result.interrupted) return;
      const at = options.now().toUTC().toISO({ suppressMilliseconds: true }) ?? '';
      for (const active of s.activeRings) {
        if (active.rollout === '') continue;
        if (options.onlyRing !== undefined && options.onlyRing !== active.ring) continue;
        if (result.rings.some((r) => r.rollout === active.rollout && r.ring === active.ring)) continue;
        const ring = plan.rings.find((r) => r.rollout === active.rollout && r.name === active.ring);
        if (ring?.hosts.some((h) => h.actions.length > 0)) continue;
        rolloutFiles.add(
          recordRingEvent(
            dir,
            stateRel,
            active.rollout,
            active.ring,
            plan.inputsDigest,
            { kind: 'completed', at, failures: 0 },
            s.spec,
          ),
        );
      }
    };
    let first = true;
    /** The journal append that failed: nothing more is appended after a line that may be torn. */
    let journalFailure: LocalIoError | undefined;
    /** Writes the events waiting, then `events`, from the run's first effect on. */
    const write = (events: readonly JournalEvent[]): void => {
      if (journalFailure) throw journalFailure;
      const writer = materialise();
      try {
        for (const e of [...pending.splice(0), ...events]) writer.append(e);
      } catch (err) {
        const local = LocalIoError.from(err, 'write', writer.file);
        journalFailure = local instanceof LocalIoError ? local : undefined;
        throw local;
      }
    };
    const append = (event: JournalEvent): void => {
      if (!journal && event.type !== 'ring-started' && event.type !== 'host-started') {
        if (journalFailure) throw journalFailure;
        pending.push(event);
      } else write([event]);
    };
    /** The run failed (a local write): a journal that cannot be closed cleanly says nothing more. */
    let failed = false;
    try {
      const result = await applyPlan(plan, {
        runId,
        // Each host's own driver, from the plan (docs/adding-a-driver.md, "Registries").
        driverFor: (h) => (h.packageManager === undefined ? undefined : driverFor(h.packageManager)),
        concurrency: options.concurrency ?? spec.concurrency ?? 10,
        ...(options.onlyRing === undefined ? {} : { onlyRing: options.onlyRing }),
        ...(options.ignoreRingOrder === undefined ? {} : { ignoreRingOrder: options.ignoreRingOrder }),
        now: nowDate,
        sleep: options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
        journal: (event) => {
          // The run-started event also names the saved plan, the operator and what it resumes.
          if (first && event.type === 'run-started') {
            first = false;
            append({
              ...event,
              planFile: planRel,
              planAt: (options.runPlan ?? plan).at,
              who,
              resumes: earlier.map((j) => j.runId),
              ...(shard ? { shard: formatShard(shard) } : {}),
              ...(options.ignoreRingOrder === undefined
                ? {}
                : { ignoreRingOrder: { by: who, reason: options.ignoreRingOrder } }),
            });
          } else append(event);
          try {
            options.notify?.(event);
          } catch {
            // Notifications never block or fail an apply (docs/notifications.md).
          }
        },
        connect: (name) => {
          const h = hostsByName.get(name);
          if (!h) throw new UsageError(`host ${name} of the plan is not in the inventory any more`);
          return options.connect(h);
        },
        ringLimits: (ring) => ringSettings(repository, ring),
        rebootMode: (policy) => policies.get(policy)?.reboot,
        // The plan's reboot rule and host states, per host (issue 13).
        rebootPolicies: (host) => (governing.get(host) ?? []).map(rebootSay),
        unsupported: (name) => {
          const transport = transportOf(hostsByName.get(name) ?? {});
          return drivesTransport(repository.driven, transport)
            ? undefined
            : `transport ${transport} is not supported by this version: nothing was done on the host`;
        },
        hooks: (policy) => policies.get(policy)?.hooks,
        mayStart,
        // With the run id: the reservation this run leaves across a reboot is this run's alone.
        remoteLock: (t, steps) => acquireRemoteLock(t, owner, { runId, steps }),
        recordHost: async (host, transport, known) => {
          const rel = await rescanHost(dir, stateRel, host, transport, options.now(), known);
          stateFiles.push(rel);
          return rel;
        },
        ringProgress: (ring, event, outcome) => {
          if (ring.rollout === '') return;
          const e = ringEvent(
            event,
            outcome,
            options.now().toUTC().toISO({ suppressMilliseconds: true }) ?? '',
          );
          // What the ring's hosts run now, for per-update gating of the rings after it.
          if (e?.kind === 'completed')
            e.versions = ringVersionsFromState(
              dir,
              stateRel,
              ring.hosts.map((h) => h.host).filter((h) => hostsByName.has(h)),
              new Set(outcome.failedHosts ?? []),
            );
          // Recorded ring progress is an effect: the journal says so (flushed at once).
          if (e) write([]);
          if (e)
            rolloutFiles.add(
              recordRingEvent(dir, stateRel, ring.rollout, ring.name, plan.inputsDigest, e, shard),
            );
        },
        redact,
        done,
        ringsDone: ringsCompletedByRuns(earlier),
        ...(options.observer ? { observer: options.observer } : {}),
        ...(options.signal ? { signal: options.signal } : {}),
        ...(options.hardSignal ? { hardSignal: options.hardSignal } : {}),
        ...(options.rebootTimeoutMs === undefined ? {} : { rebootTimeoutMs: options.rebootTimeoutMs }),
        ...(options.rebootPollMs === undefined ? {} : { rebootPollMs: options.rebootPollMs }),
        ...(options.lockWaitMs === undefined ? {} : { lockWaitMs: options.lockWaitMs }),
        ...(options.lockPollMs === undefined ? {} : { lockPollMs: options.lockPollMs }),
      });
      if (options.shard) recordIdleShardRings(options.shard, result);
      return {
        result,
        rolloutFiles: [...rolloutFiles].sort(),
        journalFile: journal ? journalRel : undefined,
        planFile: journal ? planRel : undefined,
        resumed: earlier.map((j) => j.runId),
        skipped: done,
        stateFiles: stateFiles.sort(),
        ...(lock.takenOverFrom ? { lockTakenOverFrom: describeRepoLock(lock.takenOverFrom) } : {}),
      };
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      const writer = journal as JournalWriter | undefined;
      await writer?.close().catch((err: unknown) => {
        if (!failed) throw LocalIoError.from(err, 'write', writer.file);
      });
    }
  } finally {
    lock.release();
  }
}

/** The run's journal, opened for appending; a local failure names the file. */
function openJournal(file: string): JournalWriter {
  try {
    return new JournalWriter(file);
  } catch (err) {
    throw LocalIoError.from(err, 'create', file);
  }
}

function ringEvent(event: 'started' | 'finished', o: RingOutcome, at: string): RingEvent | undefined {
  if (event === 'started') return { kind: 'started', at };
  const failedHosts = o.failedHosts ?? [];
  if (o.status === 'completed') return { kind: 'completed', at, failures: o.failures, failedHosts };
  if (o.status === 'halted')
    return { kind: 'halted', at, failures: o.failures, reason: o.reason ?? 'halted', failedHosts };
  return { kind: 'unfinished', at, failures: o.failures };
}

function safeUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'unknown');
  }
}
