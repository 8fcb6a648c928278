import { describe, expect, it } from '@jest/globals';
import { doc, runRule, where } from '../../../test-support/repo-builder.js';
import { pinConstraints } from './pins.js';

const policy = (version: string) => ({
  'groups/g.yaml': doc('Group', 'g', 'hosts: []'),
  'policies/p.yaml': doc(
    'PatchPolicy',
    'p',
    `appliesTo: { groups: [g] }\npins:\n  - package: openssl\n    version: "${version}"`,
  ),
});

describe('pinConstraints', () => {
  it.each(['<3.1', '>=1.2 <2', '=3.0.15-1~deb12u1', '!=1.0', '=3.0.*', '<1:2.0'])('accepts %s', (v) =>
    expect(runRule(pinConstraints, policy(v))).toEqual([]),
  );
  it.each(['=3.*.1', '!=1*2', '<1.0* >2'])('refuses %s, pointing at the version', (v) => {
    const d = runRule(pinConstraints, policy(v));
    expect(where(d)).toEqual(['policies/p.yaml:9:16 error invalid-pin']);
  });
});
