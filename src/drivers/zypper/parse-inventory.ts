// INVENTORY_SCRIPT's output (scripts.ts): the installed packages (rpm) and zypper's locks. A package
// lock is patchctl's hold (readme.md, "Holds"). rpm has no half-installed state that the rpmdb
// lists (an interrupted transaction leaves a package twice: the pre-flight reports it), so
// notFullyInstalled is always empty.
import type { InstalledPackage } from '../../core/state/types.js';
import { readSections, type Section } from '../sections.js';
import type { CommandResult, Inventory } from '../types.js';
import { heldPackages, parseLocks } from './parse-locks.js';
import { parseRpmInstalled } from './parse-installed.js';
import { DRIVER } from './stream.js';

/** One section of a script as the CommandResult of its command (its recorded exit status). */
export const sectionResult = (s: Section | undefined, out: CommandResult): CommandResult => ({
  exitCode: s?.rc ?? null,
  stdout: s?.text ?? '',
  stderr: '',
  durationMs: out.durationMs,
});

/**
 * rpm -qa's packages as the host state keeps them: name, edition, arch (the source RPM is not part
 * of schemas/host-state.schema.json).
 */
export function installedPackages(out: CommandResult): InstalledPackage[] {
  return parseRpmInstalled(out).map((p) => ({ name: p.name, version: p.version, arch: p.arch }));
}

export function parseInventory(out: CommandResult): Inventory {
  const s = readSections(DRIVER, 'installed', out, ['installed', 'locks']);
  const installed = installedPackages(sectionResult(s.get('installed'), out));
  const locks = parseLocks(sectionResult(s.get('locks'), out));
  return {
    installed,
    held: heldPackages(
      locks,
      installed.map((p) => p.name),
    ),
    notFullyInstalled: [],
  };
}
