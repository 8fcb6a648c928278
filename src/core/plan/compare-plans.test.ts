import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { check, doc } from '../../test-support/repo-builder.js';
import { aHostState, anUpdate, observed } from '../../test-support/state-builder.js';
import type { HostState } from '../state/types.js';
import { buildPlan } from './build-plan.js';
import type { PlanChange } from './compare-plans.js';
import { comparePlans } from './compare-plans.js';
import type { Plan, PlanHost, PlanSkip, UpgradeAction } from './types.js';
import { PLAN_FORMAT_VERSION } from './types.js';

const AT = DateTime.fromISO('2026-12-01T00:00:00Z', { setZone: true });

const files = {
  'inventory/i.yaml': doc(
    'Inventory',
    'inv',
    `hosts:
  - { name: db-1, labels: { role: db } }
  - { name: db-2, labels: { role: db } }
  - { name: web-1, labels: { role: web } }`,
  ),
  'groups/g.yaml': [
    doc('Group', 'db', 'selector:\n  matchLabels: { role: db }'),
    doc('Group', 'all', 'hosts: [db-1, db-2, web-1]'),
  ].join('---\n'),
  'rollouts/r.yaml': doc('Rollout', 'main', 'rings:\n  - name: all\n    rest: true'),
  'policies/p.yaml': doc('PatchPolicy', 'everything', 'appliesTo: { groups: [all] }\nrollout: main'),
};
const dbFreeze = doc(
  'PatchException',
  'db-freeze',
  'groups: [db]\npackages: [openssl]\nreason: database vendor certification pending\nowner: dba\ncreated: "2026-11-25"\nexpires: "2027-01-15T00:00:00Z"',
);
const state = [
  aHostState('db-1', [anUpdate('openssl', { to: '3.0.17-1' }), anUpdate('curl')]),
  aHostState('db-2', [anUpdate('openssl', { to: '3.0.17-1' })]),
  aHostState('web-1', [anUpdate('openssl', { to: '3.0.17-1' })]),
];

function planOf(extra: Record<string, string>, hosts: HostState[] = state, at = AT): Plan {
  const r = check({ ...files, ...extra });
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return buildPlan({
    repository: r.repository,
    state: observed(hosts),
    at,
    inputsDigest: 'sha256:test',
    inputs: {},
    gitCommit: null,
  });
}

const brief = (changes: readonly PlanChange[]): string[] =>
  changes.map((c) => `${c.host} ${c.kind}${'package' in c ? ` ${c.package}` : ''}`);

// Hand-written plans, for the cases a repository makes awkward.
const up = (pkg: string, to = '2-1'): UpgradeAction => ({
  type: 'upgrade',
  package: pkg,
  from: '1-1',
  to,
  classification: 'security',
  severity: 'high',
  advisories: [],
  policy: 'p',
});
const skip = (pkg: string, over: Partial<PlanSkip> = {}): PlanSkip => ({
  package: pkg,
  to: '2-1',
  reason: 'excluded',
  by: 'policy p',
  ...over,
});
const host = (name: string, over: Partial<PlanHost> = {}): PlanHost => ({
  host: name,
  window: null,
  actions: [],
  skipped: [],
  ...over,
});
const plan = (rings: Record<string, PlanHost[]>, over: Partial<Plan> = {}): Plan => ({
  formatVersion: PLAN_FORMAT_VERSION,
  createdAt: '2026-12-01T00:00:00Z',
  at: '2026-12-01T00:00:00Z',
  inputsDigest: 'sha256:x',
  inputs: {},
  gitCommit: null,
  summary: { hosts: 0, hostsWithChanges: 0, updates: 0, reboots: 0, skipped: 0 },
  rings: Object.entries(rings).map(([name, hosts]) => ({ name, rollout: 'r', earliestStart: null, hosts })),
  ...over,
});

