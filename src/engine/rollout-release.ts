// `patchctl rollout release ROLLOUT [--ring RING] --reason TEXT`: clears the halt of a ring in
// state/rollouts/<rollout>.json and records who released it, when and why (README "Apply").
// The ring is in progress again: its remaining work runs with the next apply, and a ring with no
// work left completes then. Written atomically, under the repository lock (no apply runs
// meanwhile, and none of a split's shards).
import os from 'node:os';
import path from 'node:path';
import type { DateTime } from 'luxon';
import { hasErrors } from '../core/model/diagnostics.js';
import { closest } from '../core/model/suggest.js';
import { hasControlChars } from '../core/text/control-chars.js';
import type { RingRelease, RolloutState } from '../core/state/types.js';
import { ConfigError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../platform/atomic-write.js';
import { loadRepository } from './load-repo.js';
import { loadObservedState } from './load-state.js';
import { acquireRepoLock, stateDirOf } from './repo-lock.js';
import { nextRingProgress, rolloutStatePath, serialiseRolloutState } from './rollout-state.js';

export interface ReleaseRequest {
  rollout: string;
  /** The halted ring; without it, the rollout's halted ring (there is one at most, usually). */
  ring?: string;
  reason: string;
  now: () => DateTime;
  /** Who releases (default: `user@machine`, as apply's journal names who ran it). */
  by?: string;
}

export interface ReleaseResult {
  rollout: string;
  /** The rings released, with their release records. */
  released: { ring: string; release: RingRelease }[];
  /** The state file written, relative to the repository. */
  file: string;
}

/** Longest reason kept (the state schema's limit). */
const MAX_REASON = 1024;

export function releaseRollout(dir: string, request: ReleaseRequest): ReleaseResult {
  const reason = request.reason.trim();
  if (reason.length === 0 || reason.length > MAX_REASON || hasControlChars(reason))
    throw new UsageError(
      `--reason must say why the halt is released: one line of 1 to ${MAX_REASON} characters (it is recorded in state/rollouts/)`,
    );
  const at = request.now();
  const { repository, feeds } = loadRepository(dir, { at });
  const names = repository.rollouts.map((r) => r.doc.metadata.name);
  const doc = repository.rollouts.find((r) => r.doc.metadata.name === request.rollout)?.doc;
  if (!doc) {
    const hint = closest(request.rollout, names);
    throw new UsageError(
      `rollout "${request.rollout}" is not defined${hint ? ` (did you mean "${hint}"?)` : ''} (rollouts: ${names.join(', ') || 'none'})`,
    );
  }
  const rings = doc.spec.rings.map((r) => r.name);
  if (request.ring !== undefined && !rings.includes(request.ring)) {
    const hint = closest(request.ring, rings);
    throw new UsageError(
      `rollout ${request.rollout} has no ring "${request.ring}"${hint ? ` (did you mean "${hint}"?)` : ''} (rings: ${rings.join(', ')})`,
    );
  }
  const stateAbs = stateDirOf(dir, repository);
  const lock = acquireRepoLock(stateAbs, { operation: 'release' }, () => at.toJSDate());
  try {
    // Read under the lock: the rollout's own file merged with what shards recorded since.
    const observed = loadObservedState(dir, repository, { feeds });
    if (hasErrors(observed.diagnostics))
      throw new ConfigError(observed.diagnostics.filter((d) => d.severity === 'error'));
    const state = observed.state.rollouts.get(request.rollout);
    const halted = rings.filter((r) => state?.rings[r]?.status === 'halted');
    const chosen = request.ring !== undefined ? [request.ring] : halted;
    for (const ring of chosen)
      if (!halted.includes(ring))
        throw new UsageError(
          `ring ${ring} of rollout ${request.rollout} is not halted (it is ${state?.rings[ring]?.status ?? 'pending'}): there is nothing to release`,
        );
    if (chosen.length === 0 || !state)
      throw new UsageError(`rollout ${request.rollout} has no halted ring: there is nothing to release`);
    const when = at.toUTC().toISO({ suppressMilliseconds: true }) ?? at.toISO() ?? '';
    const by = request.by ?? whoAmI();
    let next: RolloutState = { ...state, updatedAt: when, rings: { ...state.rings } };
    delete next.shard;
    for (const ring of chosen)
      next = {
        ...next,
        rings: {
          ...next.rings,
          [ring]: nextRingProgress(next.rings[ring], { kind: 'released', at: when, by, reason }),
        },
      };
    const rel = rolloutStatePath(path.relative(dir, stateAbs) || '.', request.rollout);
    writeFileAtomic(path.join(dir, rel), serialiseRolloutState(next));
    return {
      rollout: request.rollout,
      released: chosen.map((ring) => ({ ring, release: next.rings[ring]?.released as RingRelease })),
      file: rel,
    };
  } finally {
    lock.release();
  }
}

/** `user@machine`, as apply's journal names who ran it. */
function whoAmI(): string {
  let user: string;
  try {
    user = os.userInfo().username;
  } catch {
    user = String(process.getuid?.() ?? 'unknown');
  }
  return `${user}@${os.hostname()}`;
}
