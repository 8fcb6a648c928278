import { describe, expect, it } from '@jest/globals';
import { compareDebFragments, compareDebVersions, isValidDebVersion, parseDebVersion } from './deb.js';
import { InvalidVersionError } from './version-error.js';

/** Each row: a < b, checked both ways round. */
const ascending: [string, string][] = [
  // '~' sorts before everything, even the end of the string
  ['1.0~rc1', '1.0'],
  ['1.0~', '1.0'],
  ['1.0~~', '1.0~'],
  ['1.0~~a', '1.0~'],
  ['1.0~rc1', '1.0~rc2'],
  ['1.2.3~rc1-1', '1.2.3-1'],
  // then the end of the string, then letters, then other characters
  ['1.0', '1.0a'],
  ['1.0a', '1.0+'],
  ['1.0', '1.0+b1'],
  ['1.0', '1.0.0'],
  ['1.0Z', '1.0a'],
  // digits compare numerically, never as strings
  ['1.2', '1.10'],
  ['1.9', '1.10'],
  ['9', '10'],
  ['1.0.99999999999999999999', '1.0.100000000000000000000'],
  // epochs win over everything
  ['9.9', '1:0.1'],
  ['1:9.9-9', '2:0.1'],
  ['1:1.0', '10:1.0'],
  // revisions
  ['1.0', '1.0-1'],
  ['1.0-1', '1.0-2'],
  ['1.0-9', '1.0-10'],
  ['1.0-1', '1.0-1.1'],
  ['1.0-1ubuntu1', '1.0-1ubuntu1.1'],
  ['1.0-0~', '1.0'],
  // Debian and Ubuntu security updates
  ['3.0.15-1~deb12u1', '3.0.17-1~deb12u1'],
  ['3.0.15-1~deb12u1', '3.0.15-1'],
  ['3.0.15-1~deb12u1', '3.0.15-1+deb12u1'],
  ['3.0.15-1~deb12u1', '3.0.15-1~deb12u2'],
  ['2.4.56-1~deb11u1', '2.4.56-1'],
  ['2:1.20.11-1+deb11u5', '2:1.20.11-1+deb11u6'],
  ['7.74.0-1.3+deb11u6', '7.74.0-1.3+deb11u7'],
  ['102.8.0esr-1~deb11u1', '102.9.0esr-1~deb11u1'],
  ['111.0.5563.64-1~deb11u1', '111.0.5563.110-1~deb11u1'],
  ['20190114-2', '20190114+really20220913-0+deb10u1'],
  ['1.0.2f-2ubuntu1', '1.0.2g-1ubuntu2'],
  ['0.105-26ubuntu1.1', '0.105-26ubuntu1.2'],
  ['0.105-4ubuntu3.14.04.6', '0.105-4ubuntu3.14.04.6+esm1'],
  ['5.15.0-69.76', '5.15.0-107.117'],
  ['6.1.76-1', '6.1.76+1'],
  ['4.9+deb9u1', '4.9+deb10u1'],
  ['1.2.3-1~bpo11+1', '1.2.3-1'],
];

/** Pairs dpkg considers the same version. */
const equal: [string, string][] = [
  ['1.0', '1.0'],
  ['0:1.0', '1.0'],
  ['00:1.0', '1.0'],
  ['1.01', '1.1'],
  ['1.001', '1.1'],
  ['1.0', '1.0-0'],
  ['1.0-00', '1.0'],
  ['1:1.0-1', '001:1.0-1'],
  [' 1.0', '1.0 '], // dpkg trims blanks (python3-apt, which does not, would say <)
];

describe('compareDebVersions', () => {
  it.each(ascending)('%s < %s', (a, b) => {
    expect(compareDebVersions(a, b)).toBe(-1);
    expect(compareDebVersions(b, a)).toBe(1);
  });

  it.each(equal)('%s = %s', (a, b) => {
    expect(compareDebVersions(a, b)).toBe(0);
    expect(compareDebVersions(b, a)).toBe(0);
  });

  it('compares versions dpkg only warns about, as dpkg --compare-versions does', () => {
    expect(compareDebVersions('abc', '1.0')).toBe(1); // 'a' against the start of the number 1: letters sort later
    expect(compareDebVersions('1_0', '1.0')).toBe(1); // '_' is an "other" character, after '.'
  });

  it('throws InvalidVersionError where dpkg refuses the version', () => {
    expect(() => compareDebVersions('1.0-', '1.0')).toThrow(InvalidVersionError);
    expect(() => compareDebVersions('1.0', 'a:1.0')).toThrow(
      'invalid deb version "a:1.0": epoch in version is empty',
    );
    expect(() => compareDebVersions('', '1.0')).toThrow('version string is empty');
  });
});

