// "Did you mean ...?" for misspelt fields, kinds and references.
//
// The edit distance is fastest-levenshtein's (Myers' bit-parallel algorithm): the same
// Levenshtein distance over UTF-16 code units as the dynamic-programming loop it replaced, without
// a row allocated per character, so suggesting among the names of a large fleet (host selectors,
// state files of unknown hosts) stays cheap.
import { distance } from 'fastest-levenshtein';

/**
 * The candidate closest to `word`, ignoring case, within an edit distance of a third of its
 * length (at least 2); the first of equally close ones. Undefined when there is none, or when the
 * closest is `word` itself.
 */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  const lower = word.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const candidate = c.toLowerCase();
    const dist = candidate === lower ? 0 : editDistance(lower, candidate);
    if (dist < bestDistance) {
      best = c;
      bestDistance = dist;
    }
  }
  return best === word ? undefined : best;
}

/** Levenshtein distance between `a` and `b` (insertions, deletions and substitutions). */
export function editDistance(a: string, b: string): number {
  return distance(a, b);
}
