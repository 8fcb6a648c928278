// Saved plans (`plan --out`): written atomically (only ever over a regular file), read back safely
// with their format and schema checked, and refused when the inputs they were computed from have
// changed.
import type { Diagnostic } from '../core/model/diagnostics.js';
import { parseJsonStrict } from '../core/model/strict-json.js';
import type { Plan } from '../core/plan/types.js';
import { PLAN_FORMAT_VERSION } from '../core/plan/types.js';
import { checkJsonText } from '../core/state/check-json.js';
import { InputFileError, StalePlanError } from '../errors.js';
import { writeFileAtomic } from '../platform/atomic-write.js';
import type { InputsDigest } from './inputs-digest.js';
import { diffInputs } from './inputs-digest.js';
import { readTextSafe } from '../platform/safe-fs.js';
import { bundledSchemas } from './schemas.js';

export function serialisePlan(plan: Plan): string {
  return `${JSON.stringify(plan, null, 2)}\n`;
}

export function writePlanFile(file: string, plan: Plan): void {
  writeFileAtomic(file, serialisePlan(plan));
}

/**
 * Saved plans are read whole and parsed as one JSON value: a plan of 10,000 hosts is tens of MiB,
 * so a few hundred MiB is the bound (a link to /dev/zero must not eat the memory).
 */
export const MAX_PLAN_BYTES = 256 * 1024 * 1024;

/**
 * Reads a saved plan wherever the user points (`apply plan.json`, `plan --compare`): a regular
 * file (links followed, a FIFO or a device refused) of at most MAX_PLAN_BYTES, strict JSON (a
 * repeated key is an error), of this patchctl's format and schema. Throws InputFileError or
 * LocalIoError naming the file, and file:line:col for what is wrong inside it.
 */
export function readPlanFile(file: string): Plan {
  const text = readTextSafe(file, { maxBytes: MAX_PLAN_BYTES, label: `plan ${file}` });
  const checked = checkPlanText(file, text);
  if (checked.plan) return checked.plan;
  const first = checked.diagnostics[0];
  const more = checked.diagnostics.length > 1 ? ` (and ${checked.diagnostics.length - 1} more)` : '';
  throw new InputFileError(first ? `${planProblem(first)}${more}` : `${file} is not a valid plan`);
}

/** `file:line:col: message`, or the message alone when it names the file itself. */
export function planProblem(d: Diagnostic): string {
  if (d.code === 'not-a-plan' || d.code === 'plan-version' || !d.at) return d.message;
  return `${d.at.file}:${d.at.line}:${d.at.col}: ${d.message}`;
}

/**
 * A saved plan's text checked as readPlanFile checks it, for callers that read the file
 * themselves (`report --merge`): the plan, or the diagnostics (`not-a-plan`, `plan-version`,
 * `json-syntax`, `json-duplicate-key`, `invalid-plan`) at file:line:col.
 */
export function checkPlanText(file: string, text: string): { plan?: Plan; diagnostics: Diagnostic[] } {
  const parsed = parseJsonStrict(file, text);
  if (!parsed.ok)
    return { diagnostics: [{ ...parsed.diagnostic, message: `not a plan: ${parsed.diagnostic.message}` }] };
  const version = (parsed.value as { formatVersion?: unknown } | null)?.formatVersion;
  if (version !== PLAN_FORMAT_VERSION) {
    return {
      diagnostics: [
        {
          severity: 'error',
          code: version === undefined ? 'not-a-plan' : 'plan-version',
          message:
            version === undefined
              ? `${file} is not a patchctl plan (no formatVersion)`
              : `${file} has plan format version ${JSON.stringify(version)}; this patchctl reads version ${PLAN_FORMAT_VERSION} (plan again with this version)`,
          at: { file, line: 1, col: 1 },
        },
      ],
    };
  }
  const r = checkJsonText(file, text, bundledSchemas().validatorForFile('plan.schema.json'), {
    code: 'invalid-plan',
    maxReported: 5,
  });
  if (r.value !== undefined) return { plan: r.value as Plan, diagnostics: [] };
  return { diagnostics: r.diagnostics.map((d) => ({ ...d, message: `not a valid plan: ${d.message}` })) };
}

/** Throws StalePlanError, naming the files that changed, when `current` differs from the plan's inputs. */
export function assertPlanFresh(
  plan: Pick<Plan, 'inputsDigest' | 'inputs'>,
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
