// The CSV feeds under advisories/ (CISA KEV's CSV form, FIRST EPSS) read row by row with
// csv-parse, every field kept with the line and column it starts at, so that a bad row is a
// diagnostic at file:line:col (docs/vulnerabilities.md) and never a crash.
import type { Options } from 'csv-parse';
import { parse } from 'csv-parse/sync';
import type { Diagnostic, SourcePos } from '../../model/diagnostics.js';

/** One CSV record: its fields and where each starts (a quoted field may span lines). */
export interface CsvRow {
  fields: string[];
  /** Where the record starts. */
  at: SourcePos;
  /** Where each field starts. */
  fieldAt: SourcePos[];
}

/** At most this many bad rows are reported per file; the rest are counted. */
export const MAX_ROW_DIAGNOSTICS = 20;

interface CsvInfo {
  record: string[];
  raw: string;
  info: { lines: number };
}

interface CsvParseError extends Error {
  code?: string;
  lines?: number;
  column?: number | string;
}

/**
 * Reads the records of `text` from line `fromLine` (1-based) on. Empty lines are skipped;
 * records with a CSV syntax error (a stray or unclosed quote) are diagnostics `code`.
 */
export function readCsvRows(
  file: string,
  text: string,
  fromLine: number,
  code: string,
): { rows: CsvRow[]; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  let lastLine = fromLine - 1;
  // One line break, one "\n": csv-parse counts a CRLF inside a quoted field as two lines.
  const normal = text.replace(/\r\n?/g, '\n');
  const lines = normal.split('\n');
  // csv-parse 5 calls `on_skip` for each record skipped with an error; its types omit it.
  const options: Options & { on_skip: (err: CsvParseError | undefined) => void } = {
    // The last good record's end, for an error csv-parse places at the end of the file.
    on_record: (record: unknown, context: { lines: number }) => {
      lastLine = context.lines;
      return record;
    },
    from_line: fromLine,
    info: true,
    raw: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    bom: true,
    on_skip: (err) => {
      if (err) diagnostics.push(csvSyntaxError(file, err, lines, lastLine, code));
    },
  };
  const records = parse(normal, options) as CsvInfo[];
  const rows: CsvRow[] = [];
  for (const r of records) {
    const raw = r.raw.replace(/\n$/, '');
    const startLine = r.info.lines - (raw.match(/\n/g) ?? []).length;
    const fieldAt = fieldStarts(raw).map((offset) => position(file, raw, startLine, offset));
    rows.push({ fields: r.record, at: { file, line: startLine, col: 1 }, fieldAt });
  }
  return { rows, diagnostics };
}

/** Offsets in `raw` where each field starts: commas outside double quotes separate fields. */
function fieldStarts(raw: string): number[] {
  const starts = [0];
  let quoted = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '"')
      quoted = !quoted; // an escaped quote ("") toggles twice
    else if (c === ',' && !quoted) starts.push(i + 1);
  }
  return starts;
}

function position(file: string, raw: string, startLine: number, offset: number): SourcePos {
  const before = raw.slice(0, offset);
  const breaks = (before.match(/\n/g) ?? []).length;
  return { file, line: startLine + breaks, col: offset - before.lastIndexOf('\n') };
}

function csvSyntaxError(
  file: string,
  err: CsvParseError,
  lines: readonly string[],
  lastLine: number,
  code: string,
): Diagnostic {
  if (err.code === 'CSV_QUOTE_NOT_CLOSED') {
    // csv-parse names the end of the file; the quote opened in the record after the last good one.
    const line = Math.min(lastLine + 1, lines.length);
    return {
      severity: 'error',
      code,
      message: 'a quoted field starting in this record is never closed (a quote is missing)',
      at: { file, line, col: 1 },
    };
  }
  const line = err.lines ?? lastLine + 1;
  const field = typeof err.column === 'number' ? err.column : undefined;
  const text = lines[line - 1] ?? '';
  const col = field === undefined ? 1 : (fieldStarts(text)[field] ?? 0) + 1;
  const why =
    err.code === 'INVALID_OPENING_QUOTE'
      ? 'a double quote inside an unquoted field (quote the whole field and double the quote)'
      : (err.message.split(':')[0] ?? 'invalid CSV');
  return { severity: 'error', code, message: `invalid CSV: ${why}`, at: { file, line, col } };
}

/** The diagnostic that says a feed with bad rows is refused as a whole. */
export function feedRefused(file: string, what: string, bad: number, reported: number): Diagnostic {
  const more = bad > reported ? ` (${bad - reported} more not shown)` : '';
  return {
    severity: 'error',
    code: 'feed-not-used',
    message: `${bad} bad ${bad === 1 ? 'row' : 'rows'}${more}: the ${what} is not used at all, as a half-read feed would silently drop CVEs; fix or re-download it (patchctl advisories sync)`,
    at: { file, line: 1, col: 1 },
  };
}

/** `CVE-YYYY-NNNN…`, in any case (stored upper-case). */
export const CVE_ID = /^CVE-[0-9]{4}-[0-9]{4,}$/i;

/** A calendar date as CISA writes them. */
export const ISO_DATE = /^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$/;
