// The remote per-host lock of a Linux host (docs/security.md, "Locks"), shared by the Linux
// drivers (docs/adding-a-driver.md, "Registries"): the script and how to read its answers; the
// engine (engine/apply/remote-lock.ts) only holds the command open over the transport.
//
// A small sh script takes flock(1) on a file in /run/lock and then waits for EOF on its standard
// input, so the lock lives exactly as long as the SSH channel that runs it: a release, a
// dropped connection and a killed controller all end it, and no stale lock is ever left behind.
//
// A reboot ends the channel and empties /run, so before `reboot` the run leaves a reservation on
// persistent storage (/var/lib/patchctl/lock.reserved): its run id, its owner text, the host's
// boot id and an expiry computed by the host's own clock. While it has not expired, only that run
// takes the lock; it takes it again as the first command after the host comes back, and clears
// the reservation once the boot id shows the reboot happened (docs/security.md, "Locks").

import type { CommandResult, RemoteCommand } from '../../transports/types.js';
import type { RemoteLockSteps } from '../types.js';

/** Where the lock file (`patchctl.lock`) and the holder's description (`patchctl.owner`) live. */
export const REMOTE_LOCK_DIR = '/run/lock';

/** Where the reservation that outlives a reboot (`lock.reserved`) lives: persistent storage. */
export const REMOTE_RESERVATION_DIR = '/var/lib/patchctl';

/** Waiting for the lock script to answer (it never waits for the lock itself: `flock -n`). */
export const REMOTE_LOCK_TIMEOUT_MS = 60_000;

/** Exit statuses of the lock script (sysexits: EX_TEMPFAIL, EX_PROTOCOL). */
export const REMOTE_LOCK_EXIT = { busy: 75, noFlock: 76 } as const;

/** The stdout line the script prints once it holds the lock (see SCRIPT). */
export const READY = 'locked';
/** The stdout line of a reservation written. */
export const RESERVED_OK = 'ok';

