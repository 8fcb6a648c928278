// state/rollouts/<rollout>.json: ring progress written by apply, so that bake times and halts
// hold across separate runs (one CI job per ring, or a nightly apply).
import path from 'node:path';
import { MAX_FILE_BYTES } from '../core/model/parse.js';
import type { RingProgress, RolloutState } from '../core/state/types.js';
import type { RingVersions } from '../core/state/ring-versions.js';
import { addRingVersions, ecosystemOf, sortRingVersions } from '../core/state/ring-versions.js';
import { checkHostStateFile, checkRolloutStateFile } from '../core/state/check-state.js';
import type { RolloutShard } from '../core/state/merge-shards.js';
import { shardProgressFileName } from '../core/state/merge-shards.js';
import { InputFileError, PatchctlError } from '../errors.js';
import { writeFileAtomic } from '../platform/atomic-write.js';
import { bundledStateSchemas } from './load-state.js';
import { readTextSafeIfExists } from '../platform/safe-fs.js';

export type RingEvent =
  | { kind: 'started'; at: string }
  | {
      kind: 'completed';
      at: string;
      failures: number;
      /** What the ring's hosts ran at completion (per-update gating; absent: keep the last record). */
      versions?: RingVersions;
      failedHosts?: readonly string[];
    }
  | { kind: 'halted'; at: string; failures: number; reason: string; failedHosts?: readonly string[] }
  /** Interrupted, or hosts left outside their window: the ring is still under way. */
  | { kind: 'unfinished'; at: string; failures: number }
  /** `patchctl rollout release`: the halt is cleared, the ring is under way again. */
  | { kind: 'released'; at: string; by: string; reason: string };

/** The new progress of a ring after `event`. Pure. */
export function nextRingProgress(previous: RingProgress | undefined, event: RingEvent): RingProgress {
  // What a ring ran at its last completion, and the last release, stay until replaced.
  const kept = {
    ...(previous?.versions ? { versions: previous.versions } : {}),
    ...(previous?.released ? { released: previous.released } : {}),
  };
  const failed = (hosts: readonly string[] | undefined) =>
    hosts && hosts.length > 0 ? { failedHosts: [...new Set(hosts)].sort() } : {};
  switch (event.kind) {
    case 'started':
      return { status: 'in-progress', startedAt: event.at, ...kept };
    case 'completed':
      return {
        status: 'completed',
        ...(previous?.startedAt ? { startedAt: previous.startedAt } : {}),
        finishedAt: event.at,
        healthySince: event.at,
        failures: event.failures,
        ...kept,
        ...(event.versions ? { versions: sortRingVersions(event.versions) } : {}),
        ...failed(event.failedHosts),
      };
    case 'halted':
      return {
        status: 'halted',
        ...(previous?.startedAt ? { startedAt: previous.startedAt } : {}),
        finishedAt: event.at,
        failures: event.failures,
        haltedReason: event.reason,
        ...kept,
        ...failed(event.failedHosts),
      };
    case 'unfinished':
      return {
        status: 'in-progress',
        ...(previous?.startedAt ? { startedAt: previous.startedAt } : {}),
        failures: event.failures,
        ...kept,
      };
    case 'released':
      return {
        status: 'in-progress',
        ...(previous?.startedAt ? { startedAt: previous.startedAt } : {}),
        ...(previous?.failures !== undefined ? { failures: previous.failures } : {}),
        ...kept,
        released: {
          at: event.at,
          by: event.by,
          reason: event.reason,
          ...(previous?.haltedReason ? { haltedReason: previous.haltedReason } : {}),
        },
      };
  }
}

