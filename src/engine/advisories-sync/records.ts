// Every record of a downloaded feed is checked before anything is written: the CISA KEV
// catalogue, the EPSS rows and each OSV record through the check `validate` uses
// (core/model/advisories.ts), as validate reads them. One bad record refuses the whole feed, named
// by its file, line and column (docs/vulnerabilities.md, "Syncing the feeds").
import type { FeedSchemas } from '../../core/model/advisories.js';
import { checkAdvisoryFile } from '../../core/model/advisories.js';
import type { Diagnostic } from '../../core/model/diagnostics.js';
import { formatDiagnostic } from '../../core/model/diagnostics.js';
import { parseJsonStrict } from '../../core/model/strict-json.js';
import { ecosystemWanted } from './sources.js';
import { FeedFailure } from './feed-failure.js';

/** Diagnostics shown when a record is refused (the rest are counted). */
const SHOWN = 5;

function refuse(what: string, errors: readonly Diagnostic[]): FeedFailure {
  const shown = errors.slice(0, SHOWN).map(formatDiagnostic);
  const more = errors.length > SHOWN ? [`… and ${errors.length - SHOWN} more`] : [];
  return new FeedFailure(`${what}:\n${[...shown, ...more].map((l) => `  ${l}`).join('\n')}`);
}

/** The number of entries of a CISA KEV JSON catalogue; FeedFailure when it is not a valid one. */
export function checkKevText(label: string, text: string, schemas: FeedSchemas): number {
  if (/^cveID,vendorProject,/.test(text))
    throw new FeedFailure(
      `${label} is the CSV form of the KEV catalogue; advisories sync takes the JSON form (known_exploited_vulnerabilities.json)`,
    );
  const { feed, diagnostics } = checkAdvisoryFile(label, text, schemas);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw refuse(`${label} is not a valid CISA KEV catalogue`, errors);
  if (feed?.kind !== 'kev' || feed.kev === undefined)
    throw new FeedFailure(`${label} is not a CISA KEV catalogue (no "catalogVersion" and "vulnerabilities")`);
  return feed.kev.entries.size;
}

/** The number of scores of a FIRST EPSS CSV; FeedFailure when it is not a valid one. */
export function checkEpssText(label: string, text: string, schemas: FeedSchemas): number {
  const { feed, diagnostics } = checkAdvisoryFile(label, text, schemas);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw refuse(`${label} is not a valid EPSS score list`, errors);
  if (feed?.kind !== 'epss' || feed.epss === undefined)
    throw new FeedFailure(
      `${label} is not an EPSS score list (its first line is neither "#model_version:…" nor "cve,epss,percentile")`,
    );
  if (feed.epss.scores.size === 0) throw new FeedFailure(`${label} holds no scores`);
  return feed.epss.scores.size;
}

/** An OSV record to write: its file name in the feed's folder and its bytes. */
export interface OsvFile {
  name: string;
  id: string;
  bytes: Buffer;
}

/**
 * One zip entry of an OSV feed: the record to write, or undefined when it is not a `.json`
 * entry or none of its packages is in `ecosystems`. Every kept record passes the OSV schema
 * check; one that fails refuses the whole feed.
 */
export function osvRecord(
  label: string,
  text: string,
  bytes: Buffer,
  schemas: FeedSchemas,
  ecosystems: readonly string[] | undefined,
): OsvFile | undefined {
  const parsed = parseJsonStrict(label, text);
  if (!parsed.ok) throw refuse(`record ${label} is not valid JSON`, [parsed.diagnostic]);
  const value = parsed.value as { id?: unknown; affected?: unknown };
  if (ecosystems !== undefined && ecosystems.length > 0) {
    const names = Array.isArray(value?.affected)
      ? value.affected.flatMap((a: unknown) => {
          const e = (a as { package?: { ecosystem?: unknown } } | null)?.package?.ecosystem;
          return typeof e === 'string' ? [e] : [];
        })
      : [];
    if (!names.some((e) => ecosystemWanted(e, ecosystems))) return undefined;
  }
  const { feed, diagnostics } = checkAdvisoryFile(label, text, schemas);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw refuse(`record ${label} is not a valid OSV record`, errors);
  if (feed?.kind !== 'osv' || feed.refused === true || typeof value.id !== 'string')
    throw new FeedFailure(`record ${label} is not an OSV record (no "id" and "modified")`);
  return { name: `${osvFileStem(value.id)}.json`, id: value.id, bytes };
}

/**
 * A record id as a file name: letters, digits, `.`, `_` and `-` kept, anything else `_`
 * (`ALSA-2025:11533` → `ALSA-2025_11533`), never starting with a dot, at most 200 characters.
 */
export function osvFileStem(id: string): string {
  const stem = id
    .replace(/[^A-Za-z0-9._-]/g, '_')
    .replace(/^\.+/, '_')
    .slice(0, 200);
  return stem === '' ? '_' : stem;
}
