// The outcome of parsing user text: a value, or one message saying what is wrong and how to fix it.
// Callers attach the position in the document (see core/model/diagnostics.ts).

export type ParseResult<T> = { ok: true; value: T } | { ok: false; message: string };

export function parsed<T>(value: T): ParseResult<T> {
  return { ok: true, value };
}

export function parseFailure<T = never>(message: string): ParseResult<T> {
  return { ok: false, message };
}
