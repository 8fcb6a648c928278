// Judging a parsed zypper pre-flight: what stops an install from starting (README.md, "Apply";
// readme.md, "Pre-flight"). The same rules as apt's (../apt/preflight.ts), with SUSE's paths.
import type { LockHolder, PackageRef, Preflight, PreflightProblem } from '../types.js';

/** Free space (KiB) zypper needs by default where it downloads and on the root filesystem. */
export const DEFAULT_MIN_FREE_KB: Readonly<Record<string, number>> = {
  '/var/cache/zypp': 256 * 1024,
  '/': 256 * 1024,
};

/** Extra room a kernel needs in /boot (image, initrd, System.map, config). */
export const KERNEL_BOOT_FREE_KB = 128 * 1024;

/**
 * SUSE's kernel packages (kernel-default, kernel-azure, kernel-64kb...; the lab's `kernel`), not
 * the ones that put nothing in /boot (sources, headers, firmware, documentation).
 */
const KERNEL =
  /^kernel(?:-(?!devel|source|syms|macros|docs|firmware|headers|install-tools|default-devel)[a-z0-9_]+)?$/;

export const isKernelPackage = (name: string): boolean => KERNEL.test(name);

/** The thresholds for installing `pkgs`: the defaults, plus /boot when a kernel is among them. */
export function minFreeKbFor(pkgs: readonly PackageRef[]): Record<string, number> {
  const needs: Record<string, number> = { ...DEFAULT_MIN_FREE_KB };
  if (pkgs.some((p) => isKernelPackage(p.name))) needs['/boot'] = KERNEL_BOOT_FREE_KB;
  return needs;
}

const describe = (h: LockHolder): string =>
  h.pid === null ? 'another process' : `process ${h.pid}${h.command === undefined ? '' : ` (${h.command})`}`;

/**
 * The problems that should stop an install. A lock holder explains an rpmdb in flux (zypper or
 * rpm is running), so the interrupted and audit findings are reported only when nobody holds a
 * lock. Paths on one filesystem share its free space: each filesystem must have the largest amount
 * asked of any of its paths.
 */
export function checkPreflight(
  preflight: Preflight,
  minFreeKb: Readonly<Record<string, number>> = DEFAULT_MIN_FREE_KB,
): PreflightProblem[] {
  const problems: PreflightProblem[] = [];
  const seenPids = new Set<number | null>();
  for (const holder of preflight.lockHolders) {
    if (seenPids.has(holder.pid)) continue;
    seenPids.add(holder.pid);
    problems.push({ kind: 'lock-held', message: `${holder.path} is held by ${describe(holder)}`, holder });
  }
  if (preflight.lockHolders.length === 0) {
    if (preflight.interrupted) {
      problems.push({
        kind: 'interrupted',
        message:
          'an rpm transaction did not finish: the rpmdb lists a package twice (see the audit); ' +
          "clean it up on the host first (e.g. 'zypper verify', 'rpm -e --justdb' of the stale one)",
      });
    }
    if (preflight.audit.length > 0) {
      problems.push({
        kind: 'audit',
        message:
          'the package database needs attention (rpm lists a package twice, or zypper verify reports broken dependencies)',
        details: preflight.audit,
      });
    }
  }
  const byMount = new Map<string, { path: string; availableKb: number; requiredKb: number }>();
  for (const [path, requiredKb] of Object.entries(minFreeKb)) {
    if (requiredKb <= 0) continue;
    const fs = preflight.freeSpace.find((f) => f.path === path);
    if (fs === undefined) continue;
    const prev = byMount.get(fs.mountedOn);
    if (prev === undefined || requiredKb > prev.requiredKb) {
      byMount.set(fs.mountedOn, { path, availableKb: fs.availableKb, requiredKb });
    }
  }
  for (const [mountedOn, need] of byMount) {
    if (need.availableKb >= need.requiredKb) continue;
    const on = mountedOn === need.path ? '' : ` (on ${mountedOn})`;
    problems.push({
      kind: 'low-space',
      message: `${need.path}${on} has ${need.availableKb} KiB free, ${need.requiredKb} KiB needed`,
      path: need.path,
      availableKb: need.availableKb,
      requiredKb: need.requiredKb,
    });
  }
  return problems;
}
