// FACTS_SCRIPT's output → HostFacts: the shared Linux facts (../linux/facts.ts), rpm's native
// architecture, dnf's version, and dnf's reboot decision (parse-reboot.ts). The Linux module's
// `reboot-required` section reads /run/reboot-required, which only Debian's hooks write: on EL the
// decision is needs-restarting -r's, or its rule by install times when the plugin is absent.
import { LINUX_FACTS_SECTIONS, linuxFactsFrom } from '../linux/facts.js';
import { parseNevra } from '../rpm/nevra.js';
import { readSections } from '../sections.js';
import type { CommandResult, HostFacts } from '../types.js';
import { REBOOT_SECTIONS, rebootDecisionFrom } from './parse-reboot.js';
import { DRIVER, sortedUnique } from './text.js';

const ARCH = /^[A-Za-z0-9_]{1,32}$/;
/** `4.14.0`; dnf5 prints `dnf5 version 5.2.6`; yum 3 `3.4.3`. */
const VERSION = /^(?:dnf5 version )?(\d[A-Za-z0-9.+~_-]{0,63})$/;

export function parseFacts(out: CommandResult): HostFacts {
  const s = readSections(DRIVER, 'facts', out, [...LINUX_FACTS_SECTIONS, ...REBOOT_SECTIONS]);
  const reboot = rebootDecisionFrom(s, out.stdout);
  const facts: HostFacts = {
    ...linuxFactsFrom(DRIVER, s, out.stdout),
    rebootRequired: reboot.required,
    // needs-restarting names packages; the install-time rule NEVRAs: names, as apt's list has.
    rebootRequiredPackages: sortedUnique(reboot.packages.map((p) => parseNevra(p)?.name ?? p)),
  };
  const arch = s.get('rpm-arch')?.text;
  if (arch !== undefined && ARCH.test(arch)) facts.nativeArch = arch;
  const version = VERSION.exec(s.get('dnf-version')?.text ?? '')?.[1];
  if (version !== undefined) facts.packageManagerVersion = version;
  return facts;
}
