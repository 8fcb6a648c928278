// FACTS_SCRIPT's output (scripts.ts): the shared Linux facts (../linux/facts.ts) and zypper's own.
// The reboot decision is zypper's (`needs-rebooting`), not Debian's /run/reboot-required, which
// does not exist on SUSE (readme.md, "Facts").
import { LINUX_FACTS_SECTIONS, linuxFactsFrom } from '../linux/facts.js';
import { readSections } from '../sections.js';
import type { CommandResult, HostFacts } from '../types.js';
import { ZYPPER_ARCH } from './names.js';
import { DRIVER, fail } from './stream.js';

const ZYPPER_VERSION = /^zypper (\d+(?:\.\d+){1,3})$/;

/**
 * `needs-rebooting`'s exit status: 102 → a reboot is needed, 0 → not. A zypper without the
 * command (older than 1.14) exits otherwise: then libzypp's own flag, /run/reboot-needed, which
 * libzypp writes after installing a package that asks for a reboot, is what zypper would read.
 */
export function zypperRebootDecision(
  needsRebootingRc: number | undefined,
  rebootNeededFile: string | undefined,
): boolean {
  if (needsRebootingRc === 102) return true;
  if (needsRebootingRc === 0) return false;
  if (rebootNeededFile === 'yes') return true;
  if (rebootNeededFile === 'no') return false;
  throw fail(
    `facts: zypper needs-rebooting exited ${String(needsRebootingRc)} and /run/reboot-needed was not read`,
    rebootNeededFile ?? '',
  );
}

export function parseFacts(out: CommandResult): HostFacts {
  const s = readSections(DRIVER, 'facts', out, [
    ...LINUX_FACTS_SECTIONS,
    'rpm-arch',
    'zypper-version',
    'needs-rebooting',
    'reboot-needed',
  ]);
  const linux = linuxFactsFrom(DRIVER, s, out.stdout);
  const facts: HostFacts = {
    ...linux,
    rebootRequired: zypperRebootDecision(s.get('needs-rebooting')?.rc, s.get('reboot-needed')?.text),
    // SUSE names no packages that asked for the reboot (Debian's /run/reboot-required.pkgs).
    rebootRequiredPackages: [],
  };
  const arch = s.get('rpm-arch')?.text ?? '';
  if (ZYPPER_ARCH.test(arch)) facts.nativeArch = arch;
  const version = ZYPPER_VERSION.exec(s.get('zypper-version')?.text ?? '')?.[1];
  if (version !== undefined) facts.packageManagerVersion = version;
  return facts;
}
