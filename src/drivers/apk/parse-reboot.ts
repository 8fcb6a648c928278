// The reboot decision. apk has no reboot-required flag (nothing like /run/reboot-required or
// needs-restarting): patchctl decides from the kernel alone. Alpine's kernel packages
// (linux-lts, linux-virt, linux-edge, linux-rpi…) install /boot/vmlinuz-FLAVOR, and the kernel
// they build reports `uname -r` = `KVER-PKGREL-FLAVOR` for package version `KVER-rPKGREL`
// (6.6.58-r0 of linux-lts runs as 6.6.58-0-lts). A reboot is required when the package that
// installs the running flavor's image is at another version than the running kernel, or when no
// installed package provides the running flavor any more. Hosts without any kernel package
// (containers) never need one. Restarting services after a library upgrade is not tracked.
import { compareApkVersions } from '../../core/versions/apk.js';
import { readSections } from '../sections.js';
import type { CommandResult } from '../types.js';
import { APK_NAME, DRIVER, fail, isApkVersion, splitLines } from './common.js';

export interface KernelPackage {
  name: string;
  version: string;
  /** The image it installs in /boot: `vmlinuz-lts`. */
  image: string;
}

export interface RebootDecision {
  required: boolean;
  /** `uname -r`. */
  running: string;
  /** The kernel packages whose installed version differs from the running kernel. */
  packages: string[];
  kernelPackages: KernelPackage[];
  /** Why, in words. */
  reason: string;
}

/** `NAME VERSION vmlinuz-FLAVOR` lines (the awk of REBOOT_SCRIPT); other lines are refused. */
export function parseKernelPackages(text: string): KernelPackage[] {
  const result: KernelPackage[] = [];
  for (const line of splitLines(text)) {
    if (line.trim() === '') continue;
    const m = /^(\S+) (\S+) (vmlinuz-[A-Za-z0-9_.+-]+)$/.exec(line);
    if (m === null || !APK_NAME.test(m[1] ?? '') || !isApkVersion(m[2] ?? '')) {
      throw fail(`kernel packages: unexpected line ${JSON.stringify(line.slice(0, 200))}`, line);
    }
    result.push({ name: m[1] ?? '', version: m[2] ?? '', image: m[3] ?? '' });
  }
  return result;
}

/** `6.6.58-0-lts` → the apk version `6.6.58-r0` and the flavor `lts`; undefined if not Alpine's shape. */
export function alpineKernelRelease(uname: string): { version: string; flavor: string } | undefined {
  const m = /^([0-9][0-9a-z._]*)-([0-9]+)-([a-z0-9]+)$/.exec(uname);
  if (m === null) return undefined;
  const version = `${m[1]}-r${m[2]}`;
  return isApkVersion(version) ? { version, flavor: m[3] ?? '' } : undefined;
}

export function decideReboot(running: string, kernelPackages: readonly KernelPackage[]): RebootDecision {
  const base = { running, kernelPackages: [...kernelPackages] };
  if (kernelPackages.length === 0) {
    return {
      ...base,
      required: false,
      packages: [],
      reason: 'no kernel package is installed (a container?)',
    };
  }
  const release = alpineKernelRelease(running);
  if (release === undefined) {
    return {
      ...base,
      required: false,
      packages: [],
      reason: `the running kernel ${running} is not an Alpine kernel package's: cannot compare`,
    };
  }
  const own = kernelPackages.filter((k) => k.image === `vmlinuz-${release.flavor}`);
  if (own.length === 0) {
    return {
      ...base,
      required: true,
      packages: kernelPackages.map((k) => k.name),
      reason: `no installed package provides the running kernel's flavor ${release.flavor} any more`,
    };
  }
  const changed = own.filter((k) => compareApkVersions(k.version, release.version) !== 0);
  if (changed.length === 0) {
    return {
      ...base,
      required: false,
      packages: [],
      reason: `the running kernel ${running} is the installed one`,
    };
  }
  return {
    ...base,
    required: true,
    packages: changed.map((k) => k.name),
    reason: `${changed.map((k) => `${k.name} ${k.version}`).join(', ')} is installed, ${running} is running`,
  };
}

/** REBOOT_SCRIPT's output. */
export function parseRebootDecision(out: CommandResult): RebootDecision {
  const s = readSections(DRIVER, 'reboot-required', out, ['kernel', 'kernel-packages']);
  const running = s.get('kernel')?.text ?? '';
  if (!/^\S+$/.test(running))
    throw fail(`kernel release ${JSON.stringify(running.slice(0, 100))} is not one word`, out.stdout);
  const packages = s.get('kernel-packages');
  if (packages?.rc !== 0) throw fail('cannot read the installed database for kernel packages', out.stdout);
  return decideReboot(running, parseKernelPackages(packages.text));
}

/** The contract's boolean form. */
export function parseRebootRequired(out: CommandResult): boolean {
  return parseRebootDecision(out).required;
}
