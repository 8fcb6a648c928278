// A downloaded feed's bytes as text or as zip entries, with every size bounded while it is
// being decompressed (a zip bomb stops at the cap, never after it has filled memory).
import { gunzipSync } from 'node:zlib';
import { Unzip, UnzipInflate, UnzipPassThrough } from 'fflate';
import { FeedFailure, formatBytes } from './feed-failure.js';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

export function isZip(bytes: Uint8Array): boolean {
  return (
    bytes.length >= 4 &&
    bytes[0] === 0x50 &&
    bytes[1] === 0x4b &&
    ((bytes[2] === 0x03 && bytes[3] === 0x04) || (bytes[2] === 0x05 && bytes[3] === 0x06))
  );
}

/** The bytes, gunzipped when they are gzip, at most `maxBytes` once decompressed. */
export function maybeGunzip(bytes: Buffer, maxBytes: number, label: string): Buffer {
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE')
      throw new FeedFailure(`${label}: decompresses to more than ${formatBytes(maxBytes)}; refused`);
    throw new FeedFailure(`${label}: not a valid gzip file (${(err as Error).message})`, { cause: err });
  }
}

/** UTF-8 text without a byte order mark; FeedFailure when the bytes are not UTF-8. */
export function utf8Text(bytes: Uint8Array, label: string): string {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new FeedFailure(`${label}: not UTF-8 text`);
  }
  return text.startsWith('\uFEFF') ? text.slice(1) : text;
}

export interface ZipLimits {
  /** All entries together, decompressed. */
  maxTotalBytes: number;
  /** One entry, decompressed. */
  maxEntryBytes: number;
  maxEntries: number;
}

const PUSH_CHUNK = 64 * 1024;

/**
 * Calls `onEntry` with each file of a zip archive (folders skipped), decompressed as a stream
 * and counted as it comes: an entry or a total over the limits stops the walk there. Archives
 * without their end-of-central-directory record (cut off) or with a different number of entries
 * than that record states are refused.
 */
export function forEachZipEntry(
  bytes: Uint8Array,
  limits: ZipLimits,
  label: string,
  onEntry: (name: string, data: Buffer) => void,
): number {
  const declared = centralDirectoryCount(bytes, label);
  let failure: unknown;
  let total = 0;
  let entries = 0;
  let files = 0;
  const unzip = new Unzip();
  unzip.register(UnzipInflate);
  unzip.register(UnzipPassThrough);
  unzip.onfile = (file) => {
    entries++;
    if (failure !== undefined) return;
    if (entries > limits.maxEntries) {
      failure = new FeedFailure(`${label}: holds more than ${limits.maxEntries} entries; refused`);
      return;
    }
    const folder = file.name.endsWith('/');
    const chunks: Uint8Array[] = [];
    let size = 0;
    file.ondata = (err, chunk, final) => {
      if (failure !== undefined) return;
      if (err) {
        failure = new FeedFailure(`${label}: entry ${JSON.stringify(file.name)} is corrupt (${err.message})`);
        return;
      }
      size += chunk.length;
      total += chunk.length;
      if (size > limits.maxEntryBytes) {
        failure = new FeedFailure(
          `${label}: entry ${JSON.stringify(file.name)} decompresses to more than ${formatBytes(limits.maxEntryBytes)}; refused`,
        );
        file.terminate();
        return;
      }
      if (total > limits.maxTotalBytes) {
        failure = new FeedFailure(
          `${label}: decompresses to more than ${formatBytes(limits.maxTotalBytes)}; refused`,
        );
        file.terminate();
        return;
      }
      if (chunk.length > 0) chunks.push(chunk);
      if (!final || folder) return;
      files++;
      try {
        onEntry(file.name, Buffer.concat(chunks));
      } catch (e) {
        failure = e;
      }
    };
    try {
      file.start();
    } catch {
      failure = new FeedFailure(
        `${label}: entry ${JSON.stringify(file.name)} uses compression method ${file.compression}, which patchctl cannot read`,
      );
    }
  };
  try {
    for (let off = 0; off < bytes.length && failure === undefined; off += PUSH_CHUNK) {
      unzip.push(bytes.subarray(off, off + PUSH_CHUNK), off + PUSH_CHUNK >= bytes.length);
    }
  } catch (err) {
    failure ??= new FeedFailure(`${label}: not a readable zip archive (${(err as Error).message})`, {
      cause: err,
    });
  }
  if (failure !== undefined) throw failure;
  if (declared !== undefined && entries !== declared)
    throw new FeedFailure(
      `${label}: the archive lists ${declared} entries but ${entries} could be read; the download is damaged`,
    );
  return files;
}

/**
 * The entry count of the end-of-central-directory record (undefined for zip64, whose count is
 * elsewhere); FeedFailure when there is no such record (the archive was cut off).
 */
function centralDirectoryCount(bytes: Uint8Array, label: string): number | undefined {
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  for (let i = bytes.length - 22; i >= lowest; i--) {
    if (bytes[i] === 0x50 && bytes[i + 1] === 0x4b && bytes[i + 2] === 0x05 && bytes[i + 3] === 0x06) {
      const count = (bytes[i + 10] ?? 0) | ((bytes[i + 11] ?? 0) << 8);
      return count === 0xffff ? undefined : count;
    }
  }
  throw new FeedFailure(
    `${label}: the zip archive has no end record; the download is incomplete or not a zip`,
  );
}
