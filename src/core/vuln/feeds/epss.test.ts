import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { isEpssCsv, parseEpssCsv } from './epss.js';

const SLICE = readFileSync(new URL('./__fixtures__/epss_scores-slice.csv', import.meta.url), 'utf8');
const FILE = 'advisories/epss.csv';
const where = (d: { at?: { line: number; col: number }; code: string }[]) =>
  d.map((x) => `${x.at?.line}:${x.at?.col} ${x.code}`);
/** The slice with line `n` (1-based) replaced. */
const withLine = (n: number, text: string) => {
  const lines = SLICE.split('\n');
  lines[n - 1] = text;
  return lines.join('\n');
};

describe('EPSS CSV', () => {
  it('reads the real slice: model version, score date and all 1053 scores', () => {
    expect(isEpssCsv(SLICE)).toBe(true);
    const { scores, diagnostics } = parseEpssCsv(FILE, SLICE);
    expect(diagnostics).toEqual([]);
    expect(scores?.modelVersion).toBe('v2026.06.15');
    expect(scores?.scoreDate).toBe('2026-09-29T12:00:22Z');
    expect(scores?.scores.size).toBe(1053);
    expect(scores?.scores.get('CVE-1999-0001')).toEqual({ epss: 0.03351, percentile: 0.88255 });
    // Just under the default threshold 0.1 (docs/vulnerabilities.md, "Priority").
    expect(scores?.scores.get('CVE-2021-33909')?.epss).toBe(0.09729);
  });

  it('reads a file without the #model_version line, and scores written with an exponent', () => {
    const { scores, diagnostics } = parseEpssCsv(FILE, 'cve,epss,percentile\ncve-2024-0001,4.2e-04,0.05\n');
    expect(diagnostics).toEqual([]);
    expect(scores?.scoreDate).toBeNull();
    expect(scores?.scores.get('CVE-2024-0001')).toEqual({ epss: 0.00042, percentile: 0.05 });
  });

  it('refuses the whole file for a score outside 0..1, a non-CVE id or a wrong field count, at line:col', () => {
    let text = withLine(3, 'CVE-1999-0001,1.03351,0.88255');
    text = text.replace('CVE-1999-0003,', 'GHSA-1999-0003,');
    text = text.replace('CVE-1999-0004,0.', 'CVE-1999-0004,0.5,0.');
    text = text.replace('CVE-1999-0005,0.', 'CVE-1999-0005,-0.');
    const { scores, diagnostics } = parseEpssCsv(FILE, text);
    expect(scores).toBeUndefined();
    expect(where(diagnostics)).toEqual([
      '3:15 invalid-epss-row',
      '5:1 invalid-epss-row',
      '6:1 invalid-epss-row',
      '7:15 invalid-epss-row',
      '1:1 feed-not-used',
    ]);
    expect(diagnostics.map((d) => d.message)).toEqual([
      'epss "1.03351" is not a probability from 0 to 1',
      '"GHSA-1999-0003" is not a CVE id (CVE-YYYY-NNNN)',
      'the row has 4 fields, expected 3 (cve,epss,percentile)',
      'epss "-0.18415" is not a probability from 0 to 1',
      expect.stringMatching(
        /^4 bad rows: the EPSS file is not used at all, as a half-read feed would silently drop CVEs/,
      ),
    ]);
  });

  it('checks the header and the score date', () => {
    expect(where(parseEpssCsv(FILE, withLine(2, 'cve,score,percentile')).diagnostics)).toEqual([
      '2:1 invalid-epss-row',
    ]);
    const badDate = parseEpssCsv(FILE, withLine(1, '#model_version:v2026.06.15,score_date:29.09.2026'));
    expect(badDate.scores).toBeUndefined();
    expect(where(badDate.diagnostics)).toEqual(['1:39 invalid-epss-row', '1:1 feed-not-used']);
  });

  it('tells EPSS from other CSV by the first line', () => {
    expect(isEpssCsv('cveID,vendorProject,product\n')).toBe(false);
    expect(isEpssCsv('\uFEFF#model_version:v1,score_date:2026-01-01\n')).toBe(true);
  });
});
