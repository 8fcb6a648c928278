// FIRST's EPSS scores (docs/vulnerabilities.md): `epss_scores-current.csv` (uncompressed), a
// first line `#model_version:v2026.06.15,score_date:2026-09-29T12:00:22Z`, then the header
// `cve,epss,percentile` and one row per CVE. Older files have no first line.
import type { Diagnostic } from '../../model/diagnostics.js';
import type { EpssScore, EpssScores } from '../types.js';
import { CVE_ID, MAX_ROW_DIAGNOSTICS, feedRefused, readCsvRows } from './csv-rows.js';

const HEADER = 'cve,epss,percentile';

/** Whether a text is an EPSS CSV (by its first line). */
export function isEpssCsv(text: string): boolean {
  const first = firstLine(text);
  return first.startsWith('#model_version:') || first.trim() === HEADER;
}

/** A decimal number as EPSS writes them (`0.03351`, `1.2e-05`). */
const NUMBER = /^[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;
/** An ISO 8601 instant or date, as score_date is written. */
const INSTANT =
  /^[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}:?[0-9]{2})?)?$/;

/**
 * Parses an EPSS CSV. Every bad row (not three fields, not a CVE id, a score or percentile that
 * is not a number from 0 to 1) is an error at its line and column, and a file with any bad row
 * gives no scores at all.
 */
export function parseEpssCsv(file: string, text: string): { scores?: EpssScores; diagnostics: Diagnostic[] } {
  const bad: Diagnostic[] = [];
  const error = (message: string, line: number, col = 1) =>
    bad.push({ severity: 'error', code: 'invalid-epss-row', message, at: { file, line, col } });
  let modelVersion: string | null = null;
  let scoreDate: string | null = null;
  let headerLine = 1;
  const first = firstLine(text);
  if (first.startsWith('#')) {
    headerLine = 2;
    let col = 2;
    for (const part of first.slice(1).split(',')) {
      const colon = part.indexOf(':');
      const key = colon < 0 ? part : part.slice(0, colon);
      const value = colon < 0 ? '' : part.slice(colon + 1).trim();
      if (key === 'model_version') modelVersion = value || null;
      if (key === 'score_date') {
        if (INSTANT.test(value)) scoreDate = value;
        else
          error(`score_date ${JSON.stringify(value)} is not an ISO 8601 date or instant`, 1, col + colon + 1);
      }
      col += part.length + 1;
    }
  }
  const { rows, diagnostics: syntax } = readCsvRows(file, text, headerLine, 'invalid-epss-row');
  bad.push(...syntax);
  const header = rows[0];
  if (!header || header.fields.join(',').trim() !== HEADER) {
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'invalid-epss-row',
          message: `not an EPSS CSV: expected the header "${HEADER}"${headerLine === 2 ? ' after the #model_version line' : ''}`,
          at: header?.at ?? { file, line: headerLine, col: 1 },
        },
      ],
    };
  }
  const scores = new Map<string, EpssScore>();
  for (const row of rows.slice(1)) {
    const [cve = '', epss = '', percentile = ''] = row.fields;
    const at = (i: number) => row.fieldAt[i] ?? row.at;
    if (row.fields.length !== 3) {
      error(`the row has ${row.fields.length} fields, expected 3 (${HEADER})`, row.at.line, row.at.col);
    } else if (!CVE_ID.test(cve)) {
      error(`${JSON.stringify(cve)} is not a CVE id (CVE-YYYY-NNNN)`, at(0).line, at(0).col);
    } else if (!probability(epss)) {
      error(`epss ${JSON.stringify(epss)} is not a probability from 0 to 1`, at(1).line, at(1).col);
    } else if (!probability(percentile)) {
      error(`percentile ${JSON.stringify(percentile)} is not a number from 0 to 1`, at(2).line, at(2).col);
    } else {
      scores.set(cve.toUpperCase(), { epss: Number(epss), percentile: Number(percentile) });
    }
  }
  if (bad.length > 0) {
    const shown = bad.slice(0, MAX_ROW_DIAGNOSTICS);
    return { diagnostics: [...shown, feedRefused(file, 'EPSS file', bad.length, shown.length)] };
  }
  return { scores: { file, modelVersion, scoreDate, scores }, diagnostics: [] };
}

function probability(text: string): boolean {
  if (!NUMBER.test(text)) return false;
  const n = Number(text);
  return Number.isFinite(n) && n >= 0 && n <= 1;
}

function firstLine(text: string): string {
  const t = text.replace(/^\uFEFF/, '');
  const end = t.search(/\r\n|\n|\r/);
  return end < 0 ? t : t.slice(0, end);
}
