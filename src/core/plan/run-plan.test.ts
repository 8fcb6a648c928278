import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { runPlanHosts, runPlanOf, verifyRunPlan } from './run-plan.js';
import type { Plan, PlanHost } from './types.js';

const digest = (text: string): string => createHash('sha256').update(text).digest('hex').slice(0, 16);

const host = (name: string, to = '1.1', start = '2026-12-01T02:00:00Z'): PlanHost => ({
  host: name,
  window: { name: 'nightly', start, end: '2026-12-01T04:00:00Z' },
  actions: [
    {
      type: 'upgrade',
      package: 'openssl',
      from: '1.0',
      to,
      classification: 'security',
      severity: 'high',
      advisories: [],
      policy: 'p',
    },
  ],
  skipped: [],
});
const plan = (hosts: PlanHost[]): Plan => ({
  formatVersion: 1,
  createdAt: '2026-12-01T00:00:00Z',
  at: '2026-12-01T00:00:00Z',
  inputsDigest: `sha256:${'1f'.repeat(32)}`,
  inputs: { 'state/hosts/web-1.json': 'sha256:aa' },
  gitCommit: null,
  summary: {
    hosts: hosts.length,
    hostsWithChanges: hosts.length,
    updates: hosts.length,
    reboots: 0,
    skipped: 0,
  },
  rings: [{ name: 'canary', rollout: 'main', earliestStart: '2026-12-01T02:00:00Z', hosts }],
});
const ctx = (over: Partial<Parameters<typeof verifyRunPlan>[2]> = {}) => ({
  label: 'run.plan.json',
  changedHosts: new Set<string>(),
  inputsChanged: false,
  digest,
  ...over,
});

describe('run plans (issue 13)', () => {
  const original = plan([host('web-1'), host('web-2')]);
  const record = runPlanOf(original, digest);

  it('keep the plan identity and one line per host, not the actions', () => {
    expect(record).toMatchObject({ kind: 'run-plan', at: original.at, inputsDigest: original.inputsDigest });
    expect(runPlanHosts(record)).toEqual(['web-1', 'web-2']);
    expect(JSON.stringify(record)).not.toContain('openssl');
  });

  it('accept the same decisions and return the recomputation', () => {
    const again = verifyRunPlan(record, original, ctx());
    expect(again).toEqual({ ok: true, plan: original });
  });

  it('refuse a host still to run that the repository now decides otherwise, naming it', () => {
    const r = verifyRunPlan(
      record,
      plan([host('web-1'), host('web-2', '1.2')]),
      ctx({ inputsChanged: true }),
    );
    expect(r).toEqual({
      ok: false,
      differences: [
        "run.plan.json: ring main/canary host web-2: the repository no longer decides what the run's plan decided (its upgrades, reboot, skips, note, shard or package manager changed)",
      ],
    });
  });

  it('refuse a host whose package manager changed (apply would open another driver); accept a record written before the field', () => {
    const withPm = plan([
      { ...host('web-1'), packageManager: 'apt' },
      { ...host('web-2'), packageManager: 'apt' },
    ]);
    const mine = runPlanOf(withPm, digest);
    expect(verifyRunPlan(mine, withPm, ctx())).toEqual({ ok: true, plan: withPm });
    const reinstalled = plan([
      { ...host('web-1'), packageManager: 'apt' },
      { ...host('web-2'), packageManager: 'dnf' },
    ]);
    const r = verifyRunPlan(mine, reinstalled, ctx({ inputsChanged: true }));
    expect(r.ok ? [] : r.differences).toEqual([
      "run.plan.json: ring main/canary host web-2: the repository no longer decides what the run's plan decided (its upgrades, reboot, skips, note, shard or package manager changed)",
    ]);
    // `record` was made from hosts without packageManager, as an earlier version wrote it.
    expect(verifyRunPlan(record, withPm, ctx())).toEqual({ ok: true, plan: withPm });
  });

  it('take a host whose state changed (patched by an earlier run) as the repository decides it now', () => {
    const now = plan([{ ...host('web-1'), actions: [] }, host('web-2')]);
    expect(
      verifyRunPlan(record, now, ctx({ inputsChanged: true, changedHosts: new Set(['web-1']) })),
    ).toEqual({
      ok: true,
      plan: now,
    });
  });

  it('compare windows and ring starts only when no input changed', () => {
    const later = plan([host('web-1'), host('web-2', '1.1', '2026-12-02T02:00:00Z')]);
    expect(verifyRunPlan(record, later, ctx()).ok).toBe(false);
    expect(verifyRunPlan(record, later, ctx({ inputsChanged: true })).ok).toBe(true);
  });

  it('refuse other hosts in a ring, and take the same hosts in another order', () => {
    expect(verifyRunPlan(record, plan([host('web-1'), host('web-3')]), ctx({ inputsChanged: true })).ok).toBe(
      false,
    );
    expect(verifyRunPlan(record, plan([host('web-1')]), ctx({ inputsChanged: true })).ok).toBe(false);
    // A ring's hosts are ordered by risk, which changes as the run patches them (web-1 patched:
    // no work left, so it comes after web-2 now); each host is still checked as itself.
    const reordered = plan([host('web-2'), { ...host('web-1'), actions: [] }]);
    expect(
      verifyRunPlan(record, reordered, ctx({ inputsChanged: true, changedHosts: new Set(['web-1']) })),
    ).toEqual({ ok: true, plan: reordered });
    expect(
      verifyRunPlan(record, plan([host('web-2', '1.2'), host('web-1')]), ctx({ inputsChanged: true })).ok,
    ).toBe(false);
  });
});
