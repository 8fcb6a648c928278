// One report run, as `patchctl report` and the end of `apply` do it: compute, check that a
// requested commit can happen (before anything is written), write the files, commit and push
// exactly those files.
import type { DateTime } from 'luxon';
import type { ComplianceReport } from '../core/report/types.js';
import type { CommitOutcome, PreparedCommit } from './git-commit.js';
import { commitFiles } from './git-commit.js';
import { gitAuthorOf, prepareRepositoryCommit, repoPath } from './repo-commit.js';
import type { ReportFormat } from './write-report.js';
import { computeReport, renderReportFiles, writeReportFiles } from './write-report.js';

export interface ReportRunOptions {
  dir: string;
  at: DateTime;
  formats: readonly ReportFormat[];
  env?: Readonly<Record<string, string | undefined>>;
  commit?: { push: boolean };
}

export interface ReportRun {
  report: ComplianceReport;
  /** Absolute paths written, sorted. */
  files: string[];
  warnings: string[];
  commit?: CommitOutcome;
  author?: { name: string; email: string };
}

export function runReport(options: ReportRunOptions): ReportRun {
  const { dir } = options;
  const computed = computeReport(dir, options.at, options.env ?? process.env);
  const { report, repository, reportsDir } = computed;
  let prepared: PreparedCommit | undefined;
  if (options.commit) {
    prepared = prepareRepositoryCommit(dir, repository, computed.inputFiles, options.commit.push);
  }
  const files = writeReportFiles(renderReportFiles(report, reportsDir, options.formats));
  if (!prepared || !options.commit) return { report, files, warnings: computed.warnings };
  const author = gitAuthorOf(repository);
  const commit = commitFiles(
    prepared,
    {
      files,
      message: commitMessage(
        report,
        files.map((f) => repoPath(dir, f)),
      ),
      author,
    },
    { push: options.commit.push },
  );
  return { report, files, warnings: computed.warnings, commit, author };
}

/** Names the day, the figure, the latest apply run and its plan digest, then every file. */
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
    '',
    'Files:',
    ...files.map((f) => `  ${f}`),
  ];
  return `${subject}\n\n${body.join('\n')}\n`;
}

function short(digest: string): string {
  return digest.startsWith('sha256:') ? digest.slice(0, 'sha256:'.length + 12) : digest;
}
