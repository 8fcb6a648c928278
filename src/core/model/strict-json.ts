// Every JSON file patchctl reads (state, plans, journals, locks, feeds, report history) is parsed
// here. JSON.parse keeps the last of two equal keys while a reviewer reading the diff sees the
// first, so a duplicate key is an error at its line and column, like a syntax error.
import type { Diagnostic } from './diagnostics.js';
import { jsonSyntaxError } from './json-syntax.js';

export type StrictJson = { ok: true; value: unknown } | { ok: false; diagnostic: Diagnostic };

/** Parses `text` (named `file` in diagnostics); refuses syntax errors and duplicate keys. */
export function parseJsonStrict(file: string, text: string): StrictJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { ok: false, diagnostic: jsonSyntaxError(file, text, err) };
  }
  // Only objects can repeat a key. Counting keys is cheap (no string is built): when the text
  // has as many keys as the parsed objects, none repeats; only then is the position looked for.
  if (typeof value !== 'object' || value === null) return { ok: true, value };
  if (keysInText(text) === keysInValue(value)) return { ok: true, value };
  const duplicate = firstDuplicateKey(text);
  if (duplicate === undefined) return { ok: true, value };
  const before = text.slice(0, duplicate.offset);
  const line = before.split('\n').length;
  const col = duplicate.offset - before.lastIndexOf('\n');
  return {
    ok: false,
    diagnostic: {
      severity: 'error',
      code: 'json-duplicate-key',
      message: `duplicate key ${JSON.stringify(duplicate.key)}: JSON readers disagree on which value counts, so patchctl refuses the file`,
      at: { file, line, col },
    },
  };
}

/**
 * How many object keys a text JSON.parse accepted holds: the colons right after an unescaped
 * quote (blanks between). Inside a string a quote is always escaped, so a colon there never
 * counts.
 */
export function keysInText(text: string): number {
  let count = 0;
  for (let i = text.indexOf(':'); i >= 0; i = text.indexOf(':', i + 1)) {
    let k = i - 1;
    while (k >= 0 && isSpace(text.charCodeAt(k))) k--;
    if (text.charCodeAt(k) !== 0x22 /* " */) continue;
    let backslashes = 0;
    while (text.charCodeAt(k - 1 - backslashes) === 0x5c /* \ */) backslashes++;
    if (backslashes % 2 === 0) count++;
  }
  return count;
}

/** How many keys the objects of a parsed JSON value hold, at any depth (no recursion). */
function keysInValue(root: object): number {
  let count = 0;
  const todo: unknown[] = [root];
  while (todo.length > 0) {
    const v = todo.pop();
    if (typeof v !== 'object' || v === null) continue;
    if (Array.isArray(v)) {
      for (const item of v) if (typeof item === 'object' && item !== null) todo.push(item);
      continue;
    }
    for (const k in v) {
      count++;
      const item = (v as Record<string, unknown>)[k];
      if (typeof item === 'object' && item !== null) todo.push(item);
    }
  }
  return count;
}

/** An object's keys seen so far (an array while it is small, then a set); null in an array. */
type Keys = string[] | Set<string> | null;
const SMALL_OBJECT = 16;

/**
 * The first key that repeats a key of the same object, in a text JSON.parse accepted: one pass
 * that knows only strings, braces and brackets (everything else cannot hold a key). It runs over
 * every state file of a plan, so strings are skipped with indexOf and an object's keys are kept in
 * a small array (objects here have a handful of keys).
 */
export function firstDuplicateKey(text: string): { key: string; offset: number } | undefined {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const stack: Keys[] = [];
  let top: Keys = null;
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let end = text.indexOf('"', i + 1);
      // A quote preceded by an odd number of backslashes is inside the string.
      while (text.charCodeAt(end - 1) === 0x5c) {
        let k = end - 1;
        while (text.charCodeAt(k - 1) === 0x5c) k--;
        if ((end - k) % 2 === 0) break;
        end = text.indexOf('"', end + 1);
      }
      i = end + 1;
      if (top === null) continue;
      // A string in an object is a key when a colon follows it.
      let m = i;
      while (m < n && isSpace(text.charCodeAt(m))) m++;
      if (text.charCodeAt(m) !== 0x3a /* : */) continue;
      const raw = text.slice(start + 1, end);
      const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
      if (Array.isArray(top)) {
        if (top.includes(key)) return { key, offset: start };
        top.push(key);
        if (top.length === SMALL_OBJECT) top = new Set(top);
      } else {
        if (top.has(key)) return { key, offset: start };
        top.add(key);
      }
      i = m + 1;
      continue;
    }
    if (c === 0x7b /* { */) {
      stack.push(top);
      top = [];
    } else if (c === 0x5b /* [ */) {
      stack.push(top);
      top = null;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) top = stack.pop() ?? null;
    i++;
  }
  return undefined;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
