import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { check, doc } from '../../test-support/repo-builder.js';
import type { Repository } from '../model/repository.js';
import { ringSettings, startChecker } from './start-check.js';
import type { PlanAction, PlanHost, UpgradeAction } from './types.js';

// 2026-12-01 is a Tuesday; every time below is UTC.
const FROM = DateTime.fromISO('2026-12-01T00:00:00Z', { setZone: true });
const at = (iso: string): Date => new Date(iso);

const inventory = doc(
  'Inventory',
  'inv',
  `hosts:
  - { name: web-1, labels: { role: web } }
  - { name: db-1, labels: { role: db } }
  - { name: ws-1, labels: { role: ws } }`,
);
const groups = [
  doc('Group', 'servers', 'selector:\n  matchExpressions: [{ key: role, operator: In, values: [web, db] }]'),
  doc('Group', 'frozen', 'hosts: [db-1]'),
  doc('Group', 'ws', 'selector:\n  matchLabels: { role: ws }'),
  doc('Group', 'canary', 'hosts: [web-1]'),
].join('---\n');
// Daily 02:00-04:00, no new host after 03:30.
const windows = doc(
  'MaintenanceWindow',
  'nightly',
  'timezone: UTC\nrrule: FREQ=DAILY;BYHOUR=2;BYMINUTE=0\nduration: 2h\ncutoff: 30m\ngroups: [servers]',
);
const blackouts = [
  doc(
    'Blackout',
    'freeze',
    'timezone: UTC\nstart: "2026-12-02T00:00:00Z"\nend: "2026-12-04T00:00:00Z"\ngroups: [frozen]',
  ),
  doc(
    'Blackout',
    'ws-freeze',
    'timezone: UTC\nstart: "2026-12-10T00:00:00Z"\nend: "2026-12-11T06:00:00Z"\ngroups: [ws]',
  ),
].join('---\n');
const rollouts = [
  doc(
    'Rollout',
    'main',
    `rings:
  - name: canary
    groups: [canary]
    maxParallel: 1
    failureBudget: { maxFailed: 0 }
    bakeTime: 1d12h
    healthCheck:
      command: [systemctl, is-system-running]
      timeout: 2m
      retries: 3
      interval: 10s
  - name: pilot
    percent: 50
  - name: broad
    rest: true
    maxParallel: '25%'
    failureBudget: { maxFailedPercent: 10 }`,
  ),
  doc(
    'Rollout',
    'other',
    'rings:\n  - name: canary\n    groups: [canary]\n    maxParallel: 5\n  - name: rest\n    rest: true',
  ),
].join('---\n');
const policies = [
  doc(
    'PatchPolicy',
    'servers',
    `appliesTo: { groups: [servers] }
rollout: main
classification: [security]
windows: [nightly]
emergency: { enabled: true, feeds: [kev.json], skipApproval: true, ignoreWindows: true }`,
  ),
  doc(
    'PatchPolicy',
    'servers-strict',
    `appliesTo: { groups: [servers] }
priority: 5
rollout: main
classification: [bugfix]
windows: [nightly]
emergency: { enabled: true, feeds: [kev.json], skipApproval: true }`,
  ),
  doc('PatchPolicy', 'anytime', 'appliesTo: { groups: [ws] }\nrollout: main\nclassification: [all]'),
].join('---\n');

function repository(): Repository {
  const r = check(
    {
      'inventory/i.yaml': inventory,
      'groups/g.yaml': groups,
      'windows/w.yaml': windows,
      'windows/b.yaml': blackouts,
      'rollouts/r.yaml': rollouts,
      'policies/p.yaml': policies,
    },
    { at: FROM, advisoryFiles: ['kev.json'] },
  );
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.repository;
}

function upgrade(policy: string, over: Partial<UpgradeAction> = {}): UpgradeAction {
  return {
    type: 'upgrade',
    package: 'openssl',
    from: '3.0.1',
    to: '3.0.2',
    classification: 'security',
    severity: 'high',
    advisories: [],
    policy,
    ...over,
  };
}

const host = (name: string, actions: PlanAction[]): PlanHost => ({
  host: name,
  window: null,
  actions,
  skipped: [],
});

