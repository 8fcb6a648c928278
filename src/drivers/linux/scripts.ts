// The POSIX sh scripts shared by the Linux package-manager drivers (docs/adding-a-driver.md,
// "Registries"). Constants: no data is ever interpolated into them (docs/security.md). Each prints
// named sections (see ../sections.ts) and an end marker; they need only sh and coreutils.

/** What every script starts with: the C locale, no globbing, the section and exit-status markers. */
export const SCRIPT_PRELUDE: readonly string[] = [
  'export LC_ALL=C',
  'set -f',
  's() { printf \'\\n@@patchctl:%s@@\\n\' "$1"; }',
  'r() { printf \'\\n@@patchctl:rc=%s@@\\n\' "$1"; }',
];

/**
 * The OS-level facts, whatever the package manager: os-release, kernel, boot id and the OS's own
 * reboot signal (/run/reboot-required, written by Debian's and Ubuntu's hooks; absent elsewhere).
 * A driver's own facts script starts with these lines and adds its sections after them, so that
 * one round trip answers both (apt: ../apt/scripts.ts FACTS_SCRIPT).
 */
export const LINUX_FACTS_BODY: readonly string[] = [
  's os-release',
  'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release',
  's kernel',
  'uname -r',
  's boot-id',
  'cat /proc/sys/kernel/random/boot_id',
  's reboot-required',
  'if [ -e /run/reboot-required ]; then echo yes; else echo no; fi',
];

/** A complete script: the prelude, the body, the end marker. */
export const script = (...body: readonly string[]): string =>
  [...SCRIPT_PRELUDE, ...body, 's end', ''].join('\n');

/** The package-manager-neutral facts script scan probes a host with before it picks a driver. */
export const LINUX_FACTS_SCRIPT = script(...LINUX_FACTS_BODY);
