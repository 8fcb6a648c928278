import { describe, expect, it } from '@jest/globals';
import { doc, hosts, runRule, where } from '../../../test-support/repo-builder.js';
import type { PatchPolicyDocument } from '../types.js';
import { selectsEverything, shadowedPolicies } from './shadowed-policies.js';

const files = (...policies: string[]) => ({
  'inventory/a.yaml': hosts('web-1', 'web-2', 'db-1'),
  'groups/g.yaml': [
    doc('Group', 'web', 'selector:\n  matchLabels: { role: web }'),
    doc('Group', 'all', 'groups: [web]\nhosts: [db-1]'),
  ].join('---\n'),
  'policies/p.yaml': policies.join('---\n'),
});
const policy = (name: string, spec: string) => doc('PatchPolicy', name, spec);
const p = (spec: PatchPolicyDocument['spec']): PatchPolicyDocument => ({
  apiVersion: 'patchctl/v1',
  kind: 'PatchPolicy',
  metadata: { name: 'x' },
  spec,
});

describe('shadowedPolicies', () => {
  it('warns on a policy that a higher one takes over on every host, naming it and the hosts', () => {
    const d = runRule(
      shadowedPolicies,
      files(
        policy('security-3d', 'appliesTo: { groups: [web] }\npriority: 10\napproveAfter: 3d'),
        policy('everything', 'appliesTo: { groups: [all] }\npriority: 50\nclassification: [all]'),
      ),
    );
    expect(where(d)).toEqual(['policies/p.yaml:4:9 warning policy-shadowed']);
    expect(d[0]?.message).toMatch(
      /^policy "security-3d" decides nothing on any of its 2 host\(s\) \(web-1, web-2\): policy "everything" \(priority 50, above 10\)/,
    );
  });
  it('names the precedence of equal priorities (by name)', () => {
    const d = runRule(
      shadowedPolicies,
      files(
        policy('b-late', 'appliesTo: { groups: [web] }'),
        policy('a-first', 'appliesTo: { groups: [web] }'),
      ),
    );
    expect(d[0]?.message).toContain('policy "a-first" (the same priority 0, and its name comes first)');
  });
  it('is quiet when the higher policy takes over only some hosts (layering, by design)', () => {
    expect(
      runRule(
        shadowedPolicies,
        files(
          policy('base', 'appliesTo: { groups: [all] }'),
          policy('web-override', 'appliesTo: { groups: [web] }\npriority: 20'),
        ),
      ),
    ).toEqual([]);
  });
  it('is quiet when the higher policy includes only some packages (a fast lane)', () => {
    expect(
      runRule(
        shadowedPolicies,
        files(
          policy('base', 'appliesTo: { groups: [web] }'),
          policy('browsers', 'appliesTo: { groups: [web] }\npriority: 50\ninclude: ["firefox*"]'),
        ),
      ),
    ).toEqual([]);
  });
  it('warns when the hosts are taken over by several higher policies together', () => {
    const d = runRule(
      shadowedPolicies,
      files(
        policy('low', 'appliesTo: { groups: [all] }'),
        policy('web-high', 'appliesTo: { groups: [web] }\npriority: 20'),
        policy('db-high', 'appliesTo:\n  selector:\n    matchLabels: { role: db }\npriority: 20'),
      ),
    );
    expect(d.map((x) => x.message.split(':')[0])).toEqual([
      'policy "low" decides nothing on 1 of its 3 hosts (db-1), and other policies take the rest',
      'policy "low" decides nothing on 2 of its 3 hosts (web-1, web-2), and other policies take the rest',
    ]);
  });
});

describe('selectsEverything compares package filters as written', () => {
  it.each([
    [{}, {}, true],
    [{}, { include: ['openssl'] }, true],
    [{ include: ['open*'] }, { include: ['openssl', 'openssh-server'] }, true],
    [{ include: ['open*'] }, { include: ['open*'] }, true],
    [{ include: ['openssl'] }, {}, false],
    [{ include: ['open*'] }, { include: ['o*'] }, false],
    [{ exclude: ['linux-image-*'] }, {}, false],
    [{ exclude: ['linux-image-*'] }, { exclude: ['linux-image-*'] }, true],
    [{ exclude: ['openssl'] }, { include: ['openssl', 'sudo'] }, false],
    [{ exclude: ['openssl'] }, { include: ['openssl', 'sudo'], exclude: ['openssl'] }, true],
  ])('high %j over low %j: %s', (high, low, expected) => {
    const applies = { appliesTo: { groups: ['web'] } };
    expect(selectsEverything(p({ ...applies, ...high }), p({ ...applies, ...low }))).toBe(expected);
  });
});
