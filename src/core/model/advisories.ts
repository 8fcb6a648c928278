// Offline vulnerability feeds under advisories/ (docs/vulnerabilities.md), recognised by their
// content: CISA KEV catalogues (JSON or CSV), FIRST EPSS scores (CSV), OSV records, scanner
// findings (`patchctl import findings`) and the `patchctl advisories sync` manifest. They decide
// which updates take the emergency track and which tier they get, so a malformed one must fail
// validate rather than silently turn the track off, and a CSV with a bad row is not used at all.
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { Advisory, EpssScores, FindingsFile, KevCatalog } from '../vuln/types.js';
import { parseEpssCsv, isEpssCsv } from '../vuln/feeds/epss.js';
import { isKevCsv, kevFromJson, parseKevCsv } from '../vuln/feeds/kev.js';
import { advisoryFromOsv } from '../vuln/feeds/osv.js';
import type { SyncManifest } from '../vuln/feeds/sync-manifest.js';
import { SYNC_MANIFEST_KIND } from '../vuln/feeds/sync-manifest.js';
import type { Diagnostic, SourcePos } from './diagnostics.js';
import { parseJsonStrict } from './strict-json.js';
import { parseYamlFile } from './parse.js';
import { describePath, pointerToPath } from './validate.js';

export interface FeedSchemas {
  kev: ValidateFunction;
  osv: ValidateFunction;
  /** schemas/findings.schema.json; without it a findings file is not checked (a bare compile). */
  findings?: ValidateFunction;
  /** schemas/advisories-sync.schema.json, likewise. */
  sync?: ValidateFunction;
}

export type FeedKind = 'kev' | 'epss' | 'osv' | 'findings' | 'sync' | 'unknown';

export interface CheckedFeed {
  file: string;
  kind: FeedKind;
  /**
   * Advisory ids the feed lists, for the emergency track: KEV cveIDs; an OSV record's id and
   * aliases. EPSS scores, findings and the sync manifest list none.
   */
  ids: string[];
  /** sha256 of the file's bytes, when the caller knows it (the sync manifest's checksum check). */
  sha256?: string;
  /** Set when the file has errors: none of its content is used (the parsed payload is absent). */
  refused?: true;
  kev?: KevCatalog;
  epss?: EpssScores;
  osv?: Advisory;
  findings?: FindingsFile;
  sync?: SyncManifest;
}

const MAX_REPORTED = 20;
/** Keywords whose failure is explained by other errors (or, for `contains`, by lintOsv). */
const WRAPPERS = new Set(['if', 'then', 'else', 'anyOf', 'oneOf', 'allOf', 'not', 'contains']);

/**
 * Checks one file under advisories/ and parses it into the feed it is. `sha256` (of its bytes)
 * is kept on the feed for the sync manifest's checksum check. A CSV that is neither KEV nor
 * EPSS gives no feed and no diagnostic: the emergencyFeeds rule says it is not read.
 */
export function checkAdvisoryFile(
  file: string,
  text: string,
  schemas: FeedSchemas,
  sha256?: string,
): { feed?: CheckedFeed; diagnostics: Diagnostic[] } {
  const json = /\.json$/i.test(file) || isJsonText(text);
  const r = json ? checkJsonFeed(file, text, schemas) : checkCsvFeed(file, text);
  if (r.feed && sha256 !== undefined) r.feed.sha256 = sha256;
  return r;
}

