import { describe, expect, it } from '@jest/globals';
import { doc, hosts, runRule, where } from '../../../test-support/repo-builder.js';
import { emptyTargets } from './empty-targets.js';

const base = {
  'inventory/a.yaml': hosts('web-1', 'db-1'),
  'groups/g.yaml': [
    doc('Group', 'web', 'selector:\n  matchLabels: { role: web }'),
    doc('Group', 'typo', 'selector:\n  matchLabels: { role: wbe }'),
  ].join('---\n'),
};
const window = (groups: string) =>
  doc(
    'MaintenanceWindow',
    'w',
    `timezone: UTC\nrrule: FREQ=WEEKLY;BYDAY=SA;BYHOUR=2\nduration: 4h\ngroups: [${groups}]`,
  );

describe('emptyTargets', () => {
  it('is quiet when every group and selector matches a host', () => {
    expect(
      runRule(emptyTargets, {
        'inventory/a.yaml': hosts('web-1'),
        'groups/g.yaml': doc('Group', 'web', 'hosts: [web-1]'),
      }),
    ).toEqual([]);
  });
  it('warns on a group that matches no host', () => {
    const d = runRule(emptyTargets, base);
    expect(where(d)).toEqual(['groups/g.yaml:12:9 warning group-matches-no-host']);
    expect(d[0]?.message).toContain('group "typo" matches no host');
  });
  it('does not add a warning to a group that names an unknown group or host (an error already)', () => {
    expect(
      runRule(
        emptyTargets,
        { ...base, 'groups/g.yaml': doc('Group', 'x', 'hosts: [nosuch]') },
        { allowInvalid: true },
      ),
    ).toEqual([]);
  });
  it('warns on a window, a blackout, an exception and a ring that take no host', () => {
    const files = {
      ...base,
      'windows/w.yaml': window('typo'),
      'windows/b.yaml': doc(
        'Blackout',
        'b',
        'reason: change freeze\nstart: 2026-12-20\nend: 2027-01-04\ngroups: [typo]',
      ),
      'exceptions/e.yaml': doc(
        'PatchException',
        'e',
        'groups: [typo]\npackages: [openssl]\nreason: vendor app breaks\nowner: alice\nexpires: "2026-12-20"',
      ),
      'rollouts/r.yaml': doc(
        'Rollout',
        'r',
        'rings:\n  - name: canary\n    selector:\n      matchLabels: { role: canary }\n  - name: rest\n    rest: true',
      ),
    };
    expect(where(runRule(emptyTargets, files)).sort()).toEqual([
      'exceptions/e.yaml:6:3 warning exception-matches-no-host',
      'groups/g.yaml:12:9 warning group-matches-no-host',
      'rollouts/r.yaml:8:7 warning ring-matches-no-host',
      'windows/b.yaml:9:3 warning blackout-matches-no-host',
      'windows/w.yaml:9:3 warning window-matches-no-host',
    ]);
  });
  it('is quiet for a window with one empty group among others', () => {
    expect(where(runRule(emptyTargets, { ...base, 'windows/w.yaml': window('typo, web') }))).toEqual([
      'groups/g.yaml:12:9 warning group-matches-no-host',
    ]);
  });
});
