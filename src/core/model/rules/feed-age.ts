import path from 'node:path';
import { DateTime } from 'luxon';
import { durationToMillis, parseDuration } from '../../schedule/duration.js';
import type { SyncedFeed } from '../../vuln/feeds/sync-manifest.js';
import type { Diagnostic } from '../diagnostics.js';
import { CONFIG_DEFAULTS, configSpec } from '../repository.js';
import type { Rule } from './rule.js';

const REFRESH = 'refresh it with `patchctl advisories sync` (docs/vulnerabilities.md)';

/**
 * Stale feeds patch by yesterday's risk without a word: a KEV catalogue from last month misses
 * the CVEs exploited since. `validate` warns when a feed is older than Config
 * `advisories.maxAge` (default CONFIG_DEFAULTS.advisoriesMaxAge) at `--at`:
 * - a feed the sync manifest (advisories/sync.json) lists is as old as its `fetchedAt`;
 * - any other KEV catalogue by its `dateReleased`, an EPSS file by its `score_date` (KEV's CSV
 *   form states no date, and OSV records placed by hand have no age patchctl could judge);
 * and when a file the manifest lists is no longer what was fetched (edited by hand since: its
 * sha256 differs) or is gone.
 */
export const feedAge: Rule = (repo, ctx) => {
  if (ctx.feeds === undefined) return []; // feeds not checked (a rule run alone)
  const spec = configSpec(repo);
  const maxAgeText = spec.advisories?.maxAge ?? CONFIG_DEFAULTS.advisoriesMaxAge;
  const maxAge = parseDuration(maxAgeText);
  if (!maxAge.ok) return []; // reported by the durations rule
  const maxMs = durationToMillis(maxAge.value);
  const configured = spec.paths?.advisories ?? CONFIG_DEFAULTS.paths.advisories;
  const base = path.posix.normalize(configured.replace(/\\/g, '/')).replace(/\/+$/, '');
  const inRepo = (name: string) => (base === '.' || base === '' ? name : `${base}/${name}`);
  const out: Diagnostic[] = [];
  const old = (file: string, what: string, date: string) => {
    const when = DateTime.fromISO(date, { setZone: true });
    if (!when.isValid) return;
    const ageMs = ctx.at.toMillis() - when.toMillis();
    if (ageMs <= maxMs) return;
    out.push({
      severity: 'warning',
      code: 'feed-too-old',
      message: `${what} ${when.toUTC().toISODate() ?? date}, ${age(ageMs)} ago: older than advisories.maxAge (${maxAgeText}); ${REFRESH}`,
      at: { file, line: 1, col: 1 },
    });
  };

  const byFile = new Map(ctx.feeds.map((f) => [f.file, f] as const));
  const covered = new Set<string>();
  for (const manifest of ctx.feeds.filter((f) => f.sync)) {
    for (const entry of manifest.sync?.feeds ?? []) {
      const target = inRepo(entry.path);
      const files = ctx.feeds.filter((f) => f.file === target || f.file.startsWith(`${target}/`));
      files.forEach((f) => covered.add(f.file));
      const present = [...ctx.advisoryFiles].some(
        (n) => inRepo(n) === target || inRepo(n).startsWith(`${target}/`),
      );
      const feed = byFile.get(target);
      // A file is warned about where it is; a folder (OSV) at the manifest.
      const at = feed || files.length === 0 ? target : manifest.file;
      if (!present) {
        out.push({
          severity: 'warning',
          code: 'feed-missing',
          message: `${manifest.file} lists feed "${entry.name}" at ${target}, but nothing is there; ${REFRESH}`,
          at: { file: manifest.file, line: 1, col: 1 },
        });
        continue;
      }
      old(at, `feed "${entry.name}" (${target}) was fetched`, entry.fetchedAt);
      const expected = expectedSha256(entry);
      if (feed?.sha256 !== undefined && expected !== undefined && feed.sha256 !== expected) {
        out.push({
          severity: 'warning',
          code: 'feed-modified',
          message: `${target} is not the file \`patchctl advisories sync\` fetched (its sha256 differs from ${manifest.file}): it was edited by hand since; ${REFRESH}, or take it out of the manifest`,
          at: { file: target, line: 1, col: 1 },
        });
      }
    }
  }
  for (const f of ctx.feeds) {
    if (covered.has(f.file)) continue;
    const version = f.kev?.catalogVersion ? ` ${f.kev.catalogVersion}` : '';
    if (f.kev?.dateReleased) old(f.file, `KEV catalogue${version} was released`, f.kev.dateReleased);
    if (f.epss?.scoreDate) old(f.file, 'EPSS scores are dated', f.epss.scoreDate);
  }
  return out;
};

/** The sha256 the file at `path` must have: the download's, unless it was unpacked. */
function expectedSha256(entry: SyncedFeed): string | undefined {
  if (entry.fileSha256) return entry.fileSha256;
  let pathname = entry.url;
  try {
    pathname = new URL(entry.url).pathname;
  } catch {
    // the schema checks it is a URI; keep the text
  }
  return /\.(gz|zip|bz2|xz|zst)$/i.test(pathname) ? undefined : entry.sha256;
}

function age(ms: number): string {
  const hours = Math.floor(ms / 3_600_000);
  if (hours < 48) return `${hours} hours`;
  return `${Math.floor(hours / 24)} days`;
}
