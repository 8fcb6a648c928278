// read → decide → (the CLI writes): everything `patchctl plan` needs, for one repository.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { DateTime } from 'luxon';
import type { Diagnostic } from '../core/model/diagnostics.js';
import { hasErrors } from '../core/model/diagnostics.js';
import type { PlanFilter } from '../core/plan/build-plan.js';
import { buildPlan } from '../core/plan/build-plan.js';
import type { Plan } from '../core/plan/types.js';
import { ConfigError } from '../errors.js';
import { gitCommit } from './git.js';
import { digestInputs } from './inputs-digest.js';
import { loadRepository } from './load-repo.js';
import { loadObservedState } from './load-state.js';

export interface MadePlan {
  plan: Plan;
  warnings: Diagnostic[];
}

export function makePlan(dir: string, at: DateTime, filter: PlanFilter = {}): MadePlan {
  const { repository, warnings, inputs, feeds } = loadRepository(dir, { at });
  const observed = loadObservedState(dir, repository, { feeds });
  if (hasErrors(observed.diagnostics)) {
    throw new ConfigError(observed.diagnostics.filter((d) => d.severity === 'error'));
  }
  const stateInputs = new Map<string, string>();
  for (const rel of observed.files) {
    stateInputs.set(
      rel,
      createHash('sha256')
        .update(readFileSync(path.join(dir, rel)))
        .digest('hex'),
    );
  }
  const digest = digestInputs(inputs, stateInputs);
  const plan = buildPlan(
    {
      repository,
      state: observed.state,
      at,
      inputsDigest: digest.digest,
      inputs: digest.files,
      gitCommit: gitCommit(dir),
    },
    filter,
  );
  return { plan, warnings: [...warnings, ...observed.diagnostics] };
}
