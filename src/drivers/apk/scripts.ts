// The POSIX sh scripts the apk driver runs as `sh -c SCRIPT`. They are constants: no data is ever
// interpolated into them (docs/security.md); package arguments reach INSTALL_SCRIPT only as
// positional parameters. Each prints named sections (see ../sections.ts) and an end marker. They
// need only what an Alpine base system has: busybox (sh, grep, awk, cat, stat, uname) and apk-tools.

/** The apk database files (apk(8) FILES, apk-world(5)). */
export const APK_INSTALLED_DB = '/lib/apk/db/installed';
export const APK_WORLD_FILE = '/etc/apk/world';
export const APK_LOCK_FILE = '/lib/apk/db/lock';

/** The virtual package INSTALL_SCRIPT adds, then deletes (apk-add(8) `--virtual`). */
export const UPGRADE_VIRTUAL = '.patchctl-upgrade';

const PRELUDE = [
  'export LC_ALL=C',
  'set -f',
  's() { printf \'\\n@@patchctl:%s@@\\n\' "$1"; }',
  'r() { printf \'\\n@@patchctl:rc=%s@@\\n\' "$1"; }',
];

const lines = (...body: string[]): string => [...PRELUDE, ...body, 's end', ''].join('\n');

/** `NAME VERSION vmlinuz-FLAVOR` for each installed package that puts a kernel image in /boot. */
const KERNEL_PACKAGES =
  "awk '/^P:/ { p = substr($0, 3) } /^V:/ { v = substr($0, 3) } /^F:/ { d = substr($0, 3) } " +
  `/^R:vmlinuz/ { if (d == "boot") print p, v, substr($0, 3) } /^$/ { p = ""; v = ""; d = "" }' ${APK_INSTALLED_DB}`;

/**
 * The installed database reduced to the fields the driver reads (apk-v2(5) / the installed-db
 * format: P name, V version, A arch, o origin, f broken flags; a blank line ends a package), and the
 * world file (the holds). Reading the database rather than `apk list --installed`: no repository
 * index is opened (no "opening from cache" warnings, works with a broken repositories file),
 * name and version are separate fields, and the origin (source package) is there.
 */
export const INSTALLED_SCRIPT = lines(
  's installed-db',
  `grep -E '^([PVAof]:|$)' ${APK_INSTALLED_DB}`,
  'r $?',
  's world',
  `cat ${APK_WORLD_FILE}`,
  'r $?',
);

/**
 * Pending upgrades from the local index copies (no network, no lock): `apk list --upgradable`,
 * one line per newer package the installed one's repositories offer, with its origin and the
 * installed version; and the world file (holds). apk's warnings about missing indexes are kept
 * (2>&1): without them an empty list would look like "up to date". The kernel packages mark the
 * updates that need a reboot.
 */
export const UPDATES_SCRIPT = lines(
  's world',
  `cat ${APK_WORLD_FILE}`,
  'r $?',
  's upgradable',
  'apk list --upgradable 2>&1',
  'r $?',
  's kernel-packages',
  KERNEL_PACKAGES,
  'r $?',
);

/**
 * The running kernel and the packages that install a kernel image (a `boot/vmlinuz-*` file in the
 * installed database): apk has no reboot-required flag, so the driver compares the two.
 */
export const REBOOT_SCRIPT = lines('s kernel', 'uname -r', 's kernel-packages', KERNEL_PACKAGES, 'r $?');

/**
 * Who holds apk's database lock (an flock on APK_LOCK_FILE, apk(8) FILES): the lock file's device
 * and inode, and the /proc/locks lines on that inode with the holder's /proc/PID/comm (never its
 * command line). apk itself never names the holder.
 */
export const LOCK_SCRIPT = lines(
  's lock-file',
  `if [ -e ${APK_LOCK_FILE} ]; then stat -c '%d %i %n' -- ${APK_LOCK_FILE}; fi`,
  's lock-holders',
  `i=$(stat -c '%i' -- ${APK_LOCK_FILE} 2>/dev/null) || i=''`,
  'if [ -n "$i" ] && [ -r /proc/locks ]; then',
  '  while IFS= read -r line; do',
  '    set -- $line',
  '    if [ "$2" = \'->\' ]; then continue; fi',
  '    if [ "${6##*:}" = "$i" ]; then',
  '      c=$(cat "/proc/$5/comm" 2>/dev/null) || c=\'\'',
  '      printf \'%s\\t%s\\n\' "$line" "$c"',
  '    fi',
  '  done < /proc/locks',
  'fi',
);

