import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import type { CheckedFeed } from '../core/model/advisories.js';
import type { FindingsFile, KevEntry } from '../core/vuln/types.js';
import { intelOf } from './load-intel.js';
import { validateRepository } from './load-repo.js';

const FEEDS = new URL('../core/vuln/feeds/__fixtures__/', import.meta.url);
const OSV = new URL('../core/model/__fixtures__/advisories/', import.meta.url);
const AT = DateTime.fromISO('2026-10-01T00:00:00Z', { setZone: true });
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function repo(files: Record<string, string | URL>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'patchctl-intel-'));
  dirs.push(dir);
  const all: Record<string, string | URL> = {
    'patchctl.yaml': 'apiVersion: patchctl/v1\nkind: Config\nmetadata:\n  name: t\nspec:\n  timezone: UTC\n',
    ...files,
  };
  for (const [rel, content] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    if (content instanceof URL) copyFileSync(content, path.join(dir, rel));
    else writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

const entry = (cve: string, over: Partial<KevEntry> = {}): KevEntry => ({
  cve,
  dateAdded: '2025-01-01',
  dueDate: '2025-01-22',
  ransomware: false,
  ...over,
});
const kev = (file: string, version: string | null, entries: KevEntry[]): CheckedFeed => ({
  file,
  kind: 'kev',
  ids: entries.map((e) => e.cve),
  kev: {
    file,
    catalogVersion: version,
    dateReleased: null,
    entries: new Map(entries.map((e) => [e.cve, e])),
  },
});
const findings = (file: string, host: string, ids: string[]): CheckedFeed => {
  const f: FindingsFile = {
    formatVersion: 1,
    kind: 'patchctl-findings',
    host,
    scanner: { format: 'trivy', name: 'trivy', version: null },
    importedFrom: { file: 'r.json', sha256: 'a'.repeat(64) },
    scannedAt: '2026-11-30T06:00:00Z',
    findings: ids.map((id) => ({
      id,
      aliases: [],
      package: 'openssl',
      installedVersion: '3.0.11-1~deb12u2',
      fixedVersion: null,
      severity: null,
    })),
  };
  return { file, kind: 'findings', ids: [], findings: f };
};

describe('intelOf', () => {
  it('reads every feed of a repository into one VulnIntel: KEV JSON and CSV, EPSS, OSV', () => {
    const dir = repo({
      'advisories/kev.json': new URL('known_exploited_vulnerabilities.head40.json', FEEDS),
      'advisories/kev.csv': new URL('known_exploited_vulnerabilities.csv', FEEDS),
      'advisories/epss.csv': new URL('epss_scores-slice.csv', FEEDS),
      'advisories/osv/DSA-3029-1.json': new URL('DSA-3029-1.json', OSV),
      'advisories/osv/ALBA-2022_8256.json': new URL('ALBA-2022_8256.json', OSV),
    });
    const r = validateRepository(dir, { at: AT });
    // The catalogue is from 2025-08-25 and the EPSS scores from 2026-09-29: only KEV is too old.
    expect(r.diagnostics.map((d) => `${d.at?.file} ${d.code}`)).toEqual(['advisories/kev.json feed-too-old']);
    const feeds = r.feeds ?? [];
    expect(feeds.map((f) => `${f.file} ${f.kind}`)).toEqual([
      'advisories/epss.csv epss',
      'advisories/kev.csv kev',
      'advisories/kev.json kev',
      'advisories/osv/ALBA-2022_8256.json osv',
      'advisories/osv/DSA-3029-1.json osv',
    ]);
    // Each feed carries the sha256 of its bytes (for the sync manifest's checksum check).
    expect(feeds[1]?.sha256).toBe(r.inputs.get('advisories/kev.csv'));
    expect(feeds[1]?.sha256).toMatch(/^[0-9a-f]{64}$/);

    const intel = intelOf(feeds);
    expect(intel.kev.size).toBe(1404);
    expect(intel.kevVersions).toEqual(['2025.08.25']);
    expect(intel.epss.size).toBe(1053);
    expect(intel.epssDates).toEqual(['2026-09-29T12:00:22Z']);
    expect(intel.advisories.map((a) => a.id)).toEqual(['ALBA-2022:8256', 'DSA-3029-1']);
    expect(intel.findings.size).toBe(0);
  });

  it('merges KEV catalogues: ransomware in any, the earliest due date', () => {
    const intel = intelOf([
      kev('advisories/b.json', '2025.08.25', [entry('CVE-1', { dueDate: '2025-02-01', ransomware: true })]),
      kev('advisories/a.csv', null, [
        entry('CVE-1', { dueDate: '2025-01-15' }),
        entry('CVE-2', { dueDate: null }),
      ]),
    ]);
    expect(intel.kev.get('CVE-1')).toEqual(entry('CVE-1', { dueDate: '2025-01-15', ransomware: true }));
    expect(intel.kev.get('CVE-2')?.dueDate).toBeNull();
    expect(intel.kevVersions).toEqual(['2025.08.25']);
  });

  it('takes the newest EPSS score of a CVE, whatever the order of the files', () => {
    const epss = (file: string, scoreDate: string, score: number): CheckedFeed => ({
      file,
      kind: 'epss',
      ids: [],
      epss: {
        file,
        modelVersion: null,
        scoreDate,
        scores: new Map([['CVE-1', { epss: score, percentile: 0.5 }]]),
      },
    });
    const a = epss('advisories/a.csv', '2026-11-30T00:00:00Z', 0.2);
    const b = epss('advisories/b.csv', '2026-10-01T00:00:00Z', 0.9);
    expect(intelOf([a, b]).epss.get('CVE-1')?.epss).toBe(0.2);
    expect(intelOf([b, a]).epss.get('CVE-1')?.epss).toBe(0.2);
    expect(intelOf([b, a]).epssDates).toEqual(['2026-10-01T00:00:00Z', '2026-11-30T00:00:00Z']);
  });

  it('keys findings by host and merges two files of one host without duplicates', () => {
    const intel = intelOf([
      findings('advisories/findings/web-01.json', 'web-01', ['CVE-1', 'CVE-2']),
      findings('advisories/x/web-01.json', 'web-01', ['CVE-2', 'CVE-3']),
      findings('advisories/findings/db-01.json', 'db-01', ['CVE-9']),
    ]);
    expect([...intel.findings.keys()].sort()).toEqual(['db-01', 'web-01']);
    expect(intel.findings.get('web-01')?.findings.map((f) => f.id)).toEqual(['CVE-1', 'CVE-2', 'CVE-3']);
  });

  it('takes nothing from a refused feed or one of unknown kind', () => {
    const intel = intelOf([
      { file: 'advisories/kev.csv', kind: 'kev', ids: [], refused: true },
      { file: 'advisories/x.json', kind: 'unknown', ids: [] },
    ]);
    expect(intel.kev.size).toBe(0);
    expect(intel.advisories).toEqual([]);
  });
});
