import { existsSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { Chalk } from 'chalk';
import type { RingHold } from '../../core/plan/build-plan.js';
import type { DeferredRing, ShardOfPlan, ShardSpec } from '../../core/plan/shards.js';
import {
  assignShards,
  formatShard,
  parseShardSpec,
  shardOfPlan,
  withShards,
} from '../../core/plan/shards.js';
import type { Plan } from '../../core/plan/types.js';
import { isHostKeyChangedNote } from '../../core/plan/types.js';
import { hasControlChars } from '../../core/text/control-chars.js';
import { durationToMillis, parseDuration } from '../../core/schedule/duration.js';
import type { ApplyResult } from '../../engine/apply/apply.js';
import { isFailure } from '../../engine/apply/apply.js';
import type { JournalFile } from '../../engine/apply/journal.js';
import { hostsDoneInJournal, readJournals } from '../../engine/apply/journal.js';
import type { ApplyRun } from '../../engine/apply/run-apply.js';
import { filesWrittenByRuns, runApply, runsDirOf, runsOfPlan } from '../../engine/apply/run-apply.js';
import { commitFiles } from '../../engine/git-commit.js';
import { loadRepository } from '../../engine/load-repo.js';
import { warnWhatChanges } from '../acting-warnings.js';
import { gitAuthorOf, prepareRepositoryCommit, repoPath } from '../../engine/repo-commit.js';
import { runReport } from '../../engine/report-run.js';
import type { RunNotifications } from '../../engine/notify/run-notifications.js';
import { runNotifications } from '../../engine/notify/run-notifications.js';
import { REPORT_FORMATS } from '../../engine/write-report.js';
import type { SavedPlanOptions } from '../../engine/make-plan.js';
import { checkRunPlan, checkSavedPlan, makePlan } from '../../engine/make-plan.js';
import type { RunPlan } from '../../core/plan/run-plan.js';
import { runPlanHosts } from '../../core/plan/run-plan.js';
import { readRunPlanFile } from '../../engine/apply/run-plan-file.js';
import { readPlanFile } from '../../engine/plan-file.js';
import { stateDirOf } from '../../engine/repo-lock.js';
import { isInside } from '../../platform/safe-fs.js';
import { InputFileError, UsageError } from '../../errors.js';
import { renderPlanText } from '../../render/plan-text.js';
import { windowZonesOf } from '../../render/window-time.js';
import { applyProgress } from '../render/apply-progress.js';
import { appendJobSummary } from './report.js';
import { sshConnector } from '../ssh-connector.js';
import type { RawCommon } from '../common-options.js';
import {
  addCommonOptions,
  checkRingOption,
  commonOptions,
  HOSTS_OPTION_HELP,
  HOSTS_SYNTAX_HELP,
  resolveHostsOption,
} from '../common-options.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import type { Io } from '../io.js';

interface RawApply extends RawCommon {
  autoApprove?: boolean;
  concurrency?: string;
  ring?: string;
  hosts?: string;
  resume?: boolean;
  ignoreRingOrder?: string;
  rebootTimeout?: string;
  lockTimeout?: string;
  commit?: boolean;
  push?: boolean;
  shard?: string;
}

export function applyCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('apply')
    .description('patch the hosts: ring by ring, within windows and failure budgets, with verification')
    .argument(
      '[plan]',
      'a plan saved by `patchctl plan --out` (refused when stale); without it, plan now and ask',
    )
    .option('--auto-approve', 'do not ask before applying a plan made now (CI)')
    .option(
      '--concurrency <n>',
      'hosts in flight at once, a number or a percentage of each ring (default: Config)',
    )
    .option('--ring <ring>', 'only this ring')
    .option('--hosts <list>', `${HOSTS_OPTION_HELP} (with a plan made now)`)
    .option(
      '--shard <i/N>',
      'only shard i of N (a CI matrix job or an Indexed Job pod): its hosts, one ring per rollout',
    )
    .option('--resume', 'continue an interrupted run of the plan: hosts it finished are never run again')
    .option('--reboot-timeout <duration>', 'how long a rebooting host may take to come back', '10m')
    .option('--lock-timeout <duration>', "how long to wait for a host's package-manager lock", '2m')
    .option(
      '--ignore-ring-order <reason>',
      'emergencies only: start rings whatever the rings before them did (order, bake time, halts); the reason and who are recorded in the journal',
    )
    .option('--commit', 'commit the files the run wrote (journal, state, reports) with git when it ends')
    .option('--push', 'push that commit (implies --commit)')
    .addHelpText(
      'after',
      `
Examples:
  $ patchctl apply -C ops/patching                   # plan, show, ask, apply
  $ patchctl plan --out plan.json && patchctl apply plan.json
  $ patchctl apply --auto-approve --ring canary      # CI: the canary ring only
  $ patchctl apply --hosts 'fra-web-*,!fra-web-02'   # plan those hosts now, show, ask, apply
  $ patchctl apply --resume                          # after a killed run: continue it
  $ patchctl plan --shards 4 --out plan.json && patchctl apply --shard 2/4 plan.json

Per host: connect (host key checked) → remote lock → pre-flight → pre hooks → install the exact
planned versions → reboot if needed (proven by a new boot id) → post hooks and health checks →
verification. Rings run in order; a ring that exceeds its failure budget halts its rollout.
Ring order: a ring's hosts start only when every earlier ring of its rollout completed and
baked, whatever --ring, --hosts, --shard or a saved plan leaves out. An earlier ring with work
in the plan that this run does not apply (--ring rest, a plan of some hosts) keeps the later
ring waiting: apply the earlier ring first (or the whole plan). A ring that a plan of some hosts
holds only part of is not recorded completed. Per-update gating: a later ring gets an update
only when an earlier ring ran that version (or a later one) when it last completed and baked
(recorded in state/rollouts/); the plan skips the others as "not-in-earlier-ring", except the
emergency track of a policy with skipBakeTime. A halted ring whose failed hosts are now taken
out of it (an exception, an exclusion) and that has no work left is recorded completed by the
next apply; otherwise \`patchctl rollout release ROLLOUT --ring RING --reason TEXT\` clears the
halt (who and why are recorded in state/rollouts/). --ignore-ring-order REASON lifts the ring
gates for an emergency (windows, blackouts and failure budgets still hold; per-update gating
stays in the plan): the journal records who and why, and apply prints it.
The first Ctrl-C starts no new host and lets running ones finish; a second one aborts them.
--shard i/N applies only the hosts of shard i (the split of \`plan --shards N\`: round-robin by
name inside each ring, the same in every job). Shards run side by side, in separate jobs or on
one repository: each takes its own lock and records ring progress in
state/rollouts/shards/. A shard runs one ring per rollout (the first with work); the next ring
waits for a later run, after every shard completed this one. It writes no report: run
\`patchctl report --merge DIR...\` (or \`report\` on the shared repository) when all shards are done.
${HOSTS_SYNTAX_HELP}
apply --hosts plans the selected hosts now; a saved plan or --resume runs the hosts of its
plan (select them when making it: patchctl plan --hosts … --out FILE).
The journal of the run is state/runs/<id>.jsonl; state/hosts/ is updated from each host;
the compliance report in reports/ is rewritten when the run ends (as \`patchctl report\` does).
--commit checks before the first host starts that git can take the commit (no uncommitted
documents, nothing unrelated staged), then commits exactly the files the run wrote. A run that
starts no host (a ring baking, windows closed) writes no journal and commits nothing.
A saved plan is re-derived before anything starts: apply computes the plan again from the
repository at the plan's time, refuses any difference (naming it), and runs its own result.
Exit status: 0 every host patched (or nothing to do), 1 a host failed, a ring halted, a host's
key changed (possible interception), or a ring is held because the ring before it has hosts
patchctl knows nothing current about (unreachable, never scanned) beyond its failure budget;
3 invalid configuration.`,
    );
  addCommonOptions(cmd, ['text', 'json']);
  // Webhooks (docs/notifications.md): deliveries run beside the run; the command waits for the
  // outstanding ones a bounded time at its end, and a failure is a warning, never the exit code.
  const notices: { current?: RunNotifications } = {};
  const warnNotice = (line: string): void => io.stderr(`patchctl: warning: ${line}\n`);
  cmd.action(async (planArg: string | undefined, raw: RawApply) => {
    try {
      await applyAction(planArg, raw);
    } finally {
      for (const w of (await notices.current?.close()) ?? []) warnNotice(w);
    }
  });
  const applyAction = async (planArg: string | undefined, raw: RawApply): Promise<void> => {
    const opts = commonOptions(raw, io);
    const concurrency = parseConcurrency(raw.concurrency);
    const rebootTimeoutMs = parseDurationFlag('--reboot-timeout', raw.rebootTimeout ?? '10m');
    const lockWaitMs = parseDurationFlag('--lock-timeout', raw.lockTimeout ?? '2m');
    const { repository, warnings: loaded } = loadRepository(opts.dir, { at: io.now() });
    warnWhatChanges(io, loaded, opts.color); // expired exceptions: always said (acting-warnings.ts)
    notices.current = runNotifications(repository, io.env, warnNotice); // unusable webhooks: said now
    // Names on the command line are checked before anything else happens (common-options.ts).
    if (raw.hosts !== undefined && (planArg !== undefined || raw.resume === true))
      throw new UsageError(
        `--hosts selects the hosts of a plan made now: ${planArg !== undefined ? `${planArg} is a saved plan` : '--resume continues the plan of a run'}, which already says its hosts (select them with patchctl plan --hosts … --out FILE)`,
      );
    checkRingOption(raw.ring, repository);
    const selected = resolveHostsOption(raw.hosts, repository);
    const stateAbs = stateDirOf(opts.dir, repository);
    const stateRel = repoPath(opts.dir, stateAbs);
    const shard = raw.shard === undefined ? undefined : parseShardFlag(raw.shard);
    const ignoreRingOrder = parseIgnoreRingOrder(raw.ignoreRingOrder);
    if (ignoreRingOrder !== undefined)
      io.stderr(
        `patchctl: --ignore-ring-order: rings start whatever the rings before them did (order, bake time, halts), because: ${ignoreRingOrder}. The run's journal records this and who ran it.\n`,
      );
    const text = opts.format === 'text';
    const say = (line: string): void => {
      if (text && !opts.quiet) io.stdout(`${line}\n`);
    };

    // The plan to apply depends on earlier runs; runApply reads them again under the lock.
    const journals = readJournals(runsDirOf(opts.dir, repository));
    const {
      plan: chosen,
      holds,
      inputFiles,
      runPlan,
    } = choosePlan(planArg, raw, opts.dir, io, stateRel, journals, shard, selected);
    if (shard && chosen.shards !== undefined && chosen.shards.count !== shard.count)
      throw new UsageError(
        `the plan is split into ${chosen.shards.count} shards: --shard ${formatShard(shard)} names a split into ${shard.count}`,
      );
    // `--ring` names the ring each shard runs (one pipeline stage per ring).
    const ringOnly =
      raw.ring !== undefined && chosen.rings.some((r) => r.name === raw.ring)
        ? { ...chosen, rings: chosen.rings.filter((r) => r.name === raw.ring) }
        : chosen;
    const split = shard ? shardOfPlan(ringOnly, shard) : undefined;
    const plan = split ? split.plan : chosen;
    if (raw.ring !== undefined && !plan.rings.some((r) => r.name === raw.ring)) {
      // A plan made now was already filtered to the ring: name the rollouts' rings instead.
      const rings =
        planArg === undefined && raw.resume !== true
          ? repository.rollouts.flatMap((r) => r.doc.spec.rings.map((x) => x.name))
          : plan.rings.map((r) => r.name);
      throw new UsageError(
        `ring "${raw.ring}" is not in the plan (rings: ${[...new Set(rings)].join(', ') || 'none'})`,
      );
    }
    const work = plan.rings
      .filter((r) => raw.ring === undefined || r.name === raw.ring)
      .flatMap((r) => r.hosts)
      .filter((h) => h.actions.length > 0);
    const alarms = runAlarms(ringOnly, holds, raw.ring, shard);
    const warnAlarms = (): void => {
      for (const line of alarms.lines) io.stderr(`patchctl: ${line}\n`);
    };
    if (planArg === undefined && raw.resume !== true) {
      // -q with --auto-approve: the run's outcome is the result, not the plan (asked, it is shown).
      if (text && !(opts.quiet && raw.autoApprove === true))
        io.stdout(renderPlanText(plan, { color: opts.color, zones: windowZonesOf(repository) }));
      if (split && shard) say(`\n${shardLine(shard, chosen, split)}`);
      // A shard with nothing to do still runs: its ring progress tells the others it is done. So
      // does a run whose only job is to record a ring with no work left completed.
      const completing = plan.rings.some(
        (r) => r.completesWithoutWork === true && (raw.ring === undefined || r.name === raw.ring),
      );
      if (work.length === 0 && !shard && !completing) {
        say('\nNo changes: nothing to apply.');
        warnAlarms();
        setExit(alarms.lines.length > 0 ? EXIT_FAILURE : EXIT_OK);
        return;
      }
      if (raw.autoApprove !== true && work.length > 0) {
        const answer = await io.ask?.(
          `\nApply this plan to ${work.length} host(s)? Only 'yes' will be accepted: `,
        );
        if (answer === undefined)
          throw new UsageError(
            'apply asks before it patches: pass --auto-approve, or save a plan with `patchctl plan --out FILE` and apply that file',
          );
        if (answer.trim() !== 'yes') {
          say('Apply cancelled.');
          setExit(EXIT_FAILURE);
          return;
        }
      }
    }

    // Refuse before patching anything when the results could not be committed afterwards.
    const commit = raw.commit === true || raw.push === true;
    const prepared = commit
      ? prepareRepositoryCommit(opts.dir, repository, inputFiles, raw.push === true)
      : undefined;

    const connect = await sshConnector(opts.dir, repository, io.env, {
      acceptNewHostKeys: false,
      // -v: each remote command on stderr (verbose-transport.ts).
      ...(opts.verbose && !opts.quiet ? { verbose: { say: (l: string) => io.stderr(l) } } : {}),
    });
    const graceful = new AbortController();
    const hard = new AbortController();
    let interrupts = 0;
    const stopListening = io.onInterrupt?.(() => {
      interrupts++;
      if (interrupts === 1) {
        io.stderr(
          '\nInterrupted: no new host will start; hosts in flight finish (Ctrl-C again aborts them).\n',
        );
        graceful.abort(new Error('interrupted'));
      } else {
        io.stderr('\nAborting the hosts in flight: their outcome will be unknown until the next scan.\n');
        hard.abort(new Error('aborted'));
      }
    });
    const progress = applyProgress({
      write: (t) => {
        if (text) io.stdout(t);
      },
      color: opts.color,
      zones: windowZonesOf(repository),
      quiet: opts.quiet || !text,
      ...(text && io.isTTY && io.progressStream ? { spinnerStream: io.progressStream } : {}),
    });
    let run: ApplyRun;
    try {
      run = await runApply({
        dir: opts.dir,
        repository,
        plan,
        ...(runPlan ? { runPlan } : {}),
        now: () => io.now(),
        env: io.env,
        ...(concurrency === undefined ? {} : { concurrency }),
        ...(raw.ring === undefined ? {} : { onlyRing: raw.ring }),
        ...(ignoreRingOrder === undefined ? {} : { ignoreRingOrder }),
        ...(split && shard ? { shard: { spec: shard, activeRings: split.active } } : {}),
        observer: progress,
        signal: graceful.signal,
        hardSignal: hard.signal,
        rebootTimeoutMs,
        lockWaitMs,
        connect,
        ...(notices.current ? { notify: notices.current.applySink(plan) } : {}),
      });
    } finally {
      progress.stop();
      stopListening?.();
    }
    if (opts.format === 'json') io.stdout(`${JSON.stringify(jsonResult(run), null, 2)}\n`);
    else if (!opts.quiet || run.result.halted) io.stdout(`\n${summary(run, opts.color)}\n`);
    // A changed host key, or a ring held by hosts of the ring before it that patchctl knows
    // nothing current about, fails the run even when every host it started was patched.
    warnAlarms();
    const failed =
      run.result.hosts.some((h) => isFailure(h.status)) || run.result.halted || alarms.lines.length > 0;
    setExit(failed ? EXIT_FAILURE : EXIT_OK);

    // The report reflects the run whatever its outcome; a report or commit failure is a failure.
    // One shard knows only its own hosts: the report comes when the shards are merged. A run that
    // changed nothing (no host started, no ring progress: a ring baking, windows closed) wrote no
    // journal and leaves the report as it is: nothing to commit, not even a new date.
    const idle =
      run.journalFile === undefined && run.stateFiles.length === 0 && run.rolloutFiles.length === 0;
    const report =
      shard || idle
        ? undefined
        : runReport({
            dir: opts.dir,
            at: io.now(),
            formats: REPORT_FORMATS,
            env: io.env,
            ...(notices.current ? { notify: notices.current.reportWritten } : {}),
          });
    if (report) {
      say(`Report: ${report.files.map((f) => repoPath(opts.dir, f)).join(', ')}`);
      appendJobSummary(io, report.report);
    } else if (shard) {
      if (split && split.deferred.length > 0) say(deferredLine(split.deferred));
      say(
        `Shard ${formatShard(shard)} done. When every shard has finished: patchctl report --merge <each shard's checkout> (or patchctl report on this repository) merges their state and writes the report.`,
      );
    }
    if (prepared && idle) say('Nothing to commit: the run started no host and changed no file.');
    else if (prepared) {
      const written = [run.journalFile, run.planFile, ...run.stateFiles, ...run.rolloutFiles]
        .filter((f): f is string => f !== undefined)
        .map((f) => path.resolve(opts.dir, f))
        .filter((f) => existsSync(f));
      const reportFiles = report?.files ?? [];
      const outcome = commitFiles(
        prepared,
        {
          files: [...new Set([...written, ...reportFiles])].sort(),
          message: applyCommitMessage(run, plan, reportFiles.length, shard),
          author: gitAuthorOf(repository),
        },
        { push: raw.push === true },
      );
      say(
        outcome.committed
          ? `Committed ${outcome.files.length} files in ${outcome.commit?.slice(0, 12) ?? '?'}` +
              (outcome.pushed ? `; pushed to ${outcome.pushedTo ?? 'the remote'}` : '')
          : 'Nothing to commit: no file changed.',
      );
    }
  };
  return cmd;
}

