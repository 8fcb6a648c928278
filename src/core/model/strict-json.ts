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
  // Only objects can repeat a key; a text without a second quote holds no object key at all.
  if (typeof value !== 'object' || value === null) return { ok: true, value };
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
 * The first key that repeats a key of the same object, in a text JSON.parse accepted: one pass
 * that knows only strings, braces and brackets (everything else cannot hold a key).
 */
export function firstDuplicateKey(text: string): { key: string; offset: number } | undefined {
  // One entry per open container: the keys seen so far for an object, null for an array.
  const stack: (Set<string> | null)[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      let j = i + 1;
      let escaped = false;
      for (;;) {
        const k = text.charCodeAt(j);
        if (k === 0x5c /* \ */) {
          escaped = true;
          j += 2;
        } else if (k === 0x22) break;
        else j++;
      }
      const end = j + 1;
      const top = stack[stack.length - 1];
      if (top) {
        // A string in an object is a key when a colon follows it.
        let m = end;
        while (m < n && isSpace(text.charCodeAt(m))) m++;
        if (text.charCodeAt(m) === 0x3a /* : */) {
          const raw = text.slice(start, end);
          const key = escaped ? (JSON.parse(raw) as string) : raw.slice(1, -1);
          if (top.has(key)) return { key, offset: start };
          top.add(key);
        }
      }
      i = end;
      continue;
    }
    if (c === 0x7b /* { */) stack.push(new Set());
    else if (c === 0x5b /* [ */) stack.push(null);
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) stack.pop();
    i++;
  }
  return undefined;
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
