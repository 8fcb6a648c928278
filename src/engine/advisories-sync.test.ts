import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DateTime } from 'luxon';
import type { Repository } from '../core/model/repository.js';
import type { FeedSource } from '../core/model/types.js';
import type { SyncManifest } from '../core/vuln/feeds/sync-manifest.js';
import type { SyncOptions } from './advisories-sync.js';
import { configuredSources, scannedEcosystems, syncAdvisories } from './advisories-sync.js';
import { DEFAULT_EPSS_URL, DEFAULT_KEV_URL } from './advisories-sync/sources.js';
import { loadRepository } from './load-repo.js';
import { aHostState } from '../test-support/state-builder.js';
import type { FeedServer } from './advisories-sync/__fixtures__/feed-server.js';
import {
  cutOff,
  epssCsv,
  gzip,
  kevJson,
  osvRecord,
  sha256,
  silent,
  startFeedServer,
  zip,
} from './advisories-sync/__fixtures__/feed-server.js';

const NOW = DateTime.fromISO('2026-12-01T09:00:00Z', { setZone: true });
const LATER = DateTime.fromISO('2026-12-02T09:00:00Z', { setZone: true });

let server: FeedServer;
let dir: string;

beforeEach(async () => {
  server = await startFeedServer();
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-sync-'));
});

afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

function repo(sources: FeedSource[], paths?: { advisories: string }): Pick<Repository, 'config'> {
  return {
    config: {
      doc: {
        apiVersion: 'patchctl/v1',
        kind: 'Config',
        metadata: { name: 't' },
        spec: { advisories: { sources }, ...(paths ? { paths } : {}) },
      },
      file: 'patchctl.yaml',
      locate: () => ({ file: 'patchctl.yaml', line: 1, col: 1 }),
    } as unknown as Repository['config'],
  };
}

function run(sources: FeedSource[], extra: Partial<SyncOptions> = {}) {
  return syncAdvisories({ dir, repository: repo(sources), timeoutMs: 5000, now: NOW, ...extra });
}

/** Every file and folder under the repository (hidden ones too) → sha256 of its bytes. */
function snapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string) => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const r = rel === '' ? name : `${rel}/${name}`;
      if (statSync(path.join(dir, r)).isDirectory()) {
        out[`${r}/`] = 'dir';
        walk(r);
      } else
        out[r] = createHash('sha256')
          .update(readFileSync(path.join(dir, r)))
          .digest('hex');
    }
  };
  walk('');
  return out;
}

function manifest(): SyncManifest {
  return JSON.parse(readFileSync(path.join(dir, 'advisories/sync.json'), 'utf8')) as SyncManifest;
}

const KEV = kevJson(['CVE-2025-48384', 'CVE-2024-8068']);
const EPSS = epssCsv([
  ['CVE-2021-33909', '0.09729', '0.95366'],
  ['CVE-2021-33910', '0.08792', '0.95000'],
  ['CVE-2021-33766', '0.98136', '0.99990'],
]);
const OSV_ZIP = zip({
  'DSA-3029-1.json': osvRecord('DSA-3029-1', 'Debian:12', '1.2.1-2.2+deb12u1'),
  'ALSA-2025:11533.json': osvRecord('ALSA-2025:11533', 'Debian:12', '1.2.2'),
  'DSA-9999-1.json': osvRecord('DSA-9999-1', 'Debian:11', '1.0'),
  'README.txt': 'not a record',
});

function serveAll(): FeedSource[] {
  server.routes.set('/kev.json', { body: KEV });
  server.routes.set('/epss.csv.gz', { body: gzip(EPSS) });
  server.routes.set('/Debian/all.zip', { body: OSV_ZIP });
  return [
    { name: 'kev', kind: 'kev', url: server.url('/kev.json') },
    { name: 'epss', kind: 'epss', url: server.url('/epss.csv.gz') },
    { name: 'osv-debian', kind: 'osv', url: server.url('/Debian/all.zip'), ecosystems: ['Debian:12'] },
  ];
}