interface ChosenPlan {
  plan: Plan;
  /** What a resumed run keeps of its plan: the run plan of the run it resumes. */
  runPlan?: RunPlan;
  holds: RingHold[];
  /** The repository's input files now (for the git checks of --commit). */
  inputFiles: string[];
}

/** `20261123T140501Z-3fa29c01`, as newRunId writes them. */
const RUN_ID = /^\d{8}T\d{6}Z-[0-9a-f]{8}$/;

/**
 * The plan to apply: the saved one (checked fresh, then re-derived: what runs is the
 * repository's own plan, make-plan.ts checkSavedPlan), the one a resumed run used (the same
 * checks), or a new one.
 */
function choosePlan(
  planArg: string | undefined,
  raw: RawApply,
  dir: string,
  io: Io,
  stateRel: string,
  journals: readonly JournalFile[],
  shard: ShardSpec | undefined,
  selected?: readonly string[],
): ChosenPlan {
  if (planArg !== undefined) {
    const saved = readPlanFile(path.resolve(io.cwd, planArg));
    if (shard && saved.shards !== undefined && saved.shards.count !== shard.count)
      throw new UsageError(
        `${planArg} is split into ${saved.shards.count} shards (plan --shards ${saved.shards.count}): --shard ${formatShard(shard)} names a split into ${shard.count}`,
      );
    const runs = runsOfPlan(journals, saved.inputsDigest);
    const written = filesWrittenByRuns(runs, stateRel);
    const last = runs.filter((j) => shard === undefined || runShard(j) === formatShard(shard)).at(-1)?.runId;
    const others = shard ? filesOfOtherShards(saved, shard, stateRel) : undefined;
    const tolerate =
      raw.resume === true ? (others ? (f: string) => written.has(f) || others(f) : written) : others;
    return checkSavedPlan(dir, saved, {
      label: planArg,
      wouldApply: wouldApply(saved, runs, shard),
      ...(tolerate !== undefined ? { tolerate } : {}),
      ...(last !== undefined && raw.resume !== true
        ? {
            hint: `run ${last} already applied this plan (partly?): continue it with --resume, or plan again`,
          }
        : {}),
    });
  }
  if (raw.resume === true) {
    // The last run that saved its plan (of this shard, with --shard).
    const last = [...journals]
      .reverse()
      .find(
        (j) =>
          j.events.some((e) => e.type === 'run-started' && e.planFile) &&
          (shard === undefined || runShard(j) === formatShard(shard)),
      );
    const started = last?.events.find((e) => e.type === 'run-started');
    if (!last || started?.type !== 'run-started' || started.planFile === undefined)
      throw new UsageError(
        `there is no earlier apply run${shard ? ` of shard ${formatShard(shard)}` : ''} to resume in ${stateRel}/runs/`,
      );
    const runs = runsOfPlan(journals, started.planDigest);
    const written = filesWrittenByRuns(runs, stateRel);
    const label = path.posix.join(stateRel, 'runs', `${last.runId}.plan.json`);
    const file = readRunPlanFile(runPlanFile(dir, stateRel, last.runId, started.planFile), label);
    const kept = file.kind === 'run-plan' ? file.record : file.plan;
    if (kept.inputsDigest !== started.planDigest)
      throw new InputFileError(
        `${label} is not the plan run ${last.runId} applied (its inputsDigest differs from the journal's planDigest): plan again`,
      );
    if (started.planAt !== undefined && kept.at !== started.planAt)
      throw new InputFileError(
        `${label} is not the plan run ${last.runId} applied (its "at" ${JSON.stringify(kept.at)} is not the journal's planAt ${started.planAt}): plan again`,
      );
    if (file.kind === 'run-plan') {
      // What the run kept of its plan: digests, re-derived from the repository (make-plan.ts).
      const mine = shard ? new Set(runPlanHosts(file.record)) : undefined;
      const others = shard ? filesOfOtherShardsThan(mine ?? new Set(), stateRel) : undefined;
      const done = hostsDoneInJournal(
        runs.flatMap((j) => j.events),
        started.planDigest,
      );
      const checked = checkRunPlan(dir, file.record, {
        label,
        wouldApply: (host) => !done.has(host) && (mine === undefined || mine.has(host)),
        tolerate: others ? (f: string) => written.has(f) || others(f) : written,
      });
      return { ...checked, runPlan: file.record };
    }
    // The whole plan, as runs of earlier versions kept it.
    const saved = file.plan;
    const others = shard ? filesOfOtherShards(saved, shard, stateRel) : undefined;
    const options: SavedPlanOptions = {
      label,
      wouldApply: wouldApply(saved, runs, shard),
      tolerate: others ? (f: string) => written.has(f) || others(f) : written,
    };
    return checkSavedPlan(dir, saved, options);
  }
  const made = makePlan(dir, io.now(), {
    ...(raw.ring === undefined ? {} : { ring: raw.ring }),
    ...(selected === undefined ? {} : { hosts: selected }),
  });
  return { plan: made.plan, holds: made.holds, inputFiles: Object.keys(made.plan.inputs) };
}

