import path from 'node:path';
import { Command } from 'commander';
import { comparePlans } from '../../core/plan/compare-plans.js';
import { shardCountProblem, withShards } from '../../core/plan/shards.js';
import { isHostKeyChangedNote } from '../../core/plan/types.js';
import { makePlan } from '../../engine/make-plan.js';
import { UsageError } from '../../errors.js';
import { readPlanFile, serialisePlan, writePlanFile } from '../../engine/plan-file.js';
import { renderPlanMarkdown } from '../../render/plan-markdown.js';
import { count, renderPlanText, unknownHostsPhrase } from '../../render/plan-text.js';
import type { WindowZones } from '../../render/window-time.js';
import { windowZonesOf } from '../../render/window-time.js';
import type { RawCommon } from '../common-options.js';
import {
  addAtOption,
  addCommonOptions,
  checkRingOption,
  commonOptions,
  HOSTS_OPTION_HELP,
  HOSTS_SYNTAX_HELP,
  parseAt,
  resolveHostsOption,
} from '../common-options.js';
import { EXIT_CHANGES, EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import type { PlanSummary } from '../../core/plan/types.js';
import type { Io } from '../io.js';
import { appendToJobSummary } from './report.js';
import { changesWhatIsDone, warnWhatChanges } from '../acting-warnings.js';

interface RawPlan extends RawCommon {
  at?: string;
  out?: string;
  detailedExitcode?: boolean;
  ring?: string;
  hosts?: string;
  compare?: string;
  shards?: string;
  summary?: boolean;
}

export function planCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('plan')
    .description('show what apply would do: per ring and host, the upgrades, reboots and skipped updates')
    .option('--out <file>', 'also save the plan (JSON) for `patchctl apply <file>`')
    .option(
      '--detailed-exitcode',
      'exit 2 when the plan has changes; without changes, 1 when hosts of the selection are unknown (never scanned, unreachable, unsupported), else 0',
    )
    .option('--ring <ring>', 'only this ring')
    .option('--hosts <list>', HOSTS_OPTION_HELP)
    .option(
      '--summary',
      'text: per ring only counts (hosts with work, updates, KEV and emergency updates, reboots, skips by reason), no host lines; for large fleets',
    )
    .option('--shards <n>', 'split the hosts into N shards for `apply --shard i/N` (CI matrix jobs)')
    .option(
      '--compare <base-plan.json>',
      'show the effect of this change against a saved plan (text and markdown; json stays the plan alone)',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ patchctl plan -C ops/patching
  $ patchctl plan --at 2026-12-11T21:00:00Z --ring canary
  $ patchctl plan --hosts 'fra-web-*,databases,!fra-db-01'
  $ patchctl plan --format markdown > plan.md          # a pull-request comment
  $ patchctl plan --out plan.json --detailed-exitcode  # CI: exit 2 when there is work
  $ patchctl plan --shards 4 --out plan.json           # then apply --shard 1/4 plan.json, …
  $ patchctl plan --summary                            # a large fleet: counts per ring
  $ patchctl plan -q --out plan.json --detailed-exitcode  # CI: the plan, nothing else

${HOSTS_SYNTAX_HELP}
Ring order holds whatever is selected.
--ring names a ring of a rollout (or unassigned); an unknown one, or a ring with none of the
selected hosts, is an error.

Window times are shown in each window's own zone next to UTC:
\`window monthly 2026-12-08 02:00 → 06:00 Europe/Berlin (01:00 → 05:00 UTC)\`.

--summary (text) prints per ring the count of hosts with work, updates (how many KEV or
emergency), reboots, other hosts by state and skipped updates by reason, without host lines;
--format json and markdown are unchanged by it.

-q prints the plan (in the chosen format) and errors, nothing else: no "Saved the plan" line,
no --verbose warnings. Warnings that change what is done (an expired exception) and a changed
host key are still said on stderr. The exit status is the result for scripts
(--detailed-exitcode).

--shards N gives each host a shard (round-robin by name inside each ring: it depends only on
ring membership, so every job computes the same split) and counts per shard.

Pull-request review: what the change skips or unblocks, compared with the base branch
(use the same --at for both plans, or the comparison also shows what time changed):
  $ git worktree add ../base "$BASE_SHA"
  $ patchctl plan -C ../base --at "$AT" --out base-plan.json
  $ patchctl plan --at "$AT" --format markdown --compare base-plan.json > comment.md
--compare adds an "Effect of this change" section to the text and markdown output;
--format json still prints the plan document alone, unchanged.

Exit status: 0 no changes (or changes without --detailed-exitcode), 2 changes with
--detailed-exitcode, 3 invalid configuration or state, 1 other failures. With
--detailed-exitcode, a plan without changes exits 1 (not 0) when hosts of the selection are
unknown: never scanned, unreachable, unsupported (a transport or package manager this version
cannot drive) or their last scan failed; stderr says how many of each. "No changes" is never
said about hosts patchctl knows nothing about.`,
    );
  addCommonOptions(cmd, ['text', 'json', 'markdown']);
  addAtOption(cmd);
  cmd.action((raw: RawPlan) => {
    const opts = commonOptions(raw, io);
    const at = parseAt(raw.at, io);
    // Read before planning: a bad base plan fails before --out writes anything.
    const base = raw.compare !== undefined ? readPlanFile(path.resolve(io.cwd, raw.compare)) : undefined;
    const shards = raw.shards === undefined ? undefined : parseShardCount(raw.shards);
    // Names are checked against the repository the plan reads (common-options.ts).
    let zones: WindowZones = new Map();
    const made = makePlan(opts.dir, at, (repository) => {
      zones = windowZonesOf(repository);
      checkRingOption(raw.ring, repository);
      const hosts = resolveHostsOption(raw.hosts, repository);
      return { ...(raw.ring !== undefined ? { ring: raw.ring } : {}), ...(hosts ? { hosts } : {}) };
    });
    if (raw.ring !== undefined && made.plan.rings.length === 0)
      throw new UsageError(
        raw.hosts !== undefined
          ? `--ring ${raw.ring} --hosts ${JSON.stringify(raw.hosts)}: none of the selected hosts is in ring ${raw.ring}`
          : `ring ${raw.ring} has no hosts`,
      );
    const warnings = made.warnings;
    warnWhatChanges(io, warnings, opts.color); // expired exceptions: always said (acting-warnings.ts)
    const plan = shards === undefined ? made.plan : withShards(made.plan, shards);
    const comparison = base ? comparePlans(base, plan) : undefined;
    let rendered: string | undefined;
    const markdown = (): string =>
      (rendered ??= renderPlanMarkdown(plan, { zones, ...(comparison ? { comparison } : {}) }));
    if (raw.out) writePlanFile(path.resolve(io.cwd, raw.out), plan);
    switch (opts.format) {
      case 'json':
        io.stdout(serialisePlan(plan));
        break;
      case 'markdown':
        io.stdout(markdown());
        break;
      default:
        if (opts.verbose && !opts.quiet)
          for (const w of warnings.filter((d) => !changesWhatIsDone(d)))
            io.stderr(`warning ${w.code}: ${w.message}\n`);
        io.stdout(
          renderPlanText(plan, {
            color: opts.color,
            zones,
            ...(raw.summary === true ? { summary: true } : {}),
            ...(comparison ? { comparison } : {}),
          }),
        );
        if (raw.out && !opts.quiet)
          io.stdout(`\nSaved the plan to ${raw.out}; apply it with: patchctl apply ${raw.out}\n`);
    }
    // A changed host key may be an interception: said on stderr whatever the format (the exit
    // status stays the plan's; apply fails on it).
    for (const ring of plan.rings)
      for (const h of ring.hosts)
        if (isHostKeyChangedNote(h.note))
          io.stderr(
            `warning host-key-changed: ${h.host}: its host key changed since it was pinned in known_hosts (possible interception); verify the host's new key out of band, then update known_hosts\n`,
          );
    // In GitHub Actions the plan also goes to the job summary.
    if (io.env.GITHUB_STEP_SUMMARY && io.env.GITHUB_ACTIONS === 'true') appendToJobSummary(io, markdown());
    const changes = plan.summary.updates + plan.summary.reboots > 0;
    setExit(detailedExit(raw.detailedExitcode === true, changes, plan.summary, io));
  });
  return cmd;
}

function parseShardCount(text: string): number {
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN;
  const problem = shardCountProblem(n);
  if (problem) throw new UsageError(`--shards "${text}": ${problem}`);
  return n;
}

/**
 * The exit status of `plan`: with --detailed-exitcode, 2 for changes; without changes, 1 when
 * hosts of the selection are unknown (CI must not read "all good" about hosts patchctl knows
 * nothing about: README "The plan"), said on stderr; else 0.
 */
function detailedExit(detailed: boolean, changes: boolean, summary: PlanSummary, io: Io): number {
  if (!detailed) return EXIT_OK;
  if (changes) return EXIT_CHANGES;
  const unknown = unknownHostsPhrase(summary);
  if (unknown === undefined) return EXIT_OK;
  io.stderr(
    `error unknown-hosts: no changes planned, but patchctl knows nothing current about ${count(unknown.hosts, 'host')} of the selection (${unknown.phrase}): each host's note in the plan says why\n`,
  );
  return EXIT_FAILURE;
}
