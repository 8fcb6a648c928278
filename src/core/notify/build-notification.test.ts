import { describe, expect, it } from '@jest/globals';
import { breachSeverity, buildNotification, MAX_LISTED_BREACHES } from './build-notification.js';
import { webhookPayload, webhookWants } from './payload.js';
import { slackEscape } from './slack-message.js';
import type { SlackMessage } from './slack-message.js';
import type { TeamsMessage } from './teams-message.js';
import type { NotificationInput } from './types.js';
import { AT, breach, RUN, SAMPLE_INPUTS } from './__fixtures__/samples.js';

describe('buildNotification', () => {
  it('dates, places and summarises each event in one line', () => {
    const halted = buildNotification(SAMPLE_INPUTS['ring-halted'], 'ops');
    expect(halted).toMatchObject({
      formatVersion: 1,
      event: 'ring-halted',
      severity: 'critical',
      at: AT,
      repository: 'ops',
      rollout: 'production',
      ring: 'canary',
      details: { runId: RUN, failures: 1, failedHosts: ['web-01'] },
    });
    expect(halted.summary).toBe(
      'patchctl (ops): ring canary of rollout production halted: failure budget exceeded: 1 of 1 hosts failed (failed: web-01)',
    );
    const failed = buildNotification(SAMPLE_INPUTS['host-failed'], 'ops');
    expect(failed).toMatchObject({ severity: 'high', host: 'web-01', details: { status: 'failed' } });
    expect(failed.summary).not.toContain('\n');
    expect(failed.details.error).not.toContain('\n');
    const reboot = buildNotification(SAMPLE_INPUTS['reboot-timeout'], 'ops');
    expect(reboot.rollout).toBeUndefined();
    expect(reboot.summary).toBe(
      'patchctl (ops): host db-01 (ring all) did not come back from its reboot in time',
    );
    const sla = buildNotification(SAMPLE_INPUTS['sla-breach'], 'ops');
    expect(sla.summary).toBe(
      'patchctl (ops): 2 new SLA breaches on 2 hosts (report 2026-12-01; 5 in all; most overdue: openssl on web-02, 9 days)',
    );
    expect(sla.details).toMatchObject({ newBreaches: 2, totalBreaches: 5 });
    const exc = buildNotification(SAMPLE_INPUTS['exception-expiring'], 'ops');
    expect(exc).toMatchObject({ severity: 'low', details: { exception: 'pg-pin', daysLeft: 5 } });
    expect(exc.summary).toContain('exception pg-pin (owner team-db, CHG-1234) expires 2026-12-06, in 5 days');
  });

  it('lists at most MAX_LISTED_BREACHES breaches and counts them all', () => {
    const many = Array.from({ length: 70 }, (_, i) => breach({ host: `h-${i}` }));
    const n = buildNotification(
      { event: 'sla-breach', at: AT, reportDate: '2026-12-01', breaches: many, totalBreaches: 70 },
      'ops',
    );
    expect(n.details.breaches).toHaveLength(MAX_LISTED_BREACHES);
    expect(n.details.newBreaches).toBe(70);
  });

  it('rates SLA breaches by the most urgent: KEV critical, unknown severity medium', () => {
    expect(breachSeverity([breach({ severity: 'low' })])).toBe('low');
    expect(breachSeverity([breach({ severity: 'low' }), breach({ severity: null })])).toBe('medium');
    expect(breachSeverity([breach({ severity: 'low', emergency: true })])).toBe('critical');
  });
});

describe('webhookWants', () => {
  const halted = buildNotification(SAMPLE_INPUTS['ring-halted'], 'ops');
  const expiring = buildNotification(SAMPLE_INPUTS['exception-expiring'], 'ops');
  it('takes every event by default, else the listed ones, at or above minSeverity', () => {
    expect(webhookWants({}, expiring)).toBe(true);
    expect(webhookWants({ events: ['ring-halted'] }, expiring)).toBe(false);
    expect(webhookWants({ events: ['ring-halted'] }, halted)).toBe(true);
    expect(webhookWants({ minSeverity: 'high' }, expiring)).toBe(false);
    expect(webhookWants({ minSeverity: 'high' }, halted)).toBe(true);
  });
});

describe('Slack messages', () => {
  it('have a fallback text and blocks; host text only in plain_text, the fallback escaped', () => {
    for (const input of Object.values(SAMPLE_INPUTS)) {
      const n = buildNotification(input, 'ops');
      const m = webhookPayload(n, 'slack') as SlackMessage;
      expect(m.text).toBe(slackEscape(n.summary));
      expect(m.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } });
      const texts = JSON.stringify(m.blocks);
      expect(texts).not.toContain('"mrkdwn"');
    }
    const failed = webhookPayload(
      buildNotification(SAMPLE_INPUTS['host-failed'], 'ops'),
      'slack',
    ) as SlackMessage;
    expect(failed.text).toContain('&lt;!channel&gt;');
    expect(failed.text).not.toContain('<!channel>');
  });

  it('keep within Slack limits (header 150 characters, section 3000)', () => {
    const long = {
      ...SAMPLE_INPUTS['host-failed'],
      host: 'h',
      ring: 'r'.repeat(200),
      error: 'x'.repeat(5000),
    } as NotificationInput;
    const m = webhookPayload(buildNotification(long, 'o'.repeat(200)), 'slack') as SlackMessage;
    const header = m.blocks[0] as { text: { text: string } };
    expect(header.text.text.length).toBeLessThanOrEqual(150);
    for (const b of m.blocks as { text?: { text: string } }[])
      expect((b.text?.text ?? '').length).toBeLessThanOrEqual(3000);
  });
});

describe('Teams messages', () => {
  it('are a message with one Adaptive Card attachment (Workflows webhook)', () => {
    for (const input of Object.values(SAMPLE_INPUTS)) {
      const m = webhookPayload(buildNotification(input, 'ops'), 'teams') as TeamsMessage;
      expect(m.type).toBe('message');
      expect(m.attachments).toHaveLength(1);
      expect(m.attachments[0]).toMatchObject({
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: { type: 'AdaptiveCard', version: '1.4' },
      });
    }
  });

  it('turn no host text into a link', () => {
    const m = webhookPayload(buildNotification(SAMPLE_INPUTS['host-failed'], 'ops'), 'teams');
    expect(JSON.stringify(m)).not.toContain('](https://evil.example)');
  });
});

describe('the json format', () => {
  it('is the notification itself', () => {
    const n = buildNotification(SAMPLE_INPUTS['ring-halted'], 'ops');
    expect(webhookPayload(n, 'json')).toBe(n);
  });
});
