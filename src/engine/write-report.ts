// `patchctl report` (and the end of `apply`): read documents, state, run journals and the
// history of earlier reports; compute the compliance report; render the asked-for formats;
// write them into reports/ (README.md, "Reports"). Everything is rendered before the first file is
// written, and each file is replaced atomically, so a failure leaves the old report whole.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { DateTime } from 'luxon';
import type { Repository } from '../core/model/repository.js';
import { CONFIG_DEFAULTS, configSpec } from '../core/model/repository.js';
import { buildPlan } from '../core/plan/build-plan.js';
import { buildComplianceReport } from '../core/report/compliance.js';
import type { ComplianceReport, HistoryEntry } from '../core/report/types.js';
import { COMPLIANCE_STATES, LATER_STATES } from '../core/report/types.js';
import { checkJsonText } from '../core/state/check-json.js';
import { LocalIoError, PatchctlError, UsageError } from '../errors.js';
import { renderComplianceCsv } from '../render/compliance-csv.js';
import { renderComplianceJunit } from '../render/compliance-junit.js';
import { renderComplianceMarkdown } from '../render/compliance-markdown.js';
import { readJournals } from './apply/journal.js';
import { runsDirOf } from './apply/run-apply.js';
import { writeFileAtomic } from '../platform/atomic-write.js';
import { readPlanInputs } from './make-plan.js';
import { redactorFor } from '../platform/redact.js';
import { readTextSafe } from '../platform/safe-fs.js';
import { bundledSchemas } from './schemas.js';

export type ReportFormat = 'md' | 'json' | 'junit' | 'csv';
export const REPORT_FORMATS: readonly ReportFormat[] = ['md', 'json', 'junit', 'csv'];

/** File names under reports/, one per format. */
export const REPORT_FILES: Record<ReportFormat, string> = {
  md: 'compliance.md',
  json: 'compliance.json',
  junit: 'compliance.xml',
  csv: 'compliance.csv',
};

/** Days of history compliance.json carries (the files under reports/history/ keep all). */
const HISTORY_KEPT = 366;

/** `md,json` → ['md', 'json']; an unknown name is a usage error naming the known ones. */
export function parseReportFormats(text: string): ReportFormat[] {
  const names = text
    .split(',')
    .map((f) => f.trim().toLowerCase())
    .filter((f) => f !== '');
  const aliases: Record<string, ReportFormat> = { markdown: 'md', xml: 'junit' };
  const out: ReportFormat[] = [];
  for (const name of names) {
    const format = aliases[name] ?? name;
    if (!REPORT_FORMATS.includes(format as ReportFormat)) {
      throw new UsageError(
        `--format: "${name}" is not a report format; use a comma-separated list of ${REPORT_FORMATS.join(', ')}`,
      );
    }
    if (!out.includes(format as ReportFormat)) out.push(format as ReportFormat);
  }
  if (out.length === 0) throw new UsageError(`--format: name at least one of ${REPORT_FORMATS.join(', ')}`);
  return out;
}

export interface ComputedReport {
  report: ComplianceReport;
  repository: Repository;
  /** The reports folder, absolute. */
  reportsDir: string;
  /** Every file the report was computed from (documents, advisories, state), relative to the repository. */
  inputFiles: string[];
  /** History files that could not be read (skipped), as messages naming the file. */
  warnings: string[];
}

/** Reads everything under `dir` and computes the report as of `at`. */
export function computeReport(
  dir: string,
  at: DateTime,
  env: Readonly<Record<string, string | undefined>> = process.env,
): ComputedReport {
  // Expired exceptions waive nothing; the report lists them instead of refusing to run.
  const { repository, state, digest } = readPlanInputs(dir, at, { tolerate: ['exception-expired'] });
  const plan = buildPlan({
    repository,
    state,
    at,
    inputsDigest: digest.digest,
    inputs: digest.files,
    gitCommit: null,
  });
  const spec = configSpec(repository);
  const reportsDir = reportsDirOf(dir, repository);
  const { entries, warnings } = readHistory(path.join(reportsDir, 'history'));
  const report = buildComplianceReport({
    repository,
    state,
    plan,
    journals: readJournals(runsDirOf(dir, repository), { within: dir }),
    history: entries.slice(-HISTORY_KEPT),
    at,
    redact: redactorFor(env, [spec.ssh?.passphraseEnv, spec.winrm?.passwordEnv]),
  });
  return { report, repository, reportsDir, inputFiles: Object.keys(digest.files), warnings };
}

export function reportsDirOf(dir: string, repository: Pick<Repository, 'config'>): string {
  return path.resolve(dir, configSpec(repository).paths?.reports ?? CONFIG_DEFAULTS.paths.reports);
}