describe('startChecker', () => {
  const mayStart = startChecker(repository(), FROM);
  const web = host('web-1', [upgrade('servers')]);

  it('lets a host start while its window is open and before the cutoff', () => {
    expect(mayStart(web, at('2026-12-01T02:00:00Z'))).toBeUndefined();
    expect(mayStart(web, at('2026-12-01T02:45:00Z'))).toBeUndefined();
    expect(mayStart(web, at('2026-12-01T03:29:59Z'))).toBeUndefined();
    // Later days too: the calendar covers more than the day it was built on.
    expect(mayStart(web, at('2026-12-20T03:00:00Z'))).toBeUndefined();
  });

  it('names the closed window and when it opens next', () => {
    expect(mayStart(web, at('2026-12-01T01:59:59Z'))).toBe(
      'window nightly is closed (or past its cutoff) until 2026-12-01T02:00:00Z',
    );
    expect(mayStart(web, at('2026-12-01T12:00:00Z'))).toBe(
      'window nightly is closed (or past its cutoff) until 2026-12-02T02:00:00Z',
    );
  });

  it('reports the next opening once the cutoff of the current one has passed', () => {
    const next = 'window nightly is closed (or past its cutoff) until 2026-12-02T02:00:00Z';
    expect(mayStart(web, at('2026-12-01T03:30:00Z'))).toBe(next);
    expect(mayStart(web, at('2026-12-01T03:45:00Z'))).toBe(next);
  });

  it('names a blackout and when the host may start after it', () => {
    // The 12-02 and 12-03 openings fall in the freeze; 12-04 02:00 is the first free one.
    const msg = 'blackout freeze until 2026-12-04T02:00:00Z';
    expect(mayStart(host('db-1', [upgrade('servers')]), at('2026-12-01T12:00:00Z'))).toBe(msg);
    expect(mayStart(host('db-1', [upgrade('servers')]), at('2026-12-02T02:30:00Z'))).toBe(msg);
    // The blackout only covers its groups: web-1 shares the window but not the freeze.
    expect(mayStart(web, at('2026-12-02T02:30:00Z'))).toBeUndefined();
    // Before the freeze, the window that is open still counts.
    expect(mayStart(host('db-1', [upgrade('servers')]), at('2026-12-01T02:30:00Z'))).toBeUndefined();
  });

  it('lets a host whose policy lists no windows start at any time, unless a blackout runs', () => {
    const ws = host('ws-1', [upgrade('anytime')]);
    expect(mayStart(ws, at('2026-12-01T12:00:00Z'))).toBeUndefined();
    expect(mayStart(ws, at('2026-12-05T23:59:00Z'))).toBeUndefined();
    expect(mayStart(ws, at('2026-12-10T12:00:00Z'))).toBe('blackout ws-freeze until 2026-12-11T06:00:00Z');
    expect(mayStart(ws, at('2026-12-11T06:00:00Z'))).toBeUndefined();
  });

  it('lets an emergency update start outside its window only when the policy ignores windows', () => {
    const closed = at('2026-12-01T12:00:00Z');
    expect(mayStart(host('web-1', [upgrade('servers', { emergency: true })]), closed)).toBeUndefined();
    // Not on the emergency track: the window holds.
    expect(mayStart(host('web-1', [upgrade('servers', { emergency: false })]), closed)).toMatch(
      /^window nightly is closed/,
    );
    // Emergency, but the policy does not say ignoreWindows.
    expect(mayStart(host('web-1', [upgrade('servers-strict', { emergency: true })]), closed)).toMatch(
      /^window nightly is closed/,
    );
  });

  it('refuses a host whose policy is no longer in the repository', () => {
    expect(mayStart(host('web-1', [upgrade('gone')]), at('2026-12-01T02:30:00Z'))).toBe(
      'policy gone of the plan is no longer in the repository',
    );
  });

  it('refuses a host none of whose policy windows covers it', () => {
    expect(mayStart(host('ws-1', [upgrade('servers')]), at('2026-12-01T02:30:00Z'))).toBe(
      'policy servers: none of its windows covers this host',
    );
  });

  it('checks every upgrade of the host and ignores reboot actions', () => {
    const closed = at('2026-12-01T12:00:00Z');
    expect(mayStart(host('web-1', [{ type: 'reboot', reason: 'kernel' }]), closed)).toBeUndefined();
    expect(mayStart(host('web-1', []), closed)).toBeUndefined();
    const mixed = host('web-1', [upgrade('servers', { emergency: true }), upgrade('servers-strict')]);
    expect(mayStart(mixed, closed)).toBe(
      'window nightly is closed (or past its cutoff) until 2026-12-02T02:00:00Z',
    );
    expect(mayStart(mixed, at('2026-12-01T02:30:00Z'))).toBeUndefined();
  });
});

describe('ringSettings', () => {
  const repo = repository();

  it('reads parallelism, failure budget, bake time in ms and the health check of the ring', () => {
    expect(ringSettings(repo, { name: 'canary', rollout: 'main' })).toStrictEqual({
      maxParallel: 1,
      maxFailed: 0,
      bakeTimeMs: (24 + 12) * 3600 * 1000,
      healthCheck: {
        command: ['systemctl', 'is-system-running'],
        timeout: '2m',
        retries: 3,
        interval: '10s',
      },
    });
    expect(ringSettings(repo, { name: 'broad', rollout: 'main' })).toStrictEqual({
      maxParallel: '25%',
      maxFailedPercent: 10,
    });
  });

  it('gives only what the ring sets, from the rollout the ring belongs to', () => {
    expect(ringSettings(repo, { name: 'pilot', rollout: 'main' })).toStrictEqual({});
    expect(ringSettings(repo, { name: 'canary', rollout: 'other' })).toStrictEqual({ maxParallel: 5 });
  });

  it('gives {} for a ring or rollout the repository does not have', () => {
    expect(ringSettings(repo, { name: 'nosuch', rollout: 'main' })).toStrictEqual({});
    expect(ringSettings(repo, { name: 'canary', rollout: 'nosuch' })).toStrictEqual({});
    expect(ringSettings(repo, { name: 'all', rollout: '' })).toStrictEqual({});
  });
});
