// The remote per-host lock (DESIGN: "the remote per-host lock prevents two controllers on one
// host"). A small sh script takes flock(1) on a file in /run/lock and then waits for EOF on its
// standard input, so the lock lives exactly as long as the SSH channel that runs it: a release, a
// dropped connection and a killed controller all end it, and no stale lock is ever left behind.

import type { CommandResult, RemoteCommand, Transport } from '../../transports/types.js';

/** Where the lock file (`patchctl.lock`) and the holder's description (`patchctl.owner`) live. */
export const REMOTE_LOCK_DIR = '/run/lock';

/** Waiting for the lock script to answer (it never waits for the lock itself: `flock -n`). */
export const REMOTE_LOCK_TIMEOUT_MS = 60_000;

/** Exit statuses of the lock script (sysexits: EX_TEMPFAIL, EX_PROTOCOL). */
export const REMOTE_LOCK_EXIT = { busy: 75, noFlock: 76 } as const;

/** The stdout line the script prints once it holds the lock (see SCRIPT). */
const READY = 'locked';

// POSIX sh. Data comes only through the positional parameters: $1 the directory, $2 the owner text.
// fd 9 holds the lock; `cat` does not inherit it (9>&-), so the lock ends with the shell even when
// the shell is killed and cat lingers. `>>` never truncates what the lock path may point to. The
// owner file is informational: it is written to a new file (noclobber: O_EXCL) and renamed, so a
// reader never sees half of it; failing to write it does not give up the lock; it is read only
// when it is a regular file (not a symlink, not a FIFO). Exit statuses 75 and 76 are
// REMOTE_LOCK_EXIT's; 71 (EX_OSERR) is any other failure.
const SCRIPT = `umask 022
owner="$1/patchctl.owner"
command -v flock >/dev/null 2>&1 || { echo no-flock; exit 76; }
exec 9>>"$1/patchctl.lock" || exit 71
flock -n 9
rc=$?
if [ "$rc" -eq 1 ]; then
  echo busy
  if [ -f "$owner" ] && [ ! -h "$owner" ]; then cat "$owner" 2>/dev/null; fi
  exit 75
fi
if [ "$rc" -ne 0 ]; then
  echo "patchctl-lock: flock failed with status $rc" >&2
  exit 71
fi
tmp="$owner.$$"
rm -f "$tmp"
if (set -C && printf '%s\\n' "$2" >"$tmp") && mv -f "$tmp" "$owner"; then :; else
  rm -f "$tmp"
  echo "patchctl-lock: cannot write $owner" >&2
fi
echo locked
cat >/dev/null 9>&-
rm -f "$owner"
exit 0
`;

/**
 * The command that takes the lock in `dir` for `owner` (a one-line description of this run, shown
 * to a second controller) and holds it until its standard input is closed. Runs as root.
 */
export function remoteLockCommand(owner: string, dir = REMOTE_LOCK_DIR): RemoteCommand {
  return { argv: ['sh', '-c', SCRIPT, 'patchctl-lock', dir, owner], sudo: true };
}

export type RemoteLock = { ok: true; release(): Promise<void> } | { ok: false; reason: string };

export interface RemoteLockOptions {
  /** Default `REMOTE_LOCK_DIR`. */
  dir?: string;
  /** How long to wait for the script to take the lock or refuse; default `REMOTE_LOCK_TIMEOUT_MS`. */
  timeoutMs?: number;
}

/**
 * Takes the host's lock through `transport.hold`. A host that is locked, or where the lock cannot
 * be taken, gives `{ ok: false, reason }`; a transport that cannot run the command rejects (as
 * `run` does). A transport without `hold` (one that keeps no channel open, e.g. a one-shot
 * transport) cannot hold a lock: the result is `ok` with a no-op release, and the local apply lock
 * is then the only guard.
 */
export async function acquireRemoteLock(
  transport: Transport,
  owner: string,
  opts: RemoteLockOptions = {},
): Promise<RemoteLock> {
  if (transport.hold === undefined) return { ok: true, release: async () => undefined };
  const timeoutMs = opts.timeoutMs ?? REMOTE_LOCK_TIMEOUT_MS;
  const outcome = await transport.hold(remoteLockCommand(owner, opts.dir), { ready: READY, timeoutMs });
  if (outcome.held) return { ok: true, release: () => outcome.release() };
  return { ok: false, reason: failureReason(outcome.result, timeoutMs) };
}

function failureReason(result: CommandResult, timeoutMs: number): string {
  const lines = result.stdout.split('\n');
  if (result.timedOut === true) return `the remote lock command did not answer within ${timeoutMs} ms`;
  if (result.exitCode === REMOTE_LOCK_EXIT.busy && lines[0] === 'busy') {
    const holder = printable(lines.slice(1).join(' '));
    return `host is locked by another patchctl run: ${holder === '' ? '(owner unknown)' : holder}`;
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

/** Remote text for a one-line message: control characters replaced, whitespace folded, capped. */
function printable(text: string, max = 300): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/\s+/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  const trimmed = clean.trim();
  return trimmed.length > max ? `${trimmed.slice(0, max)}…` : trimmed;
}
