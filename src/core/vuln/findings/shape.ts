// Reading an untyped JSON value field by field: a field of the wrong type is a ShapeError at
// its JSON path, which the importer turns into file:line:col (docs/vulnerabilities.md).
import type { FindingsParse, ParsedFindings, ShapeProblem } from './parsed.js';

export type JsonPath = (string | number)[];
export type JsonObject = Record<string, unknown>;

export class ShapeError extends Error {
  constructor(
    readonly path: JsonPath,
    message: string,
  ) {
    super(message);
    this.name = 'ShapeError';
  }
}

/** Runs a parser; a ShapeError becomes `{ ok: false, problem }`, anything else is a bug. */
export function shaped(parse: () => ParsedFindings): FindingsParse {
  try {
    return { ok: true, value: parse() };
  } catch (err) {
    if (err instanceof ShapeError) {
      const problem: ShapeProblem = { path: err.path, message: err.message };
      return { ok: false, problem };
    }
    throw err;
  }
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

export function object(v: unknown, path: JsonPath): JsonObject {
  if (isObject(v)) return v;
  throw new ShapeError(path, `${describe(path)} must be an object, not ${typeName(v)}`);
}

/** An array; absent or null (Go's nil slice) is an empty one. */
export function list(v: unknown, path: JsonPath): unknown[] {
  if (v === undefined || v === null) return [];
  if (Array.isArray(v)) return v;
  throw new ShapeError(path, `${describe(path)} must be an array, not ${typeName(v)}`);
}

export function text(v: unknown, path: JsonPath): string {
  if (typeof v === 'string' && v.trim() !== '') return v.trim();
  throw new ShapeError(
    path,
    `${describe(path)} must be a non-empty string, not ${typeof v === 'string' ? 'an empty one' : typeName(v)}`,
  );
}

/** A string; absent, null or empty is null. */
export function optionalText(v: unknown, path: JsonPath): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.trim() === '' ? null : v.trim();
  throw new ShapeError(path, `${describe(path)} must be a string, not ${typeName(v)}`);
}

/** `Results[0].Vulnerabilities[3].PkgName` */
export function describe(path: JsonPath): string {
  if (path.length === 0) return 'the file';
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`))
    .join('')
    .replace(/^\./, '');
}
