import { describe, expect, it } from '@jest/globals';
import { checkVersion, compareVersions, isValidVersion } from './index.js';
import type { Ecosystem } from './index.js';
import { InvalidVersionError } from './index.js';

describe('compareVersions', () => {
  it.each<[Ecosystem, string, string]>([
    ['deb', '3.0.15-1~deb12u1', '3.0.17-1~deb12u1'],
    ['deb', '1.0~rc1', '1.0'],
    ['rpm', '1.0~rc1', '1.0'],
    ['rpm', '1.0', '1.0^git1'],
    ['apk', '1.2.3_rc1-r0', '1.2.3-r0'],
    ['semver', '1.0.0-rc.1', '1.0.0'],
  ])('%s: %s < %s', (ecosystem, a, b) => {
    expect(compareVersions(ecosystem, a, b)).toBe(-1);
    expect(compareVersions(ecosystem, b, a)).toBe(1);
    expect(compareVersions(ecosystem, a, a)).toBe(0);
  });

  it('uses each ecosystem’s own rules, never string order', () => {
    expect(compareVersions('deb', '1.9', '1.10')).toBe(-1);
    expect(compareVersions('rpm', '1.9-1.el9', '1.10-1.el9')).toBe(-1);
    expect(compareVersions('apk', '1.9-r0', '1.10-r0')).toBe(-1);
    // the ecosystems disagree with each other too
    expect(compareVersions('deb', '1.0+1', '1.0.1')).toBe(-1); // dpkg orders separators: '+' < '.'
    expect(compareVersions('rpm', '1.0+1', '1.0.1')).toBe(0); // rpm only separates segments with them
    expect(compareVersions('rpm', '1.0^1', '1.0.1')).toBe(-1);
    expect(compareVersions('apk', '1.0_p1', '1.0.1')).toBe(-1);
  });

  it('throws InvalidVersionError naming the ecosystem and the version', () => {
    expect(() => compareVersions('deb', '1.0-', '1.0')).toThrow(InvalidVersionError);
    expect(() => compareVersions('semver', '1.0', '1.0.0')).toThrow('invalid semver version "1.0"');
  });
});

describe('isValidVersion and checkVersion', () => {
  it.each<[Ecosystem, string, boolean]>([
    ['deb', '2:1.20.11-1+deb11u6', true],
    ['deb', 'abc', false],
    ['rpm', '1:1.0-1.el9_4', true],
    ['rpm', '1.0..1', false],
    ['apk', '1.2.3_rc1-r0', true],
    ['apk', '1.2.3-1', false],
    ['semver', '1.2.3', true],
    ['semver', '1.2', false],
  ])('%s %j: %s', (ecosystem, v, valid) => {
    expect(isValidVersion(ecosystem, v)).toBe(valid);
  });

  it('says why a version is not valid', () => {
    expect(checkVersion('deb', 'abc')).toEqual({
      ok: false,
      message: 'version number does not start with digit',
    });
    expect(checkVersion('deb', '1.0-1')).toEqual({ ok: true, value: '1.0-1' });
  });
});