describe('comparePlans', () => {
  it('shows the hosts and packages an added exception skips, with its name and expiry', () => {
    const c = comparePlans(planOf({}), planOf({ 'exceptions/e.yaml': dbFreeze }));
    expect(c.changes).toEqual([
      {
        kind: 'now-skipped',
        host: 'db-1',
        ring: 'all',
        package: 'openssl',
        to: '3.0.17-1',
        skip: {
          package: 'openssl',
          to: '3.0.17-1',
          reason: 'exception',
          by: 'exception db-freeze',
          expires: '2027-01-15T00:00:00Z',
        },
      },
      expect.objectContaining({ kind: 'now-skipped', host: 'db-2', package: 'openssl' }),
    ]);
    expect(c.summary.causes).toEqual(['exception db-freeze']);
    expect(c.summary.counts['now-skipped']).toBe(2);
    expect(c.summary.counts.unblocked).toBe(0);
    expect(c.summary.hosts).toBe(2);
    expect(c.atDiffers).toBe(false);
  });

  it('shows them unblocked when the exception is removed, with the old cause and the new version', () => {
    const c = comparePlans(planOf({ 'exceptions/e.yaml': dbFreeze }), planOf({}));
    expect(brief(c.changes)).toEqual(['db-1 unblocked openssl', 'db-2 unblocked openssl']);
    const first = c.changes[0];
    expect(first?.kind === 'unblocked' && [first.was.reason, first.was.by, first.to]).toEqual([
      'exception',
      'exception db-freeze',
      '3.0.17-1',
    ]);
    expect(c.summary.causes).toEqual(['exception db-freeze']);
  });

  it('omits everything unchanged: the same plan compares empty', () => {
    const p = planOf({ 'exceptions/e.yaml': dbFreeze });
    const c = comparePlans(p, planOf({ 'exceptions/e.yaml': dbFreeze }));
    expect(c.changes).toEqual([]);
    expect(Object.values(c.summary.counts).every((n) => n === 0)).toBe(true);
    expect(c.summary).toMatchObject({ hosts: 0, causes: [] });
  });

  it('flags plans made for different points in time', () => {
    const later = planOf({}, state, AT.plus({ days: 1 }));
    expect(comparePlans(planOf({}), later).atDiffers).toBe(true);
    const sameInstant = plan({}, { at: '2026-12-01T01:00:00+01:00' });
    expect(comparePlans(plan({}), sameInstant).atDiffers).toBe(false);
  });

  it('reports changed skip causes, versions, reboots, rings and hosts, sorted by host then package', () => {
    const base = plan({
      canary: [
        host('a', { actions: [up('zlib', '1.3-1'), up('bash')], skipped: [skip('curl')] }),
        host('gone', { actions: [up('bash'), { type: 'reboot', reason: 'always' }], skipped: [skip('x')] }),
      ],
      broad: [
        host('b', {
          skipped: [skip('tzdata', { reason: 'exception', by: 'exception e', expires: '2027-01-01' })],
        }),
      ],
    });
    const head = plan({
      canary: [
        host('a', {
          actions: [up('bash'), up('zlib', '1.3.1-1'), { type: 'reboot', reason: 'zlib requires a reboot' }],
          skipped: [skip('curl', { reason: 'held', by: 'package manager hold on the host' })],
        }),
      ],
      broad: [
        // An exception renewed with a later expiry is a change a reviewer should see.
        host('b', {
          skipped: [skip('tzdata', { reason: 'exception', by: 'exception e', expires: '2027-03-01' })],
        }),
        host('new', { actions: [up('bash')] }),
      ],
    });
    const c = comparePlans(base, head);
    expect(brief(c.changes)).toEqual([
      'a skip-reason-changed curl',
      'a version-changed zlib',
      'a reboot-added',
      'b skip-reason-changed tzdata',
      'gone host-removed',
      'new host-added',
    ]);
    expect(c.changes.find((x) => x.kind === 'version-changed')).toMatchObject({
      wasTo: '1.3-1',
      to: '1.3.1-1',
      ring: 'canary',
    });
    expect(c.changes.find((x) => x.kind === 'host-removed')).toEqual({
      kind: 'host-removed',
      host: 'gone',
      ring: 'canary',
      updates: 1,
      reboot: true,
      skipped: 1,
    });
    expect(c.changes.find((x) => x.kind === 'host-added')).toMatchObject({ ring: 'broad', updates: 1 });
    // Neither changed skip causes nor other kinds name a cause.
    expect(c.summary.causes).toEqual([]);
  });

  it('sees a reinstalled host whose package manager changed, but not a plan that recorded none', () => {
    const base = plan({ a: [host('web-1', { packageManager: 'apt' }), host('web-2')] });
    const head = plan({
      a: [host('web-1', { packageManager: 'dnf' }), host('web-2', { packageManager: 'apt' })],
    });
    const r = comparePlans(base, head);
    expect(r.changes).toEqual([
      { kind: 'package-manager-changed', host: 'web-1', ring: 'a', was: 'apt', now: 'dnf' },
    ]);
    expect(r.summary.counts['package-manager-changed']).toBe(1);
  });

  it('sees a host move between rings, reboots that go, and updates only one side knows', () => {
    const base = plan({
      canary: [
        host('a', { actions: [up('bash'), { type: 'reboot', reason: 'always' }], skipped: [skip('old')] }),
      ],
    });
    const head = plan({
      broad: [host('a', { actions: [up('bash'), up('fresh')], skipped: [skip('other')] })],
    });
    const c = comparePlans(base, head);
    expect(brief(c.changes)).toEqual([
      'a ring-changed',
      'a update-added fresh',
      'a update-removed old',
      'a update-added other',
      'a reboot-removed',
    ]);
    expect(c.changes[0]).toEqual({ kind: 'ring-changed', host: 'a', ring: 'broad', wasRing: 'canary' });
    expect(c.changes[4]).toMatchObject({ reason: 'always' });
  });

  it('names policies and blackouts as causes too, but not an unreachable host’s last scan', () => {
    const base = plan({
      r: [
        host('a', {
          actions: [up('bash'), up('curl')],
          skipped: [skip('vim', { reason: 'host-unreachable', by: 'last scan x' })],
        }),
      ],
    });
    const head = plan({
      r: [
        host('a', {
          actions: [up('vim')],
          skipped: [skip('bash', { reason: 'blackout', by: 'blackout freeze' }), skip('curl')],
        }),
      ],
    });
    const c = comparePlans(base, head);
    expect(brief(c.changes)).toEqual(['a now-skipped bash', 'a now-skipped curl', 'a unblocked vim']);
    expect(c.summary.causes).toEqual(['blackout freeze', 'policy p']);
  });
});
