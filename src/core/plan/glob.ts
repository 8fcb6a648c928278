// Package globs: `*` any run of characters, `?` one character; everything else literal.

const cache = new Map<string, RegExp>();

export function globMatches(glob: string, name: string): boolean {
  let re = cache.get(glob);
  if (!re) {
    const body = glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    re = new RegExp(`^${body}$`);
    cache.set(glob, re);
  }
  return re.test(name);
}

export function anyGlobMatches(globs: readonly string[] | undefined, name: string): boolean {
  return (globs ?? []).some((g) => globMatches(g, name));
}
