// One wording for a JSON Schema error in a file patchctl reads back (state files, journal lines,
// saved plans, report history): at the offending node, with values quoted, escaped and bounded,
// since they may come from a hostile host or file.
import type { ErrorObject } from 'ajv';
import type { Diagnostic, SourcePos } from '../model/diagnostics.js';
import type { Path } from '../model/parse.js';
import { closest } from '../model/suggest.js';
import { describePath, pointerToPath } from '../model/validate.js';
import { boundedLine, quoteValue } from './host-text.js';

/** `e` as a diagnostic with `code`, located by `locate`. */
export function schemaErrorDiagnostic(
  e: ErrorObject,
  locate: (path: Path, part?: 'key' | 'value') => SourcePos,
  code: string,
): Diagnostic {
  const path = pointerToPath(e.instancePath);
  // Paths and values may come from a hostile host or file: quoted, escaped and bounded.
  const where = boundedLine(describePath(path), 200);
  const parent = (e.parentSchema ?? {}) as Record<string, unknown>;
  const d = (message: string, at = locate(path)): Diagnostic => ({
    severity: 'error',
    code,
    message,
    at,
  });
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((parent.properties as Record<string, unknown> | undefined) ?? {});
      const hint = closest(field, known);
      return d(
        `unknown field ${quoteValue(field)} in ${where}${hint ? ` (did you mean "${hint}"?)` : ''}`,
        locate([...path, field], 'key'),
      );
    }
    case 'required':
      return d(
        `${where} is missing required field "${String((e.params as { missingProperty: string }).missingProperty)}"`,
      );
    case 'pattern': {
      const explain = typeof parent.patternErrorMessage === 'string' ? parent.patternErrorMessage : e.message;
      return d(`${where} ${quoteValue(e.data)} ${explain}`);
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      return d(`${where} ${quoteValue(e.data)} must be one of ${allowed.join(', ')}`);
    }
    case 'const':
      return d(`${where} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`);
    case 'type':
      return d(`${where} must be of type ${String((e.params as { type: string }).type)}`);
    default:
      return d(`${where} ${e.message ?? 'is invalid'}`);
  }
}