/**
 * The saved plan of an earlier run, as its journal names it: only ever
 * `<paths.state>/runs/<run id>.plan.json` of this repository, the file the run wrote (a journal
 * is an input like any other: its `planFile` never leads anywhere else, docs/security.md).
 */
function runPlanFile(dir: string, stateRel: string, runId: string, planFile: string): string {
  const runs = path.posix.join(stateRel, 'runs');
  const expected = path.posix.join(runs, `${runId}.plan.json`);
  if (!RUN_ID.test(runId) || planFile !== expected)
    throw new InputFileError(
      `${runs}/${runId}.jsonl: the run's plan file ${JSON.stringify(planFile)} is not ${RUN_ID.test(runId) ? expected : `${runs}/<run id>.plan.json`}: apply --resume reads only the plan a run saved in ${runs}/ of this repository`,
    );
  const file = path.join(dir, ...expected.split('/'));
  let real: string;
  try {
    real = realpathSync.native(file);
  } catch {
    return file; // missing: the reader says so, naming the file
  }
  if (!isInside(path.join(dir, ...runs.split('/')), real))
    throw new InputFileError(
      `${expected} leads out of ${runs}/ (to ${real}) through a symbolic link: apply --resume reads only the plan a run saved there`,
    );
  return file;
}

/**
 * Whether this run would apply a host of the plan: one of its shard (with --shard) that no
 * earlier run of the plan finished (as run-apply decides, journal.ts hostsDoneInJournal).
 */
