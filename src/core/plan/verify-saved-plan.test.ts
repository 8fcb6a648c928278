import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { check, doc } from '../../test-support/repo-builder.js';
import { aHostState, anUpdate, observed } from '../../test-support/state-builder.js';
import type { HostState } from '../state/types.js';
import type { PlanFilter, PlanWithHolds } from './build-plan.js';
import { buildPlanWithHolds } from './build-plan.js';
import { withShards } from './shards.js';
import type { Plan, PlanHost } from './types.js';
import type { SavedPlanContext } from './verify-saved-plan.js';
import { savedPlanHosts, verifySavedPlan } from './verify-saved-plan.js';

const AT = DateTime.fromISO('2026-12-01T00:00:00Z', { setZone: true });

const files = {
  'inventory/i.yaml': doc(
    'Inventory',
    'inv',
    `hosts:
  - { name: web-1, labels: { role: web } }
  - { name: web-2, labels: { role: web } }
  - { name: web-3, labels: { role: web } }`,
  ),
  'groups/g.yaml': [
    doc('Group', 'web', 'selector:\n  matchLabels: { role: web }'),
    doc('Group', 'canary', 'hosts: [web-1]'),
  ].join('---\n'),
  'windows/w.yaml': doc(
    'MaintenanceWindow',
    'nightly',
    'timezone: UTC\nrrule: FREQ=DAILY;BYHOUR=2\nduration: 2h\ngroups: [web]',
  ),
  'rollouts/r.yaml': doc(
    'Rollout',
    'main',
    'rings:\n  - name: canary\n    groups: [canary]\n  - name: rest\n    rest: true',
  ),
  'policies/p.yaml': doc(
    'PatchPolicy',
    'web',
    'appliesTo: { groups: [web] }\nrollout: main\nclassification: [security]\nexclude: [secret-*]\nwindows: [nightly]',
  ),
};

