import { afterEach, describe, expect, it } from '@jest/globals';
import type { Answer, Receiver } from './__fixtures__/receiver.js';
import { closedPort, startReceiver } from './__fixtures__/receiver.js';
import { postWebhook, retryAfterMs, webhookUrlProblem } from './post-webhook.js';

const TOKEN = 'T0000/B0000/XXXXsecretTOKEN';
let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

async function receive(answer: (index: number) => Answer): Promise<Receiver> {
  receiver = await startReceiver((_, i) => answer(i));
  return receiver;
}

const fast = { timeoutMs: 2000, retries: 3, backoffMs: 1 };

describe('postWebhook', () => {
  it('POSTs the JSON body once when the receiver takes it', async () => {
    const r = await receive(() => ({ status: 200 }));
    const out = await postWebhook(`${r.origin}/hook/${TOKEN}`, '{"a":1}', fast);
    expect(out).toEqual({ ok: true, attempts: 1 });
    expect(r.requests).toHaveLength(1);
    expect(r.requests[0]).toMatchObject({ method: 'POST', path: `/hook/${TOKEN}`, body: '{"a":1}' });
    expect(r.requests[0]?.headers['content-type']).toBe('application/json; charset=utf-8');
  });

  it('retries after a 500 with backoff, and succeeds', async () => {
    const r = await receive((i) => (i < 2 ? { status: 500 } : { status: 204 }));
    const waits: number[] = [];
    const out = await postWebhook(`${r.origin}/h`, '{}', {
      ...fast,
      backoffMs: 100,
      random: () => 1,
      sleep: async (ms) => void waits.push(ms),
    });
    expect(out).toEqual({ ok: true, attempts: 3 });
    expect(waits).toEqual([100, 200]); // exponential, jitter at its top here
  });

  it('honours a 429 Retry-After (seconds) before trying again', async () => {
    const r = await receive((i) =>
      i === 0 ? { status: 429, headers: { 'retry-after': '1' } } : { status: 200 },
    );
    const out = await postWebhook(`${r.origin}/h`, '{}', fast);
    expect(out).toEqual({ ok: true, attempts: 2 });
    const [first, second] = r.requests;
    expect((second?.at ?? 0) - (first?.at ?? 0)).toBeGreaterThanOrEqual(950);
  });

  it('gives up on a Retry-After longer than it waits, saying so', async () => {
    const r = await receive(() => ({ status: 503, headers: { 'retry-after': '3600' } }));
    const out = await postWebhook(`${r.origin}/h`, '{}', fast);
    expect(out).toMatchObject({ ok: false, attempts: 1 });
    expect(!out.ok && out.reason).toBe(
      'HTTP 503, and the receiver asks to retry after 3600s: longer than patchctl waits',
    );
  });

  it('does not retry a 4xx other than 408, 425 and 429', async () => {
    const r = await receive(() => ({ status: 404 }));
    const out = await postWebhook(`${r.origin}/h`, '{}', fast);
    expect(out).toEqual({ ok: false, attempts: 1, reason: 'HTTP 404' });
  });

  it('ends an attempt that gets no answer within the timeout, and retries it', async () => {
    const r = await receive(() => 'hang');
    const started = Date.now();
    const out = await postWebhook(`${r.origin}/h`, '{}', { ...fast, timeoutMs: 200, retries: 1 });
    expect(out).toEqual({ ok: false, attempts: 2, reason: 'no answer within 200ms' });
    expect(r.requests).toHaveLength(2);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('says a receiver that is down is down, never quoting the URL', async () => {
    const port = await closedPort();
    const out = await postWebhook(`http://127.0.0.1:${port}/hook/${TOKEN}`, '{}', { ...fast, retries: 2 });
    expect(out).toEqual({ ok: false, attempts: 3, reason: 'connection refused (ECONNREFUSED)' });
  });

  it('follows a 307/308 to the same origin only; another host is never followed', async () => {
    const other = await startReceiver();
    try {
      const r = await receive((i) =>
        i === 0
          ? { status: 308, headers: { location: '/moved' } }
          : { status: 307, headers: { location: `${other.origin}/steal` } },
      );
      const out = await postWebhook(`${r.origin}/h`, '{}', fast);
      expect(out).toEqual({
        ok: false,
        attempts: 1,
        reason: 'HTTP 307: a redirect to another host is not followed',
      });
      expect(r.requests.map((q) => q.path)).toEqual(['/h', '/moved']);
      expect(other.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it('refuses plain http except to loopback, and other schemes, before sending anything', async () => {
    expect(webhookUrlProblem('https://hooks.slack.com/services/x')).toBeUndefined();
    expect(webhookUrlProblem('http://127.0.0.1:8080/x')).toBeUndefined();
    expect(webhookUrlProblem('http://[::1]/x')).toBeUndefined();
    expect(webhookUrlProblem(`http://hooks.example.com/${TOKEN}`)).toMatch(
      /^it is a plain http URL: https only/,
    );
    expect(webhookUrlProblem('ftp://x/y')).toBe('it is a ftp URL: https only');
    expect(webhookUrlProblem(TOKEN)).toBe('it is not a URL');
    const out = await postWebhook(`http://hooks.example.com/${TOKEN}`, '{}', fast);
    expect(out).toMatchObject({ ok: false, attempts: 0 });
    expect(JSON.stringify(out)).not.toContain(TOKEN);
  });

  it('reads Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-12-01T00:00:00Z');
    expect(retryAfterMs('120', now)).toBe(120_000);
    expect(retryAfterMs('Tue, 01 Dec 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs(null, now)).toBeUndefined();
  });
});
