// read → decide → (the CLI writes): everything `patchctl plan` needs, for one repository, and
// the check `apply` makes on a saved plan against the same inputs: fresh, then re-derived.
import path from 'node:path';
import { DateTime } from 'luxon';
import type { Diagnostic } from '../core/model/diagnostics.js';
import { hasErrors } from '../core/model/diagnostics.js';
import { instantRangeProblem } from '../core/model/instant.js';
import type { Repository } from '../core/model/repository.js';
import type { PlanFilter, RingHold } from '../core/plan/build-plan.js';
import { buildPlanWithHolds } from '../core/plan/build-plan.js';
import type { Plan } from '../core/plan/types.js';
import { savedPlanHosts, verifySavedPlan } from '../core/plan/verify-saved-plan.js';
import type { RunPlan } from '../core/plan/run-plan.js';
import { runPlanHosts, verifyRunPlan } from '../core/plan/run-plan.js';
import { runPlanDigest } from './apply/run-plan-file.js';
import type { ObservedState } from '../core/state/types.js';
import { ConfigError, InputFileError, StalePlanError } from '../errors.js';
import { gitCommit } from './git.js';
import type { InputsDigest } from './inputs-digest.js';
import { diffInputs, digestInputs } from './inputs-digest.js';
import { loadRepository } from './load-repo.js';
import { loadObservedState } from './load-state.js';
import { assertPlanFresh, readPlanFile } from './plan-file.js';
import { stateDirOf } from './repo-lock.js';

export interface PlanInputsOnDisk {
  repository: Repository;
  state: ObservedState;
  digest: InputsDigest;
  warnings: Diagnostic[];
}

/** Documents, state and advisories of a repository, checked, with the digest of every file read. */
export function readPlanInputs(
  dir: string,
  at: DateTime,
  options: { tolerate?: readonly string[] } = {},
): PlanInputsOnDisk {
  const { repository, warnings, inputs, feeds } = loadRepository(dir, { at, ...options });
  const observed = loadObservedState(dir, repository, { feeds });
  if (hasErrors(observed.diagnostics)) {
    throw new ConfigError(observed.diagnostics.filter((d) => d.severity === 'error'));
  }
  return {
    repository,
    state: observed.state,
    // Documents and advisories were hashed while validating, state files while loading them.
    digest: digestInputs(inputs, observed.hashes),
    warnings: [...warnings, ...observed.diagnostics],
  };
}

export interface MadePlan {
  plan: Plan;
  warnings: Diagnostic[];
  /** Rings of the plan that unknown hosts of the ring before them hold (build-plan.ts ringGate). */
  holds: RingHold[];
}

/** `filter` may be computed from the repository read (the names of --hosts and --ring, checked). */
export function makePlan(
  dir: string,
  at: DateTime,
  filter: PlanFilter | ((repository: Repository) => PlanFilter) = {},
): MadePlan {
  const { repository, state, digest, warnings } = readPlanInputs(dir, at);
  const { plan, holds } = buildPlanWithHolds(
    { repository, state, at, inputsDigest: digest.digest, inputs: digest.files, gitCommit: gitCommit(dir) },
    typeof filter === 'function' ? filter(repository) : filter,
  );
  return { plan, warnings, holds };
}

export interface SavedPlanOptions {
  /** Input files that may have changed since the plan was made (earlier runs of it, other shards). */
  tolerate?: ReadonlySet<string> | ((file: string) => boolean);
  /** Added to the stale-plan message. */
  hint?: string;
  /** How messages name the plan (default: the file as given). */
  label?: string;
  /**
   * Whether this run would apply the host (it is in the part of the plan the run executes, and no
   * earlier run of the plan finished it). A host whose state changed since the plan was made is
   * refused when it would be applied: its plan could not be re-derived.
   */
  wouldApply?: (host: string) => boolean;
}

export interface CheckedPlan {
  /** What apply executes: the plan re-derived from the repository (verify-saved-plan.ts). */
  plan: Plan;
  holds: RingHold[];
  /** The input files of the repository now, relative to it (for the git checks of --commit). */
  inputFiles: string[];
}

/**
 * A saved plan, for apply: refused when its format is unknown, when any input it was made
 * from (document, state file, advisory) changed since — naming the files — or when its content
 * is not what the repository decides (see core/plan/verify-saved-plan.ts).
 */
export function loadSavedPlan(dir: string, file: string, options: SavedPlanOptions = {}): CheckedPlan {
  return checkSavedPlan(dir, readPlanFile(file), { label: file, ...options });
}

