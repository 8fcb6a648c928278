import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { isKevCsv, kevFromJson, parseKevCsv } from './kev.js';

const fixture = (name: string) => readFileSync(new URL(`./__fixtures__/${name}`, import.meta.url), 'utf8');
const CSV = fixture('known_exploited_vulnerabilities.csv');
const JSON_HEAD = JSON.parse(fixture('known_exploited_vulnerabilities.head40.json')) as {
  vulnerabilities: { cveID: string }[];
};
const FILE = 'advisories/kev.csv';
const where = (d: { at?: { line: number; col: number }; code: string }[]) =>
  d.map((x) => `${x.at?.line}:${x.at?.col} ${x.code}`);

describe('CISA KEV, JSON', () => {
  it('keeps the catalogue version, release date and every entry, ransomware use as a flag', () => {
    const c = kevFromJson('advisories/kev.json', JSON_HEAD);
    expect(c.catalogVersion).toBe('2025.08.25');
    expect(c.dateReleased).toBe('2025-08-25T17:04:19.9796Z');
    expect(c.entries.size).toBe(40);
    expect(c.entries.get('CVE-2025-48384')).toEqual({
      cve: 'CVE-2025-48384',
      dateAdded: '2025-08-25',
      dueDate: '2025-09-15',
      ransomware: false,
      vendorProject: 'Git',
      product: 'Git',
      name: 'Git Link Following Vulnerability',
    });
    expect([...c.entries.values()].filter((e) => e.ransomware)).toHaveLength(5);
  });
});

describe('CISA KEV, CSV', () => {
  it('reads the whole real catalogue: 1404 entries, the same as the JSON of the same version', () => {
    expect(isKevCsv(CSV)).toBe(true);
    const { catalog, diagnostics } = parseKevCsv(FILE, CSV);
    expect(diagnostics).toEqual([]);
    expect(catalog?.entries.size).toBe(1404);
    expect(catalog?.catalogVersion).toBeNull();
    expect(catalog?.dateReleased).toBeNull();
    const json = kevFromJson('advisories/kev.json', JSON_HEAD);
    for (const [cve, entry] of json.entries) expect(catalog?.entries.get(cve)).toEqual(entry);
    // A field with commas inside quotes stays one field.
    expect(catalog?.entries.get('CVE-2024-8068')?.product).toBe('Session Recording');
  });

  it('keeps a quoted field with commas and line breaks in one field, and counts lines right after it', () => {
    const text =
      'cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,knownRansomwareCampaignUse,notes,cwes\r\n' +
      'CVE-2024-0001,Acme,"Widget, Pro","Name",2024-01-02,"first line,\r\nsecond ""quoted"" line",Apply,2024-01-23,Known,,\r\n' +
      'cve-2024-0002,Acme,Widget,Name,2024-01-02,x,y,2024-01-23,Unknown,,\r\n' +
      'CVE-2024-0003,Acme,Widget,Name,2024-13-02,x,y,2024-01-23,Unknown,,\r\n';
    const { catalog, diagnostics } = parseKevCsv(FILE, text);
    expect(catalog).toBeUndefined();
    // The bad date is on line 5 (the quoted field spans lines 2 and 3), in its 5th field.
    expect(where(diagnostics)).toEqual(['5:32 invalid-kev-row', '1:1 feed-not-used']);
    expect(diagnostics[0]?.message).toBe('dateAdded "2024-13-02" is not a date (YYYY-MM-DD)');
    const ok = parseKevCsv(FILE, text.split('\r\n').slice(0, 4).join('\r\n'));
    expect(ok.diagnostics).toEqual([]);
    expect(ok.catalog?.entries.get('CVE-2024-0001')).toMatchObject({
      product: 'Widget, Pro',
      ransomware: true,
    });
    // Ids are kept upper-case.
    expect([...(ok.catalog?.entries.keys() ?? [])]).toEqual(['CVE-2024-0001', 'CVE-2024-0002']);
  });

  it('refuses the whole file for one bad row: wrong field count, a non-CVE id, at file:line:col', () => {
    const lines = CSV.split('\n');
    lines[3] = lines[3]!.replace(/^CVE-[0-9-]+,/, 'GHSA-xxxx-yyyy,');
    lines[6] = 'CVE-2025-0001,Acme,Widget';
    const { catalog, diagnostics } = parseKevCsv(FILE, lines.join('\n'));
    expect(catalog).toBeUndefined();
    expect(where(diagnostics)).toEqual(['4:1 invalid-kev-row', '7:1 invalid-kev-row', '1:1 feed-not-used']);
    expect(diagnostics.map((d) => d.message)).toEqual([
      'cveID "GHSA-xxxx-yyyy" is not a CVE id (CVE-YYYY-NNNN)',
      'the row has 3 fields, the header 11',
      expect.stringMatching(/^2 bad rows: the KEV catalogue is not used at all/),
    ]);
    expect(diagnostics.every((d) => d.severity === 'error' && d.at?.file === FILE)).toBe(true);
  });

  it('reports a stray quote and an unclosed quote as CSV errors, never throws', () => {
    const header = CSV.split('\n')[0]!;
    const stray = parseKevCsv(
      FILE,
      `${header}\nCVE-2025-0001,Ac"me,W,N,2025-01-01,d,a,2025-01-21,Unknown,,\n`,
    );
    expect(where(stray.diagnostics)).toEqual(['2:15 invalid-kev-row', '1:1 feed-not-used']);
    const unclosed = parseKevCsv(
      FILE,
      `${header}\nCVE-2025-0001,Acme,W,N,2025-01-01,d,a,2025-01-21,Unknown,,\nCVE-2025-0002,Acme,"W,N,2025-01-01,d,a,2025-01-21,Unknown,,\n`,
    );
    expect(unclosed.catalog).toBeUndefined();
    expect(where(unclosed.diagnostics)).toEqual(['3:1 invalid-kev-row', '1:1 feed-not-used']);
  });

  it('caps the diagnostics of a badly broken file and says how many more', () => {
    const header = CSV.split('\n')[0]!;
    const rows = Array.from(
      { length: 30 },
      (_, i) => `NOT-A-CVE-${i},a,b,c,2025-01-01,d,e,2025-01-21,Unknown,,`,
    );
    const { diagnostics } = parseKevCsv(FILE, [header, ...rows].join('\n'));
    expect(diagnostics).toHaveLength(21);
    expect(diagnostics[20]?.message).toMatch(/^30 bad rows \(10 more not shown\)/);
  });

  it('names the missing columns of a header that is not KEV', () => {
    const { diagnostics } = parseKevCsv(FILE, 'cveID,vendorProject,product\nCVE-2025-48384,Git,Git\n');
    expect(diagnostics.map((d) => d.message)).toEqual([
      "the header lacks the columns dateAdded, dueDate, knownRansomwareCampaignUse of CISA's KEV CSV",
    ]);
  });
});
