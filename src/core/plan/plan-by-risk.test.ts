// The plan joined to the vulnerability feeds (docs/vulnerabilities.md): advisories, severity and
// release dates from OSV, the KEV and EPSS tiers, the emergency track, unknown severities, and
// the order of a ring's hosts.
import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { check, doc } from '../../test-support/repo-builder.js';
import { aHostState, anUpdate, observed } from '../../test-support/state-builder.js';
import { epssFixture, kevFixture, osvFixture } from '../vuln/__fixtures__/load.js';
import type { Advisory, VulnIntel } from '../vuln/types.js';
import type { HostState, ObservedState } from '../state/types.js';
import { buildPlan } from './build-plan.js';
import type { PlanHost, UpgradeAction } from './types.js';

const AT = DateTime.fromISO('2026-12-01T00:00:00Z', { setZone: true });
const DEBIAN_12 = { family: 'debian', id: 'debian', version: '12' };
const ALMA_9 = { family: 'rhel', id: 'almalinux', version: '9.4' };

/** A Debian 12 record in the shape of Debian's OSV feed (source package, ECOSYSTEM range). */
const opensslRecord: Advisory = {
  file: 'advisories/osv/DSA-9001-1.json',
  id: 'DSA-9001-1',
  cves: ['CVE-2021-33909'],
  severity: 'medium',
  published: '2026-11-20T00:00:00Z',
  modified: '2026-11-20T00:00:00Z',
  summary: 'openssl - security update',
  affected: [
    {
      ecosystem: 'Debian:12',
      name: 'openssl',
      ranges: [{ type: 'ECOSYSTEM', events: [{ introduced: '0' }, { fixed: '3.0.17-1~deb12u1' }] }],
      versions: [],
    },
  ],
};

function intel(over: Partial<VulnIntel> = {}): VulnIntel {
  return {
    kev: new Map(),
    kevVersions: [],
    epss: new Map(),
    epssDates: [],
    advisories: [],
    findings: new Map(),
    ...over,
  };
}

function repo(policy: string, config = '') {
  const files: Record<string, string> = {
    'inventory/i.yaml': doc(
      'Inventory',
      'inv',
      'defaults: { labels: { all: "yes" } }\nhosts:\n  - { name: a-web }\n  - { name: b-web }\n  - { name: c-web }\n  - { name: el-1 }',
    ),
    'policies/p.yaml': doc(
      'PatchPolicy',
      'sec',
      `appliesTo: { selector: { matchLabels: { all: 'yes' } } }\n${policy}`,
    ),
  };
  if (config !== '') files['patchctl.yaml'] = doc('Config', 'config', config);
  const r = check(files, { advisoryFiles: ['kev.json'] });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.repository;
}

/** An apt host whose libssl3 (source openssl) has a pending update, no severity or advisory from apt. */
function debianHost(name: string, to = '3.0.17-1~deb12u1'): HostState {
  return aHostState(
    name,
    [
      anUpdate('libssl3', {
        from: '3.0.15-1~deb12u1',
        to,
        severity: undefined,
        advisories: [],
        releasedAt: undefined,
      }),
    ],
    {
      os: DEBIAN_12,
      installed: [{ name: 'libssl3', version: '3.0.15-1~deb12u1', arch: 'amd64', source: 'openssl' }],
    },
  );
}

function planOf(policy: string, hosts: HostState[], feeds: VulnIntel, config = '', kevIds: string[] = []) {
  const state: ObservedState = { ...observed(hosts, { feeds: { 'kev.json': kevIds } }), intel: feeds };
  return buildPlan({
    repository: repo(policy, config),
    state,
    at: AT,
    inputsDigest: 'sha256:test',
    inputs: {},
    gitCommit: null,
  });
}

const hostsOf = (plan: ReturnType<typeof buildPlan>): PlanHost[] => plan.rings.flatMap((r) => r.hosts);
const upgradeOf = (h: PlanHost | undefined): UpgradeAction | undefined =>
  h?.actions.find((a): a is UpgradeAction => a.type === 'upgrade');

