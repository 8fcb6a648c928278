// Constant sh scripts of the zypper driver: no data is ever put into them (commands.ts passes data
// only as validated arguments; docs/adding-a-driver.md, "Commands vs scripts"). Each prints
// sections (`@@patchctl:NAME@@`, ../sections.ts) and an end marker, so a cut-short output is
// detected, not misread. The shared Linux parts (facts, lock holders, free space) come from ../linux.
import { freeSpaceBody, lockHoldersBody } from '../linux/preflight.js';
import { LINUX_FACTS_BODY, script } from '../linux/scripts.js';
import { INSTALLONLY_BODY, RPM_DB_PATHS, RPM_LOCK_FILES, rpmQueryAllBody } from '../rpm/query.js';
import { ZYPP_LOCK_FILE } from './outcome.js';

/**
 * Read-only zypper in a script: `ZYPP_READONLY_HACK=1` makes libzypp skip its lock (a scan never
 * waits for or blocks a running zypper) and `--no-refresh` keeps it off the network.
 */
const READ_ONLY_ZYPPER = [
  'ZYPP_READONLY_HACK=1; export ZYPP_READONLY_HACK',
  'z() { zypper --non-interactive --no-refresh "$@"; }',
];

/**
 * The Linux facts (../linux/scripts.ts) and zypper's own, in one round trip: rpm's native
 * architecture, zypper's version, and zypper's reboot decision (`needs-rebooting`: exit 102 =
 * needed, 0 = not; it reads libzypp's /run/reboot-needed, which is printed too for a zypper that
 * has no such command). Debian's /run/reboot-required does not exist on SUSE: parseFacts ignores it.
 */
export const FACTS_SCRIPT = script(
  ...LINUX_FACTS_BODY,
  ...READ_ONLY_ZYPPER,
  's rpm-arch',
  "rpm --eval '%{_arch}' 2>/dev/null",
  's zypper-version',
  'zypper --version 2>/dev/null',
  's needs-rebooting',
  'z needs-rebooting 2>&1',
  'r $?',
  's reboot-needed',
  'if [ -e /run/reboot-needed ]; then echo yes; else echo no; fi',
);

/** The installed packages (rpm) and zypper's locks (the holds), in one round trip. */
export const INVENTORY_SCRIPT = script(
  ...READ_ONLY_ZYPPER,
  ...rpmQueryAllBody('installed'),
  's locks',
  'z --xmlout locks',
  'r $?',
  // Kernels are installed beside the running one (multiversion): apply counts any of them.
  ...INSTALLONLY_BODY,
);

/**
 * The scan in one round trip: package updates, patches, locks (all XML), then `zypper info -t
 * patch` for the applicable patches, whose Conflicts say which packages each patch carries (the XML
 * does not); the installed packages (the held names, and the installed edition for an older zypper
 * that prints no edition-old); the repositories (alias of a repository name); and `search -s` for
 * the package locks' names, because list-updates never lists a locked package's update: that is
 * how the held packages' candidates are known. Patch and lock names are taken from the XML with sed
 * and kept only when they match [A-Za-z0-9._:+-] (locks: [A-Za-z0-9._+*?-], a glob zypper expands
 * itself; the shell's own globbing is off): never an option, never shell syntax.
 */
export const SCAN_SCRIPT = script(
  ...READ_ONLY_ZYPPER,
  's updates',
  'z --xmlout list-updates',
  'r $?',
  's patches',
  'patches=$(z --xmlout list-patches); rc=$?',
  'printf \'%s\\n\' "$patches"',
  'r $rc',
  's locks',
  'locks=$(z --xmlout locks); rc=$?',
  'printf \'%s\\n\' "$locks"',
  'r $rc',
  's patch-info',
  'names=$(printf \'%s\\n\' "$patches" | sed \'s/<update /\\n<update /g\' | sed -n \'s/^<update kind="patch" name="\\([A-Za-z0-9._:+-]*\\)".* status="\\(needed\\|optional\\)".*/\\1/p\' | sort -u)',
  'if [ -n "$names" ]; then',
  '  # shellcheck disable=SC2086 # one patch name per word, globbing off, characters checked above',
  '  set -- $names',
  '  z info -t patch -- "$@"',
  '  r $?',
  'else',
  '  r 0',
  'fi',
  ...rpmQueryAllBody('installed'),
  's repos',
  'z --xmlout repos',
  'r $?',
  's held-search',
  "held=$(printf '%s\\n' \"$locks\" | sed 's/<lock /\\n<lock /g' | sed -n 's/^<lock [^>]*><name>\\([A-Za-z0-9._+*?-]*\\)<\\/name><type>package<\\/type>.*/\\1/p' | sort -u)",
  'if [ -n "$held" ]; then',
  '  # shellcheck disable=SC2086 # one lock name per word, globbing off, characters checked above',
  '  set -- $held',
  '  z --xmlout search -s -t package -- "$@"',
  '  r $?',
  'else',
  '  r 0',
  'fi',
);

/**
 * Who holds libzypp's lock: `free`, or `held PID COMM`. /run/zypp.pid holds the pid of the process
 * using the package manager; zypper empties it on exit, and a pid whose process is gone is stale.
 * The holder's name comes from /proc/PID/comm, never its command line (which may hold secrets).
 */
const ZYPP_PID_BODY: readonly string[] = [
  `f=${ZYPP_LOCK_FILE}`,
  '[ -e "$f" ] || f=/var/run/zypp.pid',
  'pid=$(head -c 32 "$f" 2>/dev/null | tr -cd 0-9)',
  'if [ -n "$pid" ] && [ -d "/proc/$pid" ]; then',
  '  echo "held $pid $(head -c 64 "/proc/$pid/comm" 2>/dev/null | tr -cd \'[:print:]\')"',
  'else',
  '  echo free',
  'fi',
];

/** Where zypper downloads, where rpm keeps its database, where kernels go, and the root. */
export const ZYPPER_SPACE_PATHS: readonly string[] = ['/var/cache/zypp', ...RPM_DB_PATHS, '/boot', '/'];

/**
 * Before an install: who holds libzypp's lock and rpm's (RPM_LOCK_FILES; /proc/locks,
 * ../linux/preflight.ts), the pid libzypp wrote in /run/zypp.pid and that process's name
 * (/proc/PID/comm, never its command line), the installed packages and the installonly
 * (multiversion) names (../rpm/query.ts: a package listed twice that is not installonly is what an
 * interrupted rpm transaction leaves), `zypper verify --dry-run` (the installed packages'
 * dependencies: SUSE's audit), and free space.
 */
export const PREFLIGHT_SCRIPT = script(
  ...READ_ONLY_ZYPPER,
  ...lockHoldersBody([ZYPP_LOCK_FILE, ...RPM_LOCK_FILES]),
  's zypp-pid',
  ...ZYPP_PID_BODY,
  ...rpmQueryAllBody('rpm-qa'),
  ...INSTALLONLY_BODY,
  's verify',
  'z verify --dry-run 2>&1',
  'r $?',
  ...freeSpaceBody(ZYPPER_SPACE_PATHS),
);

/** ZYPP_PID_BODY on its own (lockHolderCommand): `free`, or `held PID COMM`. */
export const LOCK_HOLDER_SCRIPT = ['LC_ALL=C; export LC_ALL', ...ZYPP_PID_BODY, ''].join('\n');
