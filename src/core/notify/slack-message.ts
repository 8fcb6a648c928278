// A Slack incoming-webhook message (docs/notifications.md, "Slack"): `text` is the fallback shown in
// notifications, `blocks` the message. Host text only ever goes into `plain_text` objects, so
// a host's error output cannot mention @channel, link or format anything; the fallback `text`
// is mrkdwn, so its &, < and > are escaped as Slack asks.
import { cut } from './text-limits.js';
import { messageFacts } from './facts.js';
import type { Notification } from './types.js';

/** Slack's limits: header text 150, section text 3000, a field 2000, 10 fields. */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const FIELDS_MAX = 10;

export interface SlackMessage {
  text: string;
  blocks: object[];
}

/** Escapes the three characters Slack's mrkdwn reads as control sequences (<!channel>, links). */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const plain = (text: string, max: number) => ({ type: 'plain_text', text: cut(text, max), emoji: false });

export function slackMessage(n: Notification): SlackMessage {
  const m = messageFacts(n);
  const blocks: object[] = [
    { type: 'header', text: plain(`${m.title}: ${n.repository}`, HEADER_MAX) },
    { type: 'section', text: plain(n.summary, SECTION_MAX) },
    {
      type: 'section',
      fields: m.facts.slice(0, FIELDS_MAX).map((f) => plain(`${f.label}: ${f.value}`, FIELD_MAX)),
    },
  ];
  if (m.lines.length > 0) blocks.push({ type: 'section', text: plain(m.lines.join('\n'), SECTION_MAX) });
  blocks.push({ type: 'context', elements: [plain(`patchctl · ${m.footer}`, SECTION_MAX)] });
  return { text: slackEscape(n.summary), blocks };
}
