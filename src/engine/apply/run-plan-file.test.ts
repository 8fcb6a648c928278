import { describe, expect, it } from '@jest/globals';
import { runPlanOf } from '../../core/plan/run-plan.js';
import type { Plan } from '../../core/plan/types.js';
import { checkRunPlanText, runPlanDigest, serialiseRunPlan } from './run-plan-file.js';

const PLAN: Plan = {
  formatVersion: 1,
  createdAt: '2026-12-01T00:00:00Z',
  at: '2026-12-01T00:00:00Z',
  inputsDigest: `sha256:${'1f'.repeat(32)}`,
  inputs: {},
  gitCommit: null,
  summary: { hosts: 1, hostsWithChanges: 0, updates: 0, reboots: 0, skipped: 0 },
  rings: [
    {
      name: 'canary',
      rollout: 'main',
      earliestStart: null,
      hosts: [{ host: 'web-1', window: null, actions: [], skipped: [] }],
    },
  ],
};

describe('the plan file of a run (issue 13)', () => {
  const text = serialiseRunPlan(runPlanOf(PLAN, runPlanDigest));

  it('reads back what it wrote', () => {
    expect(checkRunPlanText('r.plan.json', text)).toEqual({
      value: { kind: 'run-plan', record: runPlanOf(PLAN, runPlanDigest) },
      diagnostics: [],
    });
  });

  it('still reads a whole plan, as earlier versions kept it', () => {
    expect(checkRunPlanText('r.plan.json', JSON.stringify(PLAN)).value).toEqual({ kind: 'plan', plan: PLAN });
  });

  it('refuses a host line that is not a host and two digests, at its field', () => {
    const bad = text.replace(/"web-1 [0-9a-f]{16}/, '"web-1 ../../etc');
    const r = checkRunPlanText('r.plan.json', bad);
    expect(r.value).toBeUndefined();
    expect(r.diagnostics[0]?.message).toBe(
      'not the plan file of an apply run: "hosts": each must be "<host> <16 hex digits> <16 hex digits>"',
    );
    expect(r.diagnostics[0]?.at?.line).toBe(bad.split('\n').findIndex((l) => l.includes('"hosts"')) + 1);
  });

  it('refuses a repeated key and an unknown field', () => {
    const repeated = text.replace(
      '"kind": "run-plan",',
      '"kind": "run-plan",\n  "at": "2026-12-02T00:00:00Z",',
    );
    expect(checkRunPlanText('r.plan.json', repeated).diagnostics[0]?.code).toBe('json-duplicate-key');
    const extra = text.replace('"kind": "run-plan",', '"kind": "run-plan",\n  "actions": [],');
    expect(checkRunPlanText('r.plan.json', extra).diagnostics[0]?.message).toContain(
      '"actions": not a field',
    );
  });
});