describe('compareDebFragments (verrevcmp)', () => {
  it.each([
    ['', '', 0],
    ['', '0', 0],
    ['', '~', 1],
    ['', 'a', -1],
    ['~', '~~', 1],
    ['a', '+', -1],
    ['Z', 'a', -1],
    ['10', '9', 1],
    ['007', '7', 0],
  ] as const)('%j vs %j is %d', (a, b, expected) => {
    expect(compareDebFragments(a, b)).toBe(expected);
  });
});

describe('parseDebVersion', () => {
  it('splits epoch, upstream version and revision', () => {
    expect(parseDebVersion('2:1.20.11-1+deb11u6')).toEqual({
      ok: true,
      value: { epoch: 2, upstream: '1.20.11', revision: '1+deb11u6' },
    });
    expect(parseDebVersion('3.0.15')).toEqual({
      ok: true,
      value: { epoch: 0, upstream: '3.0.15', revision: '' },
    });
  });

  it('splits at the first colon and the last hyphen', () => {
    expect(parseDebVersion('1:2:3-4-5')).toEqual({
      ok: true,
      value: { epoch: 1, upstream: '2:3-4', revision: '5' },
    });
  });

  it('trims blanks around the version like dpkg', () => {
    expect(parseDebVersion('  1.0-1\t')).toEqual({
      ok: true,
      value: { epoch: 0, upstream: '1.0', revision: '1' },
    });
  });

  it.each([
    ['', 'version string is empty'],
    ['   ', 'version string is empty'],
    ['1.0 1', 'version string has embedded spaces'],
    [':1.0', 'epoch in version is empty'],
    ['a:1.0', 'epoch in version is empty'],
    ['1.0:1', 'epoch in version is not number'],
    ['1a:1.0', 'epoch in version is not number'],
    ['-1:1.0', 'epoch in version is negative'],
    ['2147483648:1.0', 'epoch in version is too big'],
    ['99999999999999999999:1.0', 'epoch in version is too big'],
    ['1:', 'nothing after colon in version number'],
    ['1.0-', 'revision number is empty'],
    ['-1', 'version number is empty'],
    ['1:-1', 'version number is empty'],
  ])('refuses %j: %s', (v, message) => {
    expect(parseDebVersion(v)).toEqual({ ok: false, message });
  });

  it.each([
    ['abc', 'version number does not start with digit'],
    ['~1', 'version number does not start with digit'],
    ['1_0', 'invalid character in version number'],
    ['1.0@1', 'invalid character in version number'],
    ['1.0-a_b', 'invalid character in revision number'],
    ['1:1.0-1:1', 'invalid character in revision number'],
  ])('accepts %j with dpkg\'s warning "%s"', (v, warning) => {
    const parsed = parseDebVersion(v);
    expect(parsed.ok && parsed.warning).toBe(warning);
  });

  it('follows strtol for the epoch: a sign is allowed, "-0" is epoch 0', () => {
    expect(parseDebVersion('+1:1.0')).toEqual({
      ok: true,
      value: { epoch: 1, upstream: '1.0', revision: '' },
    });
    expect(parseDebVersion('-0:1.0')).toEqual({
      ok: true,
      value: { epoch: 0, upstream: '1.0', revision: '' },
    });
    expect(parseDebVersion('2147483647:1')).toMatchObject({ ok: true, value: { epoch: 2147483647 } });
  });
});

describe('isValidDebVersion (dpkg --validate-version)', () => {
  it.each(['1.0', '0', '1:0', '3.0.15-1~deb12u1', '1:2:3', '1.0-1-1', '1.0~', '1.0 ', '007:1.0'])(
    'accepts %j',
    (v) => expect(isValidDebVersion(v)).toBe(true),
  );

  it.each(['', 'abc', '1_0', '1.0-', 'a:1.0', '1:', '1.0-a_b', '1 0', '1.0:1'])('refuses %j', (v) =>
    expect(isValidDebVersion(v)).toBe(false),
  );
});
