// Package globs: `*` any run of characters (the empty run included), `?` exactly one character;
// every other character stands for itself, and the glob must match the whole name.
//
// Matched without regular expressions, in O(glob × name) steps at worst: a scan that, on a
// mismatch, backtracks only to the last `*` seen (the classic wildcard matcher). A regular
// expression made from a glob backtracks over every `*` at once: an exclude of 12 stars against
// a 100-character name took hours (issue 12). A "character" is one UTF-16 code unit.

/** True when `glob` matches all of `name`. */
export function globMatches(glob: string, name: string): boolean {
  if (!glob.includes('*') && !glob.includes('?')) return glob === name;
  return matchSteps(glob, name).matched;
}

export function anyGlobMatches(globs: readonly string[] | undefined, name: string): boolean {
  return (globs ?? []).some((g) => globMatches(g, name));
}

/**
 * The matcher itself, with the number of loop steps it took (tests bound it: at most
 * (name.length + 1) × (glob.length + 1) + glob.length).
 */
export function matchSteps(glob: string, name: string): { matched: boolean; steps: number } {
  let g = 0; // next glob position
  let n = 0; // next name position
  let star = -1; // position of the last `*` seen, -1 before any
  let resume = 0; // name position that `*` is currently extended up to
  let steps = 0;
  while (n < name.length) {
    steps++;
    const c = glob[g];
    if (c === '*') {
      // Try the empty run first; extend it one character at a time on later mismatches.
      star = g++;
      resume = n;
    } else if (c !== undefined && (c === '?' || c === name[n])) {
      g++;
      n++;
    } else if (star >= 0) {
      // Backtrack to the last `*` only: every earlier `*` already matched as little as it can,
      // and letting it take more could only be matched again by this later `*`.
      g = star + 1;
      n = ++resume;
    } else {
      return { matched: false, steps };
    }
  }
  while (glob[g] === '*') {
    steps++;
    g++;
  }
  return { matched: g === glob.length, steps };
}
