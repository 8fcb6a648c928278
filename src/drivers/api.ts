// The package-manager drivers, registered by hand (STYLE.md "Drivers as plug-ins").
import { apt } from './apt/index.js';
import type { DriverId, PackageDriver } from './types.js';

export const drivers: ReadonlyMap<DriverId, PackageDriver> = new Map<DriverId, PackageDriver>([['apt', apt]]);

/** The driver for a package manager, or undefined when patchctl has none for it yet. */
export function driverFor(id: string): PackageDriver | undefined {
  return drivers.get(id as DriverId);
}

/**
 * OS families (os-release ID / ID_LIKE, as the facts report them) → the package manager that
 * drives them in this version. Not the per-host registry of DESIGN.md §12, only enough for scan
 * and apply to refuse a host of another family honestly.
 */
const FAMILY_DRIVERS: ReadonlyMap<string, DriverId> = new Map<string, DriverId>([['debian', 'apt']]);

/** The driver for an OS family, or undefined when patchctl has none for it yet. */
export function driverForOsFamily(family: string): PackageDriver | undefined {
  const id = FAMILY_DRIVERS.get(family);
  return id === undefined ? undefined : drivers.get(id);
}
