// One report run, as `patchctl report` and the end of `apply` do it: compute, check that a
// requested commit can happen (before anything is written), write the files, commit and push
// exactly those files.
import type { DateTime } from 'luxon';
import type { ComplianceReport } from '../core/report/types.js';
import type { Repository } from '../core/model/repository.js';
import type { PreviousReport } from '../core/notify/report-events.js';
import { readPreviousReport } from './notify/previous-report.js';
import type { CommitOutcome, PreparedCommit } from './git-commit.js';
import { commitFiles } from './git-commit.js';
import { loadRepository } from './load-repo.js';
import { gitAuthorOf, prepareRepositoryCommit, repoPath } from './repo-commit.js';
import type { StateMerge } from './shard-state.js';
import { foldShardProgress, mergeStateFrom } from './shard-state.js';
import type { ReportFormat } from './write-report.js';
import { computeReport, renderReportFiles, writeReportFiles } from './write-report.js';

export interface ReportRunOptions {
  dir: string;
  at: DateTime;
  formats: readonly ReportFormat[];
  env?: Readonly<Record<string, string | undefined>>;
  commit?: { push: boolean };
  /** Shard checkouts (or their state folders) whose state is merged in first (`--merge`). */
  mergeFrom?: readonly string[];
  /**
   * Gets the report once written, with what the report it replaced showed (docs/notifications.md:
   * the CLI passes the webhooks' sink, engine/notify/run-notifications.ts). It only queues.
   */
  notify?: (
    report: ComplianceReport,
    previous: PreviousReport | undefined,
    at: DateTime,
    repository: Repository,
  ) => void;
}

export interface ReportRun {
  report: ComplianceReport;
  /** Absolute paths written, sorted. */
  files: string[];
  /** State files taken from the shards (`--merge`) or rewritten by folding their ring progress. */
  stateFiles: string[];
  /** Shard progress files folded in and removed. */
  removed: string[];
  /** Rollout progress files the fold rewrote. */
  folded: string[];
  /** What `--merge` brought in from each source. */
  merged?: StateMerge['sources'];
  warnings: string[];
  commit?: CommitOutcome;
  author?: { name: string; email: string };
}

export function runReport(options: ReportRunOptions): ReportRun {
  const { dir } = options;
  const sources = options.mergeFrom ?? [];
  let prepared: PreparedCommit | undefined;
  let merged: StateMerge | undefined;
  if (sources.length > 0) {
    // The shards' state comes in before the report is computed from it; git is checked first.
    const { repository, inputs } = loadRepository(dir, { at: options.at, tolerate: ['exception-expired'] });
    if (options.commit)
      prepared = prepareRepositoryCommit(dir, repository, inputs.keys(), options.commit.push);
    merged = mergeStateFrom(dir, repository, sources);
  }
  const computed = computeReport(dir, options.at, options.env ?? process.env);
  const { report, repository, reportsDir } = computed;
  if (options.commit && !prepared) {
    prepared = prepareRepositoryCommit(dir, repository, computed.inputFiles, options.commit.push);
  }
  // The report already reads the shards' progress merged; folding writes it where people look.
  const fold = foldShardProgress(dir, repository);
  const previous = options.notify ? readPreviousReport(reportsDir) : undefined;
  const files = writeReportFiles(renderReportFiles(report, reportsDir, options.formats));
  options.notify?.(report, previous, options.at, repository);
  // A shard's progress file merged in and then folded is gone: only its removal remains.
  const gone = new Set(fold.removed);
  const stateFiles = [...new Set([...(merged?.written ?? []), ...fold.written])]
    .filter((f) => !gone.has(f))
    .sort();
  const warnings = [...computed.warnings, ...(fold.skipped ? [fold.skipped] : [])];
  const done = {
    report,
    files,
    stateFiles,
    removed: fold.removed,
    folded: fold.written,
    ...(merged ? { merged: merged.sources } : {}),
    warnings,
  };
  if (!prepared || !options.commit) return done;
  const author = gitAuthorOf(repository);
  const commit = commitFiles(
    prepared,
    {
      files: [...stateFiles, ...files],
      removed: fold.removed,
      message: commitMessage(
        report,
        [...stateFiles, ...files].map((f) => repoPath(dir, f)),
      ),
      author,
    },
    { push: options.commit.push },
  );
  return { ...done, commit, author };
}

/** Names the day, the figures, the latest apply run and its plan digest, then every file. */
export function commitMessage(report: ComplianceReport, files: readonly string[]): string {
  const pct =
    report.summary.compliancePercent === null ? 'n/a' : `${report.summary.compliancePercent.toFixed(1)}%`;
  const run = report.lastRun;
  const subject =
    `patchctl report ${report.date}: ${pct} in compliance` +
    (run ? ` (run ${run.runId}, plan ${short(run.planDigest ?? 'unknown')})` : ' (no apply run yet)');
  const body = [
    ...(run ? [`Run: ${run.runId}`, `Plan: ${run.planDigest ?? 'unknown'}`] : []),
    `Inputs: ${report.inputsDigest}`,
    `Hosts: ${report.summary.hosts}; SLA breaches: ${report.summary.slaBreaches}; missing updates: ${report.summary.missingUpdates}`,
    `Schedule: ${report.summary.tracks['on-track']} on track, ${report.summary.tracks.overdue} overdue`,
    '',
    'Files:',
    ...files.map((f) => `  ${f}`),
  ];
  return `${subject}\n\n${body.join('\n')}\n`;
}

function short(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice(0, 'sha256:'.length + 12) : digest;
}
