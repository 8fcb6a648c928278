// Applies a text transform to every string of a JSON-like value (a plan, a report) before it is
// rendered, so that no field a renderer interpolates, today's or tomorrow's, escapes it.

/**
 * `value` with `f` applied to every string in it (object keys stay). Parts in which nothing
 * changed are returned as they were (no copy), so clean data costs one pass of tests.
 */
export function mapStrings<T>(value: T, f: (s: string) => string): T {
  return walk(value, f) as T;
}

function walk(value: unknown, f: (s: string) => string): unknown {
  if (typeof value === 'string') return f(value);
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const v: unknown = value[i];
      if (typeof v !== 'string' && (typeof v !== 'object' || v === null)) continue;
      const w = walk(v, f);
      if (w !== v) {
        copy ??= value.slice();
        copy[i] = w;
      }
    }
    return copy ?? value;
  }
  const obj = value as Record<string, unknown>;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(obj)) {
    const v = obj[key];
    if (typeof v !== 'string' && (typeof v !== 'object' || v === null)) continue;
    const w = walk(v, f);
    if (w !== v) {
      copy ??= { ...obj };
      copy[key] = w;
    }
  }
  return copy ?? value;
}
