// The plan file of an apply run, `state/runs/<run id>.plan.json` (core/plan/run-plan.ts): written
// with the run's first effect, read back by `apply --resume` and `report --merge`, strictly (a
// repeated key is an error) and checked field by field, naming file:line:col. A full plan, as
// runs of patchctl before issue 13 kept there, is still read (with the plan schema).
import { createHash } from 'node:crypto';
import type { Diagnostic } from '../../core/model/diagnostics.js';
import { parseJsonStrict } from '../../core/model/strict-json.js';
import type { RunPlan } from '../../core/plan/run-plan.js';
import { RUN_PLAN_KIND } from '../../core/plan/run-plan.js';
import type { Plan } from '../../core/plan/types.js';
import { PLAN_FORMAT_VERSION } from '../../core/plan/types.js';
import { InputFileError } from '../../errors.js';
import { readTextSafe } from '../../platform/safe-fs.js';
import { checkPlanText, MAX_PLAN_BYTES, planProblem } from '../plan-file.js';

/** sha256 of a text, 16 hex digits: enough to tell two decisions apart (run-plan.ts). */
export function runPlanDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex').slice(0, 16);
}

export function serialiseRunPlan(record: RunPlan): string {
  return `${JSON.stringify(record, null, 2)}\n`;
}

export type RunPlanFile = { kind: 'run-plan'; record: RunPlan } | { kind: 'plan'; plan: Plan };

/** A run's plan file: the run plan, or the full plan an earlier patchctl kept. */
export function checkRunPlanText(
  file: string,
  text: string,
): { value?: RunPlanFile; diagnostics: Diagnostic[] } {
  const parsed = parseJsonStrict(file, text);
  if (parsed.ok && (parsed.value as { kind?: unknown } | null)?.kind === RUN_PLAN_KIND) {
    const problem = runPlanProblem(parsed.value);
    if (problem === undefined)
      return { value: { kind: 'run-plan', record: parsed.value as RunPlan }, diagnostics: [] };
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'invalid-run-plan',
          message: `not the plan file of an apply run: ${problem}`,
          at: { file, line: lineOf(text, problem), col: 1 },
        },
      ],
    };
  }
  const checked = checkPlanText(file, text);
  return checked.plan ? { value: { kind: 'plan', plan: checked.plan }, diagnostics: [] } : checked;
}

/** Reads a run's plan file (safely: a regular file, bounded); throws InputFileError naming the problem. */
export function readRunPlanFile(file: string, label = file): RunPlanFile {
  const text = readTextSafe(file, { maxBytes: MAX_PLAN_BYTES, label: `plan ${label}` });
  const checked = checkRunPlanText(label, text);
  if (checked.value) return checked.value;
  const first = checked.diagnostics[0];
  throw new InputFileError(first ? planProblem(first) : `${label} is not the plan file of an apply run`);
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const HOST_LINE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252} [0-9a-f]{16} [0-9a-f]{16}$/;
const SUMMARY_KEYS = ['hosts', 'hostsWithChanges', 'updates', 'reboots', 'skipped'];

/** What is wrong with a run plan (the first thing), as `"field": problem`; undefined when nothing. */
function runPlanProblem(value: unknown): string | undefined {
  const v = value as Record<string, unknown>;
  if (v.formatVersion !== PLAN_FORMAT_VERSION)
    return `"formatVersion": must be ${PLAN_FORMAT_VERSION} (this patchctl's format)`;
  for (const k of ['createdAt', 'at'])
    if (typeof v[k] !== 'string') return `"${k}": must be a date-time string`;
  if (typeof v.inputsDigest !== 'string' || !DIGEST.test(v.inputsDigest))
    return `"inputsDigest": must be 'sha256:' and 64 hex digits`;
  if (v.gitCommit !== null && typeof v.gitCommit !== 'string') return `"gitCommit": must be a string or null`;
  if (!isRecord(v.inputs) || !Object.values(v.inputs).every((h) => typeof h === 'string'))
    return `"inputs": must map each input file to its digest`;
  if (
    !isRecord(v.summary) ||
    !SUMMARY_KEYS.every((k) => Number.isSafeInteger((v.summary as Record<string, unknown>)[k]))
  )
    return `"summary": must count ${SUMMARY_KEYS.join(', ')}`;
  if (
    v.shards !== undefined &&
    !(isRecord(v.shards) && Number.isSafeInteger(v.shards.count) && (v.shards.count as number) >= 1)
  )
    return `"shards": must be { "count": N }`;
  if (!Array.isArray(v.rings)) return `"rings": must be a list`;
  for (const r of v.rings as unknown[]) {
    if (!isRecord(r) || typeof r.name !== 'string' || typeof r.rollout !== 'string')
      return `"rings": each ring must have a name and a rollout`;
    if (r.earliestStart !== null && typeof r.earliestStart !== 'string')
      return `"earliestStart": must be a date-time string or null`;
    if (r.gate !== undefined && typeof r.gate !== 'string') return `"gate": must be a string`;
    if (!Array.isArray(r.hosts) || !r.hosts.every((h) => typeof h === 'string' && HOST_LINE.test(h)))
      return `"hosts": each must be "<host> <16 hex digits> <16 hex digits>"`;
  }
  const known = new Set([
    'formatVersion',
    'kind',
    'createdAt',
    'at',
    'inputsDigest',
    'inputs',
    'gitCommit',
    'summary',
    'shards',
    'rings',
  ]);
  const extra = Object.keys(v).find((k) => !known.has(k));
  return extra === undefined ? undefined : `"${extra}": not a field of a run's plan file`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The line of the first `"field"` a problem names, else 1. */
function lineOf(text: string, problem: string): number {
  const field = /^"([^"]+)"/.exec(problem)?.[1];
  if (field === undefined) return 1;
  const i = text.indexOf(`"${field}"`);
  return i < 0 ? 1 : text.slice(0, i).split('\n').length;
}
