// Saved plans (`plan --out`): written atomically, read back with their format and schema
// checked, and refused when the inputs they were computed from have changed.
import { readFileSync } from 'node:fs';
import { jsonSyntaxError } from '../core/model/json-syntax.js';
import type { Plan } from '../core/plan/types.js';
import { PLAN_FORMAT_VERSION } from '../core/plan/types.js';
import { InputFileError, StalePlanError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import type { InputsDigest } from './inputs-digest.js';
import { diffInputs } from './inputs-digest.js';
import { bundledSchemas } from './schemas.js';

export function serialisePlan(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

export function writePlanFile(file: string, plan: Plan): void {
  writeFileAtomic(file, serialisePlan(plan));
}

export function readPlanFile(file: string): Plan {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputFileError(
      `cannot read plan ${file}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`,
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const d = jsonSyntaxError(file, text, err);
    throw new InputFileError(`${file}:${d.at?.line}:${d.at?.col}: not a plan: ${d.message}`);
  }
  const version = (value as { formatVersion?: unknown } | null)?.formatVersion;
  if (version !== PLAN_FORMAT_VERSION) {
    throw new InputFileError(
      version === undefined
        ? `${file} is not a patchctl plan (no formatVersion)`
        : `${file} has plan format version ${JSON.stringify(version)}; this patchctl reads version ${PLAN_FORMAT_VERSION} (plan again with this version)`,
    );
  }
  const validate = bundledSchemas().validatorForFile('plan.schema.json');
  if (!validate(value)) {
    const first = validate.errors?.[0];
    throw new InputFileError(
      `${file} is not a valid plan: ${first?.instancePath || '/'} ${first?.message ?? ''}`.trim(),
    );
  }
  return value as Plan;
}

/** Throws StalePlanError, naming the files that changed, when `current` differs from the plan's inputs. */
export function assertPlanFresh(
  plan: Plan,
  current: InputsDigest,
  options: { tolerate?: ReadonlySet<string> | ((file: string) => boolean); hint?: string } = {},
): void {
  if (plan.inputsDigest === current.digest) return;
  const all = diffInputs(plan.inputs, current.files);
  // Files an earlier run of this very plan wrote (state after patching) do not make it stale,
  // nor, for one shard, the files the other shards write.
  const tolerate = options.tolerate;
  const keep = (f: string): boolean =>
    tolerate === undefined ? true : typeof tolerate === 'function' ? !tolerate(f) : !tolerate.has(f);
  const d = {
    changed: all.changed.filter(keep),
    added: all.added.filter(keep),
    removed: all.removed.filter(keep),
  };
  if (d.changed.length + d.added.length + d.removed.length === 0 && options.tolerate !== undefined) return;
  const parts = [
    ...d.changed.map((f) => `changed ${f}`),
    ...d.added.map((f) => `added ${f}`),
    ...d.removed.map((f) => `removed ${f}`),
  ];
  const shown = parts.slice(0, 20).join(', ');
  const more = parts.length > 20 ? ` and ${parts.length - 20} more` : '';
  throw new StalePlanError(
    `the plan is stale: its inputs changed since it was made (${shown || 'digest differs'}${more}); ${options.hint ?? 'run patchctl plan again'}`,
    [...d.changed, ...d.added, ...d.removed],
  );
}
