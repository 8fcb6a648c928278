// One OSV record (https://ossf.github.io/osv-schema/) as patchctl reads it: the advisory id, its CVEs,
// the vendor's rating on patchctl's scale and the affected packages (docs/vulnerabilities.md, "OSV").
// Pure: the caller has parsed the file (strict JSON) and checked it against the OSV schema.
import type { Severity } from '../../model/types.js';
import type { Advisory, AffectedPackage, OsvEvent, OsvRange } from '../types.js';
import { cvssV3BaseScore, severityOfCvssScore } from './cvss.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const stringOf = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const stringsOf = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];

const CVE = /^CVE-\d{4}-\d{4,}$/;

/**
 * The record as an Advisory; undefined when `value` is not an OSV record (no string `id` and
 * `modified`, the two fields the schema requires, or `affected` that is not a list).
 *
 * - CVEs: the CVE ids among `aliases`, `upstream` and `related` (AlmaLinux and SUSE put them in
 *   `related`, Ubuntu's USN in `upstream`), upper-cased, deduplicated and sorted. Other ids
 *   there (USN-…, UBUNTU-CVE-…, GHSA-…) are not CVEs and are left out.
 * - Severity: the first of these that names a rating (see severityOfRecord).
 * - Affected: entries without a package are skipped (nothing to match); range types other than
 *   ECOSYSTEM, SEMVER and GIT are dropped. Only ECOSYSTEM ranges are used for matching. A
 *   withdrawn record (`withdrawn` set) has no affected entries: it matches nothing.
 */
export function advisoryFromOsv(file: string, value: unknown): Advisory | undefined {
  if (!isObject(value)) return undefined;
  const id = stringOf(value.id);
  const modified = stringOf(value.modified);
  if (id === null || id === '' || modified === null) return undefined;
  if (value.affected !== undefined && !Array.isArray(value.affected)) return undefined;
  const affectedRaw = Array.isArray(value.affected) ? value.affected.filter(isObject) : [];

  const cves = [
    ...new Set(
      [...stringsOf(value.aliases), ...stringsOf(value.upstream), ...stringsOf(value.related)]
        .map((x) => x.trim().toUpperCase())
        .filter((x) => CVE.test(x)),
    ),
  ].sort();

  // A withdrawn record (`withdrawn`: when it was withdrawn) stays an OSV record but matches nothing.
  const withdrawn = typeof value.withdrawn === 'string';
  const affected: AffectedPackage[] = [];
  for (const a of withdrawn ? [] : affectedRaw) {
    const entry = affectedPackageOf(a);
    if (entry !== undefined) affected.push(entry);
  }

  return {
    file,
    id,
    cves,
    severity: severityOfRecord(id, value, affectedRaw),
    published: stringOf(value.published),
    modified,
    summary: stringOf(value.summary),
    affected,
  };
}

function affectedPackageOf(a: Json): AffectedPackage | undefined {
  if (!isObject(a.package)) return undefined;
  const ecosystem = stringOf(a.package.ecosystem);
  const name = stringOf(a.package.name);
  if (ecosystem === null || name === null || ecosystem === '' || name === '') return undefined;
  const ranges: OsvRange[] = [];
  for (const r of Array.isArray(a.ranges) ? a.ranges : []) {
    if (!isObject(r)) continue;
    const type = r.type;
    if (type !== 'ECOSYSTEM' && type !== 'SEMVER' && type !== 'GIT') continue;
    const events: OsvEvent[] = [];
    for (const e of Array.isArray(r.events) ? r.events : []) {
      const event = eventOf(e);
      if (event !== undefined) events.push(event);
    }
    ranges.push({ type, events });
  }
  const entry: AffectedPackage = { ecosystem, name, ranges, versions: stringsOf(a.versions) };
  const binaries = binariesOf(a.ecosystem_specific);
  if (binaries.length > 0) entry.binaries = binaries;
  return entry;
}

function eventOf(e: unknown): OsvEvent | undefined {
  if (!isObject(e)) return undefined;
  if (typeof e.introduced === 'string') return { introduced: e.introduced };
  if (typeof e.fixed === 'string') return { fixed: e.fixed };
  if (typeof e.last_affected === 'string') return { last_affected: e.last_affected };
  if (typeof e.limit === 'string') return { limit: e.limit };
  return undefined;
}

/**
 * `ecosystem_specific.binaries`: Ubuntu writes `[{binary_name, binary_version}]`, SUSE
 * `[{"<binary>": "<version>", …}]`. Sorted, deduplicated names.
 */