function wouldApply(
  saved: Plan,
  runs: readonly JournalFile[],
  shard: ShardSpec | undefined,
): (host: string) => boolean {
  const done = hostsDoneInJournal(
    runs.flatMap((j) => j.events),
    saved.inputsDigest,
  );
  const shardOf = shard ? assignShards(saved.rings, shard.count) : undefined;
  return (host) => !done.has(host) && (shardOf === undefined || shardOf.get(host) === shard?.index);
}

interface RunAlarms {
  /** One line each, for stderr: why the run fails although no host it started failed. */
  lines: string[];
}

/**
 * What fails an apply run besides the hosts it starts (issue 12: never green while something is
 * wrong): a host of the plan whose host key changed (possible interception), and a ring of this
 * run held because the ring before it has hosts patchctl knows nothing current about (never
 * scanned, unreachable…) beyond its failure budget. Such a ring starts no host: the run says
 * so and exits 1, because the operator must act (scan, repair or take the host out of the ring).
 */
function runAlarms(
  plan: Plan,
  holds: readonly RingHold[],
  onlyRing: string | undefined,
  shard: ShardSpec | undefined,
): RunAlarms {
  const lines: string[] = [];
  const shardOf = shard ? assignShards(plan.rings, shard.count) : undefined;
  const mine = (host: string): boolean => shardOf === undefined || shardOf.get(host) === shard?.index;
  for (const ring of plan.rings) {
    if (onlyRing !== undefined && ring.name !== onlyRing) continue;
    for (const h of ring.hosts)
      if (isHostKeyChangedNote(h.note) && mine(h.host))
        lines.push(
          `${h.host}: its host key changed since it was pinned in known_hosts (possible interception): not patched; verify the host's new key out of band, then update known_hosts`,
        );
  }
  for (const hold of holds) {
    if (onlyRing !== undefined && hold.ring !== onlyRing) continue;
    const ring = plan.rings.find((r) => r.name === hold.ring && r.rollout === hold.rollout);
    if (!ring?.hosts.some((h) => h.actions.length > 0 && mine(h.host))) continue;
    const names = hold.hosts.map((u) => u.host);
    lines.push(
      `ring ${hold.ring}${hold.rollout === '' ? '' : ` of rollout ${hold.rollout}`} is held: ring ${hold.after} has ${names.length} host(s) patchctl knows nothing current about (${names.slice(0, 5).join(', ')}${names.length > 5 ? ', …' : ''}), beyond its failure budget; scan them again (patchctl scan), repair them or take them out of the ring`,
    );
  }
  return { lines };
}

