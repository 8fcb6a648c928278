import { afterEach, describe, expect, it } from '@jest/globals';
import { SAMPLE_INPUTS } from '../../core/notify/__fixtures__/samples.js';
import { NOTIFICATION_EVENTS } from '../../core/notify/types.js';
import { configSecretEnvNames, configureRedaction, redactorFor } from '../../platform/redact.js';
import { bundledSchemas } from '../schemas.js';
import type { Receiver } from './__fixtures__/receiver.js';
import { closedPort, startReceiver } from './__fixtures__/receiver.js';
import { Notifier } from './notifier.js';
import { runNotifications } from './run-notifications.js';
import type { WebhookTarget } from './webhook-targets.js';

const TOKEN = 'XXXXsecretTOKEN0123';
const receivers: Receiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
  configureRedaction(process.env);
});

async function receiver(...args: Parameters<typeof startReceiver>): Promise<Receiver> {
  const r = await startReceiver(...args);
  receivers.push(r);
  return r;
}

function notifier(targets: WebhookTarget[], over: { timeoutMs?: number; retries?: number } = {}): Notifier {
  return new Notifier({ targets, repository: 'ops', timeoutMs: 2000, retries: 2, backoffMs: 1, ...over });
}

describe('Notifier', () => {
  it('delivers every event in each format; the json payload matches schemas/notification.schema.json', async () => {
    const r = await receiver();
    const n = notifier([
      { name: 'j', url: `${r.origin}/json/${TOKEN}`, format: 'json' },
      { name: 's', url: `${r.origin}/slack/${TOKEN}`, format: 'slack' },
      { name: 't', url: `${r.origin}/teams/${TOKEN}`, format: 'teams' },
    ]);
    for (const e of NOTIFICATION_EVENTS) n.send(SAMPLE_INPUTS[e]);
    expect(await n.close(5000)).toEqual([]);
    const by = (prefix: string) =>
      r.requests
        .filter((q) => q.path.startsWith(prefix))
        .map((q) => JSON.parse(q.body) as Record<string, unknown>);
    const validate = bundledSchemas().validatorForFile('notification.schema.json');
    const json = by('/json/');
    // One queue per webhook: each receives the events in the order they happened.
    expect(json.map((b) => b.event)).toEqual([...NOTIFICATION_EVENTS]);
    for (const body of json) {
      expect(validate(body)).toBe(true);
      expect(validate.errors ?? null).toBeNull();
    }
    const slack = by('/slack/');
    expect(slack).toHaveLength(NOTIFICATION_EVENTS.length);
    for (const body of slack) expect(body).toEqual({ text: expect.any(String), blocks: expect.any(Array) });
    const teams = by('/teams/');
    expect(teams).toHaveLength(NOTIFICATION_EVENTS.length);
    for (const body of teams)
      expect(body).toMatchObject({
        type: 'message',
        attachments: [
          { contentType: 'application/vnd.microsoft.card.adaptive', content: { type: 'AdaptiveCard' } },
        ],
      });
  });

  it('sends a webhook only its events, at or above its minSeverity', async () => {
    const r = await receiver();
    const n = notifier([
      { name: 'halts', url: `${r.origin}/a`, format: 'json', events: ['ring-halted'] },
      { name: 'urgent', url: `${r.origin}/b`, format: 'json', minSeverity: 'high' },
    ]);
    for (const e of NOTIFICATION_EVENTS) n.send(SAMPLE_INPUTS[e]);
    await n.close(5000);
    const got = r.requests.map((q) => `${q.path} ${(JSON.parse(q.body) as { event: string }).event}`);
    expect(got.filter((g) => g.startsWith('/a'))).toEqual(['/a ring-halted']);
    expect(got.filter((g) => g.startsWith('/b')).sort()).toEqual(
      ['/b host-failed', '/b reboot-timeout', '/b ring-halted', '/b sla-breach'].sort(),
    );
  });

  it('removes secrets from the bodies (the redaction layer)', async () => {
    configureRedaction({ DEPLOY_TOKEN: 'canary-secret-value' });
    const r = await receiver();
    const n = notifier([{ name: 'j', url: `${r.origin}/j`, format: 'json' }]);
    n.send({ ...SAMPLE_INPUTS['host-failed'], error: 'auth with canary-secret-value failed' } as never);
    await n.close(5000);
    expect(r.requests[0]?.body).not.toContain('canary-secret-value');
    expect(r.requests[0]?.body).toContain('[redacted]');
  });

  it('a receiver that is down: one warning naming the webhook, never its URL', async () => {
    const port = await closedPort();
    const n = notifier([
      { name: 'ops-slack', url: `http://127.0.0.1:${port}/services/${TOKEN}`, format: 'slack' },
    ]);
    n.send(SAMPLE_INPUTS['ring-halted']);
    n.send(SAMPLE_INPUTS['host-failed']);
    const warnings = await n.close(5000);
    expect(warnings).toEqual([
      'webhook ops-slack: 2 notification(s) not delivered: connection refused (ECONNREFUSED) (after 3 attempts)',
    ]);
    expect(warnings.join('\n')).not.toContain(TOKEN);
    expect(warnings.join('\n')).not.toContain(String(port));
  });

  it('waits for outstanding deliveries only a bounded time, then gives them up', async () => {
    const r = await receiver(() => 'hang');
    const n = notifier([{ name: 'slow', url: `${r.origin}/x`, format: 'json' }], { timeoutMs: 60_000 });
    n.send(SAMPLE_INPUTS['ring-halted']);
    n.send(SAMPLE_INPUTS['host-failed']);
    const started = Date.now();
    const warnings = await n.close(300);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(warnings).toEqual([
      'webhook slow: 2 notification(s) still unsent after the 300ms patchctl waits at its end: given up',
    ]);
  });
});

