// The report's honest figures (README "Reports"): what counts as missing (the governing policy's
// own decision, holds aside), the schedule tracks beside the strict audit figure, and host
// states that never call a host unreachable when patchctl does not know.
import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { check, doc } from '../../test-support/repo-builder.js';
import { aHostState, anUpdate, observed } from '../../test-support/state-builder.js';
import { buildPlan } from '../plan/build-plan.js';
import type { HostState, RolloutState } from '../state/types.js';
import { buildComplianceReport } from './compliance.js';
import type { ComplianceReport } from './types.js';

/** A Tuesday. The weekly window opened on Saturday 2026-11-28 22:00 UTC and opens next on 12-05. */
const AT = DateTime.fromISO('2026-12-01T10:00:00Z', { setZone: true });
const DIGEST = `sha256:${'e'.repeat(64)}`;

const files = {
  'patchctl.yaml': doc('Config', 'config', 'timezone: UTC'),
  'inventory/a.yaml': doc(
    'Inventory',
    'inv',
    `defaults: { labels: { role: srv } }
hosts:
  - { name: c-1 }
  - { name: r-1 }
  - { name: r-2 }
  - { name: r-3 }
  - { name: r-4 }
  - { name: down-1 }
  - { name: new-1 }
  - { name: rocky-1 }
  - { name: win-1, transport: winrm, os: windows }`,
  ),
  'groups/g.yaml': [
    doc('Group', 'servers', 'selector: { matchLabels: { role: srv } }'),
    doc('Group', 'canary', 'hosts: [c-1]'),
  ].join('---\n'),
  'rollouts/r.yaml': doc(
    'Rollout',
    'main',
    'rings:\n  - name: canary\n    groups: [canary]\n    bakeTime: 2d\n  - name: rest\n    rest: true',
  ),
  'windows/w.yaml': doc(
    'MaintenanceWindow',
    'weekly',
    'timezone: UTC\nrrule: FREQ=WEEKLY;BYDAY=SA;BYHOUR=22\nduration: 4h\ngroups: [servers]',
  ),
  'policies/p.yaml': doc(
    'PatchPolicy',
    'security-only',
    `appliesTo: { groups: [servers] }
rollout: main
classification: [security]
approveAfter: 3d
windows: [weekly]
reboot: ifRequired`,
  ),
};

/** The canary completed long ago: the rest ring's gate has been open since 2026-11-12. */
const progress: RolloutState = {
  formatVersion: 1,
  rollout: 'main',
  updatedAt: '2026-11-10T03:00:00Z',
  rings: {
    canary: {
      status: 'completed',
      startedAt: '2026-11-10T02:00:00Z',
      finishedAt: '2026-11-10T03:00:00Z',
      healthySince: '2026-11-10T03:00:00Z',
    },
  },
};

const bugfix = anUpdate('bash', { classification: 'bugfix', severity: undefined });

const hosts: HostState[] = [
  // canary: a security update still inside its approval delay
  aHostState('c-1', [anUpdate('openssl', { releasedAt: '2026-11-30T00:00:00Z' })]),
  // only a held bugfix the security-only policy does not select
  aHostState('r-1', [bugfix], { held: ['bash'] }),
  // approved after the last window closed: planned for Saturday's window
  aHostState('r-2', [anUpdate('curl', { severity: 'low', releasedAt: '2026-11-27T00:00:00Z' })]),
  // approved on 11-23, within its 90-day SLA, but Saturday's window closed without it
  aHostState('r-3', [anUpdate('zlib1g', { severity: 'low', releasedAt: '2026-11-20T00:00:00Z' })]),
  // a held security update: required, and nothing will install it while the hold stays
  aHostState('r-4', [anUpdate('sudo', { severity: 'low', releasedAt: '2026-11-30T00:00:00Z' })], {
    held: ['sudo'],
  }),
  aHostState('down-1', [bugfix], {
    reachable: false,
    scannedAt: '2026-11-30T12:00:00Z',
    lastReachableAt: '2026-11-25T08:00:00Z',
    errorKind: 'unreachable',
    error: 'connect ETIMEDOUT 192.0.2.9:22',
  }),
  // new-1: no state file
  aHostState('rocky-1', [], {
    reachable: false,
    errorKind: 'unsupported',
    error: 'no package-manager driver for rocky 9.4 (dnf) in this version',
    os: { family: 'rhel', id: 'rocky', version: '9.4' },
    packageManager: 'dnf',
  }),
  // a state file for a Windows host (written by hand, or by another tool): still unsupported
  aHostState('win-1', [anUpdate('KB5044284')]),
];

