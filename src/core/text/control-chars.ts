// Text from outside (a host's error lines, hook output, lock holders, YAML free text) made inert
// for a terminal or a report: every character that a terminal, a log viewer or an editor acts
// on instead of showing is written as a visible escape (`\x1b`, `\u202e`, `\r`), so the
// information stays readable and nothing runs. See docs/security.md ("Host text").
//
// Escaped: C0 controls (ESC starts cursor moves, screen clears, SGR 8 conceal; CR rewrites a
// line), DEL, C1 controls (U+0080–U+009F: 0x9B is a one-byte CSI on some terminals), the
// bidirectional marks, embeddings, overrides and isolates (U+061C, U+200E, U+200F,
// U+202A–U+202E, U+2066–U+2069: "Trojan Source", text that reads other than it is), the Unicode
// line and paragraph separators (U+2028, U+2029, which some viewers break lines at), U+FEFF and
// unpaired surrogates (no character at all; XML forbids them). Tab and newline are kept by
// escapeControls (multi-line text) and escaped by oneLine (a table cell, a place in a line).

const UNSAFE_CLASS =
  '\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f\\u061c\\u200e\\u200f\\u2028-\\u202e\\u2066-\\u2069\\ufeff';
const LONE_SURROGATE = '[\\ud800-\\udbff](?![\\udc00-\\udfff])|(?<![\\ud800-\\udbff])[\\udc00-\\udfff]';
/** Escaped everywhere. */
const UNSAFE = new RegExp(`[${UNSAFE_CLASS}]|${LONE_SURROGATE}`, 'g');
/** Escaped in one-line forms: also tab and newline. */
const UNSAFE_IN_LINE = new RegExp(`[\\t\\n${UNSAFE_CLASS}]|${LONE_SURROGATE}`, 'g');
/** Quick tests (a character class only; any surrogate counts): most text needs no work at all. */
const ANY_UNSAFE = new RegExp(`[\\t\\n${UNSAFE_CLASS}\\ud800-\\udfff]`);
const HAS_UNSAFE = new RegExp(`[${UNSAFE_CLASS}\\ud800-\\udfff]`);

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** `\n`, `\r`, `\t`; `\x1b` up to U+00FF; `\u202e` above. */
export function visibleEscape(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `\r`, and `\u001b` for everything else: an escape that is also valid inside a JSON string. */
export function jsonSafeEscape(ch: string): string {
  return ch === '\r' ? '\\r' : `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`;
}

/**
 * Like escapeControls, with escapes that a JSON string decodes back to the character: the form
 * the CLI's last line of defence uses (src/cli/io.ts), since it cannot know whether it writes
 * text or JSON (`--format json`), and must keep JSON valid and lossless.
 */
export function escapeControlsJsonSafe(text: string): string {
  return HAS_UNSAFE.test(text) ? text.replace(UNSAFE, jsonSafeEscape) : text;
}

/** True when `text` holds a character that escapeControls or oneLine would change. */
export function hasControlChars(text: string): boolean {
  return ANY_UNSAFE.test(text) && oneLine(text) !== text;
}

/** Every unsafe character except tab and newline as a visible escape (multi-line text). */
export function escapeControls(text: string): string {
  return HAS_UNSAFE.test(text) ? text.replace(UNSAFE, visibleEscape) : text;
}

/**
 * One line, for a table cell or a place inside a line: newline and tab too become visible
 * escapes (`\n`, `\t`), as the stored host errors write them (src/core/state).
 */
export function oneLine(text: string): string {
  return ANY_UNSAFE.test(text) ? text.replace(UNSAFE_IN_LINE, visibleEscape) : text;
}
