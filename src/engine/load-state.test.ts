import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import type { CheckedFeed } from '../core/model/advisories.js';
import type { Repository } from '../core/model/repository.js';
import type { HostState, RolloutState } from '../core/state/types.js';
import { validateRepository } from './load-repo.js';
import { loadObservedState } from './load-state.js';

const AT = DateTime.fromISO('2026-12-01T00:00:00Z', { zone: 'UTC' });
const dirs: string[] = [];

afterEach(() => {
  // Runs after failing tests too: no temp folder outlives its test.
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A repository with two hosts and one rollout, plus the given files (path → content). */
function repo(
  files: Record<string, string> = {},
  config = 'spec: {}\n',
): { dir: string; repository: Repository } {
  const dir = mkdtempSync(path.join(tmpdir(), 'patchctl-state-'));
  dirs.push(dir);
  const all: Record<string, string> = {
    'patchctl.yaml': `apiVersion: patchctl/v1\nkind: Config\nmetadata:\n  name: lab\n${config}`,
    'inventory/lab.yaml': [
      'apiVersion: patchctl/v1',
      'kind: Inventory',
      'metadata:',
      '  name: lab',
      'spec:',
      '  hosts:',
      '    - name: web-01',
      '      address: 192.0.2.10',
      '    - name: db-01',
      '      address: 192.0.2.11',
      '',
    ].join('\n'),
    'rollouts/servers.yaml': [
      'apiVersion: patchctl/v1',
      'kind: Rollout',
      'metadata:',
      '  name: servers',
      'spec:',
      '  rings:',
      '    - name: canary',
      '      percent: 50',
      '    - name: broad',
      '      rest: true',
      '',
    ].join('\n'),
    ...files,
  };
  for (const [rel, text] of Object.entries(all)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  const { repository } = validateRepository(dir, { at: AT });
  if (!repository) throw new Error('test repository did not load');
  return { dir, repository };
}

const host = (name: string, extra: Partial<HostState> = {}): HostState => ({
  formatVersion: 1,
  host: name,
  scannedAt: '2026-11-30T22:00:00Z',
  reachable: true,
  packageManager: 'apt',
  installed: [{ name: 'openssl', version: '3.0.15-1~deb12u1', arch: 'amd64' }],
  updates: [
    {
      name: 'openssl',
      from: '3.0.15-1~deb12u1',
      to: '3.0.17-1~deb12u1',
      arch: 'amd64',
      classification: 'security',
      severity: 'high',
      advisories: ['CVE-2025-48384'],
      releasedAt: '2026-11-10T00:00:00Z',
    },
  ],
  held: [],
  ...extra,
});

const servers: RolloutState = {
  formatVersion: 1,
  rollout: 'servers',
  updatedAt: '2026-11-28T00:00:00Z',
  rings: {
    canary: {
      status: 'completed',
      startedAt: '2026-11-24T18:00:00Z',
      finishedAt: '2026-11-27T23:10:00Z',
      healthySince: '2026-11-28T00:00:00Z',
      failures: 0,
    },
  },
};

const kev = {
  title: 'CISA Catalog of Known Exploited Vulnerabilities',
  catalogVersion: '2025.08.25',
  dateReleased: '2025-08-25T17:04:19.9796Z',
  count: 1,
  vulnerabilities: [
    {
      cveID: 'CVE-2025-48384',
      vendorProject: 'Git',
      product: 'Git',
      vulnerabilityName: 'Git Link Following Vulnerability',
      dateAdded: '2025-08-25',
      shortDescription: 'Git contains a link following vulnerability.',
      requiredAction: 'Apply mitigations per vendor instructions.',
      dueDate: '2025-09-15',
      knownRansomwareCampaignUse: 'Unknown',
      notes: '',
      cwes: ['CWE-59'],
    },
  ],
};

const osv = {
  schema_version: '1.6.0',
  id: 'DSA-5939-1',
  modified: '2026-11-10T00:00:00Z',
  aliases: ['CVE-2025-0001'],
  affected: [
    {
      package: { ecosystem: 'Debian:12', name: 'openssl' },
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.17-1~deb12u1' }] }],
    },
  ],
};

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

describe('loadObservedState', () => {
  it('is an empty state, without complaint, when there is no state folder', () => {
    const { dir, repository } = repo();
    const r = loadObservedState(dir, repository);
    expect(r.diagnostics).toEqual([]);
    expect(r.files).toEqual([]);
    expect(r.state.hosts.size).toBe(0);
    expect(r.state.rollouts.size).toBe(0);
    expect(r.state.feeds.size).toBe(0);
  });

  it('reads host and rollout state and the feeds, and lists every file it read', () => {
    const { dir, repository } = repo({
      'state/hosts/web-01.json': json(host('web-01')),
      'state/hosts/db-01.json': json(host('db-01', { reachable: false, error: 'connect ETIMEDOUT' })),
      'state/hosts/README.md': 'not state\n',
      'state/rollouts/servers.json': json(servers),
      'state/runs/0001.jsonl': '{}\n',
      'advisories/kev.json': json(kev),
      'advisories/osv/DSA-5939-1.json': json(osv),
      'advisories/README.md': '# feeds\n',
    });
    const r = loadObservedState(dir, repository);
    expect(r.diagnostics).toEqual([]);
    expect(r.files).toEqual([
      'advisories/kev.json',
      'advisories/osv/DSA-5939-1.json',
      'state/hosts/db-01.json',
      'state/hosts/web-01.json',
      'state/rollouts/servers.json',
    ]);
    expect([...r.state.hosts.keys()].sort()).toEqual(['db-01', 'web-01']);
    expect(r.state.hosts.get('web-01')).toEqual(host('web-01'));
    expect(r.state.hosts.get('db-01')?.reachable).toBe(false);
    expect(r.state.rollouts.get('servers')).toEqual(servers);
    expect([...r.state.feeds.keys()].sort()).toEqual(['kev.json', 'osv/DSA-5939-1.json']);
    expect([...r.state.feeds.get('kev.json')!]).toEqual(['CVE-2025-48384']);
    expect([...r.state.feeds.get('osv/DSA-5939-1.json')!]).toEqual(['DSA-5939-1', 'CVE-2025-0001']);
  });

  it('reports broken files with their position and leaves them out', () => {
    const { dir, repository } = repo({
      'state/hosts/web-01.json': json(host('web-01')).replace('"apt"', '"apt;id"'),
      'state/hosts/db-01.json': '{\n  "formatVersion": 1,\n',
      'state/hosts/web-02.json': json(host('web-02')),
      'state/rollouts/servers.json': json({ ...servers, formatVersion: 2 }),
    });
    const r = loadObservedState(dir, repository);
    expect(
      r.diagnostics.map((d) => `${d.at?.file}:${d.at?.line}:${d.at?.col} ${d.severity} ${d.code}`),
    ).toEqual([
      'state/hosts/db-01.json:3:1 error json-syntax',
      'state/hosts/web-01.json:6:21 error invalid-state',
      'state/hosts/web-02.json:3:11 warning state-for-unknown-host',
      'state/rollouts/servers.json:2:20 error unsupported-state-version',
    ]);
    expect(r.state.hosts.size).toBe(0);
    expect(r.state.rollouts.size).toBe(0);
    expect(r.files).toHaveLength(4);
  });

  it('follows paths.state and paths.advisories from patchctl.yaml', () => {
    const { dir, repository } = repo(
      {
        'observed/hosts/web-01.json': json(host('web-01')),
        'state/hosts/db-01.json': json(host('db-01')),
        'feeds/kev.json': json(kev),
      },
      'spec:\n  paths:\n    state: ./observed/\n    advisories: feeds\n',
    );
    const r = loadObservedState(dir, repository);
    expect(r.diagnostics).toEqual([]);
    expect(r.files).toEqual(['feeds/kev.json', 'observed/hosts/web-01.json']);
    expect([...r.state.hosts.keys()]).toEqual(['web-01']);
    expect([...r.state.feeds.keys()]).toEqual(['kev.json']);
  });

  it('uses the feeds checkRepository already read when given', () => {
    const { dir, repository } = repo({ 'advisories/kev.json': json(kev) });
    const feeds: CheckedFeed[] = [{ file: 'advisories/kev.json', kind: 'kev', ids: ['CVE-2024-3094'] }];
    const r = loadObservedState(dir, repository, { feeds });
    expect([...r.state.feeds.get('kev.json')!]).toEqual(['CVE-2024-3094']);
    expect(r.files).toEqual(['advisories/kev.json']);
  });

  it("reads the CSV feeds too: CISA's KEV CSV lists advisories, EPSS scores list none", () => {
    const { dir, repository } = repo({
      'advisories/kev.csv':
        'cveID,vendorProject,product,vulnerabilityName,dateAdded,shortDescription,requiredAction,dueDate,knownRansomwareCampaignUse,notes,cwes\n' +
        'CVE-2025-48384,Git,Git,"Git Link Following Vulnerability",2025-08-25,"a, b",Apply,2025-09-15,Unknown,,\n',
      'advisories/epss.csv': 'cve,epss,percentile\nCVE-2025-48384,0.5,0.99\n',
    });
    const r = loadObservedState(dir, repository);
    expect(r.files).toEqual(['advisories/epss.csv', 'advisories/kev.csv']);
    expect([...r.state.feeds.keys()]).toEqual(['kev.csv']);
    expect([...r.state.feeds.get('kev.csv')!]).toEqual(['CVE-2025-48384']);
  });

  it('lists a feed it cannot read as an input but takes no ids from it', () => {
    const { dir, repository } = repo({ 'advisories/kev.json': '{ "title": ' });
    const r = loadObservedState(dir, repository);
    expect(r.diagnostics).toEqual([]);
    expect(r.files).toEqual(['advisories/kev.json']);
    expect(r.state.feeds.size).toBe(0);
  });

  it('rejects a file that is not UTF-8', () => {
    const { dir, repository } = repo();
    mkdirSync(path.join(dir, 'state/hosts'), { recursive: true });
    writeFileSync(path.join(dir, 'state/hosts/web-01.json'), Buffer.from([0x7b, 0xff, 0x7d]));
    const r = loadObservedState(dir, repository);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['not-utf8']);
    expect(r.files).toEqual(['state/hosts/web-01.json']);
  });

  it('reads state files by the rules documents follow: regular files inside the repository', () => {
    const { dir, repository } = repo({ 'state/hosts/web-01.json': json(host('web-01')) });
    const outside = `${dir}-outside.json`;
    writeFileSync(outside, json(host('db-01')));
    dirs.push(outside);
    symlinkSync(outside, path.join(dir, 'state/hosts/db-01.json'));
    symlinkSync('web-01.json', path.join(dir, 'state/hosts/web-02.json')); // inside: read
    symlinkSync('missing.json', path.join(dir, 'state/hosts/gone.json'));
    mkdirSync(path.join(dir, 'state/rollouts'));
    // A FIFO: reported, never opened (opening it to read would block for ever).
    expect(spawnSync('mkfifo', [path.join(dir, 'state/rollouts/servers.json')]).status).toBe(0);
    const r = loadObservedState(dir, repository);
    expect(r.diagnostics.map((d) => `${d.at?.file}:${d.at?.line}:${d.at?.col} ${d.code}`)).toEqual([
      'state/hosts/db-01.json:1:1 path-outside-repository',
      'state/hosts/gone.json:1:1 unreadable-file',
      'state/hosts/web-02.json:3:11 state-host-mismatch', // read: it says it is web-01
      'state/rollouts/servers.json:1:1 unreadable-file',
    ]);
    expect([...r.state.hosts.keys()]).toEqual(['web-01']);
  });
});
