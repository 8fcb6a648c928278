import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { check, doc } from '../../test-support/repo-builder.js';
import { aHostState, anUpdate, observed } from '../../test-support/state-builder.js';
import type { HostState, RolloutState } from '../state/types.js';
import type { PlanInputs } from './build-plan.js';
import { buildPlan, buildPlanWithHolds } from './build-plan.js';
import type { Plan, PlanHost } from './types.js';
import { isHostKeyChangedNote } from './types.js';

const AT = DateTime.fromISO('2026-12-01T00:00:00Z', { setZone: true });

const inventory = doc(
  'Inventory',
  'inv',
  `hosts:
  - { name: web-1, labels: { role: web } }
  - { name: web-2, labels: { role: web } }
  - { name: db-1, labels: { role: db } }
  - { name: ws-1, labels: { role: ws } }`,
);
const groups = [
  doc('Group', 'servers', 'selector:\n  matchExpressions: [{ key: role, operator: In, values: [web, db] }]'),
  doc('Group', 'web', 'selector:\n  matchLabels: { role: web }'),
  doc('Group', 'canary', 'hosts: [web-1]'),
  doc('Group', 'ws', 'selector:\n  matchLabels: { role: ws }'),
].join('---\n');
// Nightly 02:00-04:00 UTC for servers; workstations have no window of their own in this policy set.
const windows = [
  doc(
    'MaintenanceWindow',
    'nightly',
    'timezone: UTC\nrrule: FREQ=DAILY;BYHOUR=2\nduration: 2h\ncutoff: 30m\ngroups: [servers]',
  ),
  doc(
    'MaintenanceWindow',
    'ws-window',
    'timezone: UTC\nrrule: FREQ=DAILY;BYHOUR=12\nduration: 2h\ngroups: [canary]',
  ),
].join('---\n');
const rollout = doc(
  'Rollout',
  'main',
  'rings:\n  - name: canary\n    groups: [canary]\n    bakeTime: 1d\n  - name: rest\n    rest: true',
);
const policies = [
  doc(
    'PatchPolicy',
    'servers-security',
    `appliesTo: { groups: [servers] }
priority: 10
rollout: main
classification: [security]
minSeverity: medium
approveAfter: 3d
exclude: ['linux-image-*']
pins: [{ package: openssl, version: '<3.1' }]
windows: [nightly]
reboot: ifRequired
emergency: { enabled: true, feeds: [kev.json], skipApproval: true }`,
  ),
  doc(
    'PatchPolicy',
    'kernel',
    'appliesTo: { groups: [servers] }\npriority: 5\ninclude: [linux-image-*]\nclassification: [all]\nwindows: [ws-window]\nrollout: main',
  ),
  doc('PatchPolicy', 'workstations', 'appliesTo: { groups: [ws] }\nclassification: [all]\nrollout: main'),
].join('---\n');
const exceptions = doc(
  'PatchException',
  'legacy-curl',
  'hosts: [db-1]\npackages: [curl]\nreason: app pins libcurl ABI\nowner: ops\ncreated: "2026-11-20"\nexpires: "2027-01-31"',
);
const blackout = doc(
  'Blackout',
  'freeze',
  'timezone: UTC\nstart: "2026-12-01T11:00:00Z"\nend: "2026-12-03T00:00:00Z"\ngroups: [canary]',
);

function repo(extra: Record<string, string> = {}) {
  const r = check(
    {
      'inventory/i.yaml': inventory,
      'groups/g.yaml': groups,
      'windows/w.yaml': windows,
      'windows/b.yaml': blackout,
      'rollouts/r.yaml': rollout,
      'policies/p.yaml': policies,
      'exceptions/e.yaml': exceptions,
      ...extra,
    },
    { advisoryFiles: ['kev.json'] },
  );
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return r.repository;
}

function plan(
  hosts: HostState[],
  options: { rollouts?: RolloutState[]; at?: DateTime } = {},
  filter = {},
): Plan {
  const inputs: PlanInputs = {
    repository: repo(),
    state: observed(hosts, { feeds: { 'kev.json': ['CVE-2024-3094'] }, rollouts: options.rollouts ?? [] }),
    at: options.at ?? AT,
    inputsDigest: 'sha256:test',
    inputs: {},
    gitCommit: null,
  };
  return buildPlan(inputs, filter);
}

const hostIn = (p: Plan, name: string): PlanHost => {
  const h = p.rings.flatMap((r) => r.hosts).find((x) => x.host === name);
  if (!h) throw new Error(`no ${name}`);
  return h;
};

