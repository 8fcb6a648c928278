// Package names, editions and NEVRAs as zypper and rpm print them.
import { checkRpmEvr } from '../../core/versions/rpm.js';

/** An RPM package name as printed (lenient: parsing must not reject what a real host has). */
export const RPM_NAME = /^[A-Za-z0-9_+][A-Za-z0-9._+-]{0,199}$/;
/** An RPM architecture (x86_64, noarch, aarch64, i686, ppc64le, s390x...). */
export const RPM_ARCH = /^[A-Za-z0-9_]{1,32}$/;

/** An edition `[epoch:]version[-release]` that rpm can compare, or undefined. */
export function edition(text: string | undefined): string | undefined {
  if (text === undefined || text === '' || text.length > 256 || /\s/.test(text)) return undefined;
  return checkRpmEvr(text).ok ? text : undefined;
}

export interface Nevra {
  name: string;
  /** `[epoch:]version-release`. */
  edition: string;
  arch: string;
}

/**
 * Splits `name-[epoch:]version-release.arch` (zypper's "Installing: …" lines, rpm's scriptlet
 * errors): the arch after the last dot, the release and version after the last two dashes.
 */
export function splitNevra(text: string): Nevra | undefined {
  const dot = text.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const arch = text.slice(dot + 1);
  const nvr = text.slice(0, dot);
  const r = nvr.lastIndexOf('-');
  const v = r <= 0 ? -1 : nvr.lastIndexOf('-', r - 1);
  if (v <= 0 || !RPM_ARCH.test(arch)) return undefined;
  const name = nvr.slice(0, v);
  const ed = edition(nvr.slice(v + 1));
  if (!RPM_NAME.test(name) || ed === undefined) return undefined;
  return { name, edition: ed, arch };
}
