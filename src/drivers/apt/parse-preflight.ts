// The pre-flight script's output (PREFLIGHT_SCRIPT): lock holders, dpkg's journal and audit, free
// space. Judging it is checkPreflight's job (preflight.ts). Throws DriverOutputError on output it
// cannot read.
import { lockHoldersFrom, parseDfSection } from '../linux/preflight.js';
import { readSections } from '../sections.js';
import type { CommandResult, Preflight } from '../types.js';
import { DRIVER, splitLines } from './common.js';

export function parsePreflight(out: CommandResult): Preflight {
  const s = readSections(DRIVER, 'preflight', out, [
    'lock-files',
    'lock-holders',
    'dpkg-updates',
    'dpkg-audit',
    'df',
  ]);
  // Who holds the lock files and the free space: the shared Linux module (../linux/preflight.ts).
  const lockHolders = lockHoldersFrom(s.get('lock-files')?.text ?? '', s.get('lock-holders')?.text ?? '');

  const journal = splitLines(s.get('dpkg-updates')?.text ?? '').map((l) => l.trim());
  const audit = splitLines(s.get('dpkg-audit')?.text ?? '')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '');

  return {
    lockHolders,
    // apt's own test (debSystem::CheckUpdates): any all-digits entry in dpkg's journal directory.
    interrupted: journal.some((e) => /^\d+$/.test(e)),
    audit,
    freeSpace: parseDfSection(s.get('df')?.text ?? ''),
  };
}

export { parseDfSection } from '../linux/preflight.js';