describe('the plan joined to the feeds', () => {
  it('gives an apt update its advisory, CVE, severity and release date through the source package', () => {
    const plan = planOf(
      'classification: [security]',
      [debianHost('a-web')],
      intel({ advisories: [opensslRecord] }),
    );
    expect(upgradeOf(hostsOf(plan).find((h) => h.host === 'a-web'))).toMatchObject({
      package: 'libssl3',
      severity: 'medium',
      advisories: ['CVE-2021-33909', 'DSA-9001-1'],
      tier: 'routine',
    });
  });

  it('lets approveAfter count from the advisory, not from the scan that first saw the update', () => {
    // Published 2026-11-20, scanned 2026-11-30: 5 days later it is approved at 2026-11-25.
    const plan = planOf(
      'classification: [security]\napproveAfter: 5d',
      [debianHost('a-web')],
      intel({ advisories: [opensslRecord] }),
    );
    expect(upgradeOf(hostsOf(plan)[0])?.package).toBe('libssl3');
    const without = planOf('classification: [security]\napproveAfter: 5d', [debianHost('a-web')], intel());
    expect(hostsOf(without)[0]?.skipped).toEqual([
      expect.objectContaining({ reason: 'not-approved-yet', eligibleAt: '2026-12-05T12:00:00Z' }),
    ]);
  });

  it('takes the emergency track for a KEV CVE the feeds join to an update, whatever its rating', () => {
    const kev = new Map([
      [
        'CVE-2021-33909',
        { cve: 'CVE-2021-33909', dateAdded: '2026-11-21', dueDate: '2026-12-12', ransomware: false },
      ],
    ]);
    const plan = planOf(
      'classification: [security]\napproveAfter: 30d\nemergency: { enabled: true, feeds: [kev.json], skipApproval: true }',
      [debianHost('a-web')],
      intel({ advisories: [opensslRecord], kev }),
      '',
      ['CVE-2021-33909'],
    );
    expect(upgradeOf(hostsOf(plan)[0])).toMatchObject({ emergency: true, tier: 'kev' });
    expect(hostsOf(plan)[0]?.tier).toBe('kev');
  });

  it('reads KEV, never the OSV records, for a track that names no feed', () => {
    const policy =
      'classification: [security]\napproveAfter: 30d\nemergency: { enabled: true, skipApproval: true }';
    const feeds = (kevIds: string[]) => {
      const kev = new Map(
        kevIds.map((cve) => [
          cve,
          { cve, dateAdded: '2026-11-21', dueDate: '2026-12-12', ransomware: false },
        ]),
      );
      const state: ObservedState = {
        ...observed([debianHost('a-web')], {
          feeds: { 'osv/DSA-9001-1.json': ['DSA-9001-1', 'CVE-2021-33909'], 'kev.json': kevIds },
        }),
        intel: intel({ advisories: [opensslRecord], kev }),
      };
      const plan = buildPlan({
        repository: repo(policy),
        state,
        at: AT,
        inputsDigest: 'sha256:test',
        inputs: {},
        gitCommit: null,
      });
      return hostsOf(plan)[0];
    };
    // The OSV record says what the update fixes; that alone is no emergency.
    expect(feeds([])?.skipped[0]?.reason).toBe('not-approved-yet');
    expect(upgradeOf(feeds(['CVE-2021-33909']))).toMatchObject({ emergency: true, tier: 'kev' });
  });

  it('matches the AlmaLinux advisory of a KEV CVE on an RPM host (ALSA-2023:5453, glibc, CVE-2023-4911)', () => {
    const el = aHostState(
      'el-1',
      [
        anUpdate('glibc', {
          from: '2.34-60.el9',
          to: '2.34-60.el9_2.7',
          severity: undefined,
          advisories: [],
          arch: 'x86_64',
        }),
      ],
      {
        os: ALMA_9,
        packageManager: 'dnf',
        installed: [{ name: 'glibc', version: '2.34-60.el9', arch: 'x86_64' }],
      },
    );
    const plan = planOf(
      'classification: [security]',
      [el],
      intel({ advisories: [osvFixture('osv/almalinux9/ALSA-2023_5453.json')], kev: kevFixture() }),
    );
    const up = upgradeOf(hostsOf(plan)[0]);
    expect(up?.advisories).toEqual(expect.arrayContaining(['ALSA-2023:5453', 'CVE-2023-4911']));
    expect(up).toMatchObject({ severity: 'high', tier: 'kev' });
  });

  it('puts EPSS at or above the Config threshold on the emergency track when the policy asks, and not just under it', () => {
    // CVE-2021-33909 scores 0.09729 in the stored EPSS slice.
    const policy =
      'classification: [security]\napproveAfter: 30d\nemergency: { enabled: true, epss: true, skipApproval: true }';
    const feeds = intel({ advisories: [opensslRecord], epss: epssFixture() });
    const under = planOf(policy, [debianHost('a-web')], feeds);
    expect(hostsOf(under)[0]?.skipped[0]?.reason).toBe('not-approved-yet');
    const over = planOf(policy, [debianHost('a-web')], feeds, 'advisories: { epssThreshold: 0.09 }');
    expect(upgradeOf(hostsOf(over)[0])).toMatchObject({ emergency: true, tier: 'epss' });
  });

  it('orders a ring by risk: the KEV host first, then by name', () => {
    const kev = new Map([
      [
        'CVE-2021-33909',
        { cve: 'CVE-2021-33909', dateAdded: '2026-11-21', dueDate: '2026-12-12', ransomware: false },
      ],
    ]);
    // c-web is the only host still below the fix; a-web and b-web get an update the record does not cover.
    const plan = planOf(
      'classification: [security]',
      [
        aHostState('a-web', [anUpdate('bash', { severity: 'low' })], { os: DEBIAN_12 }),
        aHostState('b-web', [anUpdate('curl', { severity: 'high' })], { os: DEBIAN_12 }),
        debianHost('c-web'),
      ],
      intel({ advisories: [opensslRecord], kev }),
    );
    expect(hostsOf(plan).map((h) => [h.host, h.tier])).toEqual([
      ['c-web', 'kev'],
      ['b-web', 'severity'],
      ['a-web', 'routine'],
      ['el-1', undefined],
    ]);
  });
});

