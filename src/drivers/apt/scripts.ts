// The POSIX sh scripts the apt driver runs as `sh -c SCRIPT`. They are constants: no data is ever
// interpolated into them (docs/adding-a-driver.md, "Guarantees"). Each prints named sections (see ../sections.ts) and an end
// marker — except INSTALL_WRAPPER_SCRIPT, which only replays its command's own output; the transport
// already runs them with LC_ALL=C, the scripts set it again for the local case.
// They need only what a `debootstrap --variant=minbase` root has: sh, coreutils, dpkg, apt.

import { freeSpaceBody, lockHoldersBody } from '../linux/preflight.js';
import { LINUX_FACTS_BODY } from '../linux/scripts.js';

/** The lock files of dpkg and apt, and patchctl's own install lock, in the order holders are reported. */
export const APT_LOCK_FILES: readonly string[] = [
  '/var/lib/dpkg/lock-frontend',
  '/var/lib/dpkg/lock',
  '/var/cache/apt/archives/lock',
  '/var/lib/apt/lists/lock',
  '/run/lock/patchctl-apt.lock',
];

/** Where apt downloads, where dpkg unpacks, and where kernels go. */
export const APT_SPACE_PATHS: readonly string[] = ['/var/cache/apt/archives', '/var/lib/dpkg', '/boot', '/'];

const PRELUDE = [
  'export LC_ALL=C',
  'set -f',
  's() { printf \'\\n@@patchctl:%s@@\\n\' "$1"; }',
  'r() { printf \'\\n@@patchctl:rc=%s@@\\n\' "$1"; }',
];

const lines = (...body: string[]): string => [...PRELUDE, ...body, 's end', ''].join('\n');

/** OS, kernel, boot id, reboot-required (the Linux facts), then the packages that asked, native architecture, apt's version. */
export const FACTS_SCRIPT = lines(
  // The shared Linux facts first (../linux/scripts.ts), so scan's probe and apt's facts agree.
  ...LINUX_FACTS_BODY,
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
  // Lock holders and free space: the shared Linux module (../linux/preflight.ts), on apt's files.
  ...lockHoldersBody(APT_LOCK_FILES),
  's dpkg-updates',
  'ls -A /var/lib/dpkg/updates 2>&1',
  's dpkg-audit',
  'dpkg --audit 2>&1',
  'r $?',
  ...freeSpaceBody(APT_SPACE_PATHS),
);

/** Held (flock) by INSTALL_WRAPPER_SCRIPT while its command runs; tests point PATCHCTL_APT_MARK elsewhere. */
export const INSTALL_MARK_LOCK = '/run/lock/patchctl-apt.lock';

/** The log directory of INSTALL_WRAPPER_SCRIPT; tests point PATCHCTL_APT_LOG_DIR elsewhere. */
export const INSTALL_LOG_DIR = '/var/log/patchctl';

/** How many runs' logs INSTALL_WRAPPER_SCRIPT keeps in INSTALL_LOG_DIR (the current one included). */
export const INSTALL_LOGS_KEPT = 10;

/**
 * Runs `"$@"` (apt-get install or update: the commands that take the dpkg/apt locks and change the
 * system) so that a dropped SSH session cannot kill it half-way and leave dpkg interrupted. Run as
 * `sh -c INSTALL_WRAPPER_SCRIPT patchctl-apt apt-get ARGS…`: the command and its arguments are only
 * ever positional parameters, never part of the script.
 *
 * When the controller dies or the connection drops, sshd closes the session's pipes (no SIGHUP
 * without a pty, but a pty or sudo may relay one): the next write to them raises SIGPIPE / EPIPE.
 * - `trap '' HUP PIPE`: ignored dispositions survive exec, so the wrapper and apt-get ignore both.
 *   apt resets SIGPIPE to the default in the processes it forks (dpkg, its methods), so that alone
 *   is not enough:
 * - the command never writes to the session: stdout and stderr go to log files, stdin is
 *   /dev/null. When it ends, the wrapper replays the logs (stdout to stdout, stderr to stderr, same
 *   bytes; only the interleaving of the two streams is lost) and exits with its status; a replay
 *   that fails because nobody reads any more (EPIPE, ignored) changes nothing. A command ended by a
 *   signal (SIGKILL from the OOM killer…) ends the wrapper by the same signal, after the replay, so
 *   the transport reports the signal as before (sudo does the same); the shell's own report of it
 *   ("Killed") is discarded, as there was none before. (`rc=$?` must stay inside the braces: dash
 *   drops the redirections of a subshell that is alone in a redirected group.)
 * - Logs: INSTALL_LOG_DIR (umask 077: a 0700 directory of 0600 files), one pair per run,
 *   `apt-YYYYmmddTHHMMSSZ-PID.out` and `.err` (UTC; the names sort by time). Before each run the
 *   oldest pairs are deleted so that, with the new one, INSTALL_LOGS_KEPT pairs remain: the
 *   operator finds the output of an install the controller never saw, and the space is bounded.
 *   The directory is used only if it is a real directory (not a symbolic link) owned by the user
 *   the wrapper runs as (root) and closed to group and others (`drwx------`); the wrapper works
 *   inside it (`cd -P`) with relative names, so that swapping the path afterwards (/var/log is
 *   group-writable on Ubuntu) cannot redirect root's writes. The command itself runs from the
 *   directory the wrapper started in.
 * - If there is no such directory (read-only /var/log, a symbolic link, wrong owner or mode, no
 *   space), the command runs directly (exec) with the same signals ignored and stdin /dev/null:
 *   the wrapper never makes an install fail, but the output then goes to the session again.
 * - PATCHCTL_APT_LOG_DIR overrides the directory, for tests (a relative path: no logs). In
 *   production it is never set: the transport does not pass it and sudo resets the environment;
 *   the same checks apply to it.
 */