describe('runNotifications', () => {
  const config = (webhooks: unknown[]) =>
    ({ config: { doc: { metadata: { name: 'ops' }, spec: { notifications: { webhooks } } } } }) as never;

  it('is undefined without webhooks', () => {
    expect(runNotifications({ config: undefined } as never, {}, () => undefined)).toBeUndefined();
  });

  it('warns once, at the start, for a webhook whose variable is unset or holds no usable URL', async () => {
    const lines: string[] = [];
    const n = runNotifications(
      config([
        { name: 'a', urlEnv: 'HOOK_A_URL', format: 'json' },
        { name: 'b', urlEnv: 'HOOK_B_URL', format: 'slack' },
      ]),
      { HOOK_B_URL: `http://hooks.example.com/${TOKEN}` },
      (l) => lines.push(l),
    );
    expect(lines).toEqual([
      'webhook a: the environment variable HOOK_A_URL is not set: its notifications are not sent',
      'webhook b: HOOK_B_URL holds no usable URL (it is a plain http URL: https only (plain http only to a loopback address: 127.0.0.1, ::1, localhost)): its notifications are not sent',
    ]);
    expect(lines.join('\n')).not.toContain(TOKEN);
    expect(await n?.close(100)).toEqual([]);
  });
});

describe('webhook URLs are secrets', () => {
  it('the variables the webhooks name are registered with the redaction layer', () => {
    const repo = {
      config: {
        doc: {
          spec: { notifications: { webhooks: [{ name: 'ops', urlEnv: 'OPS_HOOK_URL', format: 'slack' }] } },
        },
      },
    } as never;
    const names = configSecretEnvNames(repo);
    expect(names).toEqual([{ name: 'OPS_HOOK_URL', namedBy: 'notifications.webhooks[ops].urlEnv' }]);
    // A name ending in URL alone would not make it one (redact.ts DESCRIPTOR_WORDS).
    const url = `https://hooks.slack.com/services/${TOKEN}`;
    expect(redactorFor({ OPS_HOOK_URL: url })(`posting to ${url}`)).toBe(`posting to ${url}`);
    expect(redactorFor({ OPS_HOOK_URL: url }, names)(`posting to ${url}`)).toBe('posting to [redacted]');
  });
});
