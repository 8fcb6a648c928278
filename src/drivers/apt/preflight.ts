// Judging a parsed pre-flight on an apt host: the shared rules (../linux/preflight.ts) with apt's
// paths, kernels and words.
import { KERNEL_BOOT_FREE_KB, preflightJudge } from '../linux/preflight.js';

export { KERNEL_BOOT_FREE_KB };

/** Free space (KiB) apt needs by default where it downloads and where dpkg unpacks. */
export const DEFAULT_MIN_FREE_KB: Readonly<Record<string, number>> = {
  '/var/cache/apt/archives': 256 * 1024,
  '/': 256 * 1024,
};

export const { checkPreflight, minFreeKbFor } = preflightJudge({
  defaultMinFreeKb: DEFAULT_MIN_FREE_KB,
  isKernel: (name) => /^linux-image-/.test(name),
  interrupted: "dpkg was interrupted by an earlier run: 'dpkg --configure -a' must be run on the host first",
  audit: 'dpkg --audit reports packages in a broken state',
});
