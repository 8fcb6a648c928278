// SCAN_SCRIPT's output (scripts.ts): each section is one zypper command's stdout and exit status,
// read by that command's own parser; then the whole turned into PendingUpdate[] (pending.ts).
import type { InstalledPackage, PendingUpdate } from '../../core/state/types.js';
import { readSections } from '../sections.js';
import type { CommandResult } from '../types.js';
import { sectionResult } from './parse-inventory.js';
import { heldPackages, parseLocks, type ZypperLock } from './parse-locks.js';
import { parseListPatches, parsePatchInfo, type PatchConflict, type PatchList } from './parse-patches.js';
import { parseListUpdates, type UpdateList } from './parse-updates.js';
import { toPendingUpdates } from './pending.js';
import { DRIVER } from './stream.js';

export interface ZypperScan {
  updates: UpdateList;
  patches: PatchList;
  locks: ZypperLock[];
  conflicts: Map<string, PatchConflict[]>;
}

export function parseScan(out: CommandResult): ZypperScan {
  const s = readSections(DRIVER, 'scan', out, ['updates', 'patches', 'locks', 'patch-info']);
  return {
    updates: parseListUpdates(sectionResult(s.get('updates'), out)),
    patches: parseListPatches(sectionResult(s.get('patches'), out)),
    locks: parseLocks(sectionResult(s.get('locks'), out)),
    conflicts: parsePatchInfo(sectionResult(s.get('patch-info'), out)),
  };
}

/** The scan as patchctl's state records it: pending updates and held packages. */
export function pendingFromScan(
  scan: ZypperScan,
  installed: readonly InstalledPackage[],
): { updates: PendingUpdate[]; held: string[] } {
  return {
    updates: toPendingUpdates({
      updates: scan.updates.updates,
      patches: scan.patches.patches,
      conflicts: scan.conflicts,
      installed,
    }),
    held: heldPackages(
      scan.locks,
      installed.map((p) => p.name),
    ),
  };
}
