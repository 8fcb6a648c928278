// The facts script's output (FACTS_SCRIPT) and REBOOT_REQUIRED_SCRIPT's. Pure functions: they throw
// DriverOutputError (and only that) on output they cannot read.
import { LINUX_FACTS_SECTIONS, linuxFactsFrom } from '../linux/facts.js';
import { readSections } from '../sections.js';
import type { CommandResult, HostFacts } from '../types.js';
import { ARCH, DRIVER, fail, pkgsList, VERSION } from './common.js';

// os-release, kernel, boot id and /run/reboot-required are read by the shared Linux module
// (../linux/facts.ts); they are re-exported here for compatibility.
export { osFactsFrom, osVersionFrom, parseOsRelease, UNKNOWN_OS_VERSION } from '../linux/facts.js';

function rebootFlag(text: string | undefined, excerpt: string): boolean {
  if (text === 'yes') return true;
  if (text === 'no') return false;
  throw fail(`reboot-required is neither yes nor no: ${JSON.stringify(text)}`, excerpt);
}

/** The facts script's output (FACTS_SCRIPT): the Linux facts, then apt's own sections. */
export function parseFacts(out: CommandResult): HostFacts {
  const s = readSections(DRIVER, 'facts', out, LINUX_FACTS_SECTIONS);
  const facts: HostFacts = {
    ...linuxFactsFrom(DRIVER, s, out.stdout),
    rebootRequiredPackages: pkgsList(s.get('reboot-required-pkgs')?.text),
  };
  const arch = s.get('dpkg-arch')?.text;
  if (arch !== undefined && ARCH.test(arch)) facts.nativeArch = arch;
  const aptVersion = s.get('apt-version')?.text;
  if (aptVersion !== undefined && VERSION.test(aptVersion)) facts.packageManagerVersion = aptVersion;
  return facts;
}

/** REBOOT_REQUIRED_SCRIPT's output. */
export function parseRebootRequired(out: CommandResult): boolean {
  const s = readSections(DRIVER, 'reboot-required', out, ['reboot-required']);
  return rebootFlag(s.get('reboot-required')?.text, out.stdout);
}
