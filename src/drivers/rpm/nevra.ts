// RPM package identities as dnf, yum, zypper and rpm print them (readme.md): NEVRA strings
// (`name-[epoch:]version-release.arch`) and EVRs (`[epoch:]version-release`). Versions compare with
// core/versions/rpm.ts (rpmvercmp), never as strings.
import { compareRpmEvr } from '../../core/versions/rpm.js';

export interface Nevra {
  name: string;
  /** null when rpm says `(none)` or the text names no epoch (rpm then compares it as 0). */
  epoch: string | null;
  version: string;
  release: string;
  arch: string;
}

/** `[epoch:]version-release`, with the epoch only when it is set and not 0 (as dnf prints it). */
export function evrOf(p: Pick<Nevra, 'epoch' | 'version' | 'release'>): string {
  const epoch = p.epoch === null || p.epoch === '0' ? '' : `${p.epoch}:`;
  return `${epoch}${p.version}-${p.release}`;
}

const NAME = /^[^\s/:]+$/;
const FIELD = /^[^\s:/-]+$/;
const ARCH = /^[A-Za-z0-9_]+$/;

/**
 * `name-[epoch:]version-release.arch` (dnf's and `rpm -q`'s form; yum also wrote `epoch:name-…`).
 * Undefined when the text is not one. The name may hold `-` and `.`; version and release may not
 * hold `-`. The arch is what follows the last `.`.
 */
export function parseNevra(text: string): Nevra | undefined {
  let s = text;
  let leadingEpoch: string | null = null;
  const lead = /^(\d{1,10}):(.*)$/.exec(s);
  if (lead !== null) {
    leadingEpoch = lead[1] ?? null;
    s = lead[2] ?? '';
  }
  const dot = s.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const arch = s.slice(dot + 1);
  const nevr = s.slice(0, dot);
  const parsed = parseNevr(nevr);
  if (parsed === undefined || !ARCH.test(arch)) return undefined;
  if (leadingEpoch !== null) {
    if (parsed.epoch !== null) return undefined;
    parsed.epoch = leadingEpoch;
  }
  return { ...parsed, arch };
}

/** `name-[epoch:]version-release` (no arch); undefined when the text is not one. */
export function parseNevr(text: string): Omit<Nevra, 'arch'> | undefined {
  const r = text.lastIndexOf('-');
  if (r <= 0) return undefined;
  const v = text.lastIndexOf('-', r - 1);
  if (v <= 0) return undefined;
  const name = text.slice(0, v);
  let version = text.slice(v + 1, r);
  const release = text.slice(r + 1);
  let epoch: string | null = null;
  const e = /^(\d{1,10}):(.*)$/.exec(version);
  if (e !== null) {
    epoch = e[1] ?? null;
    version = e[2] ?? '';
  }
  if (!NAME.test(name) || !FIELD.test(version) || !FIELD.test(release)) return undefined;
  return { name, epoch, version, release };
}

/** `[epoch:]version-release` → its parts; undefined when it is not one. */
export function parseEvr(text: string): Omit<Nevra, 'name' | 'arch'> | undefined {
  const m = /^(?:(\d{1,10}):)?([^\s:/-]+)-([^\s:/-]+)$/.exec(text);
  if (m === null) return undefined;
  return { epoch: m[1] ?? null, version: m[2] ?? '', release: m[3] ?? '' };
}

/** rpm's order of two EVR strings (epoch, then version, then release; rpmvercmp on each). */
export const compareEvr = (a: string, b: string): number => compareRpmEvr(a, b);