function report(states: HostState[] = hosts, rollouts: RolloutState[] = [progress]): ComplianceReport {
  const result = check(files, { at: AT });
  if (!result.repository) throw new Error('fixture repository is invalid');
  const state = observed(states, { rollouts });
  const plan = buildPlan({
    repository: result.repository,
    state,
    at: AT,
    inputsDigest: DIGEST,
    inputs: {},
    gitCommit: null,
  });
  return buildComplianceReport({
    repository: result.repository,
    state,
    plan,
    journals: [],
    history: [],
    at: AT,
  });
}

describe('what counts as missing', () => {
  it('a held update the governing policy does not select is not missing: the host is compliant', () => {
    const r = report();
    const r1 = r.hosts.find((h) => h.host === 'r-1');
    expect(r1).toMatchObject({ state: 'compliant', track: 'in-compliance', missing: [], excepted: [] });
  });

  it('a held update the policy selects is missing, and blocked: nothing installs it while held', () => {
    const r4 = report().hosts.find((h) => h.host === 'r-4');
    expect(r4).toMatchObject({ state: 'missing', track: 'needs-attention' });
    expect(r4?.missing.map((m) => [m.package, m.why, m.track])).toEqual([['sudo', 'held', 'blocked']]);
  });

  it('an unreachable host misses only what its policy would install', () => {
    const down = report().hosts.find((h) => h.host === 'down-1');
    expect(down?.missing).toEqual([]);
  });

  it('a rollout exactly on schedule is on track, not "0% in compliance" for ever', () => {
    // A held bugfix the policy ignores on r-1; c-1 waits for its approval delay, r-2 for its window.
    const r = report(hosts.filter((h) => ['c-1', 'r-1', 'r-2'].includes(h.host)));
    const shown = r.hosts.filter((h) => ['c-1', 'r-1', 'r-2'].includes(h.host));
    expect(shown.map((h) => [h.host, h.state, h.track])).toEqual([
      ['c-1', 'missing', 'on-track'],
      ['r-1', 'compliant', 'in-compliance'],
      ['r-2', 'missing', 'on-track'],
    ]);
    expect(shown.flatMap((h) => h.missing.map((m) => [m.package, m.why, m.track]))).toEqual([
      ['openssl', 'not-approved-yet', 'on-track'],
      ['curl', 'planned', 'on-track'],
    ]);
    expect(r.summary.tracks).toMatchObject({ 'in-compliance': 1, 'on-track': 2, overdue: 0 });
  });
});

