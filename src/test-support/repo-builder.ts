// Builds repositories from literal YAML for tests: no files, the real schemas.
import { DateTime } from 'luxon';
import type { CheckResult, SourceFile } from '../core/model/check.js';
import { checkRepository } from '../core/model/check.js';
import { whatIsDriven } from '../drivers/api.js';
import type { Diagnostic } from '../core/model/diagnostics.js';
import { resolveGroups } from '../core/model/groups.js';
import type { Rule } from '../core/model/rules/rule.js';
import { bundledSchemas } from '../engine/schemas.js';

export const DEFAULT_AT = DateTime.fromISO('2026-12-01T00:00:00Z', { setZone: true });

export const MINIMAL_CONFIG = `apiVersion: patchctl/v1
kind: Config
metadata:
  name: test
spec:
  timezone: Europe/Berlin
`;

/** Checks the given files; adds a minimal patchctl.yaml unless one is given. */
export function check(
  files: Record<string, string>,
  options: { at?: DateTime; advisoryFiles?: string[] } = {},
): CheckResult {
  const all: SourceFile[] = Object.entries({ 'patchctl.yaml': MINIMAL_CONFIG, ...files }).map(
    ([path, text]) => ({
      path,
      text,
    }),
  );
  return checkRepository({
    files: all,
    schemas: bundledSchemas(),
    at: options.at ?? DEFAULT_AT,
    advisoryFiles: new Set(options.advisoryFiles ?? []),
    driven: whatIsDriven(),
  });
}

/** `file:line:col code` of each diagnostic: compact to assert on. */
export function where(list: readonly Diagnostic[]): string[] {
  return list.map((d) => `${d.at?.file}:${d.at?.line}:${d.at?.col} ${d.severity} ${d.code}`);
}

export function codes(list: readonly Diagnostic[]): string[] {
  return list.map((d) => d.code);
}

/** A document in one line of YAML per spec key, to keep tests short. */
export function doc(kind: string, name: string, spec: string): string {
  const body = spec
    .split('\n')
    .map((l) => (l.trim() === '' ? l : `  ${l}`))
    .join('\n');
  return `apiVersion: patchctl/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\nspec:\n${body}\n`;
}

export function hosts(...names: string[]): string {
  return doc(
    'Inventory',
    'inv',
    `hosts:\n${names.map((n) => `  - name: ${n}\n    labels: { role: ${n.replace(/-?\d+$/, '') || 'x'} }`).join('\n')}`,
  );
}

/** Runs one rule alone over the given files (after the schema checks). */
export function runRule(
  rule: Rule,
  files: Record<string, string>,
  options: { at?: DateTime; advisoryFiles?: string[]; allowInvalid?: boolean } = {},
): Diagnostic[] {
  const { repository, diagnostics } = check(files, options);
  const schemaErrors = diagnostics.filter((d) => d.severity === 'error' && SCHEMA_CODES.has(d.code));
  if (schemaErrors.length > 0 && !options.allowInvalid)
    throw new Error(`test input is not schema-valid: ${JSON.stringify(schemaErrors)}`);
  return rule(repository, {
    at: options.at ?? DEFAULT_AT,
    members: resolveGroups(repository),
    advisoryFiles: new Set(options.advisoryFiles ?? []),
  });
}

const SCHEMA_CODES = new Set([
  'unknown-field',
  'missing-field',
  'invalid-value',
  'wrong-type',
  'not-a-document',
]);
