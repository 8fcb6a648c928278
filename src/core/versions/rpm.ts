// RPM version ordering, a port of rpm 4.18: rpmio/rpmvercmp.c (rpmvercmp) and rpmio/rpmver.c
// (rpmverParse, rpmverCmp), which is what `rpm.vercmp()` in rpm's Lua and dnf's EVR comparison use.
//
// rpmvercmp compares two strings segment by segment. A segment is a run of ASCII digits or a run of
// ASCII letters; every other character only separates segments, except:
// - '~' sorts before anything, even the end of the string: 1.0~rc1 < 1.0;
// - '^' sorts after the end of the string but before any other segment: 1.0 < 1.0^git1 < 1.0.1.
// Numeric segments compare as numbers (leading zeros dropped, any length), letters by ASCII (so
// 'Z' < 'a'); a numeric segment is newer than an alphabetic one; when all segments are equal, the
// string with segments left over is newer (1.0.1 > 1.0), separators alone do not count (1.0 = 1_0).
//
// An EVR string is [epoch:]version[-release]: the epoch is the leading digits when a ':' follows
// them, the release is what follows the last '-'. rpmverCmp compares the epochs (a missing epoch is
// "0"; compared with rpmvercmp, so 007 = 7), then the versions, then the releases, where a missing
// release sorts before any release, even an empty one (1.0 < 1.0-1).
//
// rpm compares any non-empty string (compareRpmEvr throws only for ""), but rpmbuild accepts only
// [A-Za-z0-9._+~^] in Version and Release, without "..": that is isValidRpmEvr.
import type { ParseResult } from '../schedule/result.js';
import type { Ordering, RpmEvr } from './types.js';
import { InvalidVersionError } from './version-error.js';

const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
const isAlnum = (c: number): boolean => isDigit(c) || isAlpha(c);
const TILDE = 0x7e;
const CARET = 0x5e;

/** rpmvercmp: compare two version (or release) strings. */
export function rpmvercmp(a: string, b: string): Ordering {
  if (a === b) return 0;
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    while (i < a.length && !isSegmentStart(a.charCodeAt(i))) i++;
    while (j < b.length && !isSegmentStart(b.charCodeAt(j))) j++;
    const ca = a.charCodeAt(i); // NaN at the end
    const cb = b.charCodeAt(j);

    if (ca === TILDE || cb === TILDE) {
      if (ca !== TILDE) return 1;
      if (cb !== TILDE) return -1;
      i++;
      j++;
      continue;
    }
    if (ca === CARET || cb === CARET) {
      if (i >= a.length) return -1;
      if (j >= b.length) return 1;
      if (ca !== CARET) return 1;
      if (cb !== CARET) return -1;
      i++;
      j++;
      continue;
    }
    if (!(i < a.length && j < b.length)) break;

    const isNum = isDigit(ca);
    const inSegment = isNum ? isDigit : isAlpha;
    let ei = i;
    let ej = j;
    while (ei < a.length && inSegment(a.charCodeAt(ei))) ei++;
    while (ej < b.length && inSegment(b.charCodeAt(ej))) ej++;
    // b's segment is of the other kind (empty here): numeric is newer than alphabetic.
    if (ej === j) return isNum ? 1 : -1;

    let sa = a.slice(i, ei);
    let sb = b.slice(j, ej);
    if (isNum) {
      sa = sa.replace(/^0+/, '');
      sb = sb.replace(/^0+/, '');
      if (sa.length !== sb.length) return sa.length > sb.length ? 1 : -1;
    }
    if (sa !== sb) return sa < sb ? -1 : 1;
    i = ei;
    j = ej;
  }
  if (i >= a.length && j >= b.length) return 0;
  return i < a.length ? 1 : -1;
}

function isSegmentStart(c: number): boolean {
  return isAlnum(c) || c === TILDE || c === CARET;
}

/** rpm's parseEVR: never fails (rpm itself refuses only the empty string). */
export function parseRpmEvr(evr: string): RpmEvr {
  let s = 0;
  while (s < evr.length && isDigit(evr.charCodeAt(s))) s++;
  const hyphen = evr.lastIndexOf('-');
  let epoch: string | null = null;
  let versionStart = 0;
  if (evr.charAt(s) === ':') {
    epoch = s === 0 ? '0' : evr.slice(0, s);
    versionStart = s + 1;
  }
  // rpm searches the '-' from the end of the leading digits; digits hold no '-', so any '-' counts.
  if (hyphen !== -1)
    return { epoch, version: evr.slice(versionStart, hyphen), release: evr.slice(hyphen + 1) };
  return { epoch, version: evr.slice(versionStart), release: null };
}

/** rpmverCmp over two parsed EVRs. */
export function compareParsedRpmEvr(a: RpmEvr, b: RpmEvr): Ordering {
  const epoch = rpmvercmp(a.epoch ?? '0', b.epoch ?? '0');
  if (epoch !== 0) return epoch;
  const version = rpmvercmp(a.version, b.version);
  if (version !== 0) return version;
  if (a.release === null || b.release === null) {
    if (a.release === b.release) return 0;
    return a.release === null ? -1 : 1;
  }
  return rpmvercmp(a.release, b.release);
}

/** Compare two "[E:]V[-R]" strings like `rpm.vercmp()` in rpm 4.18; throws for "". */
export function compareRpmEvr(a: string, b: string): Ordering {
  if (a === '') throw new InvalidVersionError('rpm', a, 'the version is empty');
  if (b === '') throw new InvalidVersionError('rpm', b, 'the version is empty');
  return compareParsedRpmEvr(parseRpmEvr(a), parseRpmEvr(b));
}

const RPM_FIELD = /^[A-Za-z0-9._+~^]+$/;

/** Why rpmbuild would refuse this EVR, or the parsed EVR. */
export function checkRpmEvr(evr: string): ParseResult<RpmEvr> {
  if (evr === '') return { ok: false, message: 'the version is empty' };
  const parsed = parseRpmEvr(evr);
  if (evr.startsWith(':')) return { ok: false, message: 'the epoch before ":" is empty' };
  const fields: [string, string | null][] = [
    ['version', parsed.version],
    ['release', parsed.release],
  ];
  for (const [name, value] of fields) {
    if (value === null) continue;
    if (value === '') return { ok: false, message: `the ${name} is empty` };
    if (!RPM_FIELD.test(value)) {
      return { ok: false, message: `the ${name} "${value}" may only hold letters, digits and "._+~^"` };
    }
    if (value.includes('..')) return { ok: false, message: `the ${name} "${value}" contains ".."` };
  }
  return { ok: true, value: parsed };
}

/** What rpmbuild accepts: optional numeric epoch, Version and Release of [A-Za-z0-9._+~^] without "..". */
export function isValidRpmEvr(evr: string): boolean {
  return checkRpmEvr(evr).ok;
}
