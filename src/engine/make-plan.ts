// read → decide → (the CLI writes): everything `patchctl plan` needs, for one repository, and
// the check `apply` makes on a saved plan against the same inputs.
import { DateTime } from 'luxon';
import type { Diagnostic } from '../core/model/diagnostics.js';
import { hasErrors } from '../core/model/diagnostics.js';
import type { Repository } from '../core/model/repository.js';
import type { PlanFilter } from '../core/plan/build-plan.js';
import { buildPlan } from '../core/plan/build-plan.js';
import type { Plan } from '../core/plan/types.js';
import type { ObservedState } from '../core/state/types.js';
import { ConfigError } from '../errors.js';
import { gitCommit } from './git.js';
import type { InputsDigest } from './inputs-digest.js';
import { digestInputs } from './inputs-digest.js';
import { loadRepository } from './load-repo.js';
import { loadObservedState } from './load-state.js';
import { assertPlanFresh, readPlanFile } from './plan-file.js';

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
}

export function makePlan(dir: string, at: DateTime, filter: PlanFilter = {}): MadePlan {
  const { repository, state, digest, warnings } = readPlanInputs(dir, at);
  const plan = buildPlan(
    { repository, state, at, inputsDigest: digest.digest, inputs: digest.files, gitCommit: gitCommit(dir) },
    filter,
  );
  return { plan, warnings };
}

/**
 * A saved plan, for apply: refused when its format is unknown, or when any input it was made
 * from (document, state file, advisory) changed since — naming the files.
 */
export function loadSavedPlan(
  dir: string,
  file: string,
  options: { tolerate?: ReadonlySet<string> | ((file: string) => boolean); hint?: string } = {},
): Plan {
  return checkSavedPlan(dir, readPlanFile(file), options);
}

/** The freshness check of loadSavedPlan, for a plan already read. */
export function checkSavedPlan(
  dir: string,
  plan: Plan,
  options: { tolerate?: ReadonlySet<string> | ((file: string) => boolean); hint?: string } = {},
): Plan {
  const at = DateTime.fromISO(plan.at, { setZone: true });
  assertPlanFresh(plan, readPlanInputs(dir, at).digest, options);
  return plan;
}
