// Issue 13: rings are a promise. A ring's hosts start only when every earlier ring of its rollout
// completed and baked, whatever part of the fleet a plan shows; later rings get only the versions
// an earlier ring ran when it completed; a ring with no work left completes.
import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { check, doc } from '../../test-support/repo-builder.js';
import { aHostState, anUpdate, observed } from '../../test-support/state-builder.js';
import type { HostState, RingProgress, RolloutState } from '../state/types.js';
import type { PlanFilter } from './build-plan.js';
import { buildPlanWithHolds } from './build-plan.js';
import type { Plan, PlanHost, PlanRing } from './types.js';

const AT = DateTime.fromISO('2026-12-01T00:00:00Z', { setZone: true });

const inventory = doc(
  'Inventory',
  'inv',
  `hosts:
  - { name: c-1, labels: { ring: canary } }
  - { name: p-1, labels: { ring: pilot } }
  - { name: r-1, labels: { ring: rest } }
  - { name: r-2, labels: { ring: rest } }`,
);
const groups = [
  doc('Group', 'canary', 'selector:\n  matchLabels: { ring: canary }'),
  doc('Group', 'pilot', 'selector:\n  matchLabels: { ring: pilot }'),
  doc('Group', 'all', 'selector:\n  matchExpressions: [{ key: ring, operator: Exists }]'),
].join('---\n');
const rollout = (bake = '') =>
  doc(
    'Rollout',
    'main',
    `rings:
  - name: canary
    groups: [canary]${bake}
  - name: pilot
    groups: [pilot]
  - name: rest
    rest: true`,
  );
const policy = doc(
  'PatchPolicy',
  'all',
  `appliesTo: { groups: [all] }
rollout: main
classification: [all]
emergency: { enabled: true, feeds: [kev.json], skipApproval: true, skipBakeTime: true }`,
);

function planOf(
  hosts: HostState[],
  options: { rings?: Record<string, RingProgress>; files?: Record<string, string>; kev?: string[] } = {},
  filter: PlanFilter = {},
) {
  const r = check(
    {
      'inventory/i.yaml': inventory,
      'groups/g.yaml': groups,
      'rollouts/r.yaml': rollout(),
      'policies/p.yaml': policy,
      ...options.files,
    },
    { advisoryFiles: ['kev.json'] },
  );
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  const rollouts: RolloutState[] = options.rings
    ? [{ formatVersion: 1, rollout: 'main', updatedAt: '2026-11-30T00:00:00Z', rings: options.rings }]
    : [];
  return buildPlanWithHolds(
    {
      repository: r.repository,
      state: observed(hosts, { rollouts, feeds: { 'kev.json': options.kev ?? [] } }),
      at: AT,
      inputsDigest: 'sha256:test',
      inputs: {},
      gitCommit: null,
    },
    filter,
  );
}

const ringOf = (p: Plan, name: string): PlanRing => {
  const r = p.rings.find((x) => x.name === name);
  if (!r) throw new Error(`no ring ${name}`);
  return r;
};
const hostIn = (p: Plan, name: string): PlanHost => {
  const h = p.rings.flatMap((r) => r.hosts).find((x) => x.host === name);
  if (!h) throw new Error(`no host ${name}`);
  return h;
};
const done = (at = '2026-11-29T00:00:00Z', extra: Partial<RingProgress> = {}): RingProgress => ({
  status: 'completed',
  finishedAt: at,
  healthySince: at,
  failures: 0,
  ...extra,
});
const upToDate = (name: string, installed: { name: string; version: string }[] = []) =>
  aHostState(name, [], { installed });

