import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { bundledFeedSchemas } from '../../engine/schemas.js';
import { checkAdvisoryFile, underContains } from './advisories.js';
import { jsonErrorOffset } from './json-syntax.js';

const fixtures = new URL('./__fixtures__/advisories/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');
const check = (name: string, text = read(name)) =>
  checkAdvisoryFile(`advisories/${name}`, text, bundledFeedSchemas());

describe('advisory feeds', () => {
  it('accepts real KEV and OSV files and lists their ids', () => {
    const kev = check('kev-slice.json');
    expect(kev.diagnostics).toEqual([]);
    expect(kev.feed?.kind).toBe('kev');
    expect(kev.feed?.ids).toHaveLength(3);
    for (const f of readdirSync(fixtures).filter(
      (n) => n.endsWith('.json') && !n.startsWith('nointroduced') && n !== 'kev-slice.json',
    )) {
      const r = check(f);
      expect({ f, d: r.diagnostics }).toEqual({ f, d: [] });
      expect(r.feed?.kind).toBe('osv');
    }
    expect(check('DSA-3029-1.json').feed?.ids[0]).toBe('DSA-3029-1');
  });

  it("catches the OSV linter's record without an introduced event, at the events", () => {
    const r = check('nointroduced-CVE-2023-41045.json');
    expect(r.diagnostics.map((d) => `${d.at?.line}:${d.at?.col} ${d.code}`)).toContain(
      '16:21 osv-no-introduced',
    );
    expect(r.diagnostics.every((d) => d.severity === 'error')).toBe(true);
    // Only that: not also the per-event errors of the schema's `contains` check.
    expect(r.diagnostics.map((d) => d.code)).toEqual(['osv-no-introduced']);
  });

  it('leaves out the errors of items a `contains` check tried, but not a property named contains', () => {
    const e = (schemaPath: string) =>
      ({ schemaPath, instancePath: '', keyword: 'required', params: {} }) as Parameters<
        typeof underContains
      >[0];
    expect(underContains(e('#/properties/events/contains/required'))).toBe(true);
    expect(underContains(e('#/properties/events/contains'))).toBe(false);
    expect(underContains(e('#/properties/contains/required'))).toBe(false);
  });

  it('points at schema violations', () => {
    const text = read('kev-slice.json').replace('"cveID": "', '"cveId": "');
    const r = check('kev-slice.json', text);
    expect(r.diagnostics[0]?.code).toBe('invalid-kev');
    expect(r.diagnostics.some((d) => /must have required property 'cveID'/.test(d.message))).toBe(true);
    expect(r.diagnostics[0]?.at?.line).toBeGreaterThan(5);
  });

  it('reports JSON syntax errors with their line and column', () => {
    expect(check('x.json', '{\n  "id": "A",\n  "modified": }\n').diagnostics[0]).toEqual({
      severity: 'error',
      code: 'json-syntax',
      message: 'invalid JSON: unexpected "}"',
      at: { file: 'advisories/x.json', line: 3, col: 15 },
    });
    expect(check('x.json', '{"a": 1').diagnostics[0]?.at).toEqual({
      file: 'advisories/x.json',
      line: 1,
      col: 8,
    });
    expect(jsonErrorOffset('[1, 2,]')).toBe(6);
  });

  it('warns about JSON it does not recognise', () => {
    expect(check('x.json', '{"hello": 1}').diagnostics.map((d) => d.code)).toEqual([
      'unknown-advisory-format',
    ]);
  });

  it('parses a KEV catalogue and an OSV record, keeping their ids for the emergency track', () => {
    const kev = check('kev-slice.json').feed;
    expect(kev?.kev?.catalogVersion).toBe('2025.08.25');
    expect([...(kev?.kev?.entries.keys() ?? [])]).toEqual(kev?.ids);
    const osv = check('DSA-3029-1.json').feed;
    expect(osv?.osv?.id).toBe('DSA-3029-1');
    expect(osv?.osv?.affected[0]?.ecosystem).toBe('Debian:7');
  });

  it('runs the offline checks of the OSV linter over its own test records', () => {
    const linter = new URL('osv-linter/', fixtures);
    const found: Record<string, string[]> = {};
    for (const f of readdirSync(linter).sort()) {
      const r = check(`osv-linter/${f}`, readFileSync(new URL(f, linter), 'utf8'));
      found[f] = r.diagnostics.map((d) => `${d.at?.line}:${d.at?.col} ${d.severity} ${d.code}`);
      expect(r.feed?.kind).toBe('osv');
      // A record with errors is not used: it reaches no matching.
      expect(r.feed?.osv === undefined).toBe(found[f].length > 0);
    }
    expect(Object.entries(found).filter(([, d]) => d.length > 0)).toEqual([
      ['nointroduced-CVE-2023-41045.json', ['16:21 error osv-no-introduced']],
      // The GIT range fixed in the commit it was introduced in (the linter's RNG:002).
      ['nondistinct-CVE-2018-5407.json', ['153:24 error osv-range-not-distinct']],
    ]);
    // nopackage-* names a PyPI package that does not exist: only an online check can tell.
    expect(found['nopackage-GHSA-9v2f-6vcg-3hgv.json']).toEqual([]);
  });

  it('tells the CSV feeds apart by their first line, and reads the KEV CSV and EPSS', () => {
    const kev = check(
      'kev.csv',
      'cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,knownRansomwareCampaignUse,notes,cwes\n' +
        'CVE-2025-48384,Git,Git,"Git Link Following Vulnerability",2025-08-25,"a, b",Apply,2025-09-15,Known,,"CWE-59, CWE-436"\n',
    );
    expect(kev.diagnostics).toEqual([]);
    expect(kev.feed).toMatchObject({ kind: 'kev', ids: ['CVE-2025-48384'] });
    expect(kev.feed?.kev?.entries.get('CVE-2025-48384')?.ransomware).toBe(true);
    const epss = check(
      'epss.csv',
      '#model_version:v1,score_date:2026-09-29T12:00:22Z\ncve,epss,percentile\nCVE-2021-33909,0.09729,0.9\n',
    );
    expect(epss.diagnostics).toEqual([]);
    // EPSS scores are no list of advisories: nothing for the emergency track.
    expect(epss.feed).toMatchObject({ kind: 'epss', ids: [] });
    expect(epss.feed?.epss?.scores.get('CVE-2021-33909')?.epss).toBe(0.09729);
    // Any other CSV is no feed (the emergencyFeeds rule says it is not read); no error here.
    expect(check('hosts.csv', 'host,ip\nweb-01,192.0.2.1\n')).toEqual({ diagnostics: [] });
    // An empty .json file is a JSON syntax error, never taken for an empty CSV.
    expect(check('empty.json', '').diagnostics.map((d) => d.code)).toEqual(['json-syntax']);
  });

  it('refuses a CSV feed with a bad row as a whole, keeping the kind and no ids', () => {
    const r = check('epss.csv', 'cve,epss,percentile\nCVE-2021-33909,0.09729,0.9\nCVE-2021-33910,2,0.9\n');
    expect(r.feed).toEqual({ file: 'advisories/epss.csv', kind: 'epss', ids: [], refused: true });
    expect(r.diagnostics.map((d) => `${d.at?.line}:${d.at?.col} ${d.code}`)).toEqual([
      '3:16 invalid-epss-row',
      '1:1 feed-not-used',
    ]);
  });

  it('checks findings files and the sync manifest with their schemas', () => {
    const findings = {
      formatVersion: 1,
      kind: 'patchctl-findings',
      host: 'web-01',
      scanner: { format: 'grype', name: 'grype', version: null },
      importedFrom: { file: 'grype.json', sha256: 'a'.repeat(64) },
      scannedAt: '2026-11-30T06:00:00Z',
      findings: [
        {
          id: 'CVE-2024-6387',
          aliases: [],
          package: 'openssh-server',
          installedVersion: '1:9.2p1-2+deb12u2',
          fixedVersion: null,
          severity: null,
        },
      ],
    };
    const ok = check('findings/web-01.json', JSON.stringify(findings, null, 2));
    expect(ok.diagnostics).toEqual([]);
    expect(ok.feed).toMatchObject({ kind: 'findings', ids: [], findings: { host: 'web-01' } });
    const wrong = check('findings/web-02.json', JSON.stringify({ ...findings, scannedAt: 'now' }, null, 2));
    expect(wrong.diagnostics.map((d) => `${d.at?.line}:${d.at?.col} ${d.code}`)).toEqual([
      '14:16 invalid-findings',
      '4:11 findings-host-mismatch',
    ]);
    expect(wrong.feed?.findings).toBeUndefined();

    const manifest = {
      formatVersion: 1,
      kind: 'patchctl-advisories-sync',
      feeds: [
        {
          name: 'kev',
          kind: 'kev',
          url: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
          path: 'kev.json',
          sha256: 'b'.repeat(64),
          bytes: 1257565,
          fetchedAt: '2026-11-30T06:00:00Z',
          records: 1404,
        },
      ],
    };
    const sync = check('sync.json', JSON.stringify(manifest, null, 2));
    expect(sync.diagnostics).toEqual([]);
    expect(sync.feed?.sync?.feeds[0]?.path).toBe('kev.json');
    const bad = check(
      'sync.json',
      JSON.stringify({ ...manifest, feeds: [{ ...manifest.feeds[0], path: '../x' }] }),
    );
    expect(bad.diagnostics.map((d) => d.code)).toEqual(['invalid-sync']);
  });
});
