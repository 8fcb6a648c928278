// JSON files patchctl reads (advisory feeds, state files, plans): a syntax error becomes a
// diagnostic at its line and column.
import type { Diagnostic } from './diagnostics.js';

export function jsonSyntaxError(file: string, text: string, err: unknown): Diagnostic {
  const message = err instanceof Error ? err.message : String(err);
  const m = /position (\d+)/.exec(message);
  const offset = m ? Math.min(Number(m[1]), text.length) : jsonErrorOffset(text);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  const found =
    offset < text.length ? `unexpected ${JSON.stringify(text.charAt(offset))}` : 'unexpected end of file';
  return {
    severity: 'error',
    code: 'json-syntax',
    message: `invalid JSON: ${found}`,
    at: { file, line, col },
  };
}

/**
 * Where JSON.parse gave up when its message does not say (Node 20 omits the position for an
 * unexpected token): the shortest prefix that fails on an unexpected token ends at it.
 */
export function jsonErrorOffset(text: string): number {
  const hitsToken = (len: number): boolean => {
    try {
      JSON.parse(text.slice(0, len));
      return false;
    } catch (e) {
      return /Unexpected token/.test(e instanceof Error ? e.message : '');
    }
  };
  if (!hitsToken(text.length)) return text.length;
  let lo = 1;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (hitsToken(mid)) hi = mid;
    else lo = mid + 1;
  }
  return lo - 1;
}