describe('ring order whatever the plan shows (issue 13)', () => {
  const fresh = [
    aHostState('c-1', [anUpdate('bash')]),
    upToDate('p-1'),
    aHostState('r-1', [anUpdate('bash')]),
    aHostState('r-2', [anUpdate('bash')]),
  ];

  it('a fresh fleet without bake time: rest waits for the canary with work, in the whole plan and every part of it', () => {
    const whole = planOf(fresh).plan;
    // The whole plan: the estimate (canary's start, no bake) and the ring apply must complete first.
    expect(ringOf(whole, 'rest')).toMatchObject({
      earliestStart: AT.toISO({ suppressMilliseconds: true }),
      waitsFor: ['canary'],
    });
    // plan --hosts r-1 (and --out p.json): the canary is not in it, so rest cannot start.
    const some = planOf(fresh, {}, { hosts: ['r-1'] }).plan;
    expect(ringOf(some, 'rest')).toMatchObject({
      earliestStart: null,
      waitsFor: ['canary'],
      gate: 'waits for ring canary, whose work this plan does not hold whole (1 host(s) with work there): apply ring canary first',
    });
    // plan --ring rest (and apply --ring rest, which plans the same way).
    expect(ringOf(planOf(fresh, {}, { ring: 'rest' }).plan, 'rest').earliestStart).toBeNull();
    // The hosts keep their actions: the gate decides when, not what.
    expect(hostIn(some, 'r-1').actions).toHaveLength(1);
  });

  it('the gate goes through a ring without work: pilot never ran, canary is still in progress', () => {
    const { plan } = planOf(
      [upToDate('c-1'), upToDate('p-1'), aHostState('r-1', [anUpdate('bash')]), upToDate('r-2')],
      { rings: { canary: { status: 'in-progress', startedAt: '2026-11-30T00:00:00Z' } } },
    );
    // The canary has no work but never recorded completion: it completes with the next apply,
    // and rest waits for that (it used to look only at pilot, which had no record: open).
    expect(ringOf(plan, 'canary').completesWithoutWork).toBe(true);
    expect(ringOf(plan, 'rest')).toMatchObject({ waitsFor: ['canary'] });
    const bake = planOf(
      [upToDate('c-1'), upToDate('p-1'), aHostState('r-1', [anUpdate('bash')]), upToDate('r-2')],
      {
        rings: { canary: done('2026-11-30T12:00:00Z') },
        files: { 'rollouts/r.yaml': rollout('\n    bakeTime: 1d') },
      },
    ).plan;
    // Canary completed and bakes until 12:00 tomorrow: pilot (no work, no record) passes that on.
    expect(ringOf(bake, 'rest')).toMatchObject({
      earliestStart: '2026-12-01T12:00:00Z',
      gate: 'ring canary bakes until 2026-12-01T12:00:00Z',
    });
  });

  it('a canary that completed within its budget does not hold rest for the host that failed', () => {
    const files = {
      'rollouts/r.yaml': doc(
        'Rollout',
        'main',
        'rings:\n  - name: canary\n    groups: [canary]\n    failureBudget: { maxFailed: 1 }\n  - name: pilot\n    groups: [pilot]\n  - name: rest\n    rest: true',
      ),
    };
    const hosts = [
      aHostState('c-1', [anUpdate('bash')]),
      upToDate('p-1'),
      aHostState('r-1', [anUpdate('bash')]),
      upToDate('r-2'),
    ];
    const retried = planOf(hosts, {
      files,
      rings: { canary: done(undefined, { failures: 1, failedHosts: ['c-1'] }) },
    }).plan;
    expect(ringOf(retried, 'rest').waitsFor).toBeUndefined();
    expect(ringOf(planOf(hosts, { files, rings: { canary: done() } }).plan, 'rest').waitsFor).toEqual([
      'canary',
    ]);
  });
});

describe('per-update ring gating (issue 13)', () => {
  const canaryRan = (versions: Record<string, string>) => ({
    canary: done(undefined, { versions: { deb: versions } }),
    pilot: done(),
  });
  const rest = (updates: Parameters<typeof anUpdate>[]) => [
    upToDate('c-1'),
    upToDate('p-1'),
    aHostState(
      'r-1',
      updates.map((u) => anUpdate(...u)),
    ),
    upToDate('r-2'),
  ];

  it('skips an update released after the canary ran: rest gets only what an earlier ring ran', () => {
    const { plan } = planOf(rest([['openssl', { from: '3.0.15-1', to: '3.0.17-1' }]]), {
      rings: canaryRan({ 'openssl:amd64': '3.0.16-1' }),
    });
    expect(hostIn(plan, 'r-1').actions).toEqual([]);
    expect(hostIn(plan, 'r-1').skipped).toEqual([
      { package: 'openssl', to: '3.0.17-1', reason: 'not-in-earlier-ring', by: 'ring canary' },
    ]);
  });

  it('plans a version the canary ran, or an earlier one, compared in dpkg order (never as strings)', () => {
    const { plan } = planOf(
      rest([
        ['openssl', { from: '3.0.8-1', to: '3.0.9-1' }],
        ['curl', { from: '7.88.1-10', to: '7.88.1-10+deb12u5' }],
      ]),
      { rings: canaryRan({ openssl: '3.0.10-1', 'curl:amd64': '7.88.1-10+deb12u5' }) },
    );
    // "3.0.10-1" < "3.0.9-1" as strings; dpkg says 3.0.10 is later.
    expect(
      hostIn(plan, 'r-1').actions.map((a) => (a.type === 'upgrade' ? `${a.package} ${a.to}` : a.type)),
    ).toEqual(['curl 7.88.1-10+deb12u5', 'openssl 3.0.9-1']);
  });

  it('a package no earlier ring ran is gated by ring order alone; the nearest record that lists it decides', () => {
    const { plan } = planOf(
      rest([
        ['zsh', {}],
        ['openssl', { to: '3.0.17-1' }],
      ]),
      {
        rings: {
          canary: done(undefined, { versions: { deb: { openssl: '3.0.16-1' } } }),
          pilot: done(undefined, { versions: { deb: { bash: '5.2-1' } } }),
        },
      },
    );
    expect(hostIn(plan, 'r-1').actions.map((a) => (a.type === 'upgrade' ? a.package : a.type))).toEqual([
      'zsh',
    ]);
    expect(hostIn(plan, 'r-1').skipped.map((s) => s.by)).toEqual(['ring canary']);
  });

  it('lets the emergency track of a policy with skipBakeTime through', () => {
    const { plan } = planOf(rest([['openssl', { to: '3.0.17-1', advisories: ['CVE-2026-1'] }]]), {
      rings: canaryRan({ openssl: '3.0.16-1' }),
      kev: ['CVE-2026-1'],
    });
    expect(hostIn(plan, 'r-1').actions).toMatchObject([{ package: 'openssl', emergency: true }]);
  });

  it('is deterministic and counts the skips', () => {
    const hosts = rest([['openssl', { to: '3.0.17-1' }]]);
    const a = planOf(hosts, { rings: canaryRan({ openssl: '3.0.16-1' }) }).plan;
    const b = planOf([...hosts].reverse(), { rings: canaryRan({ openssl: '3.0.16-1' }) }).plan;
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
    expect(a.summary.skipped).toBe(1);
  });
});

