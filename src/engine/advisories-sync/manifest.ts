// advisories/sync.json: what `patchctl advisories sync` last fetched, feed by feed
// (docs/vulnerabilities.md; schemas/advisories-sync.schema.json). It is read through the same
// check as every file under advisories/ (core/model/advisories.ts), so sync and validate agree.
import type { FeedSchemas } from '../../core/model/advisories.js';
import { checkAdvisoryFile } from '../../core/model/advisories.js';
import { formatDiagnostic } from '../../core/model/diagnostics.js';
import type { SyncManifest, SyncedFeed } from '../../core/vuln/feeds/sync-manifest.js';
import { SYNC_MANIFEST_KIND } from '../../core/vuln/feeds/sync-manifest.js';
import { InputFileError } from '../../errors.js';

export function emptyManifest(): SyncManifest {
  return { formatVersion: 1, kind: SYNC_MANIFEST_KIND, feeds: [] };
}

/** sync.json's content; InputFileError naming file:line:col when it is not one patchctl wrote. */
export function parseSyncManifest(file: string, text: string, schemas: FeedSchemas): SyncManifest {
  const { feed, diagnostics } = checkAdvisoryFile(file, text, schemas);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (feed?.kind === 'sync' && feed.sync !== undefined && errors.length === 0) return feed.sync;
  const why =
    errors.length > 0
      ? errors.slice(0, 5).map(formatDiagnostic).join('\n')
      : `${file}:1:1 error invalid-sync-manifest: not a sync manifest (kind ${SYNC_MANIFEST_KIND})`;
  throw new InputFileError(
    `${why}\n${file} is not a manifest patchctl can update: fix or remove it, and advisories sync writes it afresh`,
  );
}

/** The manifest with `entry` in place of the feed of the same name, sorted by name. */
export function withEntry(manifest: SyncManifest, entry: SyncedFeed): SyncManifest {
  const feeds = [...manifest.feeds.filter((f) => f.name !== entry.name), entry].sort((a, b) =>
    a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
  return { formatVersion: 1, kind: SYNC_MANIFEST_KIND, feeds };
}

/** sync.json's text: 2-space JSON and a newline. */
export function manifestText(manifest: SyncManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
