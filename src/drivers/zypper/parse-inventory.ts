// INVENTORY_SCRIPT's output (scripts.ts): the installed packages (rpm -qa, read by the shared RPM
// parser: ../rpm/readme.md) and zypper's locks. A package lock is patchctl's hold (readme.md, "Holds"). rpm has no half-installed state that the rpmdb
// lists (an interrupted transaction leaves a package twice: the pre-flight reports it), so
// notFullyInstalled is always empty.
import { parseInstallonly, parseRpmQueryResult } from '../rpm/parse-installed.js';
import { readSections, type Section } from '../sections.js';
import type { CommandResult, Inventory } from '../types.js';
import { heldPackages, parseLocks } from './parse-locks.js';
import { DRIVER } from './stream.js';

/** One section of a script as the CommandResult of its command (its recorded exit status). */
export const sectionResult = (s: Section | undefined, out: CommandResult): CommandResult => ({
  exitCode: s?.rc ?? null,
  stdout: s?.text ?? '',
  stderr: '',
  durationMs: out.durationMs,
});

export function parseInventory(out: CommandResult): Inventory {
  const s = readSections(DRIVER, 'installed', out, ['installed', 'locks']);
  const { installed } = parseRpmQueryResult(DRIVER, sectionResult(s.get('installed'), out));
  const locks = parseLocks(sectionResult(s.get('locks'), out));
  return {
    installed,
    held: heldPackages(
      locks,
      installed.map((p) => p.name),
    ),
    notFullyInstalled: [],
    // Multiversion packages (kernels): several installed versions are normal (docs/architecture.md).
    sideBySide: [...new Set(parseInstallonly(s.get('installonly')?.text ?? ''))].sort(),
  };
}
