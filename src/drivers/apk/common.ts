// What the apk parsers share: the driver name in errors, line splitting, package-name and version
// shapes as apk prints them, and the `name-version` split of apk's package identifiers.
import { isValidApkVersion } from '../../core/versions/apk.js';
import { DriverOutputError, excerptOf } from '../errors.js';

export const DRIVER = 'apk';

export const fail = (message: string, excerpt: string): DriverOutputError =>
  new DriverOutputError(DRIVER, message, excerptOf(excerpt));

export const splitLines = (text: string): string[] =>
  text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));

export const sortedUnique = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

/**
 * A package name as apk prints it (lenient: parsing must not reject what a real host has). apk
 * refuses names with spaces and the dependency operators; `so:`/`cmd:` provider names never appear
 * in the outputs parsed here.
 */
export const APK_NAME = /^[A-Za-z0-9_.+][A-Za-z0-9_.+-]{0,199}$/;
/** An architecture as apk prints it (x86_64, aarch64, armv7, noarch…). */
export const APK_ARCH = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$/;

/** A version apk itself accepts (apk_version_validate, core/versions/apk.ts), with a sane length. */
export const isApkVersion = (v: string): boolean => v.length <= 200 && isValidApkVersion(v);

/**
 * Splits apk's `name-version` identifier (PKG_VER_FMT). The version is the part after the hyphen
 * that starts a valid apk version and leaves the package revision (`-rN`) to it: a version has at
 * most one hyphen, the one before `rN`, so `busybox-binsh-1.36.1-r29` is busybox-binsh 1.36.1-r29.
 * Versions without `-rN` (valid, rare) split at the last hyphen followed by a digit.
 */
export function splitNameVersion(id: string): { name: string; version: string } | undefined {
  const withRevision = /^(.+?)-([0-9][^-]*-r[0-9]+)$/.exec(id);
  const m = withRevision ?? /^(.+)-([0-9][^-]*)$/.exec(id);
  if (m === null) return undefined;
  const name = m[1] ?? '';
  const version = m[2] ?? '';
  if (!APK_NAME.test(name) || !isApkVersion(version)) return undefined;
  return { name, version };
}
