// The POSIX sh scripts the apt driver runs as `sh -c SCRIPT`. They are constants: no data is ever
// interpolated into them (DESIGN.md §9). Each prints named sections (see ../sections.ts) and an end
// marker; the transport already runs them with LC_ALL=C, the scripts set it again for the local case.
// They need only what a `debootstrap --variant=minbase` root has: sh, coreutils, dpkg, apt.

const PRELUDE = [
  'export LC_ALL=C',
  'set -f',
  's() { printf \'\\n@@patchctl:%s@@\\n\' "$1"; }',
  'r() { printf \'\\n@@patchctl:rc=%s@@\\n\' "$1"; }',
];

const lines = (...body: string[]): string => [...PRELUDE, ...body, 's end', ''].join('\n');

/** OS, kernel, boot id, reboot-required, native architecture, apt's version. */
export const FACTS_SCRIPT = lines(
  's os-release',
  'cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release',
  's kernel',
  'uname -r',
  's boot-id',
  'cat /proc/sys/kernel/random/boot_id',
  's reboot-required',
  'if [ -e /run/reboot-required ]; then echo yes; else echo no; fi',
  's reboot-required-pkgs',
  'cat /run/reboot-required.pkgs 2>/dev/null',
  's dpkg-arch',
  'dpkg --print-architecture',
  's apt-version',
  "dpkg-query -W -f='${Version}\\n' apt 2>/dev/null",
);

/** Just the reboot-required flag and the packages that asked for it. */
export const REBOOT_REQUIRED_SCRIPT = lines(
  's reboot-required',
  'if [ -e /run/reboot-required ]; then echo yes; else echo no; fi',
  's reboot-required-pkgs',
  'cat /run/reboot-required.pkgs 2>/dev/null',
);

/**
 * Pending updates from the local package index, without the lock (Debug::NoLocking: a scan never
 * waits for, or blocks, a running apt): the simulated dist-upgrade, the held packages and their
 * candidates (apt never lists those as Inst), and the package files with their Release metadata
 * (origin, label, suite, codename) to classify each candidate by the repository it comes from.
 */
export const UPDATES_SCRIPT = lines(
  's simulate',
  'apt-get -s -q -o Debug::NoLocking=1 -o APT::Get::Always-Include-Phased-Updates=true dist-upgrade 2>&1',
  'r $?',
  's held',
  'held=$(apt-mark showhold 2>&1)',
  'h=$?',
  'printf \'%s\\n\' "$held"',
  'r $h',
  's held-policy',
  'if [ "$h" -eq 0 ] && [ -n "$held" ]; then',
  '  apt-cache policy $held 2>&1',
  '  r $?',
  'fi',
  's package-files',
  'apt-cache policy 2>&1',
  'r $?',
);

/**
 * Before an install: who holds the dpkg/apt locks (from /proc/locks and the lock files' inodes: fuser
 * is not on a minbase system), dpkg's journal (/var/lib/dpkg/updates: entries left by a run that did
 * not finish), `dpkg --audit`, and free space where apt and dpkg write.
 */
export const PREFLIGHT_SCRIPT = lines(
  's lock-files',
  "inodes=' '",
  'for f in /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/cache/apt/archives/lock /var/lib/apt/lists/lock; do',
  '  if [ -e "$f" ]; then',
  '    i=$(stat -c \'%i\' -- "$f") && inodes="$inodes$i " && stat -c \'%d %i %n\' -- "$f"',
  '  fi',
  'done',
  's lock-holders',
  'if [ -r /proc/locks ]; then',
  '  while IFS= read -r line; do',
  '    set -- $line',
  '    if [ "$2" = \'->\' ]; then shift; fi',
  '    case "$inodes" in',
  '      *" ${6##*:} "*)',
  '        c=$(cat "/proc/$5/comm" 2>/dev/null) || c=\'\'',
  '        printf \'%s\\t%s\\n\' "$line" "$c" ;;',
  '    esac',
  '  done < /proc/locks',
  'fi',
  's dpkg-updates',
  'ls -A /var/lib/dpkg/updates 2>&1',
  's dpkg-audit',
  'dpkg --audit 2>&1',
  'r $?',
  's df',
  'for p in /var/cache/apt/archives /var/lib/dpkg /boot /; do',
  '  if [ -d "$p" ]; then printf \'path %s\\n\' "$p"; df -Pk -- "$p" 2>&1; fi',
  'done',
);
