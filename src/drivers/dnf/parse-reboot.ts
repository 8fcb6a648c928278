// The reboot decision (REBOOT_SCRIPT). `dnf needs-restarting -r` (dnf-plugins-core) exits 1 with
// "Reboot is required…" and 0 with "Reboot should not be necessary."; without the plugin dnf says
// "No such command: needs-restarting" (also exit 1), and the decision falls back to its own rule:
// a kernel, glibc, systemd, dbus* or linux-firmware installed after boot (mtime of /proc/1).
import type { CommandResult } from '../types.js';
import { readSections, type Section } from '../sections.js';
import { DRIVER, fail, sortedUnique, splitLines } from './text.js';

export interface RebootDecision {
  required: boolean;
  /** The packages installed since boot that ask for it (fallback), or those needs-restarting names. */
  packages: string[];
  method: 'needs-restarting' | 'install-time';
}

/** needs-restarting -r alone: undefined when its output says neither (plugin absent, error). */
export function parseNeedsRestarting(rc: number | undefined, text: string): RebootDecision | undefined {
  const lines = splitLines(text);
  if (rc === 1 && lines.some((l) => /^Reboot is required/.test(l))) {
    const packages = lines
      .map((l) => /^\s+\* (\S+)$/.exec(l)?.[1])
      .filter((x): x is string => x !== undefined);
    return { required: true, packages: sortedUnique(packages), method: 'needs-restarting' };
  }
  if (rc === 0 && lines.some((l) => /^Reboot should not be necessary/.test(l))) {
    return { required: false, packages: [], method: 'needs-restarting' };
  }
  return undefined;
}

/** `rpm -q --qf '%{INSTALLTIME}\t%{NEVRA}\n' PKG…` against the boot time: what was installed after boot. */
export function parseInstallTimes(text: string, bootTime: number): RebootDecision {
  const packages: string[] = [];
  for (const line of splitLines(text)) {
    const m = /^(\d{1,12})\t(\S+)$/.exec(line);
    if (m !== null && Number(m[1]) > bootTime) packages.push(m[2] ?? '');
  }
  return { required: packages.length > 0, packages: sortedUnique(packages), method: 'install-time' };
}

/** The sections REBOOT_SCRIPT prints (FACTS_SCRIPT prints them too). */
export const REBOOT_SECTIONS = ['needs-restarting', 'boot-time', 'core-packages'] as const;

export function parseRebootRequired(out: CommandResult): RebootDecision {
  const s = readSections(DRIVER, 'reboot-required', out, REBOOT_SECTIONS);
  return rebootDecisionFrom(s, out.stdout);
}

/** The decision from REBOOT_SECTIONS' text; `stdout` is the excerpt of an error. */
export function rebootDecisionFrom(s: ReadonlyMap<string, Section>, stdout: string): RebootDecision {
  const nr = s.get('needs-restarting');
  const decided = parseNeedsRestarting(nr?.rc, nr?.text ?? '');
  if (decided !== undefined) return decided;
  const boot = (s.get('boot-time')?.text ?? '').trim();
  if (!/^\d{1,12}$/.test(boot))
    throw fail(`reboot-required: boot time ${JSON.stringify(boot)} is not a number`, stdout);
  return parseInstallTimes(s.get('core-packages')?.text ?? '', Number(boot));
}
