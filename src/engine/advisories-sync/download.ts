// Downloads one feed with Node's fetch: https only (plain http to a loopback address, for tests
// and a mirror on the same machine), redirects followed by hand so every hop obeys the same
// rule, a deadline, a size cap, and a body that must be as long as the server announced
// (docs/vulnerabilities.md, "Syncing the feeds").
import { createHash } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import { FeedFailure, formatBytes } from './feed-failure.js';

export interface DownloadOptions {
  /** The whole download (every redirect and the body) must end within this. */
  timeoutMs: number;
  /** Refuse a body larger than this. */
  maxBytes: number;
}

export interface Downloaded {
  bytes: Buffer;
  /** sha256 of `bytes`, lower-case hex. */
  sha256: string;
  /** Where the bytes came from, after redirects. */
  url: string;
}

const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** This machine's loopback: 127.0.0.0/8 and ::1 (node:net also matches ::ffff:127.x.y.z to the former). */
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/**
 * Whether `hostname` (as URL parses it: an IPv6 address in brackets, IPv4 in its dotted form) is
 * this machine's loopback: `localhost`, or an address node:net's BlockList places in LOOPBACK.
 */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase();
  if (h === 'localhost') return true;
  const bracketed = h.startsWith('[') && h.endsWith(']');
  const address = bracketed ? h.slice(1, -1) : h;
  const family = isIP(address);
  if (family === 0 || (bracketed && family !== 6)) return false;
  return LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

/** Why patchctl will not download from `text`; undefined when it will. */
export function urlProblem(text: string): string | undefined {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return `${JSON.stringify(text)} is not a URL`;
  }
  if (u.username !== '' || u.password !== '')
    return `${u.protocol}//${u.host}: a URL with a user name or password is refused (it would be written to sync.json)`;
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:') {
    if (isLoopbackHost(u.hostname)) return undefined;
    return `${u.origin}: plain http is allowed only to a loopback address (127.0.0.1, ::1, localhost); use https`;
  }
  return `${u.protocol} URLs are not supported; use https`;
}

/** Downloads `url`; throws FeedFailure saying what went wrong. */
export async function download(url: string, options: DownloadOptions): Promise<Downloaded> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  let received = 0;
  let current = url;
  try {
    const res = await follow(url, controller.signal, (u) => (current = u));
    if (!res.ok) {
      await res.body?.cancel().catch(() => undefined);
      throw new FeedFailure(`${current}: HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
    }
    const encoded = (res.headers.get('content-encoding') ?? 'identity').toLowerCase() !== 'identity';
    const lengthHeader = res.headers.get('content-length');
    const announced = lengthHeader !== null && /^\d+$/.test(lengthHeader) ? Number(lengthHeader) : undefined;
    if (announced !== undefined && announced > options.maxBytes) {
      await res.body?.cancel().catch(() => undefined);
      throw new FeedFailure(
        `${current}: the server announces ${announced} bytes, more than the ${formatBytes(options.maxBytes)} patchctl downloads`,
      );
    }
    const chunks: Uint8Array[] = [];
    if (res.body !== null) {
      const reader = res.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        received += value.length;
        if (received > options.maxBytes) {
          await reader.cancel().catch(() => undefined);
          throw new FeedFailure(
            `${current}: larger than the ${formatBytes(options.maxBytes)} patchctl downloads`,
          );
        }
        chunks.push(value);
      }
    }
    // A body shorter (or longer) than announced is an interrupted download, never a feed. With a
    // content-encoding fetch has decoded the body, so the lengths cannot be compared.
    if (announced !== undefined && !encoded && received !== announced) {
      throw new FeedFailure(
        `${current}: the download was interrupted: ${received} of the ${announced} bytes announced arrived`,
      );
    }
    const bytes = Buffer.concat(chunks);
    return { bytes, sha256: createHash('sha256').update(bytes).digest('hex'), url: current };
  } catch (err) {
    if (err instanceof FeedFailure) throw err;
    if (timedOut)
      throw new FeedFailure(
        `${current}: no complete answer within ${formatSeconds(options.timeoutMs)} (--timeout)`,
        {
          cause: err,
        },
      );
    throw new FeedFailure(networkMessage(current, received, err), { cause: err });
  } finally {
    clearTimeout(timer);
  }
}

async function follow(url: string, signal: AbortSignal, at: (url: string) => void): Promise<Response> {
  let current = url;
  for (let hop = 0; ; hop++) {
    const problem = urlProblem(current);
    if (problem !== undefined)
      throw new FeedFailure(hop === 0 ? problem : `redirected to ${current}: ${problem}`);
    at(current);
    const res = await fetch(current, {
      redirect: 'manual',
      signal,
      // The bytes as published: the sha256 pins and Content-Length are about them.
      headers: { 'accept-encoding': 'identity', 'user-agent': 'patchctl' },
    });
    if (!REDIRECTS.has(res.status)) return res;
    await res.body?.cancel().catch(() => undefined);
    const location = res.headers.get('location');
    if (location === null) throw new FeedFailure(`${current}: HTTP ${res.status} without a Location`);
    if (hop >= MAX_REDIRECTS) throw new FeedFailure(`${url}: more than ${MAX_REDIRECTS} redirects`);
    current = new URL(location, current).toString();
  }
}

/** What fetch's error means for the person running sync: no network, refused, cut off. */
function networkMessage(url: string, received: number, err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  const code = errorCode(cause) ?? errorCode(err);
  let host = url;
  try {
    host = new URL(url).host;
  } catch {
    // keep the URL
  }
  if (received > 0 || code === 'UND_ERR_SOCKET' || code === 'ECONNRESET')
    return `${url}: the download was interrupted after ${received} bytes (${describe(cause ?? err)})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return `cannot reach ${host}: its name does not resolve (${code}; no network, or no DNS?)`;
  if (code === 'ECONNREFUSED') return `cannot reach ${host}: connection refused (${code})`;
  if (code !== undefined) return `cannot reach ${host}: ${describe(cause ?? err)}`;
  return `cannot download ${url}: ${describe(cause ?? err)}`;
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

function describe(err: unknown): string {
  if (err instanceof Error) {
    const code = errorCode(err);
    return code !== undefined && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/**
 * The sha256 a `sha256sum`-style file gives for `feedUrl`: the line naming the feed's file (`HASH
 * NAME` or `HASH *NAME`), or the only hash in the file.
 */
export function pickSha256(text: string, feedUrl: string, label: string): string {
  const file = decodeURIComponent(new URL(feedUrl).pathname.split('/').pop() ?? '');
  const rows: { hash: string; name: string | undefined }[] = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([0-9a-fA-F]{64})(?:\s+\*?(.+?))?\s*$/.exec(line);
    if (m?.[1] !== undefined) rows.push({ hash: m[1].toLowerCase(), name: m[2] });
  }
  const named = rows.find((r) => r.name !== undefined && r.name.split('/').pop() === file);
  if (named) return named.hash;
  if (rows.length === 1 && rows[0] !== undefined) return rows[0].hash;
  throw new FeedFailure(
    rows.length === 0
      ? `${label}: holds no sha256 (expected "HASH  ${file}" lines, as sha256sum writes them)`
      : `${label}: names no file ${JSON.stringify(file)} among its ${rows.length} hashes`,
  );
}
