// reports/compliance.csv for spreadsheets (RFC 4180, CRLF line ends): one row per host and
// missing or excepted update, and one row for a host with neither, so that a pivot over
// `host` and `state` counts every host exactly once via the `host_row` column.
import { csvField, csvRecords } from '../core/text/report-cells.js';
import type { CsvValue } from '../core/text/report-cells.js';
import type {
  ComplianceReport,
  ExceptedUpdate,
  HostCompliance,
  MissingUpdate,
} from '../core/report/types.js';

export const CSV_COLUMNS = [
  'host',
  'state',
  'host_row',
  'rollout',
  'ring',
  'site',
  'groups',
  'reason',
  'scanned_at',
  'update_status',
  'package',
  'arch',
  'from',
  'to',
  'classification',
  'severity',
  'advisories',
  'emergency',
  'released_at',
  'age_days',
  'sla',
  'due_date',
  'sla_breached',
  'overdue_days',
  'why',
  'detail',
  'exception',
  'exception_expires',
  // Added with the schedule figures: last, so that earlier columns keep their places.
  'host_track',
  'update_track',
  'missed_window',
  // Added with the vulnerability feeds (docs/vulnerabilities.md): the update's risk tier and
  // which clock set its due date (severity, unknown, kev).
  'tier',
  'sla_source',
] as const;

type Row = Record<(typeof CSV_COLUMNS)[number], CsvValue>;

/** The report as CSV, written by csv-stringify with formula protection (report-cells.ts). */
export function renderComplianceCsv(report: ComplianceReport): string {
  const records: CsvValue[][] = [[...CSV_COLUMNS]];
  for (const h of report.hosts) {
    const rows = [...h.missing.map((m) => missingRow(h, m)), ...h.excepted.map((e) => exceptedRow(h, e))];
    if (rows.length === 0) rows.push(hostColumns(h));
    rows.forEach((row, i) => {
      row.host_row = i === 0 ? 1 : 0;
      records.push(CSV_COLUMNS.map((c) => row[c]));
    });
  }
  return csvRecords(records);
}

function hostColumns(h: HostCompliance): Row {
  const empty = Object.fromEntries(CSV_COLUMNS.map((c) => [c, null])) as Row;
  return {
    ...empty,
    host: h.host,
    state: h.state,
    rollout: h.rollout,
    ring: h.ring,
    site: h.site,
    groups: h.groups.join(' '),
    reason: h.reason,
    scanned_at: h.scannedAt,
    host_track: h.track,
  };
}

function missingRow(h: HostCompliance, m: MissingUpdate): Row {
  return {
    ...hostColumns(h),
    update_status: 'missing',
    package: m.package,
    arch: m.arch ?? null,
    from: m.from,
    to: m.to,
    classification: m.classification,
    severity: m.severity,
    advisories: m.advisories.join(' '),
    emergency: m.emergency,
    released_at: m.releasedAt,
    age_days: m.ageDays,
    sla: m.sla,
    due_date: m.dueDate,
    sla_breached: m.breached,
    overdue_days: m.overdueDays,
    why: m.why,
    detail: m.detail,
    update_track: m.track,
    missed_window: m.missedWindow
      ? `${m.missedWindow.name} ${m.missedWindow.start}/${m.missedWindow.end}`
      : null,
    tier: m.tier,
    sla_source: m.slaSource,
  };
}

function exceptedRow(h: HostCompliance, e: ExceptedUpdate): Row {
  return {
    ...hostColumns(h),
    update_status: 'excepted',
    package: e.package,
    to: e.to,
    severity: e.severity,
    advisories: e.advisories.join(' '),
    exception: e.exception,
    exception_expires: e.expires ?? null,
    tier: e.tier,
  };
}

/**
 * One field (src/core/text/report-cells.ts): control characters made visible, a leading
 * apostrophe on text a spreadsheet would run as a formula (=, +, -, @, tab, CR first, also after
 * blanks; a number keeps its sign), quoted when needed: host names, versions and error texts
 * come from outside.
 */
export function field(value: CsvValue): string {
  return csvField(value);
}
