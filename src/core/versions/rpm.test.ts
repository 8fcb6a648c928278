import { describe, expect, it } from '@jest/globals';
import { checkRpmEvr, compareRpmEvr, isValidRpmEvr, parseRpmEvr, rpmvercmp } from './rpm.js';
import { InvalidVersionError } from './version-error.js';

// rpmvercmp rows in the style of rpm's own tests/rpmvercmp.at: [a, b, expected].
const rpmvercmpRows: [string, string, -1 | 0 | 1][] = [
  ['1.0', '1.0', 0],
  ['1.0', '2.0', -1],
  ['2.0.1', '2.0', 1],
  ['2.0.1a', '2.0.1', 1],
  ['5.5p1', '5.5p2', -1],
  ['5.5p1', '5.5p10', -1],
  ['10xyz', '10.1xyz', -1],
  ['xyz10', 'xyz10.1', -1],
  ['xyz.4', '8', -1],
  ['xyz.4', '2', -1],
  ['5.6p1', '6.5p1', -1],
  ['6.0.rc1', '6.0', 1],
  ['10b2', '10a1', 1],
  ['1.0a', '1.0aa', -1],
  ['10.0001', '10.1', 0],
  ['10.0001', '10.0039', -1],
  ['4.999.9', '5.0', -1],
  ['20101121', '20101122', -1],
  ['2_0', '2.0', 0],
  ['a+', 'a_', 0],
  ['+a', '_a', 0],
  ['_+', '+_', 0],
  ['+', '_', 0],
  ['A', 'a', -1],
  // '~' sorts before everything
  ['1.0~rc1', '1.0', -1],
  ['1.0~rc1', '1.0~rc2', -1],
  ['1.0~rc1~git123', '1.0~rc1', -1],
  ['1.0~', '1.0', -1],
  // '^' sorts after the base version but before the next segment
  ['1.0^', '1.0', 1],
  ['1.0^git1', '1.0', 1],
  ['1.0^git1', '1.0^git2', -1],
  ['1.0^git1', '1.01', -1],
  ['1.0^20160101', '1.0.1', -1],
  ['1.0^20160102', '1.0^20160101^git1', 1],
  ['1.0~rc1^git1', '1.0~rc1', 1],
  ['1.0^git1~pre', '1.0^git1', -1],
  ['1.0^git1', '1.0~rc1', 1],
  // numeric segments beat alphabetic ones; leading zeros are dropped; longer wins
  ['1.1', '1.a', 1],
  ['1a', '1.1', -1],
  ['1.002', '1.2', 0],
  ['1.0.0', '1.0', 1],
  ['12345678901234567890', '12345678901234567891', -1],
  // non-ASCII characters are separators, like any other
  ['1.1.α', '1.1.β', 0],
  ['1.1.αα', '1.1.α', 0],
];

describe('rpmvercmp', () => {
  it.each(rpmvercmpRows)('%j vs %j is %d', (a, b, expected) => {
    expect(rpmvercmp(a, b)).toBe(expected);
    expect(rpmvercmp(b, a)).toBe(-expected || 0);
  });
});

describe('compareRpmEvr (rpm.vercmp in rpm 4.18)', () => {
  it.each([
    // epoch first; missing = 0, compared like a version
    ['1:1.0-1', '2.0-1', 1],
    ['0:1.0-1', '1.0-1', 0],
    [':1.0', '0:1.0', 0],
    ['007:1', '7:1', 0],
    ['2:1.0', '10:1.0', -1],
    // then version, then release
    ['1.0-1.el9', '1.1-1.el9', -1],
    ['1.0-2.el9', '1.0-10.el9', -1],
    // el8 / el9 release strings
    ['4.18.0-513.24.1.el8_9', '4.18.0-553.el8_10', -1],
    ['5.14.0-70.13.1.el9_0', '5.14.0-503.15.1.el9_5', -1],
    ['1.0-1.el9', '1.0-1.el9_0', -1],
    ['1.0-1.el9_4', '1.0-1.el9_10', -1],
    ['1.0-1.el8', '1.0-1.el9', -1],
    ['2.47.3-1.el9_6', '2.47.1-1.el9_6', 1],
    ['1:2.0.8-8.module_el8.5.0+2609+b30d9eec', '1:2.0.8-8.module_el8.4.0+2229+b272fdef', 1],
    ['1.24.0-4.module_el9.5.0+122+220a1c6b.alma.1', '1.24.0-4.module_el9.5.0+122+220a1c6b', 1],
    ['32:9.9.4-38.2', '32:9.9.4-18.el7_1.5', 1],
    ['1.0.1e-30.el6.11', '1.0.1e-48.4', -1],
    ['6.6.1p1-33.66.amzn1', '6.6.1p1-35', -1],
    ['2.43.0-150600.1.10', '2.43.0-150600.3.3.1', -1],
    // '~' and '^' in EVRs
    ['1.0~rc1-1.fc39', '1.0-0.1.fc39', -1],
    ['1.0^20230101git1-1.fc39', '1.0-1.fc39', 1],
    // a missing release sorts before any release, even an empty one
    ['1.0', '1.0-1', -1],
    ['1.0-', '1.0', 1],
    ['1.0-', '1.0-0', -1],
  ] as const)('%s vs %s is %d', (a, b, expected) => {
    expect(compareRpmEvr(a, b)).toBe(expected);
    expect(compareRpmEvr(b, a)).toBe(-expected || 0);
  });

  it('refuses only the empty string, as rpm does', () => {
    expect(() => compareRpmEvr('', '1.0')).toThrow(InvalidVersionError);
    expect(() => compareRpmEvr('1.0', '')).toThrow('invalid rpm version "": the version is empty');
    expect(compareRpmEvr('1.0 beta', '1.0.beta')).toBe(0);
  });
});

describe('parseRpmEvr', () => {
  it.each([
    ['1.0', { epoch: null, version: '1.0', release: null }],
    ['1.0-1.el9', { epoch: null, version: '1.0', release: '1.el9' }],
    ['2:1.0-1', { epoch: '2', version: '1.0', release: '1' }],
    [':1.0', { epoch: '0', version: '1.0', release: null }],
    ['1.0-1-2', { epoch: null, version: '1.0-1', release: '2' }],
    ['a:1.0', { epoch: null, version: 'a:1.0', release: null }],
    ['1.0-', { epoch: null, version: '1.0', release: '' }],
  ])('%j', (evr, expected) => {
    expect(parseRpmEvr(evr)).toEqual(expected);
  });
});

describe('isValidRpmEvr (rpmbuild rules)', () => {
  it.each(['1.0', '1:1.0-1.el9', '1.0~rc1^git2_3+4-0.1.fc39', '0:0', 'a', '1.0.'])('accepts %j', (v) =>
    expect(isValidRpmEvr(v)).toBe(true),
  );

  it.each([
    ['', 'the version is empty'],
    ['1.0-', 'the release is empty'],
    ['1:', 'the version is empty'],
    [':1.0', 'the epoch before ":" is empty'],
    ['1.0..1', 'the version "1.0..1" contains ".."'],
    ['1.0-1-1', 'the version "1.0-1" may only hold letters, digits and "._+~^"'],
    ['a:1.0', 'the version "a:1.0" may only hold letters, digits and "._+~^"'],
    ['1.0 1', 'the version "1.0 1" may only hold letters, digits and "._+~^"'],
  ])('refuses %j: %s', (v, message) => {
    expect(isValidRpmEvr(v)).toBe(false);
    expect(checkRpmEvr(v)).toEqual({ ok: false, message });
  });
});