// POSIX sh. Data comes only through the positional parameters: $1 the mode (take or reserve),
// $2 the lock directory, $3 the reservation directory, $4 the run id, $5 the owner text, and for
// reserve $6 the reservation's lifetime in seconds.
//
// take: fd 9 holds the lock; `cat` does not inherit it (9>&-), so the lock ends with the shell
// even when the shell is killed and cat lingers. `>>` never truncates what the lock path may point
// to. The owner file is informational: it is written to a new file (noclobber: O_EXCL) and
// renamed, so a reader never sees half of it; failing to write it does not give up the lock; it
// is read only when it is a regular file (not a symlink, not a FIFO). Once the flock is held, a
// reservation of another run that has not expired refuses the lock (exit 75, "reserved", its
// owner and the seconds left); an expired one is removed; this run's own one is removed once the
// boot id differs from the one it was written under (the host did reboot), and kept before that.
//
// reserve: writes the reservation while this run holds the lock (the flock is busy and the owner
// file is this run's owner text), or takes the flock itself for the moment it writes (this run's
// lock channel is gone and nobody else took the lock). The expiry is the host's clock plus $6:
// the controller's clock is never compared with the host's. When the host's clock has gone back
// since (expiry further away than the lifetime), the reservation is cut to the lifetime from now.
//
// The reservation is read only when it is a regular file that is not a symlink, line by line
// (`key value`); anything else there is never read, and reserve refuses to replace it. Exit
// statuses 75 and 76 are REMOTE_LOCK_EXIT's; 71 (EX_OSERR) is any other failure.
const SCRIPT = `umask 022
mode=$1 lockdir=$2 resdir=$3 run=$4 text=$5 ttl=$6
owner="$lockdir/patchctl.owner"
res="$resdir/lock.reserved"
regular() { [ -f "$1" ] && [ ! -h "$1" ]; }
num() { case $1 in ''|*[!0-9]*|0?*|?????????????*) return 1 ;; esac; }
command -v flock >/dev/null 2>&1 || { echo no-flock; exit 76; }
now=$(date +%s 2>/dev/null)
num "$now" || { echo "patchctl-lock: cannot read the host's clock (date +%s)" >&2; exit 71; }
boot=
if regular /proc/sys/kernel/random/boot_id; then read -r boot 2>/dev/null </proc/sys/kernel/random/boot_id; fi
write_res() {
  tmp="$res.$$"
  rm -f "$tmp"
  if (set -C && printf 'patchctl-lock-reservation 1\\nrun %s\\nexpires %s\\nttl %s\\nboot %s\\nowner %s\\n' "$1" "$2" "$3" "$4" "$5" >"$tmp") 2>/dev/null && mv -f "$tmp" "$res"; then return 0; fi
  rm -f "$tmp"
  return 1
}
r_run= r_exp= r_ttl= r_boot= r_owner=
check_reservation() {
  regular "$res" || return 0
  while IFS=' ' read -r k v; do
    case $k in run) r_run=$v ;; expires) r_exp=$v ;; ttl) r_ttl=$v ;; boot) r_boot=$v ;; owner) r_owner=$v ;; esac
  done 2>/dev/null <"$res"
  [ -n "$r_run" ] && num "$r_exp" && num "$r_ttl" || return 0
  [ -n "$run" ] && [ "$r_run" = "$run" ] && return 0
  if [ "$now" -ge "$r_exp" ]; then rm -f "$res"; return 0; fi
  left=$((r_exp - now))
  if [ "$left" -gt "$r_ttl" ]; then
    left=$r_ttl
    write_res "$r_run" $((now + r_ttl)) "$r_ttl" "$r_boot" "$r_owner" || :
  fi
  echo reserved
  printf '%s\\n' "$r_owner" "$left"
  exit 75
}
case $mode in
  take) ;;
  reserve) num "$ttl" || { echo "patchctl-lock: not a number of seconds: $ttl" >&2; exit 71; } ;;
  *) echo "patchctl-lock: unknown mode $mode" >&2; exit 71 ;;
esac
exec 9>>"$lockdir/patchctl.lock" || exit 71
flock -n 9
rc=$?
if [ "$rc" -eq 1 ]; then
  cur=
  if regular "$owner"; then cur=$(cat "$owner" 2>/dev/null); fi
  if [ "$mode" = take ] || [ -z "$text" ] || [ "$cur" != "$text" ]; then
    echo busy
    if [ -n "$cur" ]; then printf '%s\\n' "$cur"; fi
    exit 75
  fi
elif [ "$rc" -ne 0 ]; then
  echo "patchctl-lock: flock failed with status $rc" >&2
  exit 71
fi
check_reservation
if [ "$mode" = reserve ]; then
  if { [ -e "$res" ] || [ -h "$res" ]; } && ! regular "$res"; then
    echo "patchctl-lock: $res is not a regular file" >&2
    exit 71
  fi
  mkdir -p "$resdir" 2>/dev/null
  write_res "$run" $((now + ttl)) "$ttl" "$boot" "$text" || { echo "patchctl-lock: cannot write $res" >&2; exit 71; }
  echo ${RESERVED_OK}
  exit 0
fi
if [ -n "$run" ] && [ "$r_run" = "$run" ] && { [ -z "$boot" ] || [ "$r_boot" != "$boot" ]; }; then rm -f "$res"; fi
tmp="$owner.$$"
rm -f "$tmp"
if (set -C && printf '%s\\n' "$text" >"$tmp") && mv -f "$tmp" "$owner"; then :; else
  rm -f "$tmp"
  echo "patchctl-lock: cannot write $owner" >&2
fi
echo ${READY}
cat >/dev/null 9>&-
rm -f "$owner"
exit 0
`;