export const INSTALL_WRAPPER_SCRIPT = [
  "trap '' HUP PIPE",
  'export LC_ALL=C',
  'if [ "$#" -eq 0 ]; then echo "$0: no command to run" >&2; exit 2; fi',
  'umask 077',
  `dir=\${PATCHCTL_APT_LOG_DIR:-${INSTALL_LOG_DIR}}`,
  'unset PATCHCTL_APT_LOG_DIR',
  'here=$(pwd -P 2>/dev/null) || here=/',
  // While the command runs, this lock marks a patchctl install in progress (the command inherits
  // fd 8): the pre-flight of a later run, resumed after a lost connection, waits for it.
  `mark=\${PATCHCTL_APT_MARK:-${INSTALL_MARK_LOCK}}`,
  'unset PATCHCTL_APT_MARK',
  'if { exec 8>>"$mark"; } 2>/dev/null; then flock -n 8 2>/dev/null || :; fi',
  'logs() {',
  '  case $dir in /*) ;; *) return 1 ;; esac',
  '  [ ! -h "$dir" ] || return 1',
  '  [ -d "$dir" ] || mkdir -p -- "$dir" || return 1',
  '  cd -P -- "$dir" || return 1',
  '  [ -O . ] || return 1',
  "  case $(ls -ld .) in 'drwx------ '* | 'drwx------.'*) ;; *) return 1 ;; esac",
  '  n=0',
  '  for f in apt-*.out; do if [ -f "$f" ]; then n=$((n + 1)); fi; done',
  '  for f in apt-*.out; do',
  `    [ "$n" -ge ${INSTALL_LOGS_KEPT} ] || break`,
  '    if [ -f "$f" ]; then rm -f -- "$f" "${f%.out}.err"; n=$((n - 1)); fi',
  '  done',
  '  log=apt-$(date -u +%Y%m%dT%H%M%SZ)-$$',
  '  (set -C; : >"$log.out" && : >"$log.err")',
  '}',
  'if logs 2>/dev/null; then',
  '  {',
  '    (cd -- "$here" 2>/dev/null || cd /; exec "$@") </dev/null >"$log.out" 2>"$log.err"',
  '    rc=$?',
  '  } 2>/dev/null',
  '  cat -- "$log.out" 2>/dev/null',
  '  cat -- "$log.err" >&2 2>/dev/null',
  '  if [ "$rc" -gt 128 ]; then',
  '    sig=$(kill -l "$rc" 2>/dev/null) || sig=',
  '    case $sig in',
  '      HUP|INT|QUIT|ILL|TRAP|ABRT|BUS|FPE|KILL|USR1|SEGV|USR2|PIPE|ALRM|TERM|XCPU|XFSZ|SYS)',
  '        trap - HUP PIPE',
  '        ulimit -c 0 2>/dev/null',
  '        kill -s "$sig" "$$" ;;',
  '    esac',
  '  fi',
  '  exit "$rc"',
  'fi',
  'cd -- "$here" 2>/dev/null || cd /',
  'exec "$@" </dev/null',
  '',
].join('\n');
