import { describe, expect, it } from '@jest/globals';
import { matchesConstraint, parseConstraint, satisfiesConstraint } from './constraint.js';
import type { Ecosystem } from './types.js';
import { InvalidConstraintError, InvalidVersionError } from './version-error.js';

describe('satisfiesConstraint', () => {
  it.each<[Ecosystem, string, string, boolean]>([
    // deb: dpkg's order, whole versions
    ['deb', '3.0.15-1~deb12u1', '<3.1', true],
    ['deb', '3.1~rc1-1', '<3.1', true],
    ['deb', '3.1-1', '<3.1', false],
    ['deb', '1.10', '<1.9', false], // never string order
    ['deb', '1.5', '>=1.2 <2', true],
    ['deb', '1.2', '>=1.2 <2', true],
    ['deb', '1.2~rc1', '>=1.2 <2', false],
    ['deb', '2.0', '>=1.2 <2', false],
    ['deb', '1:1.0', '>=1.2 <2', false],
    ['deb', '3.0.15-1~deb12u1', '=3.0.15-1~deb12u1', true],
    ['deb', '3.0.15-1+deb12u1', '=3.0.15-1~deb12u1', false],
    ['deb', '3.0-1', '=3.0', false],
    ['deb', '3.0', '=3.0-0', true],
    ['deb', '0:3.0', '==3.0', true],
    ['deb', '3.0', '3.0', true],
    ['deb', '1.0', '!=1.0', false],
    ['deb', '1.0-1', '!=1.0', true],
    ['deb', '3.0.17-1~deb12u1', '>3.0.15-1~deb12u1', true],
    ['deb', '3.0.15-1~deb12u1', '>= 3.0.15-1~deb12u1, < 3.0.17', true],
    // deb prefixes
    ['deb', '3.0.15-1~deb12u1', '=3.0.*', true],
    ['deb', '3.1.0-1', '=3.0.*', false],
    ['deb', '1:3.0.1-1', '=3.0.*', false],
    ['deb', '0:3.0.1-1', '=3.0.*', true],
    ['deb', '1:2.38.1-5+deb12u1', '=1:2.38.*', true],
    ['deb', '2.38.1-5', '=1:2.38.*', false],
    ['deb', '1:2.38.1-5', '1:2.38.1-*', true],
    ['deb', '1:2.38.1-5', '!=1:2.38.*', false],
    ['deb', '9:9', '*', true],
    // rpm: a constraint without a release ignores the candidate's release, as rpm dependencies do
    ['rpm', '3.0-1.el9', '=3.0', true],
    ['rpm', '3.0-1.el9', '<3.0', false],
    ['rpm', '3.0-1.el9', '<=3.0', true],
    ['rpm', '3.0-5.el9', '>3.0', false],
    ['rpm', '3.0.1-1.el9', '>3.0', true],
    ['rpm', '3.0-10.el9', '>=3.0-2', true],
    ['rpm', '3.0-10.el9', '<3.0-2', false],
    ['rpm', '4.18.0-513.24.1.el8_9', '<4.18.0-553.el8_10', true],
    ['rpm', '5.14.0-503.15.1.el9_5', '>=5.14.0-70.13.1.el9_0', true],
    ['rpm', '2.0-1', '<1:1.0', true],
    ['rpm', '1:2.0-1', '<3.0', false],
    ['rpm', '1.0~rc1-1', '<1.0', true],
    ['rpm', '1.0^git1-1', '>1.0 <1.0.1', true],
    ['rpm', '1:2.0-1.el9', '=1:2.0.*', false],
    ['rpm', '1:2.0.3-1.el9', '=1:2.0.*', true],
    ['rpm', '2.0.3-1.el9', '=0:2.0.*', true],
    // apk: apk's order, whole versions
    ['apk', '1.2.3_rc1-r0', '<1.2.3-r0', true],
    ['apk', '1.2.3-r0', '=1.2.3', false],
    ['apk', '1.2.3-r5', '=1.2.3-*', true],
    ['apk', '3.3.2-r0', '>3.3.0-r2 <3.4', true],
    ['apk', '1.2.3_p1-r0', '>1.2.3-r9', true],
    // semver: trailing parts may be left out
    ['semver', '3.0.9', '<3.1', true],
    ['semver', '3.1.0-rc.1', '<3.1', true],
    ['semver', '1.10.0', '>=1.2 <2', true],
    ['semver', '2.0.0', '>=1.2 <2', false],
    ['semver', 'v1.4.2', '=1.4.*', true],
  ])('%s: %s satisfies %j: %s', (ecosystem, version, constraint, expected) => {
    expect(satisfiesConstraint(ecosystem, version, constraint)).toBe(expected);
  });

  it('throws InvalidConstraintError for a constraint parseConstraint rejects', () => {
    expect(() => satisfiesConstraint('deb', '1.0', '<<1.0')).toThrow(InvalidConstraintError);
    expect(() => satisfiesConstraint('deb', '1.0', '')).toThrow(
      'invalid deb version constraint "": the constraint is empty',
    );
  });

  it('throws InvalidVersionError for a version the ecosystem refuses', () => {
    expect(() => satisfiesConstraint('deb', '1.0-', '<2')).toThrow(InvalidVersionError);
    expect(() => satisfiesConstraint('apk', '1.0-1', '=1.0*')).toThrow(InvalidVersionError);
    expect(() => satisfiesConstraint('semver', '1.0', '<2')).toThrow(InvalidVersionError);
  });
});

