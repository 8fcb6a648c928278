// Semantic Versioning 2.0.0 through node-semver (strict parsing: a leading "v" or "=" is allowed,
// "1.2" is not). Only for vendors that really use semver; distro versions never go through here.
import semver from 'semver';
import type { ParseResult } from '../schedule/result.js';
import type { Ordering } from './types.js';
import { InvalidVersionError } from './version-error.js';

/** The normalised version ("v1.2.3" gives "1.2.3"), or why it is not semver. */
export function checkSemver(v: string): ParseResult<string> {
  const parsed = semver.parse(v);
  if (parsed === null) {
    return { ok: false, message: 'not a semantic version: expected MAJOR.MINOR.PATCH[-prerelease][+build]' };
  }
  return { ok: true, value: parsed.version };
}

export function isValidSemver(v: string): boolean {
  return semver.valid(v) !== null;
}

/** semver.compare (build metadata ignored); throws InvalidVersionError for anything but a semver. */
export function compareSemver(a: string, b: string): Ordering {
  for (const v of [a, b]) {
    const checked = checkSemver(v);
    if (!checked.ok) throw new InvalidVersionError('semver', v, checked.message);
  }
  return semver.compare(a, b);
}