describe('buildPlan', () => {
  it('plans an approved security update in the next window, with the policy named', () => {
    const p = plan([
      aHostState('web-2', [
        anUpdate('openssl', { from: '3.0.15-1~deb12u1', to: '3.0.17-1~deb12u1', advisories: ['DSA-5939-1'] }),
      ]),
    ]);
    const h = hostIn(p, 'web-2');
    expect(h.window).toEqual({ name: 'nightly', start: '2026-12-01T02:00:00Z', end: '2026-12-01T04:00:00Z' });
    expect(h.actions).toEqual([
      {
        type: 'upgrade',
        package: 'openssl',
        from: '3.0.15-1~deb12u1',
        to: '3.0.17-1~deb12u1',
        classification: 'security',
        severity: 'high',
        advisories: ['DSA-5939-1'],
        policy: 'servers-security',
        // No feed is read: a high-severity update is in the severity tier.
        tier: 'severity',
      },
    ]);
    expect(h.tier).toBe('severity');
    expect(h.skipped).toEqual([]);
    expect(p.summary).toEqual({
      hosts: 4,
      hostsWithChanges: 1,
      updates: 1,
      reboots: 0,
      skipped: 0,
      mayReboot: 0,
      hostsUpToDate: 0,
      hostsAllSkipped: 0,
      hostsUnsupported: 0,
      hostsUnreachable: 0,
      hostsScanFailed: 0,
      hostsNeverScanned: 3,
    });
  });

  it('gives every update either an action or a skip with its reason and cause', () => {
    const p = plan([
      aHostState(
        'db-1',
        [
          anUpdate('bash'),
          anUpdate('curl'),
          anUpdate('linux-image-amd64', { classification: 'security' }),
          anUpdate('openssl', { from: '3.0.15-1', to: '3.1.1-1' }),
          anUpdate('libc6', { classification: 'bugfix', severity: undefined }),
          anUpdate('tzdata', { severity: 'low' }),
          anUpdate('sudo', { releasedAt: '2026-11-29T00:00:00Z' }),
          anUpdate('systemd'),
          anUpdate('xz-utils', { releasedAt: '2026-11-30T00:00:00Z', advisories: ['CVE-2024-3094'] }),
          anUpdate('nginx', { from: '1.2-1', to: '1.2-1' }),
        ],
        { held: ['systemd'] },
      ),
    ]);
    const h = hostIn(p, 'db-1');
    const reasons = Object.fromEntries(h.skipped.map((s) => [s.package, `${s.reason} by ${s.by}`]));
    expect(reasons).toEqual({
      curl: 'exception by exception legacy-curl',
      'linux-image-amd64': 'no-window by policy kernel: none of its windows covers this host',
      openssl: 'pinned by policy servers-security (pin openssl <3.1)',
      libc6: 'classification by policy servers-security',
      tzdata: 'below-severity by policy servers-security',
      sudo: 'not-approved-yet by policy servers-security',
      systemd: 'held by package manager hold on the host',
      nginx: 'excluded by version order: 1.2-1 is not newer than 1.2-1',
    });
    expect(h.skipped.find((s) => s.package === 'sudo')?.eligibleAt).toBe('2026-12-02T00:00:00Z');
    expect(h.skipped.find((s) => s.package === 'curl')?.expires).toBe('2027-01-31');
    // xz-utils fixes a KEV-listed CVE: the emergency track skips the approval delay.
    expect(
      h.actions.map((a) =>
        a.type === 'upgrade' ? `${a.package}${a.emergency ? ' (emergency)' : ''}` : a.type,
      ),
    ).toEqual(['bash', 'xz-utils (emergency)']);
    expect(h.actions.length + h.skipped.length).toBe(10);
  });

  it('skips a host whose next window falls in a blackout, saying when it becomes eligible', () => {
    // web-1's kernel window (12:00 daily) is frozen until 2026-12-03.
    const p = plan([aHostState('web-1', [anUpdate('linux-image-amd64', { rebootRequired: true })])]);
    expect(hostIn(p, 'web-1').skipped).toEqual([
      {
        package: 'linux-image-amd64',
        to: '1.1-1',
        reason: 'blackout',
        by: 'blackout freeze',
        eligibleAt: '2026-12-03T12:00:00Z',
      },
    ]);
    // After the freeze the kernel is planned, with its reboot.
    const later = plan([aHostState('web-1', [anUpdate('linux-image-amd64', { rebootRequired: true })])], {
      at: DateTime.fromISO('2026-12-03T01:00:00Z', { setZone: true }),
    });
    expect(hostIn(later, 'web-1').actions.map((a) => a.type)).toEqual(['upgrade', 'reboot']);
    expect(hostIn(later, 'web-1').actions[1]).toEqual({
      type: 'reboot',
      reason: 'linux-image-amd64 requires a reboot',
    });
  });

  it('skips everything on an unreachable host and notes hosts never scanned', () => {
    const p = plan([
      aHostState('web-2', [anUpdate('bash')], { reachable: false, error: 'connect ETIMEDOUT' }),
    ]);
    expect(hostIn(p, 'web-2')).toMatchObject({
      state: 'unreachable',
      note: 'unreachable, never reached (last scan 2026-11-30T12:00:00Z: connect ETIMEDOUT)',
      skipped: [
        {
          package: 'bash',
          reason: 'host-unreachable',
          by: 'last scan 2026-11-30T12:00:00Z: connect ETIMEDOUT',
        },
      ],
    });
    expect(hostIn(p, 'db-1').note).toBe('never scanned: run patchctl scan');
  });

  it('respects the cutoff: a window too close to its end is lost', () => {
    const at = DateTime.fromISO('2026-12-01T03:45:00Z', { setZone: true });
    const p = plan([aHostState('web-2', [anUpdate('bash')])], { at });
    expect(hostIn(p, 'web-2').window?.start).toBe('2026-12-02T02:00:00Z');
    const inside = plan([aHostState('web-2', [anUpdate('bash')])], {
      at: DateTime.fromISO('2026-12-01T03:00:00Z'),
    });
    expect(hostIn(inside, 'web-2').window?.start).toBe('2026-12-01T03:00:00Z');
  });

  it('places hosts in rings and gates a ring on the previous ring and its bake time', () => {
    const hosts = [aHostState('web-1', [anUpdate('bash')]), aHostState('web-2', [anUpdate('bash')])];
    const p = plan(hosts);
    expect(p.rings.map((r) => [r.name, r.hosts.map((h) => h.host), r.earliestStart, r.gate])).toEqual([
      ['canary', ['web-1'], '2026-12-01T02:00:00Z', undefined],
      // Estimated: canary's start plus its bake time, then the next nightly window.
      // Hosts with work first (most urgent first, docs/vulnerabilities.md), then by name.
      ['rest', ['web-2', 'db-1', 'ws-1'], '2026-12-02T02:00:00Z', 'after ring canary completes and bakes 1d'],
    ]);
    const baked: RolloutState = {
      formatVersion: 1,
      rollout: 'main',
      updatedAt: '2026-11-30T10:00:00Z',
      rings: { canary: { status: 'completed', healthySince: '2026-11-30T10:00:00Z' } },
    };
    // The canary host is up to date now (a canary never scanned would hold the ring: see below).
    const later = plan([aHostState('web-1', []), aHostState('web-2', [anUpdate('bash')])], {
      rollouts: [baked],
    });
    const rest = later.rings.find((r) => r.name === 'rest');
    expect([rest?.earliestStart, rest?.gate]).toEqual([
      '2026-12-02T02:00:00Z',
      'ring canary bakes until 2026-12-01T10:00:00Z',
    ]);
  });

  it('filters by ring and host, and counts only what it shows', () => {
    const hosts = [
      aHostState('web-1', [anUpdate('bash')]),
      aHostState('web-2', [anUpdate('bash'), anUpdate('curl')]),
    ];
    expect(plan(hosts, {}, { ring: 'canary' }).rings.map((r) => r.name)).toEqual(['canary']);
    const only = plan(hosts, {}, { hosts: ['web-2'] });
    expect(only.rings.flatMap((r) => r.hosts.map((h) => h.host))).toEqual(['web-2']);
    expect(only.summary.updates).toBe(2);
  });

  it('is deterministic: same inputs, same bytes', () => {
    const hosts = [
      aHostState('web-2', [anUpdate('curl'), anUpdate('bash')]),
      aHostState('web-1', [anUpdate('bash')]),
    ];
    expect(JSON.stringify(plan(hosts))).toBe(JSON.stringify(plan([...hosts].reverse())));
  });
});

