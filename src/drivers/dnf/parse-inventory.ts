// INSTALLED_SCRIPT's output → Inventory: rpm -qa (the shared parser, ../rpm/parse-installed.ts), the
// holds (parse-holds.ts) and the duplicates an interrupted transaction leaves (several versions of a
// name and arch that is not installonly: ../rpm duplicatesOf).
import { duplicatesOf, parseInstallonly, parseRpmQuery } from '../rpm/parse-installed.js';
import { readSections } from '../sections.js';
import type { CommandResult, Inventory } from '../types.js';
import { heldNames, parseExcludes, parseVersionlockList } from './parse-holds.js';
import { DRIVER, fail } from './text.js';

export function parseInventory(out: CommandResult): Inventory {
  const s = readSections(DRIVER, 'installed', out, ['rpm-qa', 'installonly', 'versionlock', 'excludes']);
  const qa = s.get('rpm-qa');
  if (qa?.rc !== 0) throw fail(`rpm -qa failed (exit status ${String(qa?.rc)})`, qa?.text ?? out.stdout);
  const { installed, packages } = parseRpmQuery(DRIVER, qa.text);
  const holds = {
    locked: parseVersionlockList(s.get('versionlock')?.text ?? ''),
    excludes: parseExcludes(s.get('excludes')?.text ?? ''),
  };
  const installonly = parseInstallonly(s.get('installonly')?.text ?? '');
  return {
    installed,
    held: heldNames(
      holds,
      packages.map((p) => p.name),
    ),
    notFullyInstalled: duplicatesOf(packages, installonly),
    sideBySide: [...new Set(installonly)].sort(),
  };
}
