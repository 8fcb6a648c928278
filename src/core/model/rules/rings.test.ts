import { describe, expect, it } from '@jest/globals';
import { check, doc, hosts, runRule, where } from '../../../test-support/repo-builder.js';
import { resolveGroups } from '../groups.js';
import { assignRings, bucketOf } from '../../schedule/rings.js';
import { ringMembership, ringPercentages, ringShapes } from './rings.js';

const inventory = { 'inventory/a.yaml': hosts('web-1', 'web-2', 'db-1', 'db-2', 'app-1') };
const groups = {
  'groups/g.yaml': [
    doc('Group', 'web', 'selector:\n  matchLabels: { role: web }'),
    doc('Group', 'canary', 'hosts: [web-1, db-1]'),
  ].join('---\n'),
};
const rollout = (rings: string) => ({ 'rollouts/r.yaml': doc('Rollout', 'main', `rings:\n${rings}`) });

describe('ringMembership', () => {
  it('flags a host that two group rings take', () => {
    const d = runRule(ringMembership, {
      ...inventory,
      ...groups,
      ...rollout(
        '  - name: canary\n    groups: [canary]\n  - name: web\n    groups: [web]\n  - name: rest\n    rest: true',
      ),
    });
    expect(where(d)).toEqual(['rollouts/r.yaml:9:13 error host-in-several-rings']);
    expect(d[0]?.message).toContain('web-1 (already in "canary")');
  });
  it('warns when group rings leave hosts out', () => {
    const d = runRule(ringMembership, {
      ...inventory,
      ...groups,
      ...rollout('  - name: web\n    groups: [web]'),
    });
    expect(where(d)).toEqual(['rollouts/r.yaml:6:3 warning hosts-without-ring']);
  });
});

describe('ringPercentages', () => {
  it('refuses percentages over 100', () => {
    const d = runRule(ringPercentages, {
      ...inventory,
      ...rollout('  - name: a\n    percent: 60\n  - name: b\n    percent: 50'),
    });
    expect(where(d)).toEqual(['rollouts/r.yaml:10:16 error ring-percent-over']);
  });
  it('refuses percentages under 100 without a rest ring, accepts them with one', () => {
    const under = rollout('  - name: a\n    percent: 10\n  - name: b\n    percent: 30');
    expect(where(runRule(ringPercentages, { ...inventory, ...under }))).toEqual([
      'rollouts/r.yaml:10:16 error ring-percent-under',
    ]);
    const withRest = rollout(
      '  - name: a\n    percent: 10\n  - name: b\n    percent: 30\n  - name: c\n    rest: true',
    );
    expect(runRule(ringPercentages, { ...inventory, ...withRest })).toEqual([]);
  });
  it('accepts fractions that add up to 100 and warns about an empty rest ring', () => {
    const exact = rollout(
      '  - name: a\n    percent: 33.3\n  - name: b\n    percent: 66.7\n  - name: c\n    rest: true',
    );
    expect(where(runRule(ringPercentages, { ...inventory, ...exact }))).toEqual([
      'rollouts/r.yaml:12:13 warning rest-ring-empty',
    ]);
  });
});

describe('ringShapes', () => {
  it('needs one way to take hosts per ring, unique names, rest last', () => {
    const d = runRule(ringShapes, {
      ...inventory,
      ...groups,
      ...rollout(
        '  - name: a\n  - name: b\n    groups: [web]\n    percent: 5\n  - name: r\n    rest: true\n  - name: b\n    percent: 100',
      ),
    });
    expect(where(d)).toEqual([
      'rollouts/r.yaml:7:13 error empty-ring',
      'rollouts/r.yaml:8:13 error ambiguous-ring',
      'rollouts/r.yaml:12:13 error rest-ring-not-last',
      'rollouts/r.yaml:13:13 error duplicate-ring',
    ]);
  });
});

describe('assignRings', () => {
  it('puts every host in exactly one ring, group rings first, percents by stable hash', () => {
    const many = hosts(...Array.from({ length: 200 }, (_, i) => `web-${i}`));
    const { repository } = check({
      'inventory/a.yaml': many,
      'groups/g.yaml': doc('Group', 'canary', 'hosts: [web-7, web-99]'),
      ...rollout(
        '  - name: pilot\n    percent: 20\n  - name: canary\n    groups: [canary]\n  - name: broad\n    rest: true',
      ),
    });
    const r = repository.rollouts[0];
    if (!r) throw new Error('no rollout');
    const a = assignRings(r.doc, repository.hosts, resolveGroups(repository));
    expect(a.conflicts).toEqual([]);
    expect(a.unassigned).toEqual([]);
    expect(a.ringOf.size).toBe(200);
    expect(a.ringOf.get('web-7')).toBe('canary');
    const pilot = [...a.ringOf.values()].filter((x) => x === 'pilot').length;
    expect(pilot).toBeGreaterThan(20);
    expect(pilot).toBeLessThan(60);
    for (const [host, ring] of a.ringOf) {
      if (ring === 'canary') continue;
      expect(ring === 'pilot').toBe(bucketOf('main', host) < 20);
    }
  });
  it('is stable: adding hosts never moves existing ones', () => {
    const before = bucketOf('main', 'web-1');
    expect(bucketOf('main', 'web-1')).toBe(before);
    expect(bucketOf('main', 'web-1')).not.toBe(bucketOf('other', 'web-1'));
  });
});
