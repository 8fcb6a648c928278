// The POSIX sh scripts the dnf driver runs as `sh -c SCRIPT`. They are constants: no data is ever
// interpolated into them (docs/security.md). Each prints named sections (see ../sections.ts) and an
// end marker. They export LC_ALL=C and TZ=UTC: dnf prints advisory dates in the host's local time
// zone (captured: the same advisory shows 12:30:00 under UTC and 21:30:00 under Asia/Tokyo).
import { freeSpaceBody, lockHoldersBody } from '../linux/preflight.js';
import { LINUX_FACTS_BODY } from '../linux/scripts.js';
import { INSTALLONLY_BODY, RPM_DB_PATHS, RPM_LOCK_FILES, RPM_QUERY_FORMAT } from '../rpm/query.js';

export { RPM_QUERY_FORMAT } from '../rpm/query.js';

const PRELUDE = [
  'export LC_ALL=C TZ=UTC',
  'set -f',
  's() { printf \'\\n@@patchctl:%s@@\\n\' "$1"; }',
  'r() { printf \'\\n@@patchctl:rc=%s@@\\n\' "$1"; }',
];

const lines = (...body: string[]): string => [...PRELUDE, ...body, 's end', ''].join('\n');

/** The files that pin packages: dnf's and yum's versionlock lists; the main configs' excludes. */
export const VERSIONLOCK_LISTS = [
  '/etc/dnf/plugins/versionlock.list',
  '/etc/yum/pluginconf.d/versionlock.list',
];
export const MAIN_CONFIGS = ['/etc/dnf/dnf.conf', '/etc/yum.conf'];

/** The installed packages (RPM_QUERY_FORMAT), rpm's errors with them, and rpm's exit status. */
const RPM_QA_BODY = ['s rpm-qa', `rpm -qa --qf '${RPM_QUERY_FORMAT}' 2>&1`, 'r $?'];

/** The holds: versionlock lists and the main configs' exclude lines (parse-holds.ts). */
const HOLDS_BODY = [
  's versionlock',
  `for f in ${VERSIONLOCK_LISTS.join(' ')}; do [ -r "$f" ] && cat -- "$f"; done`,
  's excludes',
  `for f in ${MAIN_CONFIGS.join(' ')}; do [ -r "$f" ] && grep -Ei '^[[:space:]]*(exclude|excludepkgs)[[:space:]]*=' -- "$f"; done`,
];

/**
 * Pending updates in one round trip, from the local metadata cache (`-C`: no network, no metadata
 * lock wait): `check-update` with excludes and the versionlock plugin disabled (so held packages'
 * candidates are listed too, as apt's scan lists them; the holds section says which are held),
 * `updateinfo list` (advisory → package NEVRA, type, severity) and `updateinfo info` (CVEs, dates),
 * the holds (versionlock lists, main-config excludes), and the installed packages (rpm -qa).
 */
export const UPDATES_SCRIPT = lines(
  's check-update',
  'dnf -q -C --disableexcludes=all --disableplugin=versionlock check-update 2>&1',
  'r $?',
  's updateinfo-list',
  'dnf -q -C --disableexcludes=all --disableplugin=versionlock updateinfo list --updates 2>&1',
  'r $?',
  's updateinfo-info',
  'dnf -q -C --disableexcludes=all --disableplugin=versionlock updateinfo info --updates 2>&1',
  'r $?',
  ...HOLDS_BODY,
  // The installed packages: the contract hands parseUpdateScan only this result (`from` versions).
  ...RPM_QA_BODY,
);

/**
 * The installed packages (listInstalled): rpm -qa, the installonly names (several versions of those
 * are normal; of any other, the trace of an interrupted transaction) and the holds.
 */
export const INSTALLED_SCRIPT = lines(...RPM_QA_BODY, ...INSTALLONLY_BODY, ...HOLDS_BODY);

/** Packages whose update needs a reboot (dnf's needs-restarting NEED_REBOOT list, plus kernel-core). */
export const REBOOT_PACKAGES = [
  'kernel',
  'kernel-core',
  'kernel-rt',
  'kernel-rt-core',
  'kernel-uek',
  'glibc',
  'linux-firmware',
  'systemd',
  'dbus',
  'dbus-broker',
  'dbus-daemon',
  'microcode_ctl',
];

/**
 * The reboot decision: `dnf needs-restarting -r` (dnf-plugins-core), and always the data of the
 * fallback used when that plugin is absent: the install time of the packages above against the
 * boot time (mtime of /proc/1, what needs-restarting itself compares).
 */
