// JSON files patchctl wrote itself and reads back (journal lines, saved plans, report history):
// parsed strictly (a duplicate key is an error, like a syntax error) and checked against their
// schema, every problem a diagnostic at file:line:col. Nothing here trusts the value before the
// schema passed it.
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic, SourcePos } from '../model/diagnostics.js';
import type { Path } from '../model/parse.js';
import { parseYamlFile } from '../model/parse.js';
import { parseJsonStrict } from '../model/strict-json.js';
import { schemaErrorDiagnostic } from './schema-error.js';

export interface JsonCheck {
  /** The value, only when it parsed and passed the schema. */
  value?: unknown;
  diagnostics: Diagnostic[];
}

export interface JsonCheckOptions {
  /** The code of schema errors (syntax errors are `json-syntax`, repeated keys `json-duplicate-key`). */
  code: string;
  /** The line of the file `text` starts on (a journal line), default 1. */
  line?: number;
  /** At most this many schema errors are reported, default 20. */
  maxReported?: number;
}

/** Parses `text` (of `file`) strictly and validates it; every problem is at its line and column. */
export function checkJsonText(
  file: string,
  text: string,
  validate: ValidateFunction,
  options: JsonCheckOptions,
): JsonCheck {
  const shift = (options.line ?? 1) - 1;
  const moved = (at: SourcePos | undefined): SourcePos =>
    at === undefined ? { file, line: 1 + shift, col: 1 } : { ...at, line: at.line + shift };
  const parsed = parseJsonStrict(file, text);
  if (!parsed.ok) return { diagnostics: [{ ...parsed.diagnostic, at: moved(parsed.diagnostic.at) }] };
  if (validate(parsed.value)) return { value: parsed.value, diagnostics: [] };
  // Positions are only needed when something is wrong: parse again with positions then.
  let locator: ((path: Path, part?: 'key' | 'value') => SourcePos) | undefined;
  const locate = (path: Path, part?: 'key' | 'value'): SourcePos => {
    if (!locator) {
      const doc = parseYamlFile(file, text).documents[0];
      locator = doc ? (p, k) => doc.locate(p, k) : () => ({ file, line: 1, col: 1 });
    }
    return moved(locator(path, part));
  };
  const errors = schemaErrors(validate.errors ?? []);
  const max = options.maxReported ?? 20;
  // In the order of the text, whatever order the schema found them in.
  const diagnostics = errors
    .slice(0, max)
    .map((e) => schemaErrorDiagnostic(e, locate, options.code))
    .sort((a, b) => (a.at?.line ?? 0) - (b.at?.line ?? 0) || (a.at?.col ?? 0) - (b.at?.col ?? 0));
  if (errors.length > max)
    diagnostics.push({
      severity: 'error',
      code: options.code,
      message: `${errors.length - max} more schema errors not shown`,
      at: moved(undefined),
    });
  return { diagnostics };
}

/** Keywords whose failure is explained by the errors of their sub-schemas. */
const WRAPPERS = new Set(['if', 'then', 'else', 'anyOf', 'oneOf', 'allOf', 'not', 'contains']);

/**
 * The errors worth reporting: no wrappers, and at each place and keyword only the most specific
 * one (a `status` of a host-finished event fails both the list of every status and the list of
 * host statuses: the second says more).
 */
function schemaErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const best = new Map<string, ErrorObject>();
  for (const e of errors) {
    if (WRAPPERS.has(e.keyword)) continue;
    const key = `${e.instancePath}|${e.keyword}|${e.keyword === 'required' || e.keyword === 'additionalProperties' ? JSON.stringify(e.params) : ''}`;
    const current = best.get(key);
    if (!current || e.schemaPath.length > current.schemaPath.length) best.set(key, e);
  }
  return [...best.values()];
}