/** A `.json` file is JSON; so is any other that starts with an object or array (CSV feeds start with a header or a `#` line). */
function isJsonText(text: string): boolean {
  return /^[\uFEFF\s]*[{[]/.test(text);
}

function checkCsvFeed(file: string, text: string): { feed?: CheckedFeed; diagnostics: Diagnostic[] } {
  if (isKevCsv(text)) {
    const { catalog, diagnostics } = parseKevCsv(file, text);
    const feed: CheckedFeed = catalog
      ? { file, kind: 'kev', ids: [...catalog.entries.keys()], kev: catalog }
      : { file, kind: 'kev', ids: [], refused: true };
    return { feed, diagnostics };
  }
  if (isEpssCsv(text)) {
    const { scores, diagnostics } = parseEpssCsv(file, text);
    const feed: CheckedFeed = scores
      ? { file, kind: 'epss', ids: [], epss: scores }
      : { file, kind: 'epss', ids: [], refused: true };
    return { feed, diagnostics };
  }
  return { diagnostics: [] };
}

function checkJsonFeed(
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
          message:
            'not a CISA KEV catalogue, an OSV record, a findings file (kind patchctl-findings) nor the sync manifest (kind patchctl-advisories-sync); patchctl ignores it',
          at: { file, line: 1, col: 1 },
        },
      ],
    };
  }
  const validate = schemaOf(kind, schemas);
  const diagnostics: Diagnostic[] = [];
  if (validate && !validate(value)) {
    const causes = (validate.errors ?? []).filter((e) => !WRAPPERS.has(e.keyword) && !underContains(e));
    for (const e of causes.slice(0, MAX_REPORTED)) diagnostics.push(schemaError(kind, e, locate));
  }
  if (kind === 'osv') diagnostics.push(...lintOsv(value as OsvRecord, locate));
  if (kind === 'findings') diagnostics.push(...findingsFileName(file, value, locate));
  const feed: CheckedFeed = { file, kind, ids: feedIds(kind, value) };
  if (diagnostics.some((d) => d.severity === 'error'))
    return { feed: { ...feed, refused: true }, diagnostics };
  if (kind === 'kev') feed.kev = kevFromJson(file, value);
  if (kind === 'findings') feed.findings = value as FindingsFile;
  if (kind === 'sync') feed.sync = value as SyncManifest;
  if (kind === 'osv') {
    const advisory = advisoryFromOsv(file, value);
    if (advisory) feed.osv = advisory;
  }
  return { feed, diagnostics };
}

function schemaOf(
  kind: Exclude<FeedKind, 'unknown' | 'epss'>,
  schemas: FeedSchemas,
): ValidateFunction | undefined {
  return schemas[kind];
}

/** A findings file is named after its host (`findings/<host>.json`), as state files are. */
function findingsFileName(
  file: string,
  value: unknown,
  locate: (path: (string | number)[]) => SourcePos,
): Diagnostic[] {
  const host = (value as { host?: unknown }).host;
  if (typeof host !== 'string') return [];
  const base = file.slice(file.lastIndexOf('/') + 1);
  if (base === `${host}.json`) return [];
  return [
    {
      severity: 'error',
      code: 'findings-host-mismatch',
      message: `the findings are about host "${host}" but the file is named ${base}; it must be findings/${host}.json (patchctl import findings writes it there)`,
      at: locate(['host']),
    },
  ];
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

function feedKind(value: unknown): Exclude<FeedKind, 'epss'> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return 'unknown';
  const v = value as Record<string, unknown>;
  if (v.kind === 'patchctl-findings') return 'findings';
  if (v.kind === SYNC_MANIFEST_KIND) return 'sync';
  if (Array.isArray(v.vulnerabilities) && 'catalogVersion' in v) return 'kev';
  if (typeof v.id === 'string' && 'modified' in v) return 'osv';
  return 'unknown';
}

interface OsvRecord {
  id: string;
  aliases?: string[];
  affected?: { ranges?: { type?: string; events?: Record<string, string>[] }[] }[];
}

/**
 * The OSV linter's checks that need no network (ossf/osv-schema tools/osv-linter, collection
 * "offline"): every range says where it was introduced (RNG:001), and no version is both where
 * a range starts and where it is fixed (RNG:002, "range-is-distinct": such a range is empty).
 */
function lintOsv(record: OsvRecord, locate: (path: (string | number)[]) => SourcePos): Diagnostic[] {
  const out: Diagnostic[] = [];
  record.affected?.forEach((a, i) =>
    a.ranges?.forEach((r, j) => {
      if (!Array.isArray(r.events)) return;
      const introduced = new Set(
        r.events.flatMap((e) =>
          e && typeof e === 'object' && typeof e.introduced === 'string' ? [e.introduced] : [],
        ),
      );
      r.events.forEach((e, k) => {
        if (!e || typeof e !== 'object' || typeof e.fixed !== 'string' || !introduced.has(e.fixed)) return;
        out.push({
          severity: 'error',
          code: 'osv-range-not-distinct',
          message: `affected[${i}].ranges[${j}] is fixed in ${JSON.stringify(e.fixed)}, where it is also introduced: the range is empty`,
          at: locate(['affected', i, 'ranges', j, 'events', k, 'fixed']),
        });
      });
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

const SCHEMA_NAMES: Record<FeedKind, string> = {
  kev: 'CISA KEV schema',
  epss: 'EPSS',
  osv: 'OSV schema',
  findings: 'schemas/findings.schema.json',
  sync: 'schemas/advisories-sync.schema.json',
  unknown: 'schema',
};

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
    message: `${describePath(path)} ${e.message ?? 'is invalid'}${extra} (${SCHEMA_NAMES[kind]})`,
    at: locate(path),
  };
}
