// SCAN_SCRIPT's output (scripts.ts): each section is one zypper command's stdout and exit status,
// read by that command's own parser; then the whole turned into PendingUpdate[] (pending.ts).
import type { InstalledPackage, PendingUpdate } from '../../core/state/types.js';
import { readSections, type Section } from '../sections.js';
import type { CommandResult } from '../types.js';
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

const asResult = (s: Section | undefined, out: CommandResult): CommandResult => ({
  exitCode: s?.rc ?? null,
  stdout: s?.text ?? '',
  stderr: '',
  durationMs: out.durationMs,
});

export function parseScan(out: CommandResult): ZypperScan {
  const s = readSections(DRIVER, 'scan', out, ['updates', 'patches', 'locks', 'patch-info']);
  return {
    updates: parseListUpdates(asResult(s.get('updates'), out)),
    patches: parseListPatches(asResult(s.get('patches'), out)),
    locks: parseLocks(asResult(s.get('locks'), out)),
    conflicts: parsePatchInfo(asResult(s.get('patch-info'), out)),
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
