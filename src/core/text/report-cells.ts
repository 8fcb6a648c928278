// Host and repository text as inert cells of the report formats: Markdown (plan comments,
// compliance.md, the CI job summary), CSV (spreadsheets) and XML (JUnit). Each first makes
// control characters visible (control-chars.ts), then escapes what its own syntax would act on.
// See docs/security.md ("Host text").
import { escapeControls, oneLine } from './control-chars.js';
import { defuseWorkflowCommands } from './workflow-commands.js';

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/**
 * A value as inert text on one line, in Markdown and inside HTML blocks (<summary>) alike:
 * character references, which neither syntax interprets. `|` would end a table cell, `~` strikes
 * through (Debian versions are full of it), `$` starts maths, `@` mentions, `<` opens HTML,
 * backticks open code. Line breaks and other control characters become visible escapes (`\n`,
 * `\x1b`): a newline would end a table row.
 */
export function markdownText(value: string): string {
  return oneLine(value).replace(/[&<>|`*_~[\]\\#@$!{}]/g, (ch) => ENTITY[ch] ?? `&#${ch.charCodeAt(0)};`);
}

/** Text inside a Mermaid string ("label"): no quote, backtick or line break can end it. */
export function mermaidLabel(value: string): string {
  return oneLine(value).replace(/["`]/g, "'");
}

/**
 * A spreadsheet would run these as a formula when a cell starts with one (also after blanks,
 * and their full-width forms): OWASP's list (= + - @ tab CR) and then some.
 */
const FORMULA_START = /^[\s\u3000]*[=+\-@\uff1d\uff0b\uff0d\uff20]|^[\t\r]/;

/**
 * One CSV field (RFC 4180): controls made visible (tab, CR and LF stay, inside quotes), a
 * leading `'` when a spreadsheet would read a formula, quoted when it holds `"`, `,`, CR or LF.
 */
export function csvField(value: string | number | boolean | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  // Line breaks (CR, LF, CRLF) are data in a quoted field; every other control is escaped,
  // and a line inside a field cannot start a CI workflow command should the file be printed.
  const visible = defuseWorkflowCommands(value.split('\r').map(escapeControls).join('\r'));
  const safe = FORMULA_START.test(visible) ? `'${visible}` : visible;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * XML 1.0 text: controls and unpaired surrogates made visible (XML cannot carry most of them at
 * all, even as references), U+FFFE and U+FFFF likewise, then `& < >` as references.
 */
export function xmlText(value: string): string {
  return escapeControls(value)
    .replace(/[\ufffe\uffff]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16)}`)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** An XML attribute value in double quotes: also `"`, and tab and newline as references. */
export function xmlAttr(value: string): string {
  return xmlText(value).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\t/g, '&#9;');
}
