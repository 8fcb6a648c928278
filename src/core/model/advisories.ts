// Offline vulnerability feeds under advisories/: CISA KEV catalogues and OSV records. They
// decide which updates take the emergency track, so a malformed one must fail validate
// rather than silently turn the track off.
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Diagnostic, SourcePos } from './diagnostics.js';
import { parseJsonStrict } from './strict-json.js';
import { parseYamlFile } from './parse.js';
import { describePath, pointerToPath } from './validate.js';

export interface FeedSchemas {
  kev: ValidateFunction;
  osv: ValidateFunction;
}

export type FeedKind = 'kev' | 'osv' | 'unknown';

export interface CheckedFeed {
  file: string;
  kind: FeedKind;
  /** Advisory ids the feed lists (KEV cveIDs; an OSV record's id and aliases). */
  ids: string[];
}

const MAX_REPORTED = 20;
/** Keywords whose failure is explained by other errors (or, for `contains`, by lintOsv). */
const WRAPPERS = new Set(['if', 'then', 'else', 'anyOf', 'oneOf', 'allOf', 'not', 'contains']);

export function checkAdvisoryFile(
  file: string,
  text: string,
  schemas: FeedSchemas,
): { feed?: CheckedFeed; diagnostics: Diagnostic[] } {
  const parsed = parseJsonStrict(file, text);
  if (!parsed.ok) return { diagnostics: [parsed.diagnostic] };
  const value = parsed.value;
  // Positions are only needed when something is wrong: parse again with positions then.
  let locator: ((path: (string | number)[]) => SourcePos) | undefined;
  const locate = (path: (string | number)[]): SourcePos => {
    if (!locator) {
      const doc = parseYamlFile(file, text).documents[0];
      locator = doc ? (p) => doc.locate(p) : () => ({ file, line: 1, col: 1 });
    }
    return locator(path);
  };
  const kind = feedKind(value);
  if (kind === 'unknown') {
    return {
      diagnostics: [
        {
          severity: 'warning',
          code: 'unknown-advisory-format',
          message: 'not a CISA KEV catalogue nor an OSV record; patchctl ignores it',
          at: { file, line: 1, col: 1 },
        },
      ],
    };
  }
  const validate = schemas[kind];
  const diagnostics: Diagnostic[] = [];
  if (!validate(value)) {
    const causes = (validate.errors ?? []).filter((e) => !WRAPPERS.has(e.keyword) && !underContains(e));
    for (const e of causes.slice(0, MAX_REPORTED)) diagnostics.push(schemaError(kind, e, locate));
  }
  if (kind === 'osv') diagnostics.push(...lintOsv(value as OsvRecord, locate));
  return { feed: { file, kind, ids: feedIds(kind, value) }, diagnostics };
}

/**
 * An error of a `contains` subschema is about one item that did not match, which is normal as
 * long as another item does: only the `contains` itself (explained by lintOsv) is a problem.
 */
export function underContains(e: ErrorObject): boolean {
  const segments = e.schemaPath.split('/');
  return segments.some(
    (s, i) => s === 'contains' && i < segments.length - 1 && segments[i - 1] !== 'properties',
  );
}

function feedKind(value: unknown): FeedKind {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'unknown';
  const v = value as Record<string, unknown>;
  if (Array.isArray(v.vulnerabilities) && 'catalogVersion' in v) return 'kev';
  if (typeof v.id === 'string' && 'modified' in v) return 'osv';
  return 'unknown';
}

interface OsvRecord {
  id: string;
  aliases?: string[];
  affected?: { ranges?: { type?: string; events?: Record<string, string>[] }[] }[];
}

/** The OSV linter's checks that need no network: every range says where it was introduced. */
function lintOsv(record: OsvRecord, locate: (path: (string | number)[]) => SourcePos): Diagnostic[] {
  const out: Diagnostic[] = [];
  record.affected?.forEach((a, i) =>
    a.ranges?.forEach((r, j) => {
      if (!Array.isArray(r.events)) return;
      if (!r.events.some((e) => e && typeof e === 'object' && 'introduced' in e)) {
        out.push({
          severity: 'error',
          code: 'osv-no-introduced',
          message: `affected[${i}].ranges[${j}] has no "introduced" event, so no version is known to be affected`,
          at: locate(['affected', i, 'ranges', j, 'events']),
        });
      }
    }),
  );
  return out;
}

function feedIds(kind: FeedKind, value: unknown): string[] {
  if (kind === 'kev') {
    const list = (value as { vulnerabilities: { cveID?: unknown }[] }).vulnerabilities;
    return list.flatMap((v) => (typeof v?.cveID === 'string' ? [v.cveID] : []));
  }
  if (kind === 'osv') {
    const r = value as OsvRecord;
    return [r.id, ...(Array.isArray(r.aliases) ? r.aliases.filter((a) => typeof a === 'string') : [])];
  }
  return [];
}

function schemaError(
  kind: FeedKind,
  e: ErrorObject,
  locate: (path: (string | number)[]) => SourcePos,
): Diagnostic {
  const path = pointerToPath(e.instancePath);
  const extra =
    e.keyword === 'additionalProperties'
      ? ` "${(e.params as { additionalProperty: string }).additionalProperty}"`
      : '';
  return {
    severity: 'error',
    code: `invalid-${kind}`,
    message: `${describePath(path)} ${e.message ?? 'is invalid'}${extra} (${kind === 'kev' ? 'CISA KEV' : 'OSV'} schema)`,
    at: locate(path),
  };
}
