import { appendFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import type { ReportRun } from '../../engine/report-run.js';
import { redactOutput } from '../../platform/redact.js';
import { repoPath } from '../../engine/repo-commit.js';
import { runReport } from '../../engine/report-run.js';
import type { RunNotifications } from '../../engine/notify/run-notifications.js';
import { runNotifications } from '../../engine/notify/run-notifications.js';
import type { ReportFormat } from '../../engine/write-report.js';
import { parseReportFormats, REPORT_FILES, REPORT_FORMATS } from '../../engine/write-report.js';
import type { ComplianceReport } from '../../core/report/types.js';
import { renderComplianceMarkdown } from '../../render/compliance-markdown.js';
import { loadRepository } from '../../engine/load-repo.js';
import { renderSelectedHostsText } from '../../render/selected-hosts-text.js';
import {
  addAtOption,
  HOSTS_SYNTAX_HELP,
  parseAt,
  REPOSITORY_OPTION_HELP,
  repositoryDir,
  resolveHostsOption,
} from '../common-options.js';
import { EXIT_OK } from '../exit-codes.js';
import type { Io } from '../io.js';

interface RawReport {
  directory?: string;
  format?: string;
  at?: string;
  commit?: boolean;
  push?: boolean;
  merge?: string[];
  hosts?: string;
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export function reportCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('report')
    .description(
      'write the compliance report into reports/: per-host state, SLA breaches, evidence, exceptions, rollout progress',
    )
    .option('-C, --directory <dir>', REPOSITORY_OPTION_HELP)
    .option(
      '--format <list>',
      `report files to write, comma-separated: ${REPORT_FORMATS.map((f) => `${f} (${REPORT_FILES[f]})`).join(', ')}`,
      REPORT_FORMATS.join(','),
    )
    .option('--commit', 'commit exactly the files written (author: Config git.authorName/authorEmail)')
    .option('--push', 'push that commit (implies --commit)')
    .option(
      '--merge <dir...>',
      'first take in the state of shard jobs (`apply --shard i/N`): their checkouts or state folders',
    )
    .option(
      '--hosts <list>',
      "also print these hosts' states: names, globs (web-*) and group names, comma-separated; !NAME leaves out (the files stay the fleet's)",
    )
    .option('--no-color', 'never colour the output (NO_COLOR does the same)')
    .option('-q, --quiet', 'print only errors')
    .option('-v, --verbose', 'print more detail');
  addAtOption(cmd);
  cmd.addHelpText(
    'after',
    `
Examples:
  $ patchctl report -C ops/patching
  $ patchctl report --format md,json --commit --push      # CI after apply or a nightly scan
  $ patchctl report --at 2026-12-01T00:00:00Z             # SLA clocks and exceptions as of then
  $ patchctl report --hosts 'fra-*,!fra-ws-*'            # the fleet's files; print these hosts too
  $ patchctl report --merge shard-1 shard-2 shard-3 --commit   # after the jobs of apply --shard i/3

Host states: compliant, missing, pending-reboot, failed, excepted, unreachable, not-applicable.
reports/history/<date>.json keeps each day's figures for the trend chart. The files depend only
on the inputs and the day, so a second run with nothing changed writes the same bytes and
--commit makes no commit. --commit refuses (before writing anything) when documents have
uncommitted changes, something unrelated is staged, or a merge or rebase is in progress.

--hosts prints, after the summary, the selected hosts' compliance and one line per host (state
and why). The files in reports/ always describe the whole fleet: never a part of it that would
read as the fleet.
${HOSTS_SYNTAX_HELP}

Shards: --merge takes what each shard job wrote (its checkout, or its state folder) into this
repository's state folder: per host the latest scan, every run journal, every shard's ring
progress. Conflicting or invalid files stop it before anything is written. Then, as every
report does when no shard is running here, the shards' ring progress (state/rollouts/shards/)
is folded into state/rollouts/<rollout>.json. --commit also commits those state files.

Exit status: 0 report written, 1 the commit or push failed, 3 invalid configuration or state.`,
  );
  // Webhooks (docs/notifications.md): SLA breaches and expiring exceptions that the report on file
  // did not show yet. Delivery failures are warnings, never the exit code.
  const notices: { current?: RunNotifications } = {};
  const warnNotice = (line: string): void => io.stderr(`patchctl: warning: ${line}\n`);
  cmd.action(async (raw: RawReport) => {
    try {
      reportAction(raw);
    } finally {
      for (const w of (await notices.current?.close()) ?? []) warnNotice(w);
    }
  });
  const reportAction = (raw: RawReport): void => {
    const dir = repositoryDir(raw.directory, io, raw.quiet === true);
    const formats: ReportFormat[] = parseReportFormats(raw.format ?? REPORT_FORMATS.join(','));
    const at = parseAt(raw.at, io);
    const commit = raw.commit === true || raw.push === true;
    // Checked before anything is written (common-options.ts); expired exceptions are listed by
    // the report, not refused (write-report.ts computeReport).
    const selected =
      raw.hosts === undefined
        ? undefined
        : resolveHostsOption(
            raw.hosts,
            loadRepository(dir, { at, tolerate: ['exception-expired'] }).repository,
          );
    const run = runReport({
      dir,
      at,
      formats,
      env: io.env,
      ...(raw.merge && raw.merge.length > 0
        ? { mergeFrom: raw.merge.map((d) => path.resolve(io.cwd, d)) }
        : {}),
      ...(commit ? { commit: { push: raw.push === true } } : {}),
      notify: (report, previous, when, repository) => {
        notices.current = runNotifications(repository, io.env, warnNotice);
        notices.current?.reportWritten(report, previous, when);
      },
    });
    if (raw.verbose && !raw.quiet) for (const w of run.warnings) io.stderr(`warning: ${w}\n`);
    if (!raw.quiet) io.stdout(reportSummaryText(run, dir));
    if (!raw.quiet && selected !== undefined)
      io.stdout(renderSelectedHostsText(run.report, selected, `--hosts ${JSON.stringify(raw.hosts)}`));
    appendJobSummary(io, run.report);
    setExit(EXIT_OK);
  };
  return cmd;
}

/** In GitHub Actions the headline, charts and SLA breaches also go to the job summary. */
export function appendJobSummary(io: Io, report: ComplianceReport): void {
  appendToJobSummary(io, renderComplianceMarkdown(report, { summaryOnly: true, rows: 20 }));
}

/**
 * Appends Markdown to the GitHub Actions job summary (GITHUB_STEP_SUMMARY), when there is one.
 * Like every output, it passes the redaction layer first: the summary is shown to everyone who
 * can read the run (docs/security.md). The renderers already made host text inert Markdown.
 */
export function appendToJobSummary(io: Io, markdown: string): void {
  const summary = io.env.GITHUB_STEP_SUMMARY;
  if (summary && io.env.GITHUB_ACTIONS === 'true') appendFileSync(summary, redactOutput(`${markdown}\n`));
}

/** What the report says, in three lines, and where it went. */
export function reportSummaryText(run: ReportRun, dir: string): string {
  const s = run.report.summary;
  const pct = s.compliancePercent === null ? 'n/a' : `${s.compliancePercent.toFixed(1)}%`;
  const inScope = s.hosts - s.states['not-applicable'];
  const notOk = (
    ['missing', 'failed', 'unreachable', 'pending-reboot', 'unsupported', 'never-scanned'] as const
  )
    .filter((k) => s.states[k] > 0)
    .map((k) => `${s.states[k]} ${k}`);
  const onTrack = s.onTrackPercent === null ? 'n/a' : `${s.onTrackPercent.toFixed(1)}%`;
  const lines = [
    `Compliance ${run.report.date}: ${pct} of hosts in compliance (${s.states.compliant + s.states.excepted} of ${inScope})` +
      (notOk.length > 0 ? `; ${notOk.join(', ')}` : ''),
    `Schedule: ${onTrack} in compliance or on track; ${s.tracks['on-track']} on track, ${s.tracks.overdue} overdue, ` +
      `${s.tracks['needs-attention']} needing attention, ${s.tracks.unknown} unknown (unsupported or never scanned)`,
    `SLA breaches: ${s.slaBreaches}${s.emergencyMissing > 0 ? ` · missing emergency (KEV) updates: ${s.emergencyMissing}` : ''}` +
      ` · pending reboot: ${s.hostsPendingReboot} · exceptions: ${s.exceptions.active} active, ` +
      `${s.exceptions.expiring} expiring, ${s.exceptions.expired} expired`,
    ...(run.merged
      ? run.merged.map(
          (m) =>
            `Merged from ${path.relative(dir, m.dir) || '.'}: ${m.hosts} host state file(s), ${m.runs} run file(s), ${m.rollouts} ring progress file(s)`,
        )
      : []),
    ...(run.removed.length > 0
      ? [
          `Folded ${run.removed.length} shard ring-progress file(s) into ${run.folded.map((f) => repoPath(dir, f)).join(', ') || 'the rollout files'}`,
        ]
      : []),
    `Wrote ${run.files.map((f) => repoPath(dir, f)).join(', ')}`,
  ];
  const c = run.commit;
  if (c) {
    if (!c.committed) lines.push('Nothing to commit: the report files are unchanged.');
    else {
      const who = run.author ? ` as ${run.author.name} <${run.author.email}>` : '';
      lines.push(`Committed ${c.files.length} files in ${c.commit?.slice(0, 12) ?? '?'}${who}`);
    }
    if (c.pushed) lines.push(`Pushed to ${c.pushedTo ?? 'the remote'}`);
  }
  return `${lines.join('\n')}\n`;
}