const REBOOT_BODY = [
  's needs-restarting',
  'dnf -q -C needs-restarting -r 2>&1',
  'r $?',
  's boot-time',
  'stat -c %Y /proc/1',
  's core-packages',
  `rpm -q --qf '%{INSTALLTIME}\\t%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\\n' ${REBOOT_PACKAGES.join(' ')} 2>&1`,
];

export const REBOOT_SCRIPT = lines(...REBOOT_BODY);

/**
 * The facts in one round trip: the shared Linux facts (../linux/scripts.ts), rpm's native
 * architecture, dnf's version (yum's on EL 7), and dnf's reboot decision (REBOOT_SCRIPT's sections):
 * the Linux `reboot-required` section (/run/reboot-required, Debian's) never exists on EL.
 */
export const FACTS_SCRIPT = lines(
  ...LINUX_FACTS_BODY,
  's rpm-arch',
  'rpm --eval %{_arch}',
  's dnf-version',
  '{ dnf --version || yum --version; } 2>/dev/null | head -n 1',
  ...REBOOT_BODY,
);

/** dnf's own lock files (dnf/lock.py; yum 3 used /var/run/yum.pid): each holds its owner's PID. */
export const LOCK_FILES = [
  '/var/lib/dnf/rpmdb_lock.pid',
  '/var/cache/dnf/metadata_lock.pid',
  '/var/cache/dnf/download_lock.pid',
  '/var/log/log_lock.pid',
  '/var/run/yum.pid',
];

/** Who holds dnf's locks: `PATH<TAB>PID<TAB>COMM` for each lock file whose PID is alive. */
export const LOCK_HOLDERS_SCRIPT = lines(
  's lock-holders',
  `for f in ${LOCK_FILES.join(' ')}; do`,
  '  [ -f "$f" ] || continue',
  '  pid=$(head -c 20 -- "$f" 2>/dev/null | tr -cd \'0-9\')',
  '  [ -n "$pid" ] && [ -e "/proc/$pid/stat" ] || continue',
  '  c=$(cat "/proc/$pid/comm" 2>/dev/null) || c=',
  '  printf \'%s\\t%s\\t%s\\n\' "$f" "$pid" "$c"',
  'done',
);

/** `$0` of INSTALL_SCRIPT: the name its own messages carry. */
export const INSTALL_SCRIPT_NAME = 'patchctl-dnf';

/** Printed by INSTALL_SCRIPT when the lock was still held at the deadline (it then exits 200). */
export const LOCK_TIMEOUT_MESSAGE = 'the package manager lock was still held after';

/**
 * Runs `"$@"` (a dnf command with `exit_on_lock=True`) with a bounded wait on dnf's lock: dnf exits
 * 200 when a lock is held, naming the holder ("RPMDB already locked by PID" and "The application
 * with PID … is: NAME"); the script retries every 5 s until `$1` seconds have passed, then exits
 * 200. Run as `sh -c INSTALL_SCRIPT patchctl-dnf SECONDS dnf ARGS…`: the arguments are only ever
 * positional parameters. Without exit_on_lock dnf would wait for ever ("Waiting for process with
 * pid N to finish."). SIGHUP and SIGPIPE are ignored so that a dropped session does not kill rpm
 * half-way.
 */
export const INSTALL_SCRIPT = [
  "trap '' HUP PIPE",
  'export LC_ALL=C TZ=UTC',
  't=$1',
  'case $t in "" | *[!0-9]*) echo "$0: the lock timeout is not a number" >&2; exit 2 ;; esac',
  'shift',
  'if [ "$#" -eq 0 ]; then echo "$0: no command to run" >&2; exit 2; fi',
  'end=$(($(date +%s) + t))',
  'while :; do',
  '  "$@" </dev/null',
  '  rc=$?',
  '  [ "$rc" -eq 200 ] || exit "$rc"',
  `  if [ "$(date +%s)" -ge "$end" ]; then echo "$0: ${LOCK_TIMEOUT_MESSAGE} \${t}s" >&2; exit 200; fi`,
  '  sleep 5',
  'done',
  '',
].join('\n');

/** Where dnf (yum on EL 7) downloads, where rpm keeps its database, where kernels go. */
export const DNF_SPACE_PATHS: readonly string[] = [
  '/var/cache/dnf',
  '/var/cache/yum',
  ...RPM_DB_PATHS,
  '/boot',
  '/',
];

/** yum's journal of a transaction in progress (yum-complete-transaction reads it; EL 7). */
export const YUM_TRANSACTION_DIR = '/var/lib/yum';

