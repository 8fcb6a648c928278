// What this version of patchctl can drive, in one table: `validate` warns about hosts outside it
// (rules/undriven-hosts.ts). Add a transport or a package-manager driver here when it lands.
import type { OsHint, Transport } from './types.js';

/** Transports patchctl connects over today (a host without `transport` uses ssh). */
export const DRIVEN_TRANSPORTS: ReadonlySet<Transport> = new Set<Transport>(['ssh']);

/**
 * Each `os` hint → the package-manager driver for it, or undefined when there is none yet. A
 * host without an `os` hint is found out by `scan`.
 */
export const DRIVER_OF_OS: Readonly<Record<OsHint, string | undefined>> = {
  debian: 'apt',
  ubuntu: 'apt',
  rhel: undefined,
  almalinux: undefined,
  rocky: undefined,
  centos: undefined,
  fedora: undefined,
  amazon: undefined,
  oracle: undefined,
  sles: undefined,
  opensuse: undefined,
  alpine: undefined,
  windows: undefined,
};

export const DEFAULT_TRANSPORT: Transport = 'ssh';

/** What keeps patchctl from driving a host with these settings, in words; undefined: nothing. */
export function undrivenBecause(host: { transport?: Transport; os?: OsHint }): string | undefined {
  const transport = host.transport ?? DEFAULT_TRANSPORT;
  const reasons: string[] = [];
  if (!DRIVEN_TRANSPORTS.has(transport))
    reasons.push(`transport ${transport} (this version connects over ${[...DRIVEN_TRANSPORTS].join(', ')})`);
  if (host.os !== undefined && DRIVER_OF_OS[host.os] === undefined)
    reasons.push(`os ${host.os} (this version drives ${drivenOsList()})`);
  return reasons.length === 0 ? undefined : reasons.join(' and ');
}

/** `apt on debian, ubuntu`: the drivers and the OS hints they take. */
export function drivenOsList(): string {
  const byDriver = new Map<string, string[]>();
  for (const [os, driver] of Object.entries(DRIVER_OF_OS))
    if (driver !== undefined) byDriver.set(driver, [...(byDriver.get(driver) ?? []), os]);
  return [...byDriver].map(([driver, list]) => `${driver} on ${list.join(', ')}`).join('; ');
}
