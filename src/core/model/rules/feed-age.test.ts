import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import type { SyncedFeed } from '../../vuln/feeds/sync-manifest.js';
import type { CheckedFeed } from '../advisories.js';
import { resolveGroups } from '../groups.js';
import { MINIMAL_CONFIG, check, where } from '../../../test-support/repo-builder.js';
import { feedAge } from './feed-age.js';

const AT = DateTime.fromISO('2026-12-01T00:00:00Z', { setZone: true });
const SHA_A = 'a'.repeat(64);
const SHA_B = 'b'.repeat(64);

const kevFeed = (dateReleased: string | null, file = 'advisories/kev.json', sha256 = SHA_A): CheckedFeed => ({
  file,
  kind: 'kev',
  ids: ['CVE-2025-48384'],
  sha256,
  kev: { file, catalogVersion: '2025.08.25', dateReleased, entries: new Map() },
});
const epssFeed = (scoreDate: string | null): CheckedFeed => ({
  file: 'advisories/epss.csv',
  kind: 'epss',
  ids: [],
  sha256: SHA_B,
  epss: { file: 'advisories/epss.csv', modelVersion: 'v2026.06.15', scoreDate, scores: new Map() },
});
const osvFeed = (file: string): CheckedFeed => ({ file, kind: 'osv', ids: ['DSA-3029-1'] });
const entry = (over: Partial<SyncedFeed>): SyncedFeed => ({
  name: 'kev',
  kind: 'kev',
  url: 'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
  path: 'kev.json',
  sha256: SHA_A,
  bytes: 1257565,
  fetchedAt: '2026-11-30T06:00:00Z',
  records: 1404,
  ...over,
});
const manifest = (...feeds: SyncedFeed[]): CheckedFeed => ({
  file: 'advisories/sync.json',
  kind: 'sync',
  ids: [],
  sync: { formatVersion: 1, kind: 'patchctl-advisories-sync', feeds },
});

function run(feeds: CheckedFeed[], config = '', at = AT) {
  const { repository } = check({ 'patchctl.yaml': MINIMAL_CONFIG + config });
  const advisoryFiles = new Set(feeds.map((f) => f.file.replace(/^advisories\//, '')));
  return feedAge(repository, { at, members: resolveGroups(repository), advisoryFiles, feeds });
}

describe('feedAge', () => {
  it('ages a feed without a manifest entry by its own date: KEV dateReleased, EPSS score_date', () => {
    const d = run([kevFeed('2025-08-25T17:04:19.9796Z'), epssFeed('2026-09-29T12:00:22Z')]);
    expect(where(d)).toEqual([
      'advisories/kev.json:1:1 warning feed-too-old',
      'advisories/epss.csv:1:1 warning feed-too-old',
    ]);
    expect(d[0]?.message).toBe(
      'KEV catalogue 2025.08.25 was released 2025-08-25, 462 days ago: older than advisories.maxAge (7d); refresh it with `patchctl advisories sync` (docs/vulnerabilities.md)',
    );
  });

  it('is quiet for fresh feeds, for the KEV CSV (no date) and for hand-placed OSV records', () => {
    expect(run([kevFeed('2026-11-28T10:00:00Z'), epssFeed('2026-11-30T12:00:00Z')])).toEqual([]);
    expect(run([kevFeed(null, 'advisories/kev.csv'), osvFeed('advisories/osv/DSA-3029-1.json')])).toEqual([]);
  });

  it('follows Config advisories.maxAge', () => {
    const old = [kevFeed('2026-11-20T00:00:00Z')];
    expect(where(run(old))).toEqual(['advisories/kev.json:1:1 warning feed-too-old']);
    expect(run(old, '  advisories:\n    maxAge: 14d\n')).toEqual([]);
    expect(where(run(old, '  advisories:\n    maxAge: 2d\n'))).toHaveLength(1);
  });

  it('ages a feed the sync manifest lists by its fetchedAt, not by the date it states', () => {
    const fresh = manifest(entry({ fetchedAt: '2026-11-30T06:00:00Z' }));
    expect(run([kevFeed('2025-08-25T17:04:19.9796Z'), fresh])).toEqual([]);
    const old = manifest(entry({ fetchedAt: '2026-10-01T06:00:00Z' }));
    const d = run([kevFeed('2026-11-30T00:00:00Z'), old]);
    expect(where(d)).toEqual(['advisories/kev.json:1:1 warning feed-too-old']);
    expect(d[0]?.message).toMatch(
      /^feed "kev" \(advisories\/kev\.json\) was fetched 2026-10-01, 60 days ago/,
    );
  });

  it('ages a synced OSV folder once, at the manifest', () => {
    const osv = [
      osvFeed('advisories/osv/debian-12/DSA-1.json'),
      osvFeed('advisories/osv/debian-12/DSA-2.json'),
    ];
    const listed = entry({
      name: 'debian-12',
      kind: 'osv',
      path: 'osv/debian-12',
      url: 'https://osv-vulnerabilities.storage.googleapis.com/Debian%3A12/all.zip',
      fetchedAt: '2026-11-01T00:00:00Z',
    });
    expect(where(run([...osv, manifest(listed)]))).toEqual(['advisories/sync.json:1:1 warning feed-too-old']);
    expect(run([...osv, manifest({ ...listed, fetchedAt: '2026-11-30T00:00:00Z' })])).toEqual([]);
  });

  it('warns when a listed file was edited since it was fetched (its sha256 differs)', () => {
    const d = run([kevFeed(null, 'advisories/kev.json', SHA_B), manifest(entry({ sha256: SHA_A }))]);
    expect(where(d)).toEqual(['advisories/kev.json:1:1 warning feed-modified']);
    expect(run([kevFeed(null, 'advisories/kev.json', SHA_A), manifest(entry({ sha256: SHA_A }))])).toEqual(
      [],
    );
  });

  it('compares an unpacked download with fileSha256, and skips it when the manifest has none', () => {
    const gz = entry({
      name: 'epss',
      kind: 'epss',
      path: 'epss.csv',
      url: 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz',
      sha256: SHA_A,
    });
    const epss = { ...epssFeed(null), sha256: SHA_B };
    expect(run([epss, manifest(gz)])).toEqual([]);
    expect(run([epss, manifest({ ...gz, fileSha256: SHA_B })])).toEqual([]);
    expect(where(run([epss, manifest({ ...gz, fileSha256: SHA_A })]))).toEqual([
      'advisories/epss.csv:1:1 warning feed-modified',
    ]);
  });

  it('warns when a listed feed is gone', () => {
    expect(where(run([manifest(entry({}))]))).toEqual(['advisories/sync.json:1:1 warning feed-missing']);
  });

  it('says nothing when the feeds were not checked (a rule run alone)', () => {
    const { repository } = check({});
    expect(
      feedAge(repository, { at: AT, members: resolveGroups(repository), advisoryFiles: new Set() }),
    ).toEqual([]);
  });
});
