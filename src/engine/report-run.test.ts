import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import { reportSummaryText } from '../cli/commands/report.js';
import { buildPlan } from '../core/plan/build-plan.js';
import { buildComplianceReport } from '../core/report/compliance.js';
import { check, doc } from '../test-support/repo-builder.js';
import { aHostState, anUpdate, observed } from '../test-support/state-builder.js';
import { commitMessage } from './report-run.js';

const AT = DateTime.fromISO('2026-12-01T10:00:00Z', { setZone: true });

function report() {
  const result = check(
    {
      'inventory/a.yaml': doc(
        'Inventory',
        'inv',
        'hosts:\n  - { name: a-1 }\n  - { name: a-2 }\n  - { name: w-1, transport: winrm, os: windows }',
      ),
      'groups/g.yaml': doc('Group', 'all', 'hosts: [a-1, a-2, w-1]'),
      'policies/p.yaml': doc('PatchPolicy', 'all', 'appliesTo: { groups: [all] }\napproveAfter: 3d'),
    },
    { at: AT },
  );
  if (!result.repository) throw new Error('fixture repository is invalid');
  const state = observed([
    // waits for its approval delay: on track
    aHostState('a-1', [anUpdate('openssl', { releasedAt: '2026-11-30T00:00:00Z' })]),
    // past its 14-day SLA: overdue
    aHostState('a-2', [anUpdate('curl', { releasedAt: '2026-10-01T00:00:00Z' })]),
  ]);
  const plan = buildPlan({
    repository: result.repository,
    state,
    at: AT,
    inputsDigest: `sha256:${'f'.repeat(64)}`,
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

describe('the report run says both figures', () => {
  const r = report();

  it('in the commit message', () => {
    expect(commitMessage(r, ['reports/compliance.md'])).toContain('\nSchedule: 1 on track, 1 overdue\n');
  });

  it('in what `patchctl report` prints', () => {
    const text = reportSummaryText(
      { report: r, files: [], stateFiles: [], removed: [], folded: [], warnings: [] },
      '/repo',
    );
    expect(text).toContain('0.0% of hosts in compliance (0 of 3); 2 missing, 1 unsupported\n');
    expect(text).toContain(
      'Schedule: 33.3% in compliance or on track; 1 on track, 1 overdue, 0 needing attention, 1 unknown (unsupported or never scanned)\n',
    );
  });
});