describe('buildPlan with versions it cannot order', () => {
  it('skips an update whose versions are invalid for the ecosystem instead of failing', () => {
    const p = plan([aHostState('web-2', [anUpdate('bash', { from: '', to: '1:' })])]);
    expect(hostIn(p, 'web-2').skipped[0]).toMatchObject({
      reason: 'excluded',
      by: expect.stringMatching(/not a valid deb version/),
    });
  });
});

/** The plan of the test repository with some of its files replaced. */
function planWith(
  files: Record<string, string>,
  hosts: HostState[],
  options: { rollouts?: RolloutState[]; at?: DateTime } = {},
  filter = {},
) {
  return buildPlanWithHolds(
    {
      repository: repo(files),
      state: observed(hosts, { feeds: { 'kev.json': [] }, rollouts: options.rollouts ?? [] }),
      at: options.at ?? AT,
      inputsDigest: 'sha256:test',
      inputs: {},
      gitCommit: null,
    },
    filter,
  );
}

const ringOf = (p: Plan, name: string) => {
  const r = p.rings.find((x) => x.name === name);
  if (!r) throw new Error(`no ring ${name}`);
  return r;
};

describe('buildPlan: a ring waits for a previous ring that did not complete (issue 12)', () => {
  const rest = [aHostState('web-2', [anUpdate('bash')])];

  it('holds the next ring while the canary host is unreachable: the canary did not prove anything', () => {
    const down = aHostState('web-1', [], {
      reachable: false,
      error: 'connect ECONNREFUSED',
      errorKind: 'unreachable',
    });
    const { plan: p, holds } = planWith({}, [down, ...rest]);
    expect([ringOf(p, 'rest').earliestStart, ringOf(p, 'rest').gate]).toEqual([
      null,
      'waits for ring canary: web-1 unreachable (last scan 2026-11-30T12:00:00Z)',
    ]);
    expect(holds).toEqual([
      {
        rollout: 'main',
        ring: 'rest',
        after: 'canary',
        hosts: [{ host: 'web-1', kind: 'unreachable', scannedAt: '2026-11-30T12:00:00Z' }],
      },
    ]);
    // Its hosts keep their actions: only when they may start changes.
    expect(hostIn(p, 'web-2').actions).toHaveLength(1);
  });

  it('holds it for a canary never scanned, and also when state/rollouts says the canary completed long ago', () => {
    const old: RolloutState = {
      formatVersion: 1,
      rollout: 'main',
      updatedAt: '2026-10-01T00:00:00Z',
      rings: { canary: { status: 'completed', healthySince: '2026-10-01T00:00:00Z' } },
    };
    const { plan: p } = planWith({}, rest, { rollouts: [old] });
    expect(ringOf(p, 'rest').gate).toBe('waits for ring canary: web-1 never scanned');
    expect(ringOf(p, 'rest').earliestStart).toBeNull();
    const keyChanged = aHostState('web-1', [], {
      reachable: false,
      error: 'host key mismatch',
      errorKind: 'host-key-mismatch',
    });
    expect(ringOf(planWith({}, [keyChanged, ...rest], { rollouts: [old] }).plan, 'rest').gate).toBe(
      'waits for ring canary: web-1 host key changed (last scan 2026-11-30T12:00:00Z)',
    );
  });

  it('lets the failure budget decide: unknown hosts within it do not hold the next ring', () => {
    const lenient = doc(
      'Rollout',
      'main',
      'rings:\n  - name: canary\n    groups: [canary]\n    failureBudget: { maxFailed: 1 }\n  - name: rest\n    rest: true',
    );
    const { plan: p, holds } = planWith({ 'rollouts/r.yaml': lenient }, rest);
    expect(holds).toEqual([]);
    expect(ringOf(p, 'rest').earliestStart).toBe('2026-12-01T02:00:00Z');
    expect(ringOf(p, 'rest').gate).toBeUndefined();
  });

  it('computes the gate of a ring from the whole ring before it, also for a plan of some hosts', () => {
    const hosts = [aHostState('web-1', [anUpdate('bash')]), aHostState('web-2', [anUpdate('bash')])];
    const whole = ringOf(plan(hosts), 'rest');
    expect(whole.gate).toBe('after ring canary completes and bakes 1d');
    expect(whole.waitsFor).toEqual(['canary']);
    // Issue 13: a plan of some hosts that leaves the canary's work out can never start the next
    // ring (it used to carry the whole plan's estimate, and apply started it).
    const some = plan(hosts, {}, { hosts: ['web-2'] });
    expect(some.rings.map((r) => r.name)).toEqual(['rest']);
    expect([ringOf(some, 'rest').earliestStart, ringOf(some, 'rest').gate]).toEqual([
      null,
      'waits for ring canary, whose work this plan does not hold whole (1 host(s) with work there): apply ring canary first',
    ]);
    // With the canary's work in it, the plan of some hosts gates the next ring as the whole plan does.
    const both = plan(hosts, {}, { hosts: ['web-1', 'web-2'] });
    expect([ringOf(both, 'rest').earliestStart, ringOf(both, 'rest').gate]).toEqual([
      whole.earliestStart,
      whole.gate,
    ]);
  });
});

