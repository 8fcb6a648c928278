import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { check, doc } from '../../test-support/repo-builder.js';
import { aHostState, anUpdate, observed } from '../../test-support/state-builder.js';
import { buildPlan } from '../plan/build-plan.js';
import type { HostState } from '../state/types.js';
import type { ComplianceInputs } from './compliance.js';
import { buildComplianceReport, excerpt } from './compliance.js';
import type { RunJournal, RunJournalEvent } from './last-run.js';
import type { HistoryEntry } from './types.js';

const AT = DateTime.fromISO('2026-12-01T10:00:00Z', { setZone: true });
const DIGEST = `sha256:${'b'.repeat(64)}`;

const files = {
  'inventory/a.yaml': doc(
    'Inventory',
    'inv',
    `hosts:
  - { name: web-1, labels: { role: web, site: fra } }
  - { name: web-2, labels: { role: web, site: fra } }
  - { name: web-3, labels: { role: web, site: nyc } }
  - { name: web-4, labels: { role: web, site: nyc } }
  - { name: db-1, labels: { role: db, site: fra } }
  - { name: db-2, labels: { role: db, site: nyc } }
  - { name: db-3, labels: { role: db } }
  - { name: ws-1, labels: { role: ws } }`,
  ),
  'groups/g.yaml': [
    doc(
      'Group',
      'servers',
      'selector:\n  matchExpressions: [{ key: role, operator: In, values: [web, db] }]',
    ),
    doc('Group', 'canary', 'hosts: [web-1]'),
  ].join('---\n'),
  'rollouts/r.yaml': doc(
    'Rollout',
    'main',
    'rings:\n  - name: canary\n    groups: [canary]\n    bakeTime: 1d\n  - name: rest\n    rest: true',
  ),
  'policies/p.yaml': doc(
    'PatchPolicy',
    'servers-security',
    `appliesTo: { groups: [servers] }
rollout: main
classification: [security]
approveAfter: 3d
exclude: ['linux-image-*']
reboot: ifRequired
emergency: { enabled: true, feeds: [kev.json], skipApproval: true }`,
  ),
  'exceptions/e.yaml': doc(
    'PatchException',
    'db-freeze',
    'hosts: [db-1]\npackages: [postgresql-16]\nreason: certification\nowner: dba@example.net\nexpires: "2026-12-20"',
  ),
};

const hostStates: HostState[] = [
  aHostState('web-1', []),
  aHostState('web-2', [
    anUpdate('openssl', { advisories: ['CVE-2026-0001'], releasedAt: '2026-11-01T00:00:00Z' }),
    anUpdate('curl', { severity: 'critical', releasedAt: '2026-11-30T00:00:00Z' }),
    anUpdate('linux-image-amd64', { releasedAt: '2026-10-01T00:00:00Z' }),
    anUpdate('bash', { classification: 'bugfix', severity: undefined }),
  ]),
  aHostState('web-3', [anUpdate('openssl')], {
    reachable: false,
    scannedAt: '2026-11-30T12:00:00Z',
    lastReachableAt: '2026-11-20T08:00:00Z',
    error: 'connect ETIMEDOUT 192.0.2.3:22',
  }),
  aHostState('db-1', [anUpdate('postgresql-16', { releasedAt: '2026-10-01T00:00:00Z' })]),
  aHostState('db-2', [], { rebootRequired: true }),
  aHostState('db-3', [anUpdate('nginx')], { scannedAt: '2026-11-30T01:00:00Z' }),
  aHostState('ws-1', [anUpdate('firefox')]),
];

function event(e: Partial<RunJournalEvent> & { type: string; at: string }): RunJournalEvent {
  return { runId: 'r1', ...e };
}

const journal: RunJournal = {
  runId: 'r1',
  events: [
    event({ type: 'run-started', at: '2026-11-30T02:00:00Z', planDigest: DIGEST, who: 'ops@ci' }),
    event({ type: 'host-started', at: '2026-11-30T02:00:01Z', host: 'db-3', ring: 'rest' }),
    event({
      type: 'host-finished',
      at: '2026-11-30T02:03:00Z',
      host: 'db-3',
      ring: 'rest',
      status: 'failed',
      planDigest: DIGEST,
      actions: [{ package: 'nginx', from: '1.0-1', to: '1.1-1' }],
      error:
        'install: apt-get exited 100\nReading package lists...\nE: Sub-process /usr/bin/dpkg returned an error code (1)\nhunter2-secret-value',
    }),
    event({ type: 'host-started', at: '2026-11-30T02:00:02Z', host: 'web-1', ring: 'canary' }),
    event({
      type: 'host-finished',
      at: '2026-11-30T02:02:00Z',
      host: 'web-1',
      ring: 'canary',
      status: 'patched',
      planDigest: DIGEST,
      actions: [{ package: 'openssl', from: '1.0-1', to: '1.1-1' }],
      verification: { ok: true, mismatches: [] },
      rebooted: { bootIdBefore: 'aaaa', bootIdAfter: 'bbbb' },
    }),
    event({ type: 'run-finished', at: '2026-11-30T02:04:00Z', halted: false }),
  ],
};

