// The remote per-host lock (docs/security.md, "remote lock": it keeps two controllers off one
// host), taken over the transport. The commands come from the host's driver (`os.lock`; for Linux
// hosts drivers/linux/remote-lock.ts, which says how the lock lives exactly as long as the
// channel that holds it, and how a reservation keeps the host for this run across a reboot).
// Here: hold the take command open until release, and leave the reservation before a reboot.

import {
  linuxRemoteLock,
  REMOTE_LOCK_TIMEOUT_MS,
  type RemoteLockPaths,
} from '../../drivers/linux/remote-lock.js';
import type { RemoteLockSteps } from '../../drivers/types.js';
import type { Transport } from '../../transports/types.js';

// The script and its commands live in the shared Linux module (drivers/linux/remote-lock.ts);
// re-exported here for the simulated fleet and the tests.
export {
  REMOTE_LOCK_DIR,
  REMOTE_LOCK_EXIT,
  REMOTE_LOCK_TIMEOUT_MS,
  REMOTE_RESERVATION_DIR,
  remoteLockCommand,
  remoteReserveCommand,
  type RemoteLockPaths,
} from '../../drivers/linux/remote-lock.js';

export type ReserveOutcome = { ok: true } | { ok: false; reason: string };

export type RemoteLock =
  | {
      ok: true;
      release(): Promise<void>;
      /** Leaves the run's reservation for `seconds` (see remoteReserveCommand). */
      reserve(seconds: number): Promise<ReserveOutcome>;
    }
  | { ok: false; reason: string };

export interface RemoteLockOptions extends RemoteLockPaths {
  /** The host's lock commands (its driver's `os.lock`); default: the Linux lock in these paths. */
  steps?: RemoteLockSteps;
  /** How long to wait for the script to take the lock or refuse; default `REMOTE_LOCK_TIMEOUT_MS`. */
  timeoutMs?: number;
  /** The run's id: only this run takes the lock while its reservation holds. */
  runId?: string;
}

/**
 * Takes the host's lock through `transport.hold`. A host that is locked (or reserved by another
 * run), or where the lock cannot be taken, gives `{ ok: false, reason }`; a transport that cannot
 * run the command rejects (as `run` does). A transport without `hold` (one that keeps no channel
 * open, e.g. a one-shot transport) cannot hold the lock: the lock step fails, naming the transport,
 * and nothing else runs on the host (docs/security.md: never patch a host another run may be
 * patching). It never passes silently.
 */
export async function acquireRemoteLock(
  transport: Transport,
  owner: string,
  opts: RemoteLockOptions = {},
): Promise<RemoteLock> {
  if (transport.hold === undefined) return { ok: false, reason: cannotHoldReason(transport) };
  const timeoutMs = opts.timeoutMs ?? REMOTE_LOCK_TIMEOUT_MS;
  const runId = opts.runId ?? '';
  const steps = opts.steps ?? linuxRemoteLock(opts);
  const outcome = await transport.hold(steps.take(owner, runId), { ready: steps.ready, timeoutMs });
  if (!outcome.held) return { ok: false, reason: steps.failure(outcome.result, timeoutMs) };
  return {
    ok: true,
    release: () => outcome.release(),
    reserve: async (seconds) => {
      const out = await transport.run(steps.reserve(owner, runId, seconds), { timeoutMs });
      if (steps.reserved(out)) return { ok: true };
      return { ok: false, reason: steps.failure(out, timeoutMs) };
    },
  };
}

/** Why a transport without `hold` cannot take the lock, in the operator's words. */
export function cannotHoldReason(transport: Pick<Transport, 'id'>): string {
  return `this transport cannot hold the remote lock (transport ${transport.id} keeps no command running); nothing was done on the host`;
}
