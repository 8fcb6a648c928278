import { describe, expect, it } from '@jest/globals';
import { checkSemver, compareSemver, isValidSemver } from './semver.js';
import { InvalidVersionError } from './version-error.js';

describe('compareSemver', () => {
  it.each([
    ['1.0.0', '2.0.0'],
    ['1.9.0', '1.10.0'],
    ['1.0.0-rc.1', '1.0.0'],
    ['1.0.0-alpha', '1.0.0-alpha.1'],
    ['1.0.0-alpha.1', '1.0.0-alpha.beta'],
    ['1.0.0-beta.2', '1.0.0-beta.11'],
    ['1.0.0-rc.1', '1.0.0-rc.1.1'],
  ])('%s < %s', (a, b) => {
    expect(compareSemver(a, b)).toBe(-1);
    expect(compareSemver(b, a)).toBe(1);
  });

  it('ignores build metadata and a leading "v"', () => {
    expect(compareSemver('1.0.0+build.5', '1.0.0+build.7')).toBe(0);
    expect(compareSemver('v1.2.3', '1.2.3')).toBe(0);
  });

  it('throws InvalidVersionError with the reason for anything but a semantic version', () => {
    expect(() => compareSemver('1.2', '1.2.0')).toThrow(InvalidVersionError);
    expect(() => compareSemver('1.2.0', '3.0.15-1~deb12u1')).toThrow(
      'invalid semver version "3.0.15-1~deb12u1": not a semantic version: expected MAJOR.MINOR.PATCH[-prerelease][+build]',
    );
  });
});

describe('isValidSemver', () => {
  it('accepts MAJOR.MINOR.PATCH with optional pre-release and build', () => {
    expect(['1.2.3', '0.0.0', '1.2.3-rc.1+b5', 'v1.2.3'].map(isValidSemver)).toEqual([
      true,
      true,
      true,
      true,
    ]);
  });

  it('refuses partial, padded and distro versions', () => {
    expect(['1.2', '01.2.3', '1.2.3.4', '1:1.2.3', ''].map(isValidSemver)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });

  it('normalises the version it checks', () => {
    expect(checkSemver('v1.2.3+b1')).toEqual({ ok: true, value: '1.2.3' });
  });
});