/** The checks of loadSavedPlan, for a plan already read. */
export function checkSavedPlan(dir: string, saved: Plan, options: SavedPlanOptions = {}): CheckedPlan {
  const label = options.label ?? 'the saved plan';
  const at = DateTime.fromISO(saved.at, { setZone: true });
  const problem = instantRangeProblem(at);
  if (problem !== undefined)
    throw new InputFileError(`${label}: "at" ${JSON.stringify(saved.at)}: ${problem}`);
  // The digest must be the one of the inputs the plan lists: an edited list (to tolerate a file
  // or to name one) is an edited plan.
  if (digestInputs(new Map(Object.entries(saved.inputs))).digest !== saved.inputsDigest)
    throw new InputFileError(
      `${label}: its inputsDigest is not the digest of its inputs: the plan was edited; make it again with patchctl plan --out`,
    );
  const { repository, state, digest } = readPlanInputs(dir, at);
  assertPlanFresh(saved, digest, options);

  // Hosts whose state file changed since the plan was made (tolerated by the check above).
  const stateRel = path.relative(dir, stateDirOf(dir, repository)).split(path.sep).join('/');
  const hostsDir = stateRel === '' ? 'hosts/' : `${stateRel}/hosts/`;
  const diff = diffInputs(saved.inputs, digest.files);
  const changedHosts = new Set<string>();
  for (const f of [...diff.changed, ...diff.added, ...diff.removed])
    if (f.startsWith(hostsDir) && f.endsWith('.json') && !f.slice(hostsDir.length).includes('/'))
      changedHosts.add(f.slice(hostsDir.length, -'.json'.length));
  const hosts = savedPlanHosts(saved);
  for (const h of hosts)
    if (changedHosts.has(h) && options.wouldApply?.(h) === true)
      throw new StalePlanError(
        `${label}: host ${h} would be applied, but its state changed since the plan was made (${hostsDir}${h}.json): run patchctl plan again`,
        [`${hostsDir}${h}.json`],
      );

  const recomputed = buildPlanWithHolds(
    {
      repository,
      state,
      at,
      inputsDigest: saved.inputsDigest,
      inputs: saved.inputs,
      gitCommit: gitCommit(dir),
    },
    { hosts },
  );
  const checked = verifySavedPlan(saved, recomputed.plan, {
    label,
    changedHosts,
    inputsChanged: digest.digest !== saved.inputsDigest,
    gateStarts: recomputed.gateStarts,
  });
  if (!checked.ok) {
    const shown = checked.differences.slice(0, MAX_DIFFERENCES_SHOWN);
    const more = checked.differences.length - shown.length;
    throw new InputFileError(
      [
        `${label} is not what the repository decides (edited, or not made by this patchctl from these inputs): nothing was applied`,
        ...shown.map((d) => `  ${d}`),
        ...(more > 0 ? [`  and ${more} more difference(s)`] : []),
        'Make the plan again with patchctl plan --out FILE, review it, and apply that file.',
      ].join('\n'),
    );
  }
  return { plan: checked.plan, holds: recomputed.holds, inputFiles: Object.keys(digest.files) };
}

/** Differences a refused plan lists before "and N more". */
const MAX_DIFFERENCES_SHOWN = 10;

/**
 * The plan of an earlier run, for `apply --resume`, from what the run kept of it (a run plan,
 * core/plan/run-plan.ts): the plan is re-derived from the repository at the run plan's `at`
 * and refused when an input changed that the caller does not tolerate (the files the runs of
 * the plan wrote, other shards' files), when a host it would run changed since, or when the
 * repository no longer decides what the run's plan decided (verifyRunPlan).
 */
export function checkRunPlan(dir: string, record: RunPlan, options: SavedPlanOptions = {}): CheckedPlan {
  const label = options.label ?? 'the plan of the run';
  const at = DateTime.fromISO(record.at, { setZone: true });
  const problem = instantRangeProblem(at);
  if (problem !== undefined)
    throw new InputFileError(`${label}: "at" ${JSON.stringify(record.at)}: ${problem}`);
  if (digestInputs(new Map(Object.entries(record.inputs))).digest !== record.inputsDigest)
    throw new InputFileError(
      `${label}: its inputsDigest is not the digest of its inputs: the file was edited; plan again`,
    );
  const { repository, state, digest } = readPlanInputs(dir, at);
  assertPlanFresh(record, digest, options);

  const changedHosts = hostsWithChangedState(dir, repository, record.inputs, digest.files);
  for (const h of runPlanHosts(record))
    if (changedHosts.has(h) && options.wouldApply?.(h) === true)
      throw new StalePlanError(
        `${label}: host ${h} would be applied, but its state changed since the plan was made: run patchctl plan again`,
        [],
      );
  const recomputed = buildPlanWithHolds(
    {
      repository,
      state,
      at,
      inputsDigest: record.inputsDigest,
      inputs: record.inputs,
      gitCommit: gitCommit(dir),
    },
    { hosts: runPlanHosts(record) },
  );
  const checked = verifyRunPlan(record, recomputed.plan, {
    label,
    changedHosts,
    inputsChanged: digest.digest !== record.inputsDigest,
    digest: runPlanDigest,
  });
  if (!checked.ok) {
    const shown = checked.differences.slice(0, MAX_DIFFERENCES_SHOWN);
    const more = checked.differences.length - shown.length;
    throw new StalePlanError(
      [
        `${label}: the repository no longer decides what the interrupted run's plan decided: nothing was applied`,
        ...shown.map((d) => `  ${d}`),
        ...(more > 0 ? [`  and ${more} more difference(s)`] : []),
        'Plan again (patchctl plan), review it, and apply that plan.',
      ].join('\n'),
      [],
    );
  }
  return { plan: checked.plan, holds: recomputed.holds, inputFiles: Object.keys(digest.files) };
}

/** Hosts whose own state file (`<state>/hosts/<host>.json`) differs between two input lists. */
function hostsWithChangedState(
  dir: string,
  repository: Repository,
  before: Readonly<Record<string, string>>,
  now: Readonly<Record<string, string>>,
): Set<string> {
  const stateRel = path.relative(dir, stateDirOf(dir, repository)).split(path.sep).join('/');
  const hostsDir = stateRel === '' ? 'hosts/' : `${stateRel}/hosts/`;
  const diff = diffInputs(before, now);
  const changed = new Set<string>();
  for (const f of [...diff.changed, ...diff.added, ...diff.removed])
    if (f.startsWith(hostsDir) && f.endsWith('.json') && !f.slice(hostsDir.length).includes('/'))
      changed.add(f.slice(hostsDir.length, -'.json'.length));
  return changed;
}