function made(hosts: HostState[], filter: PlanFilter = {}): PlanWithHolds {
  const r = check(files);
  expect(r.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  return buildPlanWithHolds(
    {
      repository: r.repository,
      state: observed(hosts),
      at: AT,
      inputsDigest: `sha256:${'1'.repeat(64)}`,
      inputs: {},
      gitCommit: 'abc1234',
    },
    filter,
  );
}

const fleet = (): HostState[] => [
  aHostState('web-1', [anUpdate('bash')]),
  aHostState('web-2', [anUpdate('bash'), anUpdate('secret-tool')]),
  aHostState('web-3', [anUpdate('curl')]),
];

/** The saved plan (a deep copy) and the context of a first apply of it. */
function setup(hosts = fleet()): { saved: Plan; repo: PlanWithHolds; ctx: SavedPlanContext } {
  const repo = made(hosts);
  const saved = JSON.parse(JSON.stringify(repo.plan)) as Plan;
  return {
    saved,
    repo,
    ctx: { label: 'plan.json', changedHosts: new Set(), inputsChanged: false, gateStarts: repo.gateStarts },
  };
}

const hostIn = (p: Plan, name: string): PlanHost => {
  const h = p.rings.flatMap((r) => r.hosts).find((x) => x.host === name);
  if (!h) throw new Error(`no ${name}`);
  return h;
};

function differences(saved: Plan, recomputed: Plan, ctx: SavedPlanContext): string[] {
  const r = verifySavedPlan(saved, recomputed, ctx);
  return r.ok ? [] : r.differences;
}

describe('verifySavedPlan', () => {
  it('accepts the plan as made, whatever its key order and commit, and returns the recomputation', () => {
    const { saved, repo, ctx } = setup();
    const reordered = JSON.parse(
      JSON.stringify(saved, (_k, v: unknown) =>
        v && typeof v === 'object' && !Array.isArray(v)
          ? Object.fromEntries(Object.entries(v as Record<string, unknown>).reverse())
          : v,
      ),
    ) as Plan;
    reordered.gitCommit = 'def5678-dirty';
    const r = verifySavedPlan(reordered, repo.plan, ctx);
    expect(r).toEqual({ ok: true, plan: repo.plan });
    if (r.ok) expect(r.plan.gitCommit).toBe('abc1234');
  });

  it("records each host's package manager from its state, refuses another, and accepts a plan saved without it", () => {
    const { saved, repo, ctx } = setup();
    expect(hostIn(repo.plan, 'web-1').packageManager).toBe('apt');
    hostIn(saved, 'web-1').packageManager = 'dnf';
    expect(differences(saved, repo.plan, ctx)).toEqual([
      "plan.json: ring main/canary host web-1: packageManager dnf is not what the repository's state says (apt)",
    ]);
    delete hostIn(saved, 'web-1').packageManager;
    expect(differences(saved, repo.plan, ctx)).toEqual([]);
  });

  it('refuses an upgrade the policy excludes, naming the ring, host and action', () => {
    const { saved, repo, ctx } = setup();
    const h = hostIn(saved, 'web-2');
    const skip = h.skipped.find((s) => s.package === 'secret-tool');
    expect(skip?.reason).toBe('excluded');
    h.skipped = [];
    h.actions.push({
      ...(h.actions[0] as Extract<PlanHost['actions'][number], { type: 'upgrade' }>),
      package: 'secret-tool',
    });
    expect(differences(saved, repo.plan, ctx)).toEqual([
      'plan.json: ring main/rest host web-2: action upgrade secret-tool 1.0-1 → 1.1-1 (policy web) is not what the repository decides',
      'plan.json: ring main/rest host web-2: skip of secret-tool 1.1-1 (excluded by "policy web"), which the repository decides, is missing',
    ]);
  });

  it('refuses renamed rings, rollouts that would be paths, moved, repeated or unknown hosts', () => {
    const { saved, repo, ctx } = setup();
    const renamed = structuredClone(saved);
    (renamed.rings[0] as Plan['rings'][number]).name = 'canary-light';
    expect(differences(renamed, repo.plan, ctx)).toEqual([
      'plan.json: host web-1 is in ring main/canary-light of the plan; the repository puts it in ring main/canary',
    ]);
    const escaped = structuredClone(saved);
    for (const r of escaped.rings) r.rollout = '../../../../outside';
    expect(differences(escaped, repo.plan, ctx)[0]).toBe(
      'plan.json: host web-1 is in ring "../../../../outside/canary" of the plan; the repository puts it in ring main/canary',
    );
    const moved = structuredClone(saved);
    const [canary, rest] = moved.rings;
    if (!canary || !rest) throw new Error('two rings expected');
    canary.hosts.push(rest.hosts.shift() as PlanHost);
    expect(differences(moved, repo.plan, ctx)).toEqual([
      'plan.json: host web-2 is in ring main/canary of the plan; the repository puts it in ring main/rest',
    ]);
    const twice = structuredClone(saved);
    twice.rings[1]?.hosts.push(structuredClone(twice.rings[1].hosts[0] as PlanHost));
    expect(differences(twice, repo.plan, ctx)).toEqual(['plan.json: host web-2 appears more than once']);
    const unknown = structuredClone(saved);
    (unknown.rings[1]?.hosts[0] as PlanHost).host = 'evil\u001b[2J';
    expect(differences(unknown, repo.plan, ctx)).toContain(
      'plan.json: host "evil\\u001b[2J" is not a host of the repository',
    );
    const dropped = structuredClone(saved);
    dropped.rings.reverse();
    expect(differences(dropped, repo.plan, ctx)).toEqual([
      "plan.json: its rings (main/rest, main/canary) are not the repository's (main/canary, main/rest)",
    ]);
  });

  it("refuses a gate, a window, a note or counts that are not the repository's", () => {
    const { saved, repo, ctx } = setup();
    const gate = structuredClone(saved);
    const rest = gate.rings[1];
    if (!rest) throw new Error('no rest');
    rest.earliestStart = '2026-12-01T00:00:00Z';
    delete rest.gate;
    expect(differences(gate, repo.plan, ctx)).toEqual([
      'plan.json: ring main/rest: earliestStart 2026-12-01T00:00:00Z is not what the repository decides (2026-12-01T02:00:00Z)',
      'plan.json: ring main/rest: gate null is not what the repository decides ("after ring canary completes")',
    ]);
    const window = structuredClone(saved);
    hostIn(window, 'web-3').window = null;
    expect(differences(window, repo.plan, ctx)).toEqual([
      'plan.json: ring main/rest host web-3: window null is not what the repository decides ({"name":"nightly","start":"2026-12-01T02:00:00Z","end":"2026-12-01T04:00:00Z"})',
    ]);
    const counts = structuredClone(saved);
    counts.summary.updates = 0;
    expect(differences(counts, repo.plan, ctx)).toEqual([
      `plan.json: summary {"hosts":3,"hostsWithChanges":3,"updates":0,"reboots":0,"skipped":1,"mayReboot":0,"hostsUpToDate":0,"hostsAllSkipped":0,"hostsUnsupported":0,"hostsUnreachable":0,"hostsScanFailed":0,"hostsNeverScanned":0} does not count the plan ({"hosts":3,"hostsWithChanges":3,"updates":3,"reboots":0,"skipped":1,"mayReboot":0,"hostsUpToDate":0,"hostsAllSkipped":0,"hostsUnsupported":0,"hostsUnreachable":0,"hostsScanFailed":0,"hostsNeverScanned":0})`,
    ]);
    const at = structuredClone(saved);
    at.at = '2026-12-01T00:00:00.000Z';
    expect(differences(at, repo.plan, ctx)[0]).toBe(
      'plan.json: "at" 2026-12-01T00:00:00.000Z is not how patchctl writes that time (2026-12-01T00:00:00Z)',
    );
  });

  it('accepts a part of the plan (plan --hosts, --ring), compared with the same part recomputed', () => {
    const part = made(fleet(), { hosts: ['web-3'] });
    const saved = structuredClone(part.plan);
    expect(savedPlanHosts(saved)).toEqual(['web-3']);
    const ctx = {
      label: 'p.json',
      changedHosts: new Set<string>(),
      inputsChanged: false,
      gateStarts: part.gateStarts,
    };
    expect(verifySavedPlan(saved, made(fleet(), { hosts: savedPlanHosts(saved) }).plan, ctx).ok).toBe(true);
  });

  it('checks the shard of every host and the per-shard counts', () => {
    const { repo, ctx } = setup();
    const saved = withShards(structuredClone(repo.plan), 2);
    const r = verifySavedPlan(saved, repo.plan, ctx);
    expect(r).toEqual({ ok: true, plan: withShards(repo.plan, 2) });
    const moved = structuredClone(saved);
    const h = hostIn(moved, 'web-3');
    h.shard = h.shard === 1 ? 2 : 1;
    expect(differences(moved, repo.plan, ctx)[0]).toMatch(
      /^plan\.json: ring main\/rest host web-3: shard \d is not the repository's split \(\d\)$/,
    );
  });

  describe('a plan applied again (earlier runs, other shards changed some state files)', () => {
    it("keeps a changed host as saved, in its ring, and takes the rest's windows and the gates from the repository", () => {
      const { saved } = setup();
      // web-1 (canary) was patched by an earlier run: nothing left to do on it now.
      const now = made([aHostState('web-1', []), ...fleet().slice(1)]);
      const ctx = {
        label: 'plan.json',
        changedHosts: new Set(['web-1']),
        inputsChanged: true,
        gateStarts: now.gateStarts,
      };
      const r = verifySavedPlan(saved, now.plan, ctx);
      if (!r.ok) throw new Error(r.differences.join('\n'));
      expect(hostIn(r.plan, 'web-1')).toEqual(hostIn(saved, 'web-1'));
      // Its ring still has that host's (finished) work: it starts at its gate, as apply expects.
      expect(r.plan.rings.map((x) => x.earliestStart)).toEqual([
        '2026-12-01T00:00:00Z',
        '2026-12-01T02:00:00Z',
      ]);
      expect(r.plan.summary).toEqual(saved.summary);
    });

    it('still refuses a difference in what an unchanged host does, and a changed host in another ring', () => {
      const { saved } = setup();
      const now = made([aHostState('web-1', []), ...fleet().slice(1)]);
      const ctx = {
        label: 'plan.json',
        changedHosts: new Set(['web-1']),
        inputsChanged: true,
        gateStarts: now.gateStarts,
      };
      const edited = structuredClone(saved);
      hostIn(edited, 'web-3').actions = [];
      expect(differences(edited, now.plan, ctx)[0]).toBe(
        'plan.json: ring main/rest host web-3: action upgrade curl 1.0-1 → 1.1-1 (policy web), which the repository decides, is missing',
      );
      const moved = structuredClone(saved);
      const [canary, rest] = moved.rings;
      if (!canary || !rest) throw new Error('two rings expected');
      rest.hosts.unshift(canary.hosts.pop() as PlanHost);
      expect(differences(moved, now.plan, ctx)[0]).toBe(
        'plan.json: host web-1 is in ring main/rest of the plan; the repository puts it in ring main/canary',
      );
    });
  });
});