function inputs(over: Partial<ComplianceInputs> = {}): ComplianceInputs {
  const result = check(files, { at: AT });
  if (!result.repository) throw new Error('fixture repository is invalid');
  const state = observed(hostStates, { feeds: { 'kev.json': ['CVE-2026-0001'] } });
  const plan = buildPlan({
    repository: result.repository,
    state,
    at: AT,
    inputsDigest: DIGEST,
    inputs: {},
    gitCommit: null,
  });
  return {
    repository: result.repository,
    state,
    plan,
    journals: [journal],
    history: [],
    at: AT,
    redact: (t) => t.replace(/hunter2-secret-value/g, '[redacted]'),
    ...over,
  };
}

describe('buildComplianceReport', () => {
  const report = buildComplianceReport(inputs());
  const host = (name: string) => report.hosts.find((h) => h.host === name);

  it('puts each host in exactly one state, by the documented precedence', () => {
    expect(Object.fromEntries(report.hosts.map((h) => [h.host, h.state]))).toEqual({
      'db-1': 'excepted',
      'db-2': 'pending-reboot',
      'db-3': 'failed',
      'web-1': 'compliant',
      'web-2': 'missing',
      'web-3': 'unreachable',
      'web-4': 'never-scanned',
      'ws-1': 'not-applicable',
    });
    expect(report.summary.states).toEqual({
      compliant: 1,
      missing: 1,
      'pending-reboot': 1,
      failed: 1,
      excepted: 1,
      unreachable: 1,
      unsupported: 0,
      'never-scanned': 1,
      'not-applicable': 1,
    });
    // compliant + excepted over the 7 hosts a policy applies to.
    expect(report.summary.compliancePercent).toBe(28.6);
    expect(host('web-4')?.reason).toBe('never scanned: run patchctl scan');
    expect(host('web-3')?.reason).toBe(
      'unreachable since 2026-11-20T08:00:00Z (last scan 2026-11-30T12:00:00Z: connect ETIMEDOUT 192.0.2.3:22)',
    );
    expect(host('ws-1')?.reason).toBe('no policy applies to this host');
  });

  it('lists what is missing and why, with SLA clocks from the release date', () => {
    const web2 = host('web-2');
    expect(web2?.missing.map((m) => [m.package, m.why, m.ageDays, m.breached, m.overdueDays])).toEqual([
      ['curl', 'not-approved-yet', 1, false, null],
      ['openssl', 'planned', 30, true, 16],
    ]);
    const openssl = web2?.missing.find((m) => m.package === 'openssl');
    expect(openssl).toMatchObject({
      emergency: true,
      sla: '14d',
      dueDate: '2026-11-15',
      severity: 'high',
      advisories: ['CVE-2026-0001'],
    });
    expect(openssl?.detail).toMatch(/^planned in ring main\/rest/);
    expect(web2?.missing.find((m) => m.package === 'curl')?.detail).toMatch(/^approved from 2026-12-03/);
    // Excluded by the policy (linux-image-*) and not selected (bugfix): not required at all.
    expect(web2?.missing.map((m) => m.package)).not.toContain('linux-image-amd64');
    expect(web2?.missing.map((m) => m.package)).not.toContain('bash');
    expect(web2?.reason).toBe('2 updates missing, 1 past SLA');
  });

  it('lists breaches emergency first, then oldest; ranks products by missing security updates', () => {
    expect(report.slaBreaches.map((b) => [b.host, b.package, b.emergency])).toEqual([
      ['web-2', 'openssl', true],
      // The failed host's update is still missing, and an unreachable host's last known ones too.
      ['db-3', 'nginx', false],
      ['web-3', 'openssl', false],
    ]);
    expect(report.summary).toMatchObject({ slaBreaches: 3, emergencyMissing: 1, missingUpdates: 4 });
    expect(report.products[0]).toMatchObject({
      package: 'openssl',
      missingSecurityUpdates: 2,
      hosts: 2,
      emergency: 1,
    });
  });

  it('keeps excepted updates with the exception that waives them', () => {
    expect(host('db-1')?.excepted).toEqual([
      {
        package: 'postgresql-16',
        to: '1.1-1',
        severity: 'high',
        tier: 'severity',
        advisories: [],
        exception: 'db-freeze',
        expires: expect.any(String),
      },
    ]);
    expect(report.exceptions.map((e) => [e.name, e.status])).toEqual([['db-freeze', 'expiring']]);
  });

  it('an exception waives an update held on the host, or on a host that is unreachable, too', () => {
    const feeds = { feeds: { 'kev.json': ['CVE-2026-0001'] } };
    const held = hostStates.map((h) => (h.host === 'db-1' ? { ...h, held: ['postgresql-16'] } : h));
    const r1 = buildComplianceReport(inputs({ state: observed(held, feeds) }));
    expect(r1.hosts.find((h) => h.host === 'db-1')).toMatchObject({
      state: 'excepted',
      missing: [],
      excepted: [{ package: 'postgresql-16', exception: 'db-freeze', expires: '2026-12-20' }],
    });
    const down = hostStates.map((h) => (h.host === 'db-1' ? { ...h, reachable: false } : h));
    const r2 = buildComplianceReport(inputs({ state: observed(down, feeds) }));
    expect(r2.hosts.find((h) => h.host === 'db-1')).toMatchObject({ state: 'unreachable', missing: [] });
  });

  it('says since when a host is unreachable and what the last attempt said', () => {
    expect(report.unreachable).toEqual([
      {
        host: 'web-3',
        lastSeen: '2026-11-20T08:00:00Z',
        lastAttempt: '2026-11-30T12:00:00Z',
        error: 'connect ETIMEDOUT 192.0.2.3:22',
      },
    ]);
  });

  it('turns journals into evidence and failures, with secrets redacted and errors cut to the telling lines', () => {
    expect(report.evidence).toEqual([
      {
        runId: 'r1',
        planDigest: DIGEST,
        host: 'web-1',
        ring: 'canary',
        status: 'patched',
        startedAt: '2026-11-30T02:00:02Z',
        finishedAt: '2026-11-30T02:02:00Z',
        changes: [{ package: 'openssl', from: '1.0-1', to: '1.1-1' }],
        verification: 'passed',
        mismatches: [],
        rebooted: { bootIdBefore: 'aaaa', bootIdAfter: 'bbbb' },
      },
      expect.objectContaining({ host: 'db-3', status: 'failed', verification: 'not-run' }),
    ]);
    expect(report.failures).toEqual([
      {
        host: 'db-3',
        runId: 'r1',
        planDigest: DIGEST,
        at: '2026-11-30T02:03:00Z',
        status: 'failed',
        error: 'install: apt-get exited 100 … E: Sub-process /usr/bin/dpkg returned an error code (1)',
      },
    ]);
    expect(JSON.stringify(report)).not.toContain('hunter2');
    expect(report.lastRun).toMatchObject({ runId: 'r1', planDigest: DIGEST, finished: true });
  });

  it('lets a newer scan override an older apply failure', () => {
    const later = hostStates.map((h) =>
      h.host === 'db-3' ? { ...h, scannedAt: '2026-11-30T09:00:00Z' } : h,
    );
    const r = buildComplianceReport(
      inputs({ state: observed(later, { feeds: { 'kev.json': ['CVE-2026-0001'] } }) }),
    );
    expect(r.hosts.find((h) => h.host === 'db-3')?.state).toBe('missing');
    // The failure is still the host's latest apply result.
    expect(r.failures.map((f) => f.host)).toEqual(['db-3']);
  });

  it('counts per ring, site and group', () => {
    expect(report.breakdowns.rings.map((r) => [r.rollout, r.name, r.hosts])).toEqual([
      ['main', 'canary', 1],
      ['main', 'rest', 7],
    ]);
    expect(report.breakdowns.sites.map((r) => [r.name, r.hosts, r.compliancePercent])).toEqual([
      ['(no site label)', 2, 0],
      ['fra', 3, 66.7],
      ['nyc', 3, 0],
    ]);
    expect(report.breakdowns.groups.map((r) => [r.name, r.hosts])).toEqual([
      ['canary', 1],
      ['servers', 7],
    ]);
  });

  it('depends only on the inputs and the day: same bytes at another hour of that day', () => {
    const later = buildComplianceReport(inputs({ at: AT.plus({ hours: 3 }) }));
    expect(JSON.stringify(later)).toBe(JSON.stringify(report));
    expect(report.date).toBe('2026-12-01');
    expect(report.asOf).toBe('2026-11-30T12:00:00.000Z');
  });

  it("adds the day's entry to the history, replacing an earlier one of the same day", () => {
    const old: HistoryEntry = { ...report.history[0]!, date: '2026-11-30', compliancePercent: 10 };
    const stale: HistoryEntry = { ...report.history[0]!, compliancePercent: 99 };
    const r = buildComplianceReport(inputs({ history: [stale, old] }));
    expect(r.history.map((e) => [e.date, e.compliancePercent])).toEqual([
      ['2026-11-30', 10],
      ['2026-12-01', 28.6],
    ]);
  });
});

describe('excerpt', () => {
  it('keeps the first line and the error lines, on one line, cut at 300 characters', () => {
    expect(excerpt('one\ntwo\nthree')).toBe('one … two … three');
    expect(excerpt('failed\nnoise\nE: broken\nW: odd')).toBe('failed … E: broken … W: odd');
    expect(excerpt('x'.repeat(400))).toHaveLength(300);
    expect(excerpt('x'.repeat(400)).endsWith('…')).toBe(true);
  });
});
