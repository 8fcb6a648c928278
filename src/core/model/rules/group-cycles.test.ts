import { describe, expect, it } from '@jest/globals';
import { doc, hosts, runRule, where } from '../../../test-support/repo-builder.js';
import { resolveGroups } from '../groups.js';
import { check } from '../../../test-support/repo-builder.js';
import { groupCycles } from './group-cycles.js';

describe('groupCycles', () => {
  it('reports a cycle once, at the edge that closes it', () => {
    const d = runRule(groupCycles, {
      'groups/g.yaml': [
        doc('Group', 'a', 'groups: [b]'),
        doc('Group', 'b', 'groups: [c]'),
        doc('Group', 'c', 'groups: [a]'),
      ].join('---\n'),
    });
    expect(where(d)).toEqual(['groups/g.yaml:20:12 error group-cycle']);
    expect(d[0]?.message).toBe('groups include each other in a cycle: a → b → c → a');
  });
  it('reports a group that includes itself, also through excludeGroups', () => {
    expect(runRule(groupCycles, { 'groups/g.yaml': doc('Group', 'a', 'groups: [a]') })).toHaveLength(1);
    expect(runRule(groupCycles, { 'groups/g.yaml': doc('Group', 'a', 'excludeGroups: [a]') })).toHaveLength(
      1,
    );
  });
  it('accepts a diamond (shared includes are not cycles)', () => {
    const d = runRule(groupCycles, {
      'groups/g.yaml': [
        doc('Group', 'top', 'groups: [l, r]'),
        doc('Group', 'l', 'groups: [leaf]'),
        doc('Group', 'r', 'groups: [leaf]'),
        doc('Group', 'leaf', 'hosts: []'),
      ].join('---\n'),
    });
    expect(d).toEqual([]);
  });
});

describe('resolveGroups', () => {
  it('combines selector, hosts and included groups, minus exclusions', () => {
    const { repository } = check({
      'inventory/a.yaml': hosts('web-1', 'web-2', 'db-1', 'db-2', 'app-1'),
      'groups/g.yaml': [
        doc('Group', 'web', 'selector:\n  matchLabels: { role: web }\nexclude: [web-2]'),
        doc(
          'Group',
          'dbs',
          'selector:\n  matchExpressions:\n    - { key: role, operator: In, values: [db] }',
        ),
        doc('Group', 'servers', 'groups: [web, dbs]\nhosts: [app-1]\nexcludeGroups: [dbs]'),
      ].join('---\n'),
    });
    const m = resolveGroups(repository);
    expect([...(m.get('web') ?? [])]).toEqual(['web-1']);
    expect([...(m.get('dbs') ?? [])].sort()).toEqual(['db-1', 'db-2']);
    expect([...(m.get('servers') ?? [])].sort()).toEqual(['app-1', 'web-1']);
  });
});
