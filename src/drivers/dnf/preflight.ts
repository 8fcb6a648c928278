// Judging a parsed pre-flight on a dnf host (README.md, "Apply": pre-flight): the shared rules
// (../linux/preflight.ts) with dnf's paths, kernels and words.
import { KERNEL_BOOT_FREE_KB, preflightJudge } from '../linux/preflight.js';

export { KERNEL_BOOT_FREE_KB };

/** Free space (KiB) dnf needs by default where it downloads and where rpm unpacks. */
export const DEFAULT_MIN_FREE_KB: Readonly<Record<string, number>> = {
  '/var/cache/dnf': 256 * 1024,
  '/var/cache/yum': 256 * 1024,
  '/': 256 * 1024,
};

/** The packages that put a kernel in /boot (EL 8+: kernel-core; EL 7: kernel; RT, UEK, 64k, debug). */
const KERNEL = /^kernel(?:-(?:rt|uek|64k|debug|rt-debug|64k-debug|PAE))?(?:-core)?$/;

export const { checkPreflight, minFreeKbFor } = preflightJudge({
  defaultMinFreeKb: DEFAULT_MIN_FREE_KB,
  isKernel: (name) => KERNEL.test(name),
  interrupted:
    "an earlier rpm transaction did not finish (duplicate packages, or yum's journal): see 'dnf check' (or run yum-complete-transaction on EL 7) on the host first",
  audit: 'dnf check reports problems in the rpm database',
});
