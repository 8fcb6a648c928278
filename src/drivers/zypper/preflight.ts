// Judging a parsed zypper pre-flight (README.md, "Apply"; readme.md, "Pre-flight"): the shared
// rules (../linux/preflight.ts) with SUSE's paths, kernels and words.
import { KERNEL_BOOT_FREE_KB, preflightJudge } from '../linux/preflight.js';

export { KERNEL_BOOT_FREE_KB };

/** Free space (KiB) zypper needs by default where it downloads and on the root filesystem. */
export const DEFAULT_MIN_FREE_KB: Readonly<Record<string, number>> = {
  '/var/cache/zypp': 256 * 1024,
  '/': 256 * 1024,
};

/**
 * SUSE's kernel packages (kernel-default, kernel-azure, kernel-64kb...; the lab's `kernel`), not
 * the ones that put nothing in /boot (sources, headers, firmware, documentation).
 */
const KERNEL =
  /^kernel(?:-(?!devel|source|syms|macros|docs|firmware|headers|install-tools|default-devel)[a-z0-9_]+)?$/;

export const isKernelPackage = (name: string): boolean => KERNEL.test(name);

export const { checkPreflight, minFreeKbFor } = preflightJudge({
  defaultMinFreeKb: DEFAULT_MIN_FREE_KB,
  isKernel: isKernelPackage,
  interrupted:
    'an rpm transaction did not finish: the rpmdb lists a package twice (see the audit); ' +
    "clean it up on the host first (e.g. 'zypper verify', 'rpm -e --justdb' of the stale one)",
  audit:
    'the package database needs attention (rpm lists a package twice, or zypper verify reports broken dependencies)',
});
