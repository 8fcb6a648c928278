// The POSIX sh scripts the dnf driver runs as `sh -c SCRIPT`. They are constants: no data is ever
// interpolated into them (docs/security.md). Each prints named sections (see ../sections.ts) and an
// end marker. They export LC_ALL=C and TZ=UTC: dnf prints advisory dates in the host's local time
// zone (captured: the same advisory shows 12:30:00 under UTC and 21:30:00 under Asia/Tokyo).

const PRELUDE = [
  'export LC_ALL=C TZ=UTC',
  'set -f',
  's() { printf \'\\n@@patchctl:%s@@\\n\' "$1"; }',
  'r() { printf \'\\n@@patchctl:rc=%s@@\\n\' "$1"; }',
];

const lines = (...body: string[]): string => [...PRELUDE, ...body, 's end', ''].join('\n');

/** `rpm -qa` format: name, epoch, version, release, arch, source rpm, install time (tab-separated). */
export const RPM_QUERY_FORMAT =
  '%{NAME}\\t%{EPOCH}\\t%{VERSION}\\t%{RELEASE}\\t%{ARCH}\\t%{SOURCERPM}\\t%{INSTALLTIME}\\n';

/** The files that pin packages: dnf's and yum's versionlock lists; the main configs' excludes. */
export const VERSIONLOCK_LISTS = [
  '/etc/dnf/plugins/versionlock.list',
  '/etc/yum/pluginconf.d/versionlock.list',
];
export const MAIN_CONFIGS = ['/etc/dnf/dnf.conf', '/etc/yum.conf'];

/**
 * Pending updates in one round trip, from the local metadata cache (`-C`: no network, no metadata
 * lock wait): `check-update` with excludes and the versionlock plugin disabled (so held packages'
 * candidates are listed too, as apt's scan lists them; the holds section says which are held),
 * `updateinfo list` (advisory → package NEVRA, type, severity) and `updateinfo info` (CVEs, dates),
 * and the holds (versionlock lists, main-config excludes).
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
  's versionlock',
  `for f in ${VERSIONLOCK_LISTS.join(' ')}; do [ -r "$f" ] && cat -- "$f"; done`,
  's excludes',
  `for f in ${MAIN_CONFIGS.join(' ')}; do [ -r "$f" ] && grep -Ei '^[[:space:]]*(exclude|excludepkgs)[[:space:]]*=' -- "$f"; done`,
);

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
export const REBOOT_SCRIPT = lines(
  's needs-restarting',
  'dnf -q -C needs-restarting -r 2>&1',
  'r $?',
  's boot-time',
  'stat -c %Y /proc/1',
  's core-packages',
  `rpm -q --qf '%{INSTALLTIME}\\t%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\\n' ${REBOOT_PACKAGES.join(' ')} 2>&1`,
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
