// Which feeds `patchctl advisories sync` downloads and where each lands under advisories/
// (docs/vulnerabilities.md, "Syncing the feeds"). Pure: no I/O.
import type { FeedSource } from '../../core/model/types.js';
import { closest } from '../../core/model/suggest.js';
import { ecosystemKeyOf } from '../../core/vuln/ecosystem.js';
import { SYNC_MANIFEST_FILE } from '../../core/vuln/feeds/sync-manifest.js';

/** CISA's Known Exploited Vulnerabilities catalogue, JSON form. */
export const DEFAULT_KEV_URL =
  'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json';
/** FIRST's EPSS scores of the day (served by Empirical Security for FIRST; redirects to the dated file). */
export const DEFAULT_EPSS_URL = 'https://epss.empiricalsecurity.com/epss_scores-current.csv.gz';
/** osv.dev's public bucket: `<Ecosystem>/all.zip` holds every record of an ecosystem. */
export const OSV_BUCKET_URL = 'https://osv-vulnerabilities.storage.googleapis.com';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/**
 * The feeds synced when Config sets no `spec.advisories.sources`: KEV, EPSS, and one OSV feed per
 * base ecosystem of the given OSV ecosystems (`Debian:12`, `Debian:11` → `osv-debian`, the
 * `Debian/all.zip` kept to those two).
 */
export function defaultFeedSources(ecosystems: readonly string[]): FeedSource[] {
  const out: FeedSource[] = [
    { name: 'kev', kind: 'kev', url: DEFAULT_KEV_URL },
    { name: 'epss', kind: 'epss', url: DEFAULT_EPSS_URL },
  ];
  const byBase = new Map<string, Set<string>>();
  for (const e of ecosystems) {
    const base = e.split(':')[0] ?? e;
    if (base === '') continue;
    const set = byBase.get(base) ?? new Set<string>();
    set.add(e);
    byBase.set(base, set);
  }
  for (const [base, set] of [...byBase].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    out.push({
      name: `osv-${base.toLowerCase().replace(/[^a-z0-9._-]+/g, '-')}`,
      kind: 'osv',
      url: `${OSV_BUCKET_URL}/${encodeURIComponent(base)}/all.zip`,
      ecosystems: [...set].sort(),
    });
  }
  return out;
}

/** Where a feed is written, relative to advisories/ (a file, or a folder for OSV). */
export function feedPath(source: Pick<FeedSource, 'name' | 'kind'>): string {
  switch (source.kind) {
    case 'kev':
      return `${source.name}.json`;
    case 'epss':
      return `${source.name}.csv`;
    case 'osv':
      return `osv/${source.name}`;
  }
}

/** What is wrong with a list of sources as a whole (names, collisions); empty when nothing. */
export function sourcesProblems(sources: readonly FeedSource[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const s of sources) {
    if (!NAME.test(s.name)) problems.push(`feed name ${JSON.stringify(s.name)} is not a valid name`);
    if (seen.has(s.name))
      problems.push(`two feeds are named ${JSON.stringify(s.name)}: each needs its own name`);
    seen.add(s.name);
    if (feedPath(s) === SYNC_MANIFEST_FILE)
      problems.push(
        `feed ${JSON.stringify(s.name)} would be written over ${SYNC_MANIFEST_FILE}, the sync manifest: rename it`,
      );
  }
  return problems;
}

/** The sources named by `--feed` (all of them without it), or the names that are unknown. */
export function selectFeeds(
  sources: readonly FeedSource[],
  names: readonly string[] | undefined,
): { ok: true; feeds: FeedSource[] } | { ok: false; problems: string[] } {
  if (names === undefined || names.length === 0) return { ok: true, feeds: [...sources] };
  const known = sources.map((s) => s.name);
  const problems: string[] = [];
  for (const n of names) {
    if (known.includes(n)) continue;
    const near = closest(n, known);
    problems.push(
      `no feed is named ${JSON.stringify(n)}${near === undefined ? '' : ` (did you mean ${JSON.stringify(near)}?)`}; the feeds are: ${known.join(', ') || '(none)'}`,
    );
  }
  if (problems.length > 0) return { ok: false, problems };
  const wanted = new Set(names);
  return { ok: true, feeds: sources.filter((s) => wanted.has(s.name)) };
}

/**
 * Whether an OSV record's ecosystem is one `wanted` keeps: one listed, a sub-ecosystem of one
 * (`Debian` keeps `Debian:12`, `Ubuntu:22.04` keeps `Ubuntu:22.04:LTS`), or the same release in
 * another spelling as matching reads it (core/vuln/ecosystem.ts ecosystemKeyOf: `Red Hat:9`
 * keeps `Red Hat:enterprise_linux:9::baseos`).
 */
export function ecosystemWanted(ecosystem: string, wanted: readonly string[]): boolean {
  if (wanted.some((w) => ecosystem === w || ecosystem.startsWith(`${w}:`))) return true;
  const key = ecosystemKeyOf(ecosystem);
  return key !== undefined && wanted.some((w) => w === key || ecosystemKeyOf(w) === key);
}