export function serialiseRolloutState(s: RolloutState): string {
  const rings: Record<string, RingProgress> = {};
  for (const name of Object.keys(s.rings).sort()) {
    const p = s.rings[name];
    if (!p) continue;
    const keys: (keyof RingProgress)[] = [
      'status',
      'startedAt',
      'finishedAt',
      'healthySince',
      'failures',
      'haltedReason',
      'versions',
      'failedHosts',
      'released',
    ];
    const out: Partial<RingProgress> = {};
    for (const k of keys) if (p[k] !== undefined) (out as Record<string, unknown>)[k] = p[k];
    if (out.versions) out.versions = sortRingVersions(out.versions);
    if (out.released) {
      const r = out.released;
      out.released = {
        at: r.at,
        by: r.by,
        reason: r.reason,
        ...(r.haltedReason !== undefined ? { haltedReason: r.haltedReason } : {}),
      };
    }
    rings[name] = out as RingProgress;
  }
  const body = {
    formatVersion: 1,
    rollout: s.rollout,
    ...(s.shard ? { shard: { index: s.shard.index, count: s.shard.count } } : {}),
    ...(s.planDigest ? { planDigest: s.planDigest } : {}),
    updatedAt: s.updatedAt,
    rings,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/**
 * What a rollout name must look like to become part of a file name: the pattern of
 * `metadata.name` (schemas/common.schema.json). Plan fields never become paths (apply recomputes
 * its plan), and this is checked again where the name meets the file system (docs/security.md).
 */
const ROLLOUT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** `<state>/rollouts/<rollout>.json`, or a shard's own `<state>/rollouts/shards/<rollout>.<i>-of-<N>.json`. */
export function rolloutStatePath(stateDir: string, rollout: string, shard?: RolloutShard): string {
  if (!ROLLOUT_NAME.test(rollout))
    throw new InputFileError(
      `rollout ${JSON.stringify(rollout)} is not a rollout name (1-128 letters, digits, '.', '_' or '-', starting with a letter or digit): patchctl does not make a path of it`,
    );
  if (shard !== undefined && !(isCount(shard.index) && isCount(shard.count)))
    throw new InputFileError(`shard ${JSON.stringify(shard)} is not a shard (INDEX/COUNT, numbers from 1)`);
  const base = stateDir.split(path.sep).join('/');
  return shard === undefined
    ? path.posix.join(base, 'rollouts', `${rollout}.json`)
    : path.posix.join(base, 'rollouts', 'shards', shardProgressFileName(rollout, shard));
}

function isCount(n: unknown): boolean {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1;
}

/** Ring progress files are small; anything larger is not one patchctl wrote. */
const MAX_ROLLOUT_STATE_BYTES = MAX_FILE_BYTES;

/**
 * Reads, updates and atomically rewrites one rollout's state file (a shard's own file when
 * `shard` is given); returns its repository path.
 */
export function recordRingEvent(
  dir: string,
  stateDir: string,
  rollout: string,
  ring: string,
  planDigest: string,
  event: RingEvent,
  shard?: RolloutShard,
): string {
  const rel = rolloutStatePath(stateDir, rollout, shard);
  const file = path.join(dir, rel);
  let state: RolloutState = {
    formatVersion: 1,
    rollout,
    updatedAt: event.at,
    rings: {},
    ...(shard ? { shard } : {}),
  };
  // Only a regular file inside the repository (a FIFO would block, a link lead anywhere).
  const text = readTextSafeIfExists(file, { maxBytes: MAX_ROLLOUT_STATE_BYTES, within: dir, label: rel });
  if (text !== undefined) {
    // A file patchctl cannot read was checked (and reported) by the plan; here it is replaced.
    const read = checkRolloutStateFile(rel, text, bundledStateSchemas()).state;
    if (read) state = read;
  }
  state = {
    ...state,
    planDigest,
    updatedAt: event.at,
    rings: { ...state.rings, [ring]: nextRingProgress(state.rings[ring], event) },
  };
  writeFileAtomic(file, serialiseRolloutState(state));
  return rel;
}

/**
 * What the ring's hosts run now, from their state files (rewritten by apply from each host after
 * its run): the highest version of each package over the hosts, without the hosts that failed.
 * Recorded when the ring completes, for per-update gating (core/state/ring-versions.ts). A state
 * file that is missing, unreadable or of a host that was not reached adds nothing.
 */
export function ringVersionsFromState(
  dir: string,
  stateDir: string,
  hosts: readonly string[],
  failed: ReadonlySet<string>,
): RingVersions {
  const versions: RingVersions = {};
  const schemas = bundledStateSchemas();
  for (const host of hosts) {
    if (failed.has(host)) continue;
    const rel = path.posix.join(stateDir.split(path.sep).join('/'), 'hosts', `${host}.json`);
    let text: string | undefined;
    try {
      text = readTextSafeIfExists(path.join(dir, rel), { maxBytes: MAX_FILE_BYTES, within: dir, label: rel });
    } catch (err) {
      if (err instanceof PatchctlError) continue;
      throw err;
    }
    if (text === undefined) continue;
    const state = checkHostStateFile(rel, text, schemas).state;
    const ecosystem = ecosystemOf(state?.packageManager);
    if (!state?.reachable || ecosystem === undefined) continue;
    addRingVersions(versions, ecosystem, state.installed);
  }
  return sortRingVersions(versions);
}