describe('parseConstraint', () => {
  it('parses terms, defaulting to "=" and joining an operator written apart', () => {
    const parsed = parseConstraint('deb', '>= 1.2 <2  !=1.5-1 1.*');
    expect(parsed).toEqual({
      ok: true,
      value: {
        ecosystem: 'deb',
        text: '>= 1.2 <2  !=1.5-1 1.*',
        terms: [
          { op: '>=', version: '1.2', prefix: false, text: '>=1.2' },
          { op: '<', version: '2', prefix: false, text: '<2' },
          { op: '!=', version: '1.5-1', prefix: false, text: '!=1.5-1' },
          { op: '=', version: '1.', prefix: true, text: '1.*' },
        ],
      },
    });
    if (parsed.ok) expect(matchesConstraint(parsed.value, '1.6')).toBe(true);
  });

  it('completes partial semver versions', () => {
    const parsed = parseConstraint('semver', '<3.1 >=2');
    expect(parsed.ok && parsed.value.terms.map((t) => t.version)).toEqual(['3.1.0', '2.0.0']);
  });

  it.each<[Ecosystem, string, string]>([
    ['deb', '', 'the constraint is empty: expected e.g. "<3.1" or ">=1.2 <2"'],
    ['deb', '>=', 'term ">=" has no version after ">="'],
    [
      'deb',
      '<<1.0',
      'term "<<1.0": "<1.0" is not a valid deb version: version number does not start with digit',
    ],
    [
      'deb',
      '>=1.2 <abc',
      'term "<abc": "abc" is not a valid deb version: version number does not start with digit',
    ],
    ['deb', '=1.0-', 'term "=1.0-": "1.0-" is not a valid deb version: revision number is empty'],
    ['deb', '<3.*', 'term "<3.*": a "*" prefix only works with "=" or "!=", not "<"'],
    ['deb', '=3.*.1', 'term "=3.*.1": "*" may only end the version, as a prefix match (e.g. "=3.0.*")'],
    ['deb', '=3.0_*', 'term "=3.0_*": "3.0_" holds characters no deb version has'],
    ['deb', '=a:1.*', 'term "=a:1.*": the epoch before ":" must be a number'],
    [
      'rpm',
      '<1.0..1',
      'term "<1.0..1": "1.0..1" is not a valid rpm version: the version "1.0..1" contains ".."',
    ],
    [
      'apk',
      '<1.0-1',
      'term "<1.0-1": "1.0-1" is not a valid apk version: unexpected "-1": expected digit{.digit}...{letter}{_suffix{N}}...{~hash}{-rN}',
    ],
    [
      'semver',
      '^1.2',
      'term "^1.2": "^1.2" is not a valid semver version: not a semantic version: expected MAJOR.MINOR.PATCH[-prerelease][+build]',
    ],
  ])('%s %j: %s', (ecosystem, text, message) => {
    expect(parseConstraint(ecosystem, text)).toEqual({ ok: false, message });
  });
});
