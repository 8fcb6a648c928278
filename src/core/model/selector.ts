// Kubernetes-style label selectors: every matchLabels pair and every expression must hold.
import type { Selector } from './types.js';

export function matchesSelector(labels: Readonly<Record<string, string>>, selector: Selector): boolean {
  // Called for every host and selector: no array of entries each time.
  const wanted = selector.matchLabels;
  if (wanted) {
    for (const key in wanted) {
      if (Object.prototype.hasOwnProperty.call(wanted, key) && labels[key] !== wanted[key]) return false;
    }
  }
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const value = labels[e.key];
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(value as string)) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(value as string)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** An empty selector would match every host; callers treat that as "no selector". */
export function isEmptySelector(selector: Selector | undefined): boolean {
  return (
    !selector ||
    (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)
  );
}