/**
 * Before an install (docs/adding-a-driver.md, "Guarantees" 6 and 7): who holds rpm's transaction lock
 * (/proc/locks, the shared Linux module) and dnf's own locks (PID files: dnf takes a flock only
 * while it reads and writes its PID, so /proc/locks never shows it; a PID whose /proc/PID exists
 * holds it), yum's unfinished-transaction journal, `dnf check` (duplicates = an interrupted
 * transaction; missing requires, conflicts, obsoleted packages = the audit), and free space.
 */
export const PREFLIGHT_SCRIPT = lines(
  ...lockHoldersBody(RPM_LOCK_FILES),
  's pid-locks',
  `for f in ${LOCK_FILES.join(' ')}; do`,
  '  [ -f "$f" ] || continue',
  '  pid=$(head -c 20 -- "$f" 2>/dev/null | tr -cd \'0-9\')',
  '  [ -n "$pid" ] && [ -e "/proc/$pid/stat" ] || continue',
  '  c=$(cat "/proc/$pid/comm" 2>/dev/null) || c=',
  '  printf \'%s\\t%s\\t%s\\n\' "$f" "$pid" "$c"',
  'done',
  's yum-transactions',
  `ls -A ${YUM_TRANSACTION_DIR} 2>/dev/null`,
  's dnf-check',
  'if command -v dnf >/dev/null 2>&1; then dnf -q -C check; else yum -q -C check; fi 2>&1',
  'r $?',
  ...freeSpaceBody(DNF_SPACE_PATHS),
);

/** The dnf options of an install: non-interactive, no weak dependencies, no removals. */
export const UPGRADE_OPTIONS: readonly string[] = [
  '-y',
  '--setopt=exit_on_lock=True',
  '--setopt=install_weak_deps=False',
  '--setopt=clean_requirements_on_remove=False',
];

/** `$0` of UPGRADE_SCRIPT. */
export const UPGRADE_SCRIPT_NAME = 'patchctl-dnf-upgrade';

/**
 * The exact install (readme.md, "Exact NEVRA, never a downgrade"). Run as
 * `sh -c UPGRADE_SCRIPT patchctl-dnf-upgrade SECONDS NEVRA…`: the NEVRAs are only ever positional
 * parameters. `dnf upgrade NEVRA…`, never `dnf install`: captured on the lab's EL 9 layer, `dnf
 * install` of an older NEVRA that the repository still carries downgrades ("Downgrading:", exit
 * 0), while `dnf upgrade` never does ("Nothing to do.", exit 0), installs an installonly kernel beside
 * the running one, and never installs a package that is not there. As `dnf upgrade` says nothing
 * (exit 0) of an argument it skipped, the script then prints what was asked (`requested`), what
 * rpm has of those names afterwards (`installed-after`, RPM_QUERY_FORMAT) and the holds, so that
 * parseInstall reports a skipped NEVRA as `downgrade`, `not-installed`, `held` or
 * `version-not-found`. Not `-q`: dnf's "No match for argument" lines are then kept. The bounded
 * lock wait is INSTALL_SCRIPT's (exit_on_lock, exit 200, retry every 5 s); SIGHUP and SIGPIPE are
 * ignored so that a dropped session does not kill rpm half-way. Exits with dnf's status.
 */
export const UPGRADE_SCRIPT = [
  "trap '' HUP PIPE",
  ...PRELUDE,
  't=$1',
  'case $t in "" | *[!0-9]*) echo "$0: the lock timeout is not a number" >&2; exit 2 ;; esac',
  'shift',
  'if [ "$#" -eq 0 ]; then echo "$0: no package to install" >&2; exit 2; fi',
  'end=$(($(date +%s) + t))',
  'while :; do',
  `  dnf ${UPGRADE_OPTIONS.join(' ')} upgrade -- "$@" </dev/null`,
  '  rc=$?',
  '  [ "$rc" -eq 200 ] || break',
  `  if [ "$(date +%s)" -ge "$end" ]; then echo "$0: ${LOCK_TIMEOUT_MESSAGE} \${t}s" >&2; break; fi`,
  '  sleep 5',
  'done',
  's requested',
  'printf \'%s\\n\' "$@"',
  's installed-after',
  `for a in "$@"; do rpm -q --qf '${RPM_QUERY_FORMAT}' -- "\${a%-*-*}" 2>&1; done`,
  ...HOLDS_BODY,
  's end',
  'exit "$rc"',
  '',
].join('\n');
