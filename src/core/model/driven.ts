// What this version of patchctl can drive, as data: the transport registry
// (src/transports/registry.ts) and the driver registry (src/drivers/api.ts) describe themselves
// with `drivenBy()` there, and the loader hands the result to core (Repository.driven), so core
// stays pure and never keeps a second list (docs/adding-a-driver.md, "Registries"). `validate`
// warns about hosts outside it (rules/undriven-hosts.ts); plan, status and report call them
// `unsupported` (plan/host-knowledge.ts).
import type { OsHint, Transport } from './types.js';

/** One registered package-manager driver, and the inventory `os` hints it serves. */
export interface DrivenDriver {
  id: string;
  osHints: readonly OsHint[];
}

/** The registered transports and package-manager drivers of this version. */
export interface Driven {
  /** Transport ids with a registered plug-in, in registry order. */
  transports: readonly string[];
  /** Registered drivers, in registry order. */
  drivers: readonly DrivenDriver[];
}

export const DEFAULT_TRANSPORT: Transport = 'ssh';

/** The transport a host is reached over (a host without `transport` uses ssh). */
export function transportOf(host: { transport?: Transport }): Transport {
  return host.transport ?? DEFAULT_TRANSPORT;
}

export function drivesTransport(driven: Driven, transport: string): boolean {
  return driven.transports.includes(transport);
}

export function drivesPackageManager(driven: Driven, packageManager: string): boolean {
  return driven.drivers.some((d) => d.id === packageManager);
}

/** The driver that serves an inventory `os` hint, or undefined when none is registered. */
export function driverOfOsHint(driven: Driven, os: OsHint): string | undefined {
  return driven.drivers.find((d) => d.osHints.includes(os))?.id;
}

/** What keeps patchctl from driving a host with these settings, in words; undefined: nothing. */
export function undrivenBecause(
  host: { transport?: Transport; os?: OsHint },
  driven: Driven,
): string | undefined {
  const transport = transportOf(host);
  const reasons: string[] = [];
  if (!drivesTransport(driven, transport))
    reasons.push(`transport ${transport} (this version connects over ${drivenTransportList(driven)})`);
  if (host.os !== undefined && driverOfOsHint(driven, host.os) === undefined)
    reasons.push(`os ${host.os} (this version drives ${drivenOsList(driven)})`);
  return reasons.length === 0 ? undefined : reasons.join(' and ');
}

/** `ssh`, or `ssh, local`: the transports this version connects over. */
export function drivenTransportList(driven: Driven): string {
  return driven.transports.length === 0 ? 'nothing' : driven.transports.join(', ');
}

/** `apt on debian, ubuntu`: the drivers and the OS hints they take. */
export function drivenOsList(driven: Driven): string {
  const list = driven.drivers
    .filter((d) => d.osHints.length > 0)
    .map((d) => `${d.id} on ${d.osHints.join(', ')}`);
  return list.length === 0 ? 'no OS' : list.join('; ');
}
