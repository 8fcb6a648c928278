import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FeedServer } from '../../engine/advisories-sync/__fixtures__/feed-server.js';
import {
  epssCsv,
  gzip,
  kevJson,
  startFeedServer,
} from '../../engine/advisories-sync/__fixtures__/feed-server.js';
import { captureIo } from '../../test-support/capture-io.js';
import { main } from '../main.js';

let server: FeedServer;
let dir: string;

const KEV = kevJson(['CVE-2025-48384']);
const EPSS = epssCsv([['CVE-2021-33909', '0.09729', '0.95366']]);

function writeConfig(sources: string): void {
  writeFileSync(
    path.join(dir, 'patchctl.yaml'),
    `apiVersion: patchctl/v1
kind: Config
metadata:
  name: test
spec:
  timezone: UTC
  advisories:
    sources:
${sources}`,
  );
}

beforeEach(async () => {
  server = await startFeedServer();
  dir = mkdtempSync(path.join(tmpdir(), 'patchctl-sync-cli-'));
  server.routes.set('/kev.json', { body: KEV });
  server.routes.set('/epss.csv.gz', { body: gzip(EPSS) });
  writeConfig(`      - { name: kev, kind: kev, url: "${server.url('/kev.json')}" }
      - { name: epss, kind: epss, url: "${server.url('/epss.csv.gz')}" }
`);
});

afterEach(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

async function sync(...args: string[]) {
  const io = captureIo();
  const code = await main(['advisories', 'sync', '-C', dir, ...args], io);
  return { code, ...io.text() };
}

describe('patchctl advisories sync', () => {
  it('prints one line per feed and exits 0', async () => {
    const r = await sync();
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('kev: updated, 1 record (kev.json)\nepss: updated, 1 record (epss.csv)\n');
    expect(r.code).toBe(0);
    expect(readdirSync(path.join(dir, 'advisories')).sort()).toEqual(['epss.csv', 'kev.json', 'sync.json']);
    const again = await sync('--feed', 'kev');
    expect(again.stdout).toBe('kev: unchanged, 1 record (kev.json)\n');
  });

  it('exits 1 when a feed fails, after writing the others; no stack trace', async () => {
    server.routes.set('/epss.csv.gz', { body: 'oops', status: 500 });
    const r = await sync();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^kev: updated, 1 record \(kev\.json\)\nepss: failed: http:\/\/127\.0\.0\.1:\d+\/epss\.csv\.gz: HTTP 500/,
    );
    expect(r.stderr).toBe(
      'patchctl: 1 of 2 feeds failed (epss); their files and sync.json entries are unchanged\n',
    );
    expect(r.stderr + r.stdout).not.toMatch(/\bat .*\.ts:\d+/);
    expect(readdirSync(path.join(dir, 'advisories')).sort()).toEqual(['kev.json', 'sync.json']);
  });

  it('no network: a clear error per feed, exit 1, nothing written', async () => {
    const url = server.url('/');
    await server.close();
    server = await startFeedServer();
    writeConfig(`      - { name: kev, kind: kev, url: "${url}kev.json" }\n`);
    const r = await sync();
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(
      /^kev: failed: cannot reach 127\.0\.0\.1:\d+: connection refused \(ECONNREFUSED\)\n$/,
    );
    expect(readdirSync(dir)).toEqual(['patchctl.yaml']);
  });

  it('--format json prints the results', async () => {
    const r = await sync('--format', 'json');
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as { advisories: string; feeds: { name: string; status: string }[] };
    expect(out.advisories).toBe('advisories');
    expect(out.feeds.map((f) => [f.name, f.status])).toEqual([
      ['kev', 'updated'],
      ['epss', 'updated'],
    ]);
  });

  it('--feed with an unknown name and a bad --timeout are usage errors (exit 1)', async () => {
    const r = await sync('--feed', 'epsss');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/--feed: no feed is named "epsss" \(did you mean "epss"\?\)/);
    const t = await sync('--timeout', '5');
    expect(t.code).toBe(1);
    expect(t.stderr).toMatch(/--timeout: duration "5" has no unit/);
    expect(server.requests).toEqual([]);
  });

  it('a broken feed under advisories/ does not stop the sync that replaces it', async () => {
    mkdirSync(path.join(dir, 'advisories'));
    writeFileSync(path.join(dir, 'advisories/kev.json'), '{"catalogVersion": 1, "vulnerabilities": [}');
    const r = await sync('--feed', 'kev');
    expect(r.code).toBe(0);
    expect(readFileSync(path.join(dir, 'advisories/kev.json'), 'utf8')).toBe(KEV);
  });

  it('an invalid Config still exits 3', async () => {
    writeConfig(`      - { name: kev, kind: nvd, url: "${server.url('/kev.json')}" }\n`);
    const r = await sync();
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/patchctl\.yaml:\d+:\d+ error/);
  });
});