describe('a ring with no work left completes (issue 13)', () => {
  const excepted = doc(
    'PatchException',
    'c1-bash',
    'hosts: [c-1]\npackages: [bash]\nreason: vendor fix pending\nowner: ops\ncreated: "2026-11-20"\nexpires: "2027-01-31"',
  );
  const halted = (extra: Partial<RingProgress> = {}): Record<string, RingProgress> => ({
    canary: {
      status: 'halted',
      startedAt: '2026-11-30T00:00:00Z',
      finishedAt: '2026-11-30T01:00:00Z',
      failures: 1,
      failedHosts: ['c-1'],
      haltedReason: 'failure budget exceeded: 1 of 1 hosts failed',
      ...extra,
    },
  });
  const hosts = [
    aHostState('c-1', [anUpdate('bash')]),
    upToDate('p-1'),
    aHostState('r-1', [anUpdate('bash')]),
    upToDate('r-2'),
  ];

  it('a halted canary whose failed host an exception now covers completes with the next apply; rest follows', () => {
    const { plan } = planOf(hosts, { rings: halted(), files: { 'exceptions/e.yaml': excepted } });
    expect(ringOf(plan, 'canary')).toMatchObject({
      completesWithoutWork: true,
      gate: 'halted (failure budget exceeded: 1 of 1 hosts failed); no work left now: the next apply records ring canary completed',
    });
    expect(ringOf(plan, 'rest')).toMatchObject({
      earliestStart: '2026-12-01T00:00:00Z',
      waitsFor: ['canary'],
    });
    // Without the exception the canary host is retried: the ring has work, and rest is held.
    const before = planOf(hosts, { rings: halted() }).plan;
    expect(ringOf(before, 'canary').completesWithoutWork).toBeUndefined();
    expect(ringOf(before, 'rest').earliestStart).toBeNull();
  });

  it('a failed host with nothing left to install keeps the halt until someone releases it', () => {
    const patched = [
      upToDate('c-1'),
      upToDate('p-1'),
      aHostState('r-1', [anUpdate('bash')]),
      upToDate('r-2'),
    ];
    const { plan } = planOf(patched, { rings: halted() });
    expect(ringOf(plan, 'canary').completesWithoutWork).toBeUndefined();
    expect(ringOf(plan, 'rest').earliestStart).toBeNull();
    expect(ringOf(plan, 'rest').gate).toMatch(
      /rollout halted at ring canary: .*patchctl rollout release main --ring canary --reason TEXT$/,
    );
    // Released (in progress again, with who and why): it completes with the next apply.
    const released = planOf(patched, {
      rings: {
        canary: {
          status: 'in-progress',
          startedAt: '2026-11-30T00:00:00Z',
          released: { at: '2026-11-30T09:00:00Z', by: 'ops@laptop', reason: 'checked c-1 by hand' },
        },
      },
    }).plan;
    expect(ringOf(released, 'canary').completesWithoutWork).toBe(true);
    expect(ringOf(released, 'rest').waitsFor).toEqual(['canary']);
  });

  it('a halted ring left without hosts holds nothing', () => {
    const noPilot = doc(
      'Inventory',
      'inv',
      'hosts:\n  - { name: c-1, labels: { ring: canary } }\n  - { name: r-1, labels: { ring: rest } }',
    );
    const { plan } = planOf([upToDate('c-1'), aHostState('r-1', [anUpdate('bash')])], {
      files: { 'inventory/i.yaml': noPilot },
      rings: { canary: done(), pilot: { status: 'halted', failures: 1, haltedReason: 'budget' } },
    });
    expect(ringOf(plan, 'rest')).toMatchObject({ earliestStart: '2026-12-01T00:00:00Z' });
    expect(ringOf(plan, 'rest').gate).toBeUndefined();
  });
});