/** Where the lock script keeps its files; the defaults are the real ones. */
export interface RemoteLockPaths {
  /** Default `REMOTE_LOCK_DIR`. */
  dir?: string;
  /** Default `REMOTE_RESERVATION_DIR`. */
  reservationDir?: string;
}

function args(mode: 'take' | 'reserve', owner: string, runId: string, paths: RemoteLockPaths): string[] {
  return [
    'sh',
    '-c',
    SCRIPT,
    'patchctl-lock',
    mode,
    paths.dir ?? REMOTE_LOCK_DIR,
    paths.reservationDir ?? REMOTE_RESERVATION_DIR,
    oneLine(runId),
    oneLine(owner),
  ];
}

/**
 * The command that takes the lock for `owner` (a one-line description of this run, shown to a
 * second controller) and run `runId` (which may take it again across its own reservation) and
 * holds it until its standard input is closed. Runs as root.
 */
export function remoteLockCommand(owner: string, runId = '', paths: RemoteLockPaths = {}): RemoteCommand {
  return { argv: args('take', owner, runId, paths), sudo: true };
}

/**
 * The command that leaves the reservation of run `runId` for `seconds` (by the host's clock),
 * while the run holds the lock: run just before `reboot`. Runs as root.
 */
export function remoteReserveCommand(
  owner: string,
  runId: string,
  seconds: number,
  paths: RemoteLockPaths = {},
): RemoteCommand {
  const s = Math.max(1, Math.min(99_999_999, Math.ceil(seconds)));
  return { argv: [...args('reserve', owner, runId, paths), String(s)], sudo: true };
}

/** The Linux remote lock as the engine uses it (RemoteLockSteps), in `paths` (default: the real ones). */
export function linuxRemoteLock(paths: RemoteLockPaths = {}): RemoteLockSteps {
  return {
    ready: READY,
    take: (owner, runId) => remoteLockCommand(owner, runId, paths),
    reserve: (owner, runId, seconds) => remoteReserveCommand(owner, runId, seconds, paths),
    reserved: (out) =>
      out.exitCode === 0 && out.timedOut !== true && out.stdout.split('\n')[0] === RESERVED_OK,
    failure: lockFailureReason,
  };
}

/** Why the lock script refused or failed, in the operator's words. */
export function lockFailureReason(result: CommandResult, timeoutMs: number): string {
  const lines = result.stdout.split('\n');
  if (result.timedOut === true) return `the remote lock command did not answer within ${timeoutMs} ms`;
  if (result.exitCode === REMOTE_LOCK_EXIT.busy && lines[0] === 'busy') {
    const holder = printable(lines.slice(1).join(' '));
    return `host is locked by another patchctl run: ${holder === '' ? '(owner unknown)' : holder}`;
  }
  if (result.exitCode === REMOTE_LOCK_EXIT.busy && lines[0] === 'reserved') {
    const holder = printable(lines[1] ?? '');
    const left = /^\d{1,12}$/.test(lines[2] ?? '') ? ` for ${lines[2]} s more` : '';
    return `host is reserved by another patchctl run across its reboot${left}: ${holder === '' ? '(owner unknown)' : holder}`;
  }
  if (result.exitCode === REMOTE_LOCK_EXIT.noFlock && lines[0] === 'no-flock') {
    return 'cannot lock the host: flock(1) is not installed (util-linux or busybox provides it)';
  }
  const status =
    result.exitCode !== null
      ? `exit ${result.exitCode}`
      : `killed by ${result.signal ?? 'an unknown signal'}`;
  const said = printable(result.stderr) || printable(result.stdout);
  return `cannot lock the host: the lock command failed (${status})${said === '' ? '' : `: ${said}`}`;
}

/** Text for one line of the lock files: control characters (newlines too) replaced by `?`. */
function oneLine(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Remote text for a one-line message: control characters replaced, whitespace folded, capped. */
function printable(text: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/\s+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  const trimmed = clean.trim();
  return trimmed.length > max ? `${trimmed.slice(0, max)}…` : trimmed;
}