/** The shard a journal's run applied (`2/4`), or undefined for a whole plan. */
function runShard(journal: JournalFile): string | undefined {
  const started = journal.events.find((e) => e.type === 'run-started');
  return started?.type === 'run-started' ? started.shard : undefined;
}

/**
 * filesOfOtherShards for a run plan of one shard, which holds only that shard's hosts (`mine`).
 */
function filesOfOtherShardsThan(mine: ReadonlySet<string>, stateRel: string): (file: string) => boolean {
  const hostsDir = `${stateRel}/hosts/`;
  const shardsDir = `${stateRel}/rollouts/shards/`;
  return (file) => {
    if (file.startsWith(shardsDir)) return true;
    if (!file.startsWith(hostsDir) || !file.endsWith('.json')) return false;
    return !mine.has(file.slice(hostsDir.length, -'.json'.length));
  };
}

/**
 * The input files other shards may rewrite while this one runs (their hosts' state, every
 * shard's ring progress): they do not make a saved plan stale for this shard.
 */
function filesOfOtherShards(plan: Plan, shard: ShardSpec, stateRel: string): (file: string) => boolean {
  const split = plan.shards === undefined ? withShards(plan, shard.count) : plan;
  const mine = new Set(
    split.rings.flatMap((r) => r.hosts.filter((h) => h.shard === shard.index).map((h) => h.host)),
  );
  return filesOfOtherShardsThan(mine, stateRel);
}

