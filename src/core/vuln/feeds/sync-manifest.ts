// advisories/sync.json, written by `patchctl advisories sync` (docs/vulnerabilities.md;
// schemas/advisories-sync.schema.json): what was downloaded, from where, when, and its checksum.

export const SYNC_MANIFEST_KIND = 'patchctl-advisories-sync';

/** Where `patchctl advisories sync` records what it fetched, relative to advisories/. */
export const SYNC_MANIFEST_FILE = 'sync.json';

export interface SyncedFeed {
  name: string;
  kind: 'kev' | 'epss' | 'osv';
  url: string;
  /** The file (KEV, EPSS) or folder (OSV) written, relative to advisories/. */
  path: string;
  /** sha256 of the bytes downloaded. */
  sha256: string;
  /** sha256 of the file written, when it differs from the download (a decompressed .gz). */
  fileSha256?: string;
  bytes: number;
  /** ISO instant. */
  fetchedAt: string;
  records: number;
}

export interface SyncManifest {
  formatVersion: 1;
  kind: typeof SYNC_MANIFEST_KIND;
  feeds: SyncedFeed[];
}