describe('a security update nobody rated', () => {
  const noSeverity = (name: string) =>
    aHostState(name, [anUpdate('bash', { severity: undefined })], { os: DEBIAN_12 });

  it('is planned under minSeverity by default, and shown as such', () => {
    const plan = planOf('classification: [security]\nminSeverity: high', [noSeverity('a-web')], intel());
    expect(upgradeOf(hostsOf(plan)[0])).toMatchObject({ package: 'bash', severity: null, tier: 'routine' });
  });

  it('is skipped with `unknownSeverity: exclude`, saying why', () => {
    const plan = planOf(
      'classification: [security]\nminSeverity: high\nunknownSeverity: exclude',
      [noSeverity('a-web')],
      intel(),
    );
    expect(hostsOf(plan)[0]?.skipped).toEqual([
      { package: 'bash', to: '1.1-1', reason: 'below-severity', by: 'policy sec (severity unknown)' },
    ]);
  });

  it('is ranked as the severity `unknownSeverity` names', () => {
    const low = planOf(
      'classification: [security]\nminSeverity: medium\nunknownSeverity: low',
      [noSeverity('a-web')],
      intel(),
    );
    expect(hostsOf(low)[0]?.skipped[0]?.reason).toBe('below-severity');
    const high = planOf(
      'classification: [security]\nminSeverity: medium\nunknownSeverity: high',
      [noSeverity('a-web')],
      intel(),
    );
    expect(upgradeOf(hostsOf(high)[0])?.package).toBe('bash');
  });
});