/** The files a report consists of, absolute path → content; the day's history entry always. */
export function renderReportFiles(
  report: ComplianceReport,
  reportsDir: string,
  formats: readonly ReportFormat[],
): Map<string, string> {
  const files = new Map<string, string>();
  for (const format of REPORT_FORMATS) {
    if (!formats.includes(format)) continue;
    files.set(path.join(reportsDir, REPORT_FILES[format]), renderFormat(report, format));
  }
  const today = report.history.find((e) => e.date === report.date);
  if (today)
    files.set(path.join(reportsDir, 'history', `${report.date}.json`), `${JSON.stringify(today, null, 2)}\n`);
  return files;
}

function renderFormat(report: ComplianceReport, format: ReportFormat): string {
  switch (format) {
    case 'md':
      return renderComplianceMarkdown(report);
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`;
    case 'junit':
      return renderComplianceJunit(report);
    case 'csv':
      return renderComplianceCsv(report);
  }
}

/** Writes every file (each atomically); returns the paths, sorted. */
export function writeReportFiles(files: ReadonlyMap<string, string>): string[] {
  for (const [file, content] of files) writeFileAtomic(file, content);
  return [...files.keys()].sort();
}

/** One day's history entry is a few hundred bytes; a file far larger is not one patchctl wrote. */
const MAX_HISTORY_BYTES = 1024 * 1024;

/**
 * Earlier days' entries, oldest first. patchctl wrote them; a file someone broke by hand is
 * skipped with a warning rather than blocking the report: not JSON, a repeated key, not the
 * schema's (schemas/compliance-history.schema.json), not for the day it is named after, or not a
 * regular file inside the history folder (a FIFO would block the report for ever).
 */
export function readHistory(historyDir: string): { entries: HistoryEntry[]; warnings: string[] } {
  let names: string[];
  try {
    names = readdirSync(historyDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { entries: [], warnings: [] };
    return {
      entries: [],
      warnings: [`${LocalIoError.from(err, 'read', historyDir).message}; history skipped`],
    };
  }
  const entries: HistoryEntry[] = [];
  const warnings: string[] = [];
  const validate = bundledSchemas().validatorForFile('compliance-history.schema.json');
  for (const name of names.sort()) {
    if (!/^\d{4}-\d{2}-\d{2}\.json$/.test(name)) continue;
    const file = path.join(historyDir, name);
    let text: string;
    try {
      text = readTextSafe(file, { maxBytes: MAX_HISTORY_BYTES, within: historyDir });
    } catch (err) {
      if (!(err instanceof PatchctlError)) throw err;
      warnings.push(`${err.message}; skipped`);
      continue;
    }
    const r = checkJsonText(file, text, validate, { code: 'invalid-history', maxReported: 1 });
    const problem = r.diagnostics[0];
    if (problem) {
      const at = problem.at ? `${problem.at.file}:${problem.at.line}:${problem.at.col}` : file;
      warnings.push(`${at}: ${problem.message}; skipped`);
      continue;
    }
    const value = r.value;
    if (!isHistoryEntry(value) || value.date !== name.slice(0, 10)) {
      warnings.push(`${file}: not a report history entry for ${name.slice(0, 10)}; skipped`);
      continue;
    }
    entries.push(withLaterStates(value));
  }
  return { entries, warnings };
}

/** An entry written before `unsupported` and `never-scanned` existed counts none of them. */
function withLaterStates(entry: HistoryEntry): HistoryEntry {
  if (COMPLIANCE_STATES.every((s) => typeof entry.states[s] === 'number')) return entry;
  const states = { ...entry.states };
  for (const s of LATER_STATES) states[s] ??= 0;
  // Keep the documented order of the states.
  return {
    ...entry,
    states: Object.fromEntries(COMPLIANCE_STATES.map((s) => [s, states[s]])) as HistoryEntry['states'],
  };
}

function isHistoryEntry(value: unknown): value is HistoryEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const states = v.states as Record<string, unknown> | undefined;
  return (
    v.formatVersion === 1 &&
    typeof v.date === 'string' &&
    typeof v.hosts === 'number' &&
    typeof states === 'object' &&
    states !== null &&
    COMPLIANCE_STATES.every(
      (s) => typeof states[s] === 'number' || (LATER_STATES.has(s) && states[s] === undefined),
    ) &&
    (v.compliancePercent === null || typeof v.compliancePercent === 'number') &&
    typeof v.missingUpdates === 'number' &&
    typeof v.slaBreaches === 'number' &&
    typeof v.emergencyMissing === 'number'
  );
}