/**
 * Installs exactly `name=version…` (the positional parameters), upgrading only:
 *
 * 1. `pre`: a virtual package left by an interrupted earlier run is deleted first;
 * 2. `check`: each package must be installed (its version read from the installed database) and the
 *    requested version newer (`apk version -t`, apk's own ordering): apk has no --only-upgrade, and
 *    never installs what is missing or downgrades here. A request for the installed version is
 *    dropped (nothing to do). Any refusal prints `refuse KIND NAME INSTALLED REQUESTED` and nothing
 *    is run;
 * 3. `simulate`: the same `apk add` with --simulate; if it fails, or would purge (remove) or downgrade
 *    any package, nothing more is run (apk has no --no-remove: this is how patchctl never removes);
 * 4. `add`: `apk add --no-interactive --wait N --virtual .patchctl-upgrade name=version…`: the exact
 *    versions become dependencies of a virtual package instead of world entries (a plain
 *    `apk add name=version` would pin `name=version` in /etc/apk/world for good), and without
 *    --upgrade apk changes only what those versions need (--upgrade would also move their
 *    dependencies to the newest versions, beyond the plan);
 * 5. `del`: `apk del .patchctl-upgrade` removes the virtual package and its constraints; the
 *    upgraded packages stay (they were installed before, so world still needs them).
 *
 * Run as `sh -c INSTALL_SCRIPT patchctl-apk WAIT SIMULATE name=version…` (SIMULATE: 1 stops after
 * `simulate` and skips `pre`; apk 2.x still takes the database lock for a
 * simulation, apk 3 does not). The arguments are validated names and versions, none starting with
 * `-`, so no `--` is passed (apk's option parsing differs between 2.x and 3.x). HUP and PIPE are ignored so that a dropped session does not
 * stop apk half-way (a weaker protection than the apt driver's log-replaying wrapper).
 */
export const INSTALL_SCRIPT = lines(
  "trap '' HUP PIPE",
  'wait_s=$1; sim=$2; shift 2',
  's pre',
  `if grep -qx '${UPGRADE_VIRTUAL}' ${APK_WORLD_FILE} 2>/dev/null && [ "$sim" != 1 ]; then`,
  `  apk del --no-interactive --wait "$wait_s" ${UPGRADE_VIRTUAL} 2>&1`,
  '  r $?',
  'fi',
  's check',
  'set -- "$@" --',
  'bad=0',
  'while [ "$1" != -- ]; do',
  '  n=${1%%=*}; v=${1#*=}; shift',
  `  i=$(awk -v n="$n" '/^P:/ { p = substr($0, 3) } /^V:/ { if (p == n) print substr($0, 3) }' ${APK_INSTALLED_DB})`,
  '  if [ -z "$i" ]; then echo "refuse not-installed $n - $v"; bad=1; continue; fi',
  '  c=$(apk version -t "$i" "$v")',
  '  case $c in',
  '    \'<\') set -- "$@" "$n=$v" ;;',
  '    \'=\') echo "same $n $i $v" ;;',
  '    *) echo "refuse downgrade $n $i $v"; bad=1 ;;',
  '  esac',
  'done',
  'shift',
  'r $bad',
  'if [ "$bad" = 0 ] && [ "$#" -gt 0 ]; then',
  '  s simulate',
  `  o=$(apk add --simulate --no-interactive --wait "$wait_s" --virtual ${UPGRADE_VIRTUAL} "$@" 2>&1)`,
  '  rc=$?',
  '  printf \'%s\\n\' "$o"',
  '  r $rc',
  '  case $o in',
  '    *") Purging "* | *") Downgrading "*) rc=1 ;;',
  '  esac',
  '  if [ "$sim" != 1 ] && [ "$rc" = 0 ]; then',
  '    s add',
  `    apk add --no-interactive --wait "$wait_s" --virtual ${UPGRADE_VIRTUAL} "$@" 2>&1`,
  '    r $?',
  '    s del',
  `    if grep -qx '${UPGRADE_VIRTUAL}' ${APK_WORLD_FILE} 2>/dev/null; then`,
  `      apk del --no-interactive --wait "$wait_s" ${UPGRADE_VIRTUAL} 2>&1`,
  '      r $?',
  '    fi',
  '  fi',
  'fi',
);
