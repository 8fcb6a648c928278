// How long a driver's install waits for its package manager's lock: one bound and one check for
// every driver (docs/adding-a-driver.md, "Guarantees": bounded lock wait naming the holder).
import { InvalidPackageRefError } from './errors.js';
import type { InstallOptions } from './types.js';

/** Default bounded wait on a package manager's lock, in seconds. */
export const DEFAULT_LOCK_TIMEOUT_SECONDS = 120;

/** The wait the options ask for (or the default); InvalidPackageRefError outside 0–86400 whole seconds. */
export function lockTimeoutSeconds(options: InstallOptions): number {
  const t = options.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT_SECONDS;
  if (!Number.isInteger(t) || t < 0 || t > 86400) {
    throw new InvalidPackageRefError(
      `lock timeout ${String(t)} is not a whole number of seconds from 0 to 86400`,
    );
  }
  return t;
}
