// The package-manager drivers, registered by hand (STYLE.md "Drivers as plug-ins").
import { apt } from './apt/index.js';
import type { DriverId, PackageDriver } from './types.js';

export const drivers: ReadonlyMap<DriverId, PackageDriver> = new Map<DriverId, PackageDriver>([['apt', apt]]);

/** The driver for a package manager, or undefined when patchctl has none for it yet. */
export function driverFor(id: string): PackageDriver | undefined {
  return drivers.get(id as DriverId);
}
