// Text that comes from a host and is kept (the `error` of a host state file, a scan message, a
// value quoted in a diagnostic) is shown later on terminals, in plans and in reports: it is kept
// as one bounded line whose control characters are written as visible escapes (`\x1b`, `\n`:
// oneLine of src/core/text), never interpreted. See docs/security.md ("Host text").
import { oneLine } from '../text/control-chars.js';

/** The longest `error` scan and apply store (schemas/host-state.schema.json allows 4096). */
export const MAX_HOST_ERROR_LENGTH = 1024;

/**
 * One line of at most `max` characters (at least 1): `text` with its controls escaped, cut with
 * `…` when longer. An empty text becomes `fallback`.
 */
export function boundedLine(text: string, max: number, fallback = 'no details'): string {
  const escaped = oneLine(text).trim();
  const line = escaped === '' ? fallback : escaped;
  if (line.length <= max) return line;
  let cut = Math.max(0, max - 1);
  // Never split a surrogate pair or an escape written above.
  const code = line.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut--;
  const escape = /\\(?:x[0-9a-f]{0,1}|u[0-9a-f]{0,3})?$/.exec(line.slice(Math.max(0, cut - 5), cut));
  if (escape !== null) cut -= escape[0].length;
  return `${line.slice(0, cut)}…`;
}

/**
 * A value quoted in a message: JSON-quoted, controls escaped, and cut to about `max` characters
 * with the full length said (a 1 MB kernel string must not become a 1 MB diagnostic).
 */
export function quoteValue(value: unknown, max = 80): string {
  if (typeof value !== 'string') {
    const json = JSON.stringify(value) ?? String(value);
    return json.length <= max ? oneLine(json) : boundedLine(json, max);
  }
  const quoted = oneLine(JSON.stringify(value));
  if (quoted.length <= max) return quoted;
  return `${boundedLine(quoted.slice(0, -1), max)}" (${value.length} characters)`;
}
