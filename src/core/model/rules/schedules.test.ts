import { describe, expect, it } from '@jest/globals';
import { doc, runRule, where } from '../../../test-support/repo-builder.js';
import { durations, recurrences } from './schedules.js';

const group = { 'groups/g.yaml': doc('Group', 'g', 'hosts: []') };
const window = (spec: string) => ({
  ...group,
  'windows/w.yaml': doc('MaintenanceWindow', 'w', `timezone: UTC\ngroups: [g]\n${spec}`),
});

describe('durations', () => {
  it('refuses units out of order, zero durations and a cutoff as long as the window', () => {
    expect(where(runRule(durations, window('rrule: FREQ=DAILY;BYHOUR=2\nduration: 30m2h')))).toEqual([
      'windows/w.yaml:9:13 error invalid-duration',
    ]);
    expect(where(runRule(durations, window('rrule: FREQ=DAILY;BYHOUR=2\nduration: 0h')))).toEqual([
      'windows/w.yaml:9:13 error invalid-duration',
    ]);
    expect(
      where(runRule(durations, window('rrule: FREQ=DAILY;BYHOUR=2\nduration: 2h\ncutoff: 120m'))),
    ).toEqual(['windows/w.yaml:10:11 error cutoff-too-long']);
    expect(
      runRule(durations, window('rrule: FREQ=DAILY;BYHOUR=2\nduration: 2h\ncutoff: 30m\noffset: 3d')),
    ).toEqual([]);
  });
  it('says what is wrong with a duration once, naming the value once', () => {
    const d = runRule(durations, window('rrule: FREQ=DAILY;BYHOUR=2\nduration: 1h6h'));
    expect(d.map((x) => x.message)).toEqual([
      'duration "1h6h": give each unit at most once, largest first (w, d, h, m, s), e.g. 1d12h',
    ]);
  });
  it('checks durations in rollouts, policies and the Config', () => {
    const d = runRule(durations, {
      ...group,
      'rollouts/r.yaml': doc('Rollout', 'r', 'rings:\n  - name: a\n    rest: true\n    bakeTime: 1h1h'),
      'policies/p.yaml': doc(
        'PatchPolicy',
        'p',
        'appliesTo: { groups: [g] }\napproveAfter: 0d\nhooks:\n  pre:\n    - command: [/bin/true]\n      timeout: 0s',
      ),
    });
    expect(where(d)).toEqual([
      'rollouts/r.yaml:9:17 error invalid-duration',
      'policies/p.yaml:11:18 error invalid-duration',
    ]);
  });
});

describe('recurrences', () => {
  it('needs exactly one valid rrule or cron, pointing into it', () => {
    expect(where(runRule(recurrences, window('duration: 1h')))).toEqual([
      'windows/w.yaml:6:3 error invalid-recurrence',
    ]);
    expect(
      where(runRule(recurrences, window('rrule: FREQ=MONTHLY;BYDAY=8TU;BYHOUR=22\nduration: 1h'))),
    ).toEqual(['windows/w.yaml:8:10 error invalid-recurrence']);
    expect(where(runRule(recurrences, window('cron: "61 2 * * *"\nduration: 1h')))).toEqual([
      'windows/w.yaml:8:9 error invalid-recurrence',
    ]);
    expect(
      where(runRule(recurrences, window('cron: "0 2 * * *"\nrrule: FREQ=DAILY;BYHOUR=2\nduration: 1h'))),
    ).toHaveLength(1);
    expect(
      runRule(recurrences, window('rrule: FREQ=MONTHLY;BYDAY=2TU;BYHOUR=22\noffset: 3d\nduration: 4h')),
    ).toEqual([]);
  });
  it('checks blackouts: fixed or recurring, real dates, end after start', () => {
    const blackout = (spec: string) => ({ 'windows/b.yaml': doc('Blackout', 'b', spec) });
    expect(runRule(recurrences, blackout('start: "2026-12-20"\nend: "2027-01-03"'))).toEqual([]);
    expect(runRule(recurrences, blackout('cron: "0 0 1 */3 *"\nduration: 2d'))).toEqual([]);
    expect(where(runRule(recurrences, blackout('start: "2026-12-20"\nend: "2026-12-01"')))).toEqual([
      'windows/b.yaml:7:8 error invalid-blackout',
    ]);
    expect(where(runRule(recurrences, blackout('start: "2026-02-30"\nend: "2027-01-01"')))).toEqual([
      'windows/b.yaml:6:10 error invalid-date',
    ]);
    expect(runRule(recurrences, blackout('reason: freeze for the audit')).map((x) => x.code)).toEqual([
      'invalid-blackout',
    ]);
    expect(runRule(recurrences, blackout('cron: "0 0 1 * *"')).map((x) => x.code)).toEqual([
      'invalid-blackout',
    ]);
    expect(
      runRule(recurrences, blackout('start: "2026-12-20"\ncron: "0 0 1 * *"\nduration: 1d')).map(
        (x) => x.code,
      ),
    ).toEqual(['invalid-blackout']);
  });
});
