// One webhook delivery (docs/notifications.md, "Delivery"): a JSON POST with a deadline per
// attempt, retried with exponential backoff and full jitter (a 429 or 503 answer's Retry-After
// is honoured), https only (plain http only to a loopback address, as `advisories sync`), and
// redirects followed only to the same origin and only when they keep the POST (307, 308).
// The URL carries a token: no outcome, message or error this returns ever contains it.
import { isLoopbackHost } from '../advisories-sync/download.js';

export interface PostOptions {
  /** One attempt (connect, send, answer). */
  timeoutMs: number;
  /** Attempts after the first. */
  retries: number;
  /** First backoff; each next one doubles, up to maxBackoffMs; the wait is random in [0, that]. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Longest Retry-After honoured; a longer one ends the delivery. */
  maxRetryAfterMs?: number;
  /** Stops the delivery (the command's bounded wait is over). */
  signal?: AbortSignal;
  random?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Date.now, for an HTTP-date Retry-After. */
  now?: () => number;
}

export type PostOutcome = { ok: true; attempts: number } | { ok: false; attempts: number; reason: string };

const MAX_REDIRECTS = 3;
const DEFAULT_BACKOFF_MS = 1000;
const DEFAULT_MAX_BACKOFF_MS = 30_000;
const DEFAULT_MAX_RETRY_AFTER_MS = 60_000;

/** Why patchctl will not post to `text` (never quoting it: it holds a token); undefined when it will. */
export function webhookUrlProblem(text: string): string | undefined {
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    return 'it is not a URL';
  }
  if (u.protocol === 'https:') return undefined;
  if (u.protocol === 'http:')
    return isLoopbackHost(u.hostname)
      ? undefined
      : 'it is a plain http URL: https only (plain http only to a loopback address: 127.0.0.1, ::1, localhost)';
  return `it is a ${u.protocol.replace(/:$/, '')} URL: https only`;
}

/** Retry-After in ms (seconds or an HTTP date), or undefined. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null) return undefined;
  const t = header.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  const date = Date.parse(t);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function defaultSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** What went wrong with one attempt, and whether another may help. */
type Attempt = { ok: true } | { ok: false; reason: string; retry: boolean; waitMs?: number };

export async function postWebhook(url: string, body: string, options: PostOptions): Promise<PostOutcome> {
  const problem = webhookUrlProblem(url);
  if (problem !== undefined) return { ok: false, attempts: 0, reason: `not sent: ${problem}` };
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const base = options.backoffMs ?? DEFAULT_BACKOFF_MS;
  const cap = options.maxBackoffMs ?? DEFAULT_MAX_BACKOFF_MS;
  let last: Attempt = { ok: false, reason: 'not sent', retry: false };
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    if (options.signal?.aborted) return { ok: false, attempts: attempt, reason: 'patchctl stopped waiting' };
    last = await attemptOnce(url, body, options);
    if (last.ok) return { ok: true, attempts: attempt + 1 };
    if (!last.retry || attempt === options.retries)
      return { ok: false, attempts: attempt + 1, reason: last.reason };
    const backoff = random() * Math.min(cap, base * 2 ** attempt);
    if (last.waitMs !== undefined && last.waitMs > (options.maxRetryAfterMs ?? DEFAULT_MAX_RETRY_AFTER_MS))
      return {
        ok: false,
        attempts: attempt + 1,
        reason: `${last.reason}, and the receiver asks to retry after ${Math.ceil(last.waitMs / 1000)}s: longer than patchctl waits`,
      };
    await sleep(Math.max(backoff, last.waitMs ?? 0), options.signal);
  }
  return { ok: false, attempts: options.retries + 1, reason: last.ok ? 'not sent' : last.reason };
}

async function attemptOnce(url: string, body: string, options: PostOptions): Promise<Attempt> {
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  const stop = (): void => controller.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  const origin = new URL(url).origin;
  let current = url;
  try {
    for (let hop = 0; ; hop++) {
      const res = await fetch(current, {
        method: 'POST',
        redirect: 'manual',
        signal: controller.signal,
        headers: { 'content-type': 'application/json; charset=utf-8', 'user-agent': 'patchctl' },
        body,
      });
      await res.body?.cancel().catch(() => undefined);
      if (res.status >= 200 && res.status < 300) return { ok: true };
      if (res.status >= 300 && res.status < 400) {
        const location = res.headers.get('location');
        let next: URL | undefined;
        try {
          next = location === null ? undefined : new URL(location, current);
        } catch {
          next = undefined;
        }
        if ((res.status !== 307 && res.status !== 308) || next === undefined || next.origin !== origin)
          return {
            ok: false,
            retry: false,
            reason: `HTTP ${res.status}: a redirect ${next !== undefined && next.origin !== origin ? 'to another host ' : ''}is not followed`,
          };
        if (hop >= MAX_REDIRECTS)
          return { ok: false, retry: false, reason: `more than ${MAX_REDIRECTS} redirects` };
        current = next.toString();
        continue;
      }
      const retry = res.status === 408 || res.status === 425 || res.status === 429 || res.status >= 500;
      const wait =
        res.status === 429 || res.status === 503
          ? retryAfterMs(res.headers.get('retry-after'), (options.now ?? Date.now)())
          : undefined;
      return {
        ok: false,
        retry,
        reason: `HTTP ${res.status}${res.status === 429 ? ' (rate limited)' : ''}`,
        ...(wait === undefined ? {} : { waitMs: wait }),
      };
    }
  } catch (err) {
    if (timedOut)
      return { ok: false, retry: true, reason: `no answer within ${formatMs(options.timeoutMs)}` };
    if (options.signal?.aborted) return { ok: false, retry: false, reason: 'patchctl stopped waiting' };
    return { ok: false, retry: true, reason: networkReason(err) };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', stop);
  }
}

/** A network failure by its error code only: fetch's messages and causes may quote the URL. */
function networkReason(err: unknown): string {
  const cause = (err as { cause?: unknown }).cause;
  const code = codeOf(cause) ?? codeOf(err);
  if (code === 'ECONNREFUSED') return 'connection refused (ECONNREFUSED)';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `the host name does not resolve (${code})`;
  if (code === 'ECONNRESET' || code === 'UND_ERR_SOCKET') return `the connection was cut (${code})`;
  if (code !== undefined && /^[A-Z0-9_]{2,40}$/.test(code)) return `network error (${code})`;
  return 'network error';
}

function codeOf(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string'
    ? err.code
    : undefined;
}

function formatMs(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
