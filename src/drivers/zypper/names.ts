// Package names, architectures and editions as zypper prints and accepts them (readme.md,
// "Commands"). NEVRAs and rpm -qa are read by the shared RPM module (../rpm/readme.md).
import { checkRpmEvr } from '../../core/versions/rpm.js';

/** A package name zypper and rpm accept, strictly (no glob, no option, no capability operators). */
export const ZYPPER_PACKAGE_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]{0,199}$/;
/** An RPM architecture (x86_64, noarch, aarch64, i686, ppc64le, s390x...). */
export const ZYPPER_ARCH = /^[A-Za-z0-9_]{1,32}$/;

/**
 * An edition `[epoch:]version[-release]` as zypper prints it (a patch's edition has no release)
 * that rpm can compare, or undefined.
 */
export function edition(text: string | undefined): string | undefined {
  if (text === undefined || text === '' || text.length > 256 || /\s/.test(text)) return undefined;
  return checkRpmEvr(text).ok ? text : undefined;
}