describe('buildPlan: hosts it knows nothing current about', () => {
  it('says that a host key changed, never just "unreachable"', () => {
    const p = plan([
      aHostState('web-2', [anUpdate('bash')], {
        reachable: false,
        error: 'the host key of web-2 does not match known_hosts',
        errorKind: 'host-key-mismatch',
      }),
    ]);
    const h = hostIn(p, 'web-2');
    expect(h.note).toBe(
      "host key changed (possible interception): verify the host's new key and update known_hosts (last scan 2026-11-30T12:00:00Z: the host key of web-2 does not match known_hosts)",
    );
    expect(isHostKeyChangedNote(h.note)).toBe(true);
    expect(h.actions).toEqual([]);
    expect(isHostKeyChangedNote(hostIn(p, 'db-1').note)).toBe(false);
  });
});

describe('buildPlan: a reboot that did not happen stays planned (issue 12)', () => {
  it('plans the reboot a host still needs, without upgrades, in its policy window', () => {
    const p = plan([aHostState('web-2', [], { rebootRequired: true })]);
    const h = hostIn(p, 'web-2');
    expect(h.actions).toEqual([
      {
        type: 'reboot',
        reason: 'the host needs a reboot (pending since the scan at 2026-11-30T12:00:00Z)',
        policy: 'servers-security',
      },
    ]);
    expect(h.window).toEqual({ name: 'nightly', start: '2026-12-01T02:00:00Z', end: '2026-12-01T04:00:00Z' });
    expect(p.summary).toMatchObject({ hostsWithChanges: 1, updates: 0, reboots: 1 });
    // Once a scan shows the reboot happened, it is no longer planned.
    expect(hostIn(plan([aHostState('web-2', [], { rebootRequired: false })]), 'web-2').actions).toEqual([]);
  });

  it("keeps it while the host's updates are all skipped, and takes the host's broad policy, not a narrow one", () => {
    // kernel (include linux-image-*) decides for kernels only, even with a higher priority.
    const policies = doc(
      'PatchPolicy',
      'servers',
      'appliesTo: { groups: [servers] }\npriority: 10\nrollout: main\nclassification: [security]\nwindows: [nightly]\nreboot: ifRequired',
    ).concat(
      '---\n',
      doc(
        'PatchPolicy',
        'kernel',
        'appliesTo: { groups: [servers] }\npriority: 50\ninclude: [linux-image-*]\nclassification: [all]\nreboot: never\nrollout: main',
      ),
    );
    const host = aHostState('web-2', [anUpdate('libc6', { classification: 'bugfix' })], {
      rebootRequired: true,
    });
    const h = hostIn(planWith({ 'policies/p.yaml': policies }, [host]).plan, 'web-2');
    expect(h.skipped.map((s) => s.reason)).toEqual(['classification']);
    expect(h.actions).toEqual([expect.objectContaining({ type: 'reboot', policy: 'servers' })]);
  });

  it('plans none when the policy never reboots, or outside its windows', () => {
    const never = doc(
      'PatchPolicy',
      'servers',
      'appliesTo: { groups: [servers] }\nrollout: main\nclassification: [security]\nwindows: [nightly]\nreboot: never',
    );
    const host = aHostState('web-2', [], { rebootRequired: true });
    expect(hostIn(planWith({ 'policies/p.yaml': never }, [host]).plan, 'web-2').actions).toEqual([]);
    // web-1's window (ws-window, the canary's) falls in the freeze until 2026-12-03.
    const frozen = aHostState('web-1', [], { rebootRequired: true });
    const kernelOnly = doc(
      'PatchPolicy',
      'servers',
      'appliesTo: { groups: [canary] }\nrollout: main\nclassification: [security]\nwindows: [ws-window]',
    );
    expect(hostIn(planWith({ 'policies/p.yaml': kernelOnly }, [frozen]).plan, 'web-1').actions).toEqual([]);
    const after = planWith({ 'policies/p.yaml': kernelOnly }, [frozen], {
      at: DateTime.fromISO('2026-12-03T01:00:00Z', { setZone: true }),
    }).plan;
    expect(hostIn(after, 'web-1').window?.start).toBe('2026-12-03T12:00:00Z');
  });
});
