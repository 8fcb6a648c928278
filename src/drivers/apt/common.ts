// What the apt parsers share: the driver name in errors, line splitting, and the shapes of package
// names, architectures and versions as dpkg and apt print them.
import { DriverOutputError, excerptOf } from '../errors.js';

export const DRIVER = 'apt';

export const fail = (message: string, excerpt: string): DriverOutputError =>
  new DriverOutputError(DRIVER, message, excerptOf(excerpt));

export const splitLines = (text: string): string[] =>
  text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));

export const sortedUnique = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();

/** A package name as dpkg and apt print it (lenient: parsing must not reject what a real host has). */
export const PKG_NAME = /^[A-Za-z0-9][A-Za-z0-9+._-]*$/;
export const ARCH = /^[a-z0-9][a-z0-9-]*$/;
export const VERSION = /^[A-Za-z0-9.+~:_-]+$/;

/** `name:arch` as apt and dpkg print foreign-architecture packages → name and qualifier. */
export function splitQualified(qualified: string): { name: string; arch?: string } {
  const colon = qualified.indexOf(':');
  if (colon === -1) return { name: qualified };
  return { name: qualified.slice(0, colon), arch: qualified.slice(colon + 1) };
}

/** A list of package names, one per line (reboot-required.pkgs, apt-mark showhold): sorted, unique. */
export const pkgsList = (text: string | undefined): string[] =>
  sortedUnique(
    splitLines(text ?? '')
      .map((l) => l.trim())
      .filter((l) => l !== ''),
  );
