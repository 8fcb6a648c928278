// Holds on an RPM host: versionlock entries (dnf's `name-[epoch:]version-release.*`, yum's
// `epoch:name-version-release.*`; `!`-entries exclude one version and are not holds) and the main
// configuration's `exclude=`/`excludepkgs=` globs (space- or comma-separated). Read from the files,
// so that the versionlock plugin need not be installed.
import { parseNevr } from './nevra.js';
import { sortedUnique, splitLines } from './text.js';

export interface Holds {
  /** Package names the versionlock list pins. */
  locked: string[];
  /** Glob patterns from exclude/excludepkgs. */
  excludes: string[];
}

export function parseVersionlockList(text: string): string[] {
  const names: string[] = [];
  for (const raw of splitLines(text)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith('!')) continue;
    const spec = line.replace(/\.\*$/, '').replace(/^\d{1,10}:/, '');
    const nevr = parseNevr(spec);
    if (nevr !== undefined) names.push(nevr.name);
    else if (/^[A-Za-z0-9_][A-Za-z0-9._+-]*$/.test(spec)) names.push(spec); // a bare name pins the installed version
  }
  return sortedUnique(names);
}

export function parseExcludes(text: string): string[] {
  const patterns: string[] = [];
  for (const raw of splitLines(text)) {
    const m = /^\s*(?:exclude|excludepkgs)\s*=\s*(.*)$/i.exec(raw);
    if (m === null) continue;
    patterns.push(...(m[1] ?? '').split(/[\s,]+/).filter((p) => p !== ''));
  }
  return sortedUnique(patterns);
}

/** fnmatch-style glob (`*`, `?`, `[...]`) as dnf matches exclude patterns against names. */
export function globMatches(pattern: string, name: string): boolean {
  let re = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] ?? '';
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) re += '\\[';
      else {
        const body = pattern
          .slice(i + 1, end)
          .replace(/^!/, '^')
          .replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\/]/g, '\\$&');
  }
  try {
    return new RegExp(`${re}$`).test(name);
  } catch {
    return pattern === name;
  }
}

/** The names among `names` that the holds keep back, sorted. */
export function heldNames(holds: Holds, names: Iterable<string>): string[] {
  const locked = new Set(holds.locked);
  return sortedUnique(
    [...names].filter((n) => locked.has(n) || holds.excludes.some((p) => globMatches(p, n))),
  );
}