/** The reason given with `--ignore-ring-order`: one line of text, recorded in the journal. */
function parseIgnoreRingOrder(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const reason = text.trim();
  if (reason.length === 0 || reason.length > 1024 || hasControlChars(reason))
    throw new UsageError(
      '--ignore-ring-order needs a reason (one line, at most 1024 characters): why the rings may start out of order, for the journal',
    );
  return reason;
}

function parseShardFlag(text: string): ShardSpec {
  const r = parseShardSpec(text);
  if (!r.ok) throw new UsageError(`--shard ${r.message}`);
  return r.value;
}

function shardLine(shard: ShardSpec, whole: Plan, split: ShardOfPlan): string {
  const rings = split.active.map((a) => (a.rollout === '' ? a.ring : `${a.rollout}/${a.ring}`));
  return (
    `Shard ${formatShard(shard)}: ${split.plan.summary.hostsWithChanges} of ${whole.summary.hostsWithChanges} host(s) with changes` +
    (rings.length > 0 ? `, in ring${rings.length > 1 ? 's' : ''} ${rings.join(', ')}` : '') +
    '.' +
    (split.deferred.length > 0 ? `\n${deferredLine(split.deferred)}` : '')
  );
}

function deferredLine(deferred: readonly DeferredRing[]): string {
  return `Left for a later run (after every shard completes the ring before): ${deferred
    .map((d) => `${d.rollout === '' ? '' : `${d.rollout}/`}${d.ring} (after ${d.after})`)
    .join(', ')}.`;
}