describe('syncAdvisories: success', () => {
  it('writes KEV as JSON, EPSS gunzipped as CSV, OSV records one per file, and the manifest', async () => {
    const sources = serveAll();
    const { results } = await run(sources);
    expect(results.map((r) => [r.name, r.status, r.records, r.path])).toEqual([
      ['kev', 'updated', 2, 'kev.json'],
      ['epss', 'updated', 3, 'epss.csv'],
      ['osv-debian', 'updated', 2, 'osv/osv-debian'],
    ]);
    expect(readFileSync(path.join(dir, 'advisories/kev.json'), 'utf8')).toBe(KEV);
    expect(readFileSync(path.join(dir, 'advisories/epss.csv'), 'utf8')).toBe(EPSS);
    // Filtered to Debian:12; the id's ':' made safe; non-JSON entries ignored.
    expect(readdirSync(path.join(dir, 'advisories/osv/osv-debian')).sort()).toEqual([
      'ALSA-2025_11533.json',
      'DSA-3029-1.json',
    ]);
    const m = manifest();
    expect(m.kind).toBe('patchctl-advisories-sync');
    expect(m.feeds.map((f) => f.name)).toEqual(['epss', 'kev', 'osv-debian']); // sorted by name
    const epss = m.feeds.find((f) => f.name === 'epss');
    const gz = gzip(EPSS);
    expect(epss).toEqual({
      name: 'epss',
      kind: 'epss',
      url: server.url('/epss.csv.gz'),
      path: 'epss.csv',
      sha256: sha256(gz),
      fileSha256: sha256(EPSS),
      bytes: gz.length,
      fetchedAt: '2026-12-01T09:00:00Z',
      records: 3,
    });
    expect(m.feeds.find((f) => f.name === 'kev')).toMatchObject({ sha256: sha256(KEV), records: 2 });
    expect(m.feeds.find((f) => f.name === 'kev')).not.toHaveProperty('fileSha256');
    expect(readFileSync(path.join(dir, 'advisories/sync.json'), 'utf8')).toMatch(
      /^\{\n {2}"formatVersion": 1,[^]*\n$/,
    );
    // No temporary file or folder anywhere.
    expect(Object.keys(snapshot()).filter((p) => /(^|\/)\./.test(p))).toEqual([]);
  });

  it('says unchanged when the feeds have not changed, and records the new fetchedAt', async () => {
    const sources = serveAll();
    await run(sources);
    const before = snapshot();
    const { results } = await run(sources, { now: LATER });
    expect(results.map((r) => r.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);
    const after = snapshot();
    expect({ ...after, 'advisories/sync.json': '' }).toEqual({ ...before, 'advisories/sync.json': '' });
    expect(manifest().feeds.map((f) => f.fetchedAt)).toEqual([
      '2026-12-02T09:00:00Z',
      '2026-12-02T09:00:00Z',
      '2026-12-02T09:00:00Z',
    ]);
  });

  it('replaces the whole OSV folder: a record gone from the feed is gone from the folder', async () => {
    const sources = serveAll();
    await run(sources);
    server.routes.set('/Debian/all.zip', {
      body: zip({ 'DSA-4000-1.json': osvRecord('DSA-4000-1', 'Debian:12', '2.0') }),
    });
    const { results } = await run(sources, { feeds: ['osv-debian'] });
    expect(results.map((r) => [r.name, r.status, r.records])).toEqual([['osv-debian', 'updated', 1]]);
    expect(readdirSync(path.join(dir, 'advisories/osv/osv-debian'))).toEqual(['DSA-4000-1.json']);
    expect(readdirSync(path.join(dir, 'advisories/osv'))).toEqual(['osv-debian']); // nothing left aside
  });

  it('checks the download against sha256 and sha256Url (sha256sum format)', async () => {
    server.routes.set('/kev.json', { body: KEV });
    server.routes.set('/kev.json.sha256', {
      body: `${sha256('other')}  other.json\n${sha256(KEV)}  kev.json\n`,
    });
    const { results } = await run([
      { name: 'pinned', kind: 'kev', url: server.url('/kev.json'), sha256: sha256(KEV) },
      {
        name: 'published',
        kind: 'kev',
        url: server.url('/kev.json'),
        sha256Url: server.url('/kev.json.sha256'),
      },
    ]);
    expect(results.map((r) => r.status)).toEqual(['updated', 'updated']);
  });

  it('follows redirects (EPSS "current" redirects to the dated file)', async () => {
    server.routes.set('/epss_scores-current.csv.gz', {
      body: '',
      status: 302,
      headers: { location: '/epss_scores-2026-12-01.csv.gz' },
    });
    server.routes.set('/epss_scores-2026-12-01.csv.gz', { body: gzip(EPSS) });
    const { results } = await run([
      { name: 'epss', kind: 'epss', url: server.url('/epss_scores-current.csv.gz') },
    ]);
    expect(results[0]).toMatchObject({ status: 'updated', records: 3 });
  });

  it('writes into Config paths.advisories', async () => {
    server.routes.set('/kev.json', { body: KEV });
    await syncAdvisories({
      dir,
      repository: repo([{ name: 'kev', kind: 'kev', url: server.url('/kev.json') }], { advisories: 'intel' }),
      timeoutMs: 5000,
      now: NOW,
    });
    expect(readdirSync(path.join(dir, 'intel')).sort()).toEqual(['kev.json', 'sync.json']);
  });
});

describe('syncAdvisories: a failed feed changes nothing', () => {
  /**
   * Syncs once successfully, then breaks feed `name`: syncing it alone leaves the repository
   * byte-identical (feed, manifest, no temporary file); syncing everything still writes the
   * other feeds and keeps the broken one's files and manifest entry.
   */
  async function expectUnchanged(
    name: string,
    breakIt: (sources: FeedSource[]) => FeedSource[],
    message: RegExp,
    options: Partial<SyncOptions> = {},
  ): Promise<string> {
    const good = serveAll();
    await run(good);
    const before = snapshot();
    const sources = breakIt(good);
    const alone = await run(sources, { now: LATER, ...options, feeds: [name] });
    expect(alone.results.map((r) => [r.name, r.status])).toEqual([[name, 'failed']]);
    expect(alone.results[0]?.error).toMatch(message);
    expect(snapshot()).toEqual(before);

    const all = await run(sources, { now: LATER, ...options });
    expect(all.results.filter((r) => r.status === 'failed').map((r) => r.name)).toEqual([name]);
    const after = snapshot();
    const failedPath = `advisories/${alone.results[0]?.path ?? ''}`;
    const under = (snap: Record<string, string>) =>
      Object.entries(snap).filter(([p]) => p.startsWith(failedPath));
    expect(under(after)).toEqual(under(before));
    expect(manifest().feeds.map((f) => [f.name, f.fetchedAt])).toEqual(
      ['epss', 'kev', 'osv-debian'].map((n) => [
        n,
        n === name ? '2026-12-01T09:00:00Z' : '2026-12-02T09:00:00Z',
      ]),
    );
    expect(Object.keys(after).filter((p) => /(^|\/)\./.test(p))).toEqual([]);
    return alone.results[0]?.error ?? '';
  }

  it('an interrupted download (the server closes mid-body)', async () => {
    await expectUnchanged(
      'kev',
      (s) => {
        const big = Buffer.from(KEV.repeat(1));
        server.routes.set('/kev.json', cutOff(big, 100));
        return s;
      },
      /interrupted/,
    );
  });

  it('a bad checksum', async () => {
    await expectUnchanged(
      'epss',
      (s) => s.map((f) => (f.name === 'epss' ? { ...f, sha256: sha256('something else') } : f)),
      /sha256 [0-9a-f]{64} does not match/,
    );
  });

  it('a sha256Url that does not match', async () => {
    server.routes.set('/SHA256SUMS', { body: `${sha256('x')}  all.zip\n` });
    await expectUnchanged(
      'osv-debian',
      (s) => s.map((f) => (f.name === 'osv-debian' ? { ...f, sha256Url: server.url('/SHA256SUMS') } : f)),
      /does not match .* \(from http:\/\/127\.0\.0\.1:\d+\/SHA256SUMS\)/,
    );
  });

  it('one malformed OSV record refuses the whole feed, naming the record, line and column', async () => {
    const bad = osvRecord('DSA-5000-1', 'Debian:12', '1.0').replace(
      '{\n              "introduced": "0"\n            },',
      '',
    );
    await expectUnchanged(
      'osv-debian',
      () => {
        const s = serveAll();
        server.routes.set('/Debian/all.zip', {
          body: zip({
            'DSA-4000-1.json': osvRecord('DSA-4000-1', 'Debian:12', '2.0'),
            'DSA-5000-1.json': bad,
          }),
        });
        return s;
      },
      /record all\.zip\/DSA-5000-1\.json is not a valid OSV record:\n {2}all\.zip\/DSA-5000-1\.json:\d+:\d+ error osv-no-introduced/,
    );
  });

  it('an OSV record that is not JSON', async () => {
    await expectUnchanged(
      'osv-debian',
      () => {
        const s = serveAll();
        server.routes.set('/Debian/all.zip', { body: zip({ 'DSA-5000-1.json': '{"id": "DSA-5000-1",,}' }) });
        return s;
      },
      /all\.zip\/DSA-5000-1\.json:1:\d+/,
    );
  });

  it('a KEV catalogue that fails the KEV schema', async () => {
    await expectUnchanged(
      'kev',
      () => {
        const s = serveAll();
        server.routes.set('/kev.json', { body: KEV.replace('"count": 2', '"count": "two"') });
        return s;
      },
      /kev\.json:\d+:\d+ error invalid-kev/,
    );
  });

  it('an EPSS row that is not a score', async () => {
    await expectUnchanged(
      'epss',
      () => {
        const s = serveAll();
        server.routes.set('/epss.csv.gz', { body: gzip(EPSS.replace('0.98136', 'high')) });
        return s;
      },
      /epss\.csv\.gz:5:\d+ error invalid-epss-row/,
    );
  });

  it('a server 404', async () => {
    await expectUnchanged(
      'kev',
      () => {
        server.routes.delete('/kev.json');
        return serveAll().map((f) => (f.name === 'kev' ? { ...f, url: server.url('/gone.json') } : f));
      },
      /HTTP 404/,
    );
  });

  it('a server 500', async () => {
    await expectUnchanged(
      'epss',
      () => {
        const s = serveAll();
        server.routes.set('/epss.csv.gz', { body: 'oops', status: 500 });
        return s;
      },
      /HTTP 500/,
    );
  });

  it('a timeout', async () => {
    await expectUnchanged(
      'osv-debian',
      () => {
        const s = serveAll();
        server.routes.set('/Debian/all.zip', silent);
        return s;
      },
      /no complete answer within 300ms \(--timeout\)/,
      { timeoutMs: 300 },
    );
  });

  it('a truncated zip (no Content-Length to tell)', async () => {
    await expectUnchanged(
      'osv-debian',
      () => {
        const s = serveAll();
        server.routes.set('/Debian/all.zip', (_req, res) => {
          res.writeHead(200, { connection: 'close' });
          res.end(OSV_ZIP.subarray(0, OSV_ZIP.length - 30));
        });
        return s;
      },
      /download is incomplete|damaged|not a readable zip/,
    );
  });

  it('no network: the feed says it cannot reach the host', async () => {
    const closed = await startFeedServer();
    const url = closed.url('/kev.json');
    await closed.close();
    await expectUnchanged(
      'kev',
      (s) => s.map((f) => (f.name === 'kev' ? { ...f, url } : f)),
      /cannot reach 127\.0\.0\.1:\d+: connection refused/,
    );
  });

  it('plain http to a host that is not loopback is refused before any request', async () => {
    await expectUnchanged(
      'kev',
      (s) => s.map((f) => (f.name === 'kev' ? { ...f, url: 'http://feeds.example.org/kev.json' } : f)),
      /plain http is allowed only to a loopback address/,
    );
  });

  it('a redirect from https to plain http elsewhere is refused', async () => {
    await expectUnchanged(
      'kev',
      () => {
        const s = serveAll();
        server.routes.set('/kev.json', {
          body: '',
          status: 302,
          headers: { location: 'http://feeds.example.org/kev.json' },
        });
        return s;
      },
      /redirected to http:\/\/feeds\.example\.org\/kev\.json: .*plain http is allowed only to a loopback/,
    );
  });
});

describe('syncAdvisories: the repository', () => {
  it('refuses to start when sync.json is not a manifest, naming it (nothing downloaded)', async () => {
    mkdirSync(path.join(dir, 'advisories'), { recursive: true });
    writeFileSync(
      path.join(dir, 'advisories/sync.json'),
      '{"formatVersion": 1, "kind": "patchctl-advisories-sync", "feeds": 3}\n',
    );
    const sources = serveAll();
    await expect(run(sources)).rejects.toThrow(/advisories\/sync\.json:1:\d+ error/);
    expect(server.requests).toEqual([]);
  });

  it('puts back an OSV folder left aside by a sync interrupted between its two renames', async () => {
    const sources = serveAll();
    await run(sources);
    const osv = path.join(dir, 'advisories/osv');
    const { renameSync } = await import('node:fs');
    renameSync(path.join(osv, 'osv-debian'), path.join(osv, '.osv-debian.old-123-abc'));
    mkdirSync(path.join(osv, '.osv-debian.tmp-123-def'));
    server.routes.set('/kev.json', { body: KEV });
    const { recovered } = await run(sources.filter((s) => s.name === 'kev'));
    expect(recovered).toHaveLength(2);
    expect(readdirSync(osv)).toEqual(['osv-debian']);
    expect(readdirSync(path.join(osv, 'osv-debian')).sort()).toEqual([
      'ALSA-2025_11533.json',
      'DSA-3029-1.json',
    ]);
  });

  it('refuses two feeds of one name and a KEV feed named like the manifest', async () => {
    const url = server.url('/kev.json');
    await expect(
      run([
        { name: 'kev', kind: 'kev', url },
        { name: 'kev', kind: 'epss', url },
      ]),
    ).rejects.toThrow(/two feeds are named "kev"/);
    await expect(run([{ name: 'sync', kind: 'kev', url }])).rejects.toThrow(/written over sync\.json/);
  });

  it('--feed with an unknown name says which feeds there are', async () => {
    await expect(run(serveAll(), { feeds: ['kve'] })).rejects.toThrow(
      /no feed is named "kve" \(did you mean "kev"\?\); the feeds are: kev, epss, osv-debian/,
    );
  });
});

describe('default feeds', () => {
  it('take the OSV ecosystems of the scanned hosts from state/hosts', () => {
    writeFileSync(
      path.join(dir, 'patchctl.yaml'),
      'apiVersion: patchctl/v1\nkind: Config\nmetadata:\n  name: t\nspec:\n  timezone: UTC\n',
    );
    mkdirSync(path.join(dir, 'inventory'));
    writeFileSync(
      path.join(dir, 'inventory/hosts.yaml'),
      'apiVersion: patchctl/v1\nkind: Inventory\nmetadata:\n  name: hosts\nspec:\n  hosts:\n    - { name: web-1, address: 192.0.2.1 }\n    - { name: web-2, address: 192.0.2.2 }\n',
    );
    mkdirSync(path.join(dir, 'state/hosts'), { recursive: true });
    const os = (id: string, version: string) => ({ family: 'linux', id, version });
    writeFileSync(
      path.join(dir, 'state/hosts/web-1.json'),
      JSON.stringify(aHostState('web-1', [], { os: os('debian', '12') })),
    );
    writeFileSync(
      path.join(dir, 'state/hosts/web-2.json'),
      JSON.stringify(aHostState('web-2', [], { os: os('almalinux', '9.4'), packageManager: 'dnf' })),
    );
    const { repository } = loadRepository(dir, { at: NOW });
    const ecosystems = scannedEcosystems(dir, repository);
    expect(ecosystems).toEqual(['AlmaLinux:9', 'Debian:12']);
    expect(configuredSources(repository, ecosystems).map((s) => [s.name, s.url, s.ecosystems])).toEqual([
      ['kev', DEFAULT_KEV_URL, undefined],
      ['epss', DEFAULT_EPSS_URL, undefined],
      [
        'osv-almalinux',
        'https://osv-vulnerabilities.storage.googleapis.com/AlmaLinux/all.zip',
        ['AlmaLinux:9'],
      ],
      ['osv-debian', 'https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip', ['Debian:12']],
    ]);
  });
});
