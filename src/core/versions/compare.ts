// One entry point over the four orderings.
import type { ParseResult } from '../schedule/result.js';
import { checkApkVersion, compareApkVersions } from './apk.js';
import { checkDebVersion, compareDebVersions } from './deb.js';
import { checkRpmEvr, compareRpmEvr } from './rpm.js';
import { checkSemver, compareSemver } from './semver.js';
import type { Ecosystem, Ordering } from './types.js';

const COMPARE: Record<Ecosystem, (a: string, b: string) => Ordering> = {
  deb: compareDebVersions,
  rpm: compareRpmEvr,
  apk: compareApkVersions,
  semver: compareSemver,
};

/**
 * Order two versions with the ecosystem's own rules (dpkg, rpm 4.18, apk-tools, semver).
 * Throws InvalidVersionError where the ecosystem's tool refuses to compare: a dpkg error (not a
 * mere warning), an empty rpm version, an invalid apk version, anything that is not semver.
 */
export function compareVersions(ecosystem: Ecosystem, a: string, b: string): Ordering {
  return COMPARE[ecosystem](a, b);
}

/** Whether the version is well-formed for its ecosystem, or what is wrong with it. */
export function checkVersion(ecosystem: Ecosystem, v: string): ParseResult<string> {
  switch (ecosystem) {
    case 'deb':
      return ok(v, checkDebVersion(v));
    case 'rpm':
      return ok(v, checkRpmEvr(v));
    case 'apk':
      return checkApkVersion(v);
    case 'semver':
      return ok(v, checkSemver(v));
  }
}

function ok(v: string, result: ParseResult<unknown>): ParseResult<string> {
  return result.ok ? { ok: true, value: v } : result;
}

/**
 * Strict validity: `dpkg --validate-version` (no error, no warning), rpmbuild's Version/Release
 * rules, apk_version_validate, semver.valid.
 */
export function isValidVersion(ecosystem: Ecosystem, v: string): boolean {
  return checkVersion(ecosystem, v).ok;
}