describe('the schedule figures', () => {
  const r = report();
  const host = (name: string) => r.hosts.find((h) => h.host === name);

  it('puts each host on one track', () => {
    expect(Object.fromEntries(r.hosts.map((h) => [h.host, [h.state, h.track]]))).toEqual({
      'c-1': ['missing', 'on-track'],
      'down-1': ['unreachable', 'needs-attention'],
      'new-1': ['never-scanned', 'unknown'],
      'r-1': ['compliant', 'in-compliance'],
      'r-2': ['missing', 'on-track'],
      'r-3': ['missing', 'overdue'],
      'r-4': ['missing', 'needs-attention'],
      'rocky-1': ['unsupported', 'unknown'],
      'win-1': ['unsupported', 'unknown'],
    });
    expect(r.summary.tracks).toEqual({
      'in-compliance': 1,
      'on-track': 2,
      overdue: 1,
      'needs-attention': 2,
      unknown: 3,
      'not-applicable': 0,
    });
    // The strict audit figure beside the schedule's: 1 of 9, and 3 of 9 in compliance or on track.
    expect(r.summary.compliancePercent).toBe(11.1);
    expect(r.summary.onTrackPercent).toBe(33.3);
    expect(r.history.at(-1)).toMatchObject({ onTrack: 2, overdue: 1 });
  });

  it('an update within SLA is overdue when a window that could have installed it closed', () => {
    const m = host('r-3')?.missing[0];
    expect(m).toMatchObject({ package: 'zlib1g', why: 'planned', breached: false, track: 'overdue' });
    expect(m?.missedWindow).toEqual({
      name: 'weekly',
      start: '2026-11-28T22:00:00Z',
      end: '2026-11-29T02:00:00Z',
    });
    // Approved after that window: on track for the next one.
    expect(host('r-2')?.missing[0]).toMatchObject({ why: 'planned', track: 'on-track' });
    expect(host('r-2')?.missing[0]?.missedWindow).toBeUndefined();
  });

  it('does not claim a missed window while the ring before has not recorded its completion', () => {
    const fresh = report(hosts, []);
    expect(fresh.hosts.find((h) => h.host === 'r-3')?.missing[0]).toMatchObject({ track: 'on-track' });
  });

  it('an update past its SLA is overdue, whatever else holds it', () => {
    const late = hosts.map((h) =>
      h.host === 'r-4'
        ? { ...h, updates: [anUpdate('sudo', { severity: 'critical', releasedAt: '2026-10-01T00:00:00Z' })] }
        : h,
    );
    const r4 = report(late).hosts.find((h) => h.host === 'r-4');
    expect(r4).toMatchObject({ state: 'missing', track: 'overdue' });
    expect(r4?.missing[0]).toMatchObject({ why: 'held', breached: true, track: 'overdue' });
  });

  it('a halted rollout blocks its planned updates', () => {
    const halted: RolloutState = {
      ...progress,
      rings: {
        ...progress.rings,
        rest: { status: 'halted', haltedReason: 'r-9 failed' },
      },
    };
    const r2 = report(hosts, [halted]).hosts.find((h) => h.host === 'r-2');
    expect(r2?.track).toBe('needs-attention');
  });

  it('is the same all day', () => {
    const result = check(files, { at: AT });
    if (!result.repository) throw new Error('fixture repository is invalid');
    const state = observed(hosts, { rollouts: [progress] });
    const plan = buildPlan({
      repository: result.repository,
      state,
      at: AT,
      inputsDigest: DIGEST,
      inputs: {},
      gitCommit: null,
    });
    const at = (t: DateTime) =>
      JSON.stringify(
        buildComplianceReport({
          repository: result.repository!,
          state,
          plan,
          journals: [],
          history: [],
          at: t,
        }),
      );
    expect(at(AT.set({ hour: 23, minute: 59 }))).toBe(at(AT.set({ hour: 0, minute: 1 })));
  });
});

describe('host states', () => {
  const r = report();
  const host = (name: string) => r.hosts.find((h) => h.host === name);

  it('never calls an unsupported or a never-scanned host unreachable', () => {
    expect(host('win-1')).toMatchObject({ state: 'unsupported' });
    expect(host('win-1')?.reason).toMatch(/^unsupported: transport winrm/);
    expect(host('rocky-1')).toMatchObject({ state: 'unsupported', os: 'rocky 9.4' });
    expect(host('rocky-1')?.reason).toMatch(/^unsupported: .*rocky 9\.4/);
    expect(host('new-1')).toMatchObject({
      state: 'never-scanned',
      reason: 'never scanned: run patchctl scan',
    });
    expect(r.unreachable.map((u) => u.host)).toEqual(['down-1']);
  });

  it('says since when an unreachable host was last reached', () => {
    expect(host('down-1')?.reason).toBe(
      'unreachable since 2026-11-25T08:00:00Z (last scan 2026-11-30T12:00:00Z: connect ETIMEDOUT 192.0.2.9:22)',
    );
    expect(r.unreachable[0]).toMatchObject({ lastSeen: '2026-11-25T08:00:00Z' });
  });
});
