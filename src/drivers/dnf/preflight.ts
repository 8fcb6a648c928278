// Judging a parsed pre-flight (README.md, "Apply": pre-flight): what stops an install from starting
// on a dnf host, and the free space it needs.
import type { LockHolder, PackageRef, Preflight, PreflightProblem } from '../types.js';

/** Free space (KiB) dnf needs by default where it downloads and where rpm unpacks. */
export const DEFAULT_MIN_FREE_KB: Readonly<Record<string, number>> = {
  '/var/cache/dnf': 256 * 1024,
  '/var/cache/yum': 256 * 1024,
  '/': 256 * 1024,
};

/** Extra room a kernel needs in /boot (vmlinuz, initramfs, System.map, config). */
export const KERNEL_BOOT_FREE_KB = 128 * 1024;

/** The packages that put a kernel in /boot (EL 8+: kernel-core; EL 7: kernel; RT, UEK, 64k, debug). */
const KERNEL = /^kernel(?:-(?:rt|uek|64k|debug|rt-debug|64k-debug|PAE))?(?:-core)?$/;

/** The thresholds for installing `pkgs`: the defaults, plus /boot when a kernel is among them. */
export function minFreeKbFor(pkgs: readonly PackageRef[]): Record<string, number> {
  const needs: Record<string, number> = { ...DEFAULT_MIN_FREE_KB };
  if (pkgs.some((p) => KERNEL.test(p.name))) needs['/boot'] = KERNEL_BOOT_FREE_KB;
  return needs;
}

const describe = (h: LockHolder): string =>
  h.pid === null ? 'another process' : `process ${h.pid}${h.command === undefined ? '' : ` (${h.command})`}`;

/**
 * The problems that should stop an install. A lock holder explains duplicates and check problems
 * (a transaction is running), so those are reported only when nobody holds a lock. Paths on one
 * filesystem share its free space: each filesystem must have the largest amount asked of any path.
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
          "an earlier rpm transaction did not finish (duplicate packages, or yum's journal): see 'dnf check' (or run yum-complete-transaction on EL 7) on the host first",
      });
    }
    if (preflight.audit.length > 0) {
      problems.push({
        kind: 'audit',
        message: 'dnf check reports problems in the rpm database',
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
