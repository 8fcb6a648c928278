// `patchctl advisories sync`: downloads the vulnerability feeds into the repository's
// advisories/ folder (docs/vulnerabilities.md, "Syncing the feeds"). Each feed is downloaded,
// checked against its pinned or published sha256, decompressed within bounds and parsed record
// by record before anything is written; then it is put in place atomically and its entry of
// advisories/sync.json updated. A feed that fails leaves its old files and its old manifest
// entry exactly as they were; the other feeds go on.
import { createHash } from 'node:crypto';
import path from 'node:path';
import type { DateTime } from 'luxon';
import type { FeedSchemas } from '../core/model/advisories.js';
import type { Repository } from '../core/model/repository.js';
import { CONFIG_DEFAULTS } from '../core/model/repository.js';
import type { FeedKind, FeedSource } from '../core/model/types.js';
import type { SyncManifest, SyncedFeed } from '../core/vuln/feeds/sync-manifest.js';
import { SYNC_MANIFEST_FILE } from '../core/vuln/feeds/sync-manifest.js';
import { hostEcosystemOf } from '../core/vuln/ecosystem.js';
import { PatchctlError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../platform/atomic-write.js';
import { readTextSafeIfExists } from '../platform/safe-fs.js';
import { forEachZipEntry, isZip, maybeGunzip, utf8Text } from './advisories-sync/decode.js';
import { download, pickSha256, urlProblem } from './advisories-sync/download.js';
import { FeedFailure } from './advisories-sync/feed-failure.js';
import type { InstallOutcome } from './advisories-sync/install.js';
import { installFile, installFolder, recoverFolders } from './advisories-sync/install.js';
import { emptyManifest, manifestText, parseSyncManifest, withEntry } from './advisories-sync/manifest.js';
import { checkEpssText, checkKevText, osvRecord } from './advisories-sync/records.js';
import { defaultFeedSources, feedPath, selectFeeds, sourcesProblems } from './advisories-sync/sources.js';
import { loadObservedState } from './load-state.js';
import { bundledFeedSchemas } from './schemas.js';

/** Limits of one sync (docs/vulnerabilities.md): downloads, decompressed sizes, OSV entries. */
export const SYNC_LIMITS = {
  /** A feed as downloaded (compressed). */
  maxDownloadBytes: 512 * 1024 * 1024,
  /** An OSV zip, all records decompressed. */
  maxUncompressedBytes: 2 * 1024 * 1024 * 1024,
  /** A KEV catalogue or EPSS list decompressed (one text, bounded by what a string can hold). */
  maxTextBytes: 256 * 1024 * 1024,
  /** One OSV record (what `validate` reads of one file). */
  maxRecordBytes: 16 * 1024 * 1024,
  maxRecords: 2_000_000,
  /** A sha256sum file. */
  maxChecksumBytes: 1024 * 1024,
};

export type FeedStatus = 'updated' | 'unchanged' | 'failed';

export interface FeedResult {
  name: string;
  kind: FeedKind;
  url: string;
  /** Relative to advisories/. */
  path: string;
  status: FeedStatus;
  /** KEV entries, EPSS rows or OSV records (not for a failed feed). */
  records?: number;
  sha256?: string;
  bytes?: number;
  /** Why it failed. */
  error?: string;
}

export interface SyncOptions {
  /** The repository folder, absolute. */
  dir: string;
  repository: Pick<Repository, 'config'>;
  /** `--feed` names; all feeds when empty or absent. */
  feeds?: readonly string[];
  /** Per download (`--timeout`). */
  timeoutMs: number;
  /** Recorded as each feed's fetchedAt. */
  now: DateTime;
  /** OSV ecosystems of the scanned hosts, for the default OSV feeds (ignored with Config sources). */
  ecosystems?: readonly string[];
  /** Called with each feed's result as soon as it is known. */
  onResult?: (result: FeedResult) => void;
}

export interface SyncOutcome {
  /** The advisories folder, relative to the repository. */
  advisories: string;
  results: FeedResult[];
  /** What was tidied after an earlier interrupted sync. */
  recovered: string[];
}

/**
 * The OSV ecosystems of the hosts scanned so far (state/hosts), in both the spellings OSV
 * publishes and the release keys matching uses (core/vuln/ecosystem.ts), for the default OSV
 * feeds. A state file with errors is skipped here: validate reports it.
 */
export function scannedEcosystems(dir: string, repository: Repository): string[] {
  const { state } = loadObservedState(dir, repository, { feeds: [] });
  const out = new Set<string>();
  for (const host of state.hosts.values()) {
    const eco = hostEcosystemOf(host.os);
    for (const e of [...(eco?.osv ?? []), ...(eco?.keys ?? [])]) out.add(e);
  }
  return [...out].sort();
}

/** The feeds a repository syncs: Config `spec.advisories.sources`, else the defaults. */
export function configuredSources(
  repository: Pick<Repository, 'config'>,
  ecosystems: readonly string[] = [],
): FeedSource[] {
  return repository.config?.doc.spec.advisories?.sources ?? defaultFeedSources(ecosystems);
}

export async function syncAdvisories(options: SyncOptions): Promise<SyncOutcome> {
  const sources = configuredSources(options.repository, options.ecosystems);
  const problems = sourcesProblems(sources);
  if (problems.length > 0)
    throw new UsageError(`spec.advisories.sources in patchctl.yaml: ${problems.join('; ')}`, 3);
  const selected = selectFeeds(sources, options.feeds);
  if (!selected.ok) throw new UsageError(`--feed: ${selected.problems.join('; ')}`);

  const advisoriesRel =
    options.repository.config?.doc.spec.paths?.advisories ?? CONFIG_DEFAULTS.paths.advisories;
  const advisoriesDir = path.resolve(options.dir, advisoriesRel);
  const manifestFile = path.join(advisoriesDir, SYNC_MANIFEST_FILE);
  const manifestLabel = path.posix.join(advisoriesRel.replace(/\\/g, '/'), SYNC_MANIFEST_FILE);
  // Read before anything is downloaded: a manifest patchctl cannot read stops the sync here.
  const schemas = bundledFeedSchemas();
  let manifest = readManifest(manifestFile, manifestLabel, schemas);
  const recovered = recoverFolders(path.join(advisoriesDir, 'osv'));

  const fetchedAt = options.now.toUTC().toISO({ suppressMilliseconds: true }) ?? '';
  const results: FeedResult[] = [];
  for (const source of selected.feeds) {
    const rel = feedPath(source);
    const base: Pick<FeedResult, 'name' | 'kind' | 'url' | 'path'> = {
      name: source.name,
      kind: source.kind,
      url: source.url,
      path: rel,
    };
    let result: FeedResult;
    try {
      const synced = await syncFeed(source, path.join(advisoriesDir, rel), schemas, options.timeoutMs);
      const entry: SyncedFeed = {
        ...base,
        sha256: synced.sha256,
        ...(synced.fileSha256 === undefined ? {} : { fileSha256: synced.fileSha256 }),
        bytes: synced.bytes,
        fetchedAt,
        records: synced.records,
      };
      const next = withEntry(manifest, entry);
      writeFileAtomic(manifestFile, manifestText(next));
      manifest = next;
      result = {
        ...base,
        status: synced.outcome,
        records: synced.records,
        sha256: synced.sha256,
        bytes: synced.bytes,
      };
    } catch (err) {
      // The feed's own failure (network, content) or this machine's (disk): that feed only.
      if (!(err instanceof FeedFailure) && !(err instanceof PatchctlError)) throw err;
      result = { ...base, status: 'failed', error: err.message };
    }
    results.push(result);
    options.onResult?.(result);
  }
  return { advisories: advisoriesRel, results, recovered };
}

interface Synced {
  outcome: InstallOutcome;
  sha256: string;
  /** sha256 of the file written when it is not the download (a gunzipped feed). */
  fileSha256?: string;
  bytes: number;
  records: number;
}

async function syncFeed(
  source: FeedSource,
  target: string,
  schemas: FeedSchemas,
  timeoutMs: number,
): Promise<Synced> {
  const problem = urlProblem(source.url);
  if (problem !== undefined) throw new FeedFailure(problem);
  let expected = source.sha256;
  let expectedFrom = 'the sha256 in patchctl.yaml';
  if (expected === undefined && source.sha256Url !== undefined) {
    const sums = await download(source.sha256Url, { timeoutMs, maxBytes: SYNC_LIMITS.maxChecksumBytes });
    expected = pickSha256(utf8Text(sums.bytes, source.sha256Url), source.url, source.sha256Url);
    expectedFrom = source.sha256Url;
  }
  const got = await download(source.url, { timeoutMs, maxBytes: SYNC_LIMITS.maxDownloadBytes });
  if (expected !== undefined && expected.toLowerCase() !== got.sha256)
    throw new FeedFailure(
      `${source.url}: sha256 ${got.sha256} does not match ${expected.toLowerCase()} (from ${expectedFrom}); the download is not the published file`,
    );
  const label = fileLabel(got.url);
  const done = (outcome: InstallOutcome, records: number, written?: Buffer): Synced => ({
    outcome,
    sha256: got.sha256,
    ...(written === undefined || written === got.bytes
      ? {}
      : { fileSha256: createHash('sha256').update(written).digest('hex') }),
    bytes: got.bytes.length,
    records,
  });
  switch (source.kind) {
    case 'kev': {
      const bytes = maybeGunzip(got.bytes, SYNC_LIMITS.maxTextBytes, label);
      const records = checkKevText(label, utf8Text(bytes, label), schemas);
      return done(installFile(target, bytes), records, bytes);
    }
    case 'epss': {
      const bytes = maybeGunzip(got.bytes, SYNC_LIMITS.maxTextBytes, label);
      const records = checkEpssText(label, utf8Text(bytes, label), schemas);
      return done(installFile(target, bytes), records, bytes);
    }
    case 'osv': {
      if (!isZip(got.bytes))
        throw new FeedFailure(
          `${label}: is not a zip archive (an OSV feed is a zip of records, like osv.dev's all.zip)`,
        );
      const files = new Map<string, Buffer>();
      const ids = new Map<string, string>();
      forEachZipEntry(
        got.bytes,
        {
          maxTotalBytes: SYNC_LIMITS.maxUncompressedBytes,
          maxEntryBytes: SYNC_LIMITS.maxRecordBytes,
          maxEntries: SYNC_LIMITS.maxRecords,
        },
        label,
        (name, data) => {
          if (!name.toLowerCase().endsWith('.json')) return;
          const entryLabel = `${label}/${name}`;
          const record = osvRecord(entryLabel, utf8Text(data, entryLabel), data, schemas, source.ecosystems);
          if (record === undefined) return;
          const clash = ids.get(record.name);
          if (clash !== undefined)
            throw new FeedFailure(
              `${entryLabel}: record ${record.id} would be written to ${record.name}, like record ${clash}`,
            );
          ids.set(record.name, record.id);
          files.set(record.name, data);
        },
      );
      return done(installFolder(target, files), files.size);
    }
  }
}

/** How messages name a download: its file name (`all.zip`, `known_exploited_vulnerabilities.json`). */
function fileLabel(url: string): string {
  try {
    const last = new URL(url).pathname.split('/').pop();
    return last !== undefined && last !== '' ? decodeURIComponent(last) : new URL(url).host;
  } catch {
    return url;
  }
}

function readManifest(file: string, label: string, schemas: FeedSchemas): SyncManifest {
  const text = readTextSafeIfExists(file, { maxBytes: 16 * 1024 * 1024, label, refuseLinks: true });
  return text === undefined ? emptyManifest() : parseSyncManifest(label, text, schemas);
}
