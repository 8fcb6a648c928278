// Host and repository text as inert cells of the report formats: Markdown (plan comments,
// compliance.md, the CI job summary), CSV (spreadsheets) and XML (JUnit). Each first makes
// control characters visible (control-chars.ts), then escapes what its own syntax would act on.
// See docs/security.md ("Host text").
import { stringify } from 'csv-stringify/sync';
import type { Options as CsvOptions } from 'csv-stringify/sync';
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
 * A spreadsheet runs a cell as a formula when it starts with `= + - @`, a tab or a CR (OWASP,
 * "CSV Injection"), or their full-width forms: csv-stringify's `escape_formulas` puts a `'` in
 * front of those. Some spreadsheets also trim leading blanks first (`  =1`, a line break, an
 * ideographic space): csv-stringify looks at the first character only, so these are guarded here.
 */
const FORMULA_AFTER_BLANKS = /^[\s\u3000]+[=+\-@\uff1d\uff0b\uff0d\uff20]/;

/** The text of a CSV cell before quoting: see csvField. */
function csvText(value: string): string {
  // Line breaks (CR, LF, CRLF) are data in a quoted field; every other control is escaped,
  // and a line inside a field cannot start a CI workflow command should the file be printed.
  const visible = defuseWorkflowCommands(value.split('\r').map(escapeControls).join('\r'));
  return FORMULA_AFTER_BLANKS.test(visible) ? `'${visible}` : visible;
}

/** What a CSV cell can hold. Numbers and booleans are never formulas: `-3` stays a number. */
export type CsvValue = string | number | boolean | null;

/**
 * RFC 4180 through csv-stringify (the project reads CSV with its sibling csv-parse): CRLF record
 * ends, fields quoted when they hold `"`, `,`, CR or LF, quotes doubled; `escape_formulas` for
 * text a spreadsheet would run (text only: a number keeps its sign), with the blanks rule above;
 * `true`/`false` rather than csv-stringify's `1`/empty for booleans. `quote_record_delimiter` must
 * be set: csv-stringify turns it off once `record_delimiter` is given, and would then write a lone
 * CR or LF unquoted, which splits the record in two for every reader.
 */
const CSV_OPTIONS = {
  record_delimiter: 'windows',
  quote_record_delimiter: true,
  escape_formulas: true,
  cast: { string: csvText, boolean: (value: boolean) => (value ? 'true' : 'false') },
} satisfies CsvOptions;

/** Records as CSV text (RFC 4180, CRLF after every record): see CSV_OPTIONS and csvField. */
export function csvRecords(records: readonly (readonly CsvValue[])[]): string {
  return stringify(records as CsvValue[][], CSV_OPTIONS);
}

/**
 * One CSV field (RFC 4180): controls made visible (tab, CR and LF stay, inside quotes), a
 * leading `'` when a spreadsheet would read a formula, quoted when it holds `"`, `,`, CR or LF.
 */
export function csvField(value: CsvValue): string {
  return stringify([[value]], { ...CSV_OPTIONS, eof: false });
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
