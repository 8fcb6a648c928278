// The package-manager drivers, registered by hand (docs/adding-a-driver.md, "Registries"). Each
// host gets its own driver: scan picks the one that serves the host's OS (its `serves`), the
// state file and the plan record it (`packageManager`), and apply opens it again from there.
import type { Driven } from '../core/model/driven.js';
import type { OsHint } from '../core/model/types.js';
import { registeredTransports } from '../transports/registry.js';
import { apt } from './apt/index.js';
import { dnf } from './dnf/driver.js';
import type { DriverId, PackageDriver } from './types.js';
import { zypper } from './zypper/driver.js';

export const drivers: ReadonlyMap<DriverId, PackageDriver> = new Map<DriverId, PackageDriver>([
  ['apt', apt],
  ['dnf', dnf],
  ['zypper', zypper],
]);

/** The driver for a package manager, or undefined when patchctl has none for it yet. */
export function driverFor(id: string): PackageDriver | undefined {
  return drivers.get(id as DriverId);
}

/**
 * The driver that serves a host of this OS (os-release ID and ID_LIKE): the one that names its
 * ID, else the one that names the first ID_LIKE entry it can; undefined when none does.
 * `candidates`: the drivers to choose from (default: the registered ones).
 */
export function driverServing(
  os: { id: string; idLike: readonly string[] },
  candidates: Iterable<PackageDriver> = drivers.values(),
): PackageDriver | undefined {
  const among = [...candidates];
  for (const name of [os.id, ...os.idLike]) {
    const key = name.toLowerCase();
    for (const d of among) if (d.serves.osIds.includes(key)) return d;
  }
  return undefined;
}

/** The driver that serves hosts with this inventory `os` hint, or undefined when none does. */
export function driverForOsHint(os: OsHint): PackageDriver | undefined {
  for (const d of drivers.values()) if (d.serves.osHints.includes(os)) return d;
  return undefined;
}

/** What this version drives, from both registries, as data for core (core/model/driven.ts). */
export function whatIsDriven(): Driven {
  return {
    transports: registeredTransports(),
    drivers: [...drivers.values()].map((d) => ({ id: d.id, osHints: [...d.serves.osHints] })),
  };
}