function parseConcurrency(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  if (/^\d+$/.test(text) && Number(text) >= 1) return Number(text);
  const m = /^(\d+(?:\.\d+)?)%$/.exec(text);
  if (m && Number(m[1]) > 0 && Number(m[1]) <= 100) return text;
  throw new UsageError(
    `--concurrency "${text}" must be a whole number of at least 1, or a percentage such as 25%`,
  );
}

function parseDurationFlag(flag: string, text: string): number {
  const d = parseDuration(text);
  if (!d.ok) throw new UsageError(`${flag} "${text}" is not a duration (e.g. 90s, 10m, 1h)`);
  return durationToMillis(d.value);
}

function applyCommitMessage(run: ApplyRun, plan: Plan, reportFiles: number, shard?: ShardSpec): string {
  const counts = new Map<string, number>();
  for (const h of run.result.hosts) counts.set(h.status, (counts.get(h.status) ?? 0) + 1);
  const outcome = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([st, n]) => `${n} ${st}`);
  const digest = plan.inputsDigest.slice(0, 'sha256:'.length + 12);
  return [
    `patchctl apply run ${run.result.runId}${shard ? ` of shard ${formatShard(shard)}` : ''} (plan ${digest}): ${outcome.join(', ') || 'no host started'}` +
      (run.result.halted ? ', halted' : ''),
    '',
    `Run: ${run.result.runId}`,
    `Plan: ${plan.inputsDigest}`,
    `Journal: ${run.journalFile ?? 'none (no host started)'}`,
    ...(run.result.halted ? [`Halted: ${run.result.reason ?? 'see the journal'}`] : []),
    `Report files: ${reportFiles}`,
    '',
  ].join('\n');
}

