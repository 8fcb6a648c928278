// A Microsoft Teams message for a Workflows (Power Automate) webhook, "Post to a channel when a
// webhook request is received" (docs/notifications.md, "Microsoft Teams"): a `message` with one
// Adaptive Card attachment. TextBlocks read a little Markdown: host text has its link syntax
// `](` broken so that a host's error output cannot turn into a link.
import { cut } from './text-limits.js';
import { messageFacts } from './facts.js';
import type { Notification } from './types.js';

export const ADAPTIVE_CARD_CONTENT_TYPE = 'application/vnd.microsoft.card.adaptive';
/** The Adaptive Card version Teams renders everywhere (desktop, web, mobile). */
export const ADAPTIVE_CARD_VERSION = '1.4';
const TEXT_MAX = 2000;

export interface TeamsMessage {
  type: 'message';
  attachments: { contentType: typeof ADAPTIVE_CARD_CONTENT_TYPE; contentUrl: null; content: object }[];
}

/** Text an Adaptive Card TextBlock shows as written: no link, no image. */
export function teamsInert(text: string): string {
  return text.replace(/\]\(/g, '] (').replace(/!\[/g, '! [');
}

const COLOR = { critical: 'Attention', high: 'Attention', medium: 'Warning', low: 'Default' } as const;

export function teamsMessage(n: Notification): TeamsMessage {
  const m = messageFacts(n);
  const text = (t: string) => cut(teamsInert(t), TEXT_MAX);
  const body: object[] = [
    {
      type: 'TextBlock',
      text: text(`${m.title}: ${n.repository}`),
      weight: 'Bolder',
      size: 'Medium',
      color: COLOR[n.severity],
      wrap: true,
    },
    { type: 'TextBlock', text: text(n.summary), wrap: true },
    { type: 'FactSet', facts: m.facts.map((f) => ({ title: text(f.label), value: text(f.value) })) },
  ];
  if (m.lines.length > 0)
    body.push({ type: 'TextBlock', text: text(m.lines.map((l) => `- ${l}`).join('\n')), wrap: true });
  body.push({
    type: 'TextBlock',
    text: text(`patchctl · ${m.footer}`),
    isSubtle: true,
    size: 'Small',
    wrap: true,
  });
  return {
    type: 'message',
    attachments: [
      {
        contentType: ADAPTIVE_CARD_CONTENT_TYPE,
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: ADAPTIVE_CARD_VERSION,
          body,
          msteams: { width: 'Full' },
        },
      },
    ],
  };
}