function binariesOf(specific: unknown): string[] {
  if (!isObject(specific) || !Array.isArray(specific.binaries)) return [];
  const names = new Set<string>();
  for (const b of specific.binaries) {
    if (!isObject(b)) continue;
    if (typeof b.binary_name === 'string') names.add(b.binary_name);
    else for (const key of Object.keys(b)) names.add(key);
  }
  return [...names].sort();
}

// ---------------------------------------------------------------- severity

/** Vendor words for a rating, lower-case: GHSA, Red Hat, SUSE, Ubuntu priorities, Debian urgencies. */
const WORDS: Readonly<Record<string, Severity | null>> = {
  critical: 'critical',
  high: 'high',
  important: 'high',
  medium: 'medium',
  moderate: 'medium',
  low: 'low',
  // Ubuntu's lowest priority; Debian's "unimportant" (trivy-db maps it to LOW too).
  negligible: 'low',
  unimportant: 'low',
  // No rating: Debian "not yet assigned" and end-of-life, Ubuntu "untriaged", Red Hat "None".
  'not yet assigned': null,
  'end-of-life': null,
  untriaged: null,
  unknown: null,
  none: null,
};

/** A vendor word on patchctl's scale; Debian's `low*`/`low**` variants count as low. */
export function severityFromWord(word: string): Severity | null {
  const w = word.trim().toLowerCase().replace(/\*+$/, '').trim();
  return WORDS[w] ?? null;
}

/** Families whose summary starts with the Red Hat rating: "Important: kernel security update". */
const RATED_SUMMARY_IDS = /^(?:RHSA|RHBA|RHEA|ALSA|ALBA|ALEA|RLSA|RLBA|RLEA|RXSA|SUSE-|OPENSUSE-)/i;
const SUMMARY_RATING = /^(Critical|Important|Moderate|Low):/;

/**
 * The record's rating, from the first source that names one:
 * 1. top-level `database_specific.severity`, then each affected entry's;
 * 2. an affected entry's `ecosystem_specific.ubuntu_priority` or `.urgency` (Debian tracker
 *    urgencies: unimportant → low; "not yet assigned" and end-of-life → no rating) — the highest
 *    among the entries;
 * 3. `severity[]`: a `Ubuntu` entry's word, else the highest CVSS v3 base score computed from a
 *    CVSS_V3 vector (CVSS v4 vectors are not scored: no rating from them);
 * 4. for Red Hat-style ids (RHSA, ALSA, RLSA, SUSE, …) the summary prefix
 *    Critical:/Important:/Moderate:/Low: (Important → high, Moderate → medium).
 * null when none does.
 */
export function severityOfRecord(id: string, record: Json, affected: readonly Json[]): Severity | null {
  const fromDb = [record, ...affected]
    .map((x) => (isObject(x.database_specific) ? stringOf(x.database_specific.severity) : null))
    .map((w) => (w === null ? null : severityFromWord(w)))
    .find((s) => s !== null);
  if (fromDb !== undefined) return fromDb;

  const fromEcosystem = highest(
    affected.flatMap((a) => {
      if (!isObject(a.ecosystem_specific)) return [];
      const es = a.ecosystem_specific;
      const word = stringOf(es.ubuntu_priority) ?? stringOf(es.urgency);
      return word === null ? [] : [severityFromWord(word)];
    }),
  );
  if (fromEcosystem !== null) return fromEcosystem;

  const entries = Array.isArray(record.severity) ? record.severity.filter(isObject) : [];
  const ubuntu = highest(
    entries.filter((e) => e.type === 'Ubuntu').map((e) => severityFromWord(stringOf(e.score) ?? '')),
  );
  if (ubuntu !== null) return ubuntu;
  const cvss = highest(
    entries
      .filter((e) => e.type === 'CVSS_V3')
      .map((e) => {
        const score = cvssV3BaseScore(stringOf(e.score) ?? '');
        return score === null ? null : severityOfCvssScore(score);
      }),
  );
  if (cvss !== null) return cvss;

  if (RATED_SUMMARY_IDS.test(id)) {
    const word = SUMMARY_RATING.exec(stringOf(record.summary) ?? '')?.[1];
    if (word !== undefined) return severityFromWord(word);
  }
  return null;
}

const RANK: Readonly<Record<Severity, number>> = { critical: 4, high: 3, medium: 2, low: 1 };

/** The most severe of the ratings, null when none is given. */
export function highest(ratings: readonly (Severity | null | undefined)[]): Severity | null {
  let best: Severity | null = null;
  for (const r of ratings) if (r != null && (best === null || RANK[r] > RANK[best])) best = r;
  return best;
}