function jsonResult(
  run: ApplyRun,
): ApplyResult & { journal: string | null; plan: string | null; resumed: string[] } {
  return {
    ...run.result,
    journal: run.journalFile ?? null,
    plan: run.planFile ?? null,
    resumed: run.resumed,
  };
}

function summary(run: ApplyRun, color: boolean): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const counts = new Map<string, number>();
  for (const h of run.result.hosts) counts.set(h.status, (counts.get(h.status) ?? 0) + 1);
  const parts = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([s, n]) => `${n} ${s}`);
  const lines = [
    `${c.bold('Apply')} ${run.result.runId}: ${parts.join(', ') || 'no host started'}${
      run.skipped.size > 0 ? ` (${run.skipped.size} host(s) done by earlier runs of this plan)` : ''
    }.`,
  ];
  if (run.lockTakenOverFrom)
    lines.push(`Took over the repository lock of ${run.lockTakenOverFrom}: its process is gone.`);
  if (run.result.halted) lines.push(c.red(`Halted: ${run.result.reason ?? 'see above'}.`));
  for (const r of run.result.rings)
    if (r.status === 'waiting' || r.status === 'not-started')
      lines.push(c.yellow(`Ring ${r.ring}: ${r.reason ?? r.status}.`));
  lines.push(
    run.journalFile === undefined
      ? 'No journal: the run started no host (nothing was written under state/runs/).'
      : `Journal: ${run.journalFile}`,
  );
  if (run.stateFiles.length > 0)
    lines.push(
      `Host state updated: ${run.stateFiles.length} file(s) in ${path.posix.dirname(run.stateFiles[0] ?? 'state/hosts/x')}/`,
    );
  return lines.join('\n');
}
