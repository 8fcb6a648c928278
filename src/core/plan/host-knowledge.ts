// What patchctl knows about a host before planning it (README.md, "The
// plan"): nothing current (never scanned, unreachable, its last scan failed, its host key
// changed), or that it cannot drive it (unsupported: its transport or package manager), or
// enough to plan it. One reading for plan and status, so both say the same words.
import type { Driven } from '../model/driven.js';
import { drivesPackageManager, drivesTransport, transportOf } from '../model/driven.js';
import type { InventoryHost } from '../model/types.js';
import type { HostState } from '../state/types.js';
import type { PlanHostState } from './types.js';
import { HOST_KEY_CHANGED_NOTE } from './types.js';

/** A host the plan cannot plan, and why, in a note for people. */
export interface UnknownHostKnowledge {
  state: Exclude<PlanHostState, 'planned' | 'up-to-date' | 'all-skipped'>;
  note: string;
}

/**
 * Why the plan cannot plan the host, or undefined when its state file says what it has. A host
 * whose inventory transport this version cannot drive is unsupported whatever its state file
 * says (a state file written by hand must not make it plannable). `driven` is what the registries
 * of this version drive (model/driven.ts: Repository.driven).
 */
export function unknownHostKnowledge(
  inventory: Pick<InventoryHost, 'transport' | 'os'> | undefined,
  host: HostState | undefined,
  driven: Driven,
): UnknownHostKnowledge | undefined {
  const transport = transportOf(inventory ?? {});
  if (!drivesTransport(driven, transport))
    return {
      state: 'unsupported',
      note: `unsupported: transport ${transport} is not supported by this version; ${osSeen(inventory, host)}`,
    };
  if (!host) return { state: 'never-scanned', note: 'never scanned: run patchctl scan' };
  const lastScan = `last scan ${host.scannedAt}${host.error ? `: ${host.error}` : ''}`;
  if (!host.reachable) {
    const last = `last reached ${host.lastReachableAt ?? 'never'}`;
    switch (host.errorKind) {
      case 'unsupported':
        return {
          state: 'unsupported',
          note: `unsupported: ${host.os ? `no package-manager driver for its OS in this version; ${osSeen(inventory, host)}` : 'this version cannot drive it'} (${lastScan})`,
        };
      case 'host-key-mismatch':
        // A changed key is never just "unreachable": someone may be in the middle (docs/security.md).
        return {
          state: 'host-key-changed',
          note: `${HOST_KEY_CHANGED_NOTE} (possible interception): verify the host's new key and update known_hosts (${lastScan})`,
        };
      case 'auth-failed':
        return { state: 'scan-failed', note: `refused authentication, ${last} (${lastScan})` };
      case 'invalid-host-data':
        return {
          state: 'scan-failed',
          note: `sent data patchctl cannot use, ${last} (${lastScan})`,
        };
      case 'failed':
        return { state: 'scan-failed', note: `scan failed, ${last} (${lastScan})` };
      default:
        return {
          state: 'unreachable',
          note: `${host.lastReachableAt ? `unreachable since ${host.lastReachableAt}` : 'unreachable, never reached'} (${lastScan})`,
        };
    }
  }
  if (host.packageManager !== undefined && !drivesPackageManager(driven, host.packageManager))
    return {
      state: 'unsupported',
      note: `unsupported: package manager ${host.packageManager} is not supported by this version; ${osSeen(inventory, host)}`,
    };
  return undefined;
}

/** `OS seen: rocky 9 (rhel family)`, else the inventory's hint, else that none is known. */
function osSeen(inventory: Pick<InventoryHost, 'os'> | undefined, host: HostState | undefined): string {
  if (host?.os) return `OS seen: ${host.os.id} ${host.os.version} (${host.os.family} family)`;
  if (inventory?.os) return `OS seen: none (not contacted; the inventory says os: ${inventory.os})`;
  return 'OS seen: none (not contacted)';
}
