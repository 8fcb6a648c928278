import { describe, expect, it } from '@jest/globals';
import { doc, hosts, runRule, where } from '../../../test-support/repo-builder.js';
import { policiesThatMatchNothing } from './policies.js';

const base = {
  'inventory/a.yaml': hosts('web-1', 'db-1'),
  'groups/g.yaml': [
    doc('Group', 'web', 'selector:\n  matchLabels: { role: web }'),
    doc('Group', 'empty', 'hosts: []'),
  ].join('---\n'),
};
const policy = (spec: string) => ({ ...base, 'policies/p.yaml': doc('PatchPolicy', 'p', spec) });

describe('policiesThatMatchNothing', () => {
  it('is quiet for a policy that matches hosts', () => {
    expect(runRule(policiesThatMatchNothing, policy('appliesTo: { groups: [web] }'))).toEqual([]);
    expect(
      runRule(policiesThatMatchNothing, policy('appliesTo:\n  selector:\n    matchLabels: { role: db }')),
    ).toEqual([]);
  });
  it('warns when the groups are empty or the selector matches nothing', () => {
    expect(where(runRule(policiesThatMatchNothing, policy('appliesTo: { groups: [empty] }')))).toEqual([
      'policies/p.yaml:6:3 warning policy-matches-no-host',
    ]);
    expect(
      where(
        runRule(policiesThatMatchNothing, policy('appliesTo:\n  selector:\n    matchLabels: { role: dbb }')),
      ),
    ).toEqual(['policies/p.yaml:6:3 warning policy-matches-no-host']);
  });
  it('refuses an appliesTo that names nothing', () => {
    expect(where(runRule(policiesThatMatchNothing, policy('appliesTo: {}')))).toEqual([
      'policies/p.yaml:6:3 error policy-without-target',
    ]);
  });
  it('warns when every included package is excluded', () => {
    const d = runRule(
      policiesThatMatchNothing,
      policy('appliesTo: { groups: [web] }\ninclude: [openssl]\nexclude: ["*"]'),
    );
    expect(where(d)).toEqual(['policies/p.yaml:8:3 warning policy-matches-no-package']);
  });
});
