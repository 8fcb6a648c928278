// `--hosts`: the hosts a command targets, one syntax for plan, apply, scan and report (README
// "Commands"), like Ansible's `--limit`. Comma-separated terms, each
//   - a host name (`fra-web-01`),
//   - a glob over host names (`*` any run of characters, `?` one character: `web-*`, `db-0?`),
//   - a group name (a Group document: its members as groups.ts resolves them),
//   - or any of those after `!`, which removes its hosts from the selection.
// Terms without `!` add up (a union; none at all means every host), then every `!` term is taken
// away, whatever the order. A name that is neither a host nor a group, a glob that matches no
// host, a group with no hosts, or a selection left empty is a problem that names the closest
// match: a typo must never quietly select nothing (issue 13), least of all in an exclusion.
import { globMatches } from '../plan/glob.js';
import type { GroupMembers } from './groups.js';
import { closest } from './suggest.js';

export interface HostUniverse {
  /** Every host name, in inventory order. */
  hosts: readonly string[];
  /** The members of each Group document (groups.ts resolveGroups). */
  groups: GroupMembers;
}

export type HostSelection = { ok: true; hosts: string[] } | { ok: false; problems: string[] };

/** Characters of a host or group name (schemas/common.schema.json), plus the two wildcards. */
const TERM = /^[A-Za-z0-9._*?-]+$/;

/** Names listed when nothing comes close to an unknown one. */
const LISTED = 5;

/** The hosts `expression` selects, in inventory order, or every problem with it. */
export function selectHosts(expression: string, universe: HostUniverse): HostSelection {
  const terms = expression
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (terms.length === 0)
    return {
      ok: false,
      problems: ['names no host: give host names, globs (web-*) or group names, comma-separated'],
    };
  const problems: string[] = [];
  const included = new Set<string>();
  const excluded = new Set<string>();
  let includes = 0;
  for (const term of terms) {
    const exclude = term.startsWith('!');
    const pattern = exclude ? term.slice(1).trim() : term;
    const matched = matchTerm(pattern, universe);
    if (!matched.ok) {
      problems.push(exclude && pattern !== '' ? `${matched.problem} (in "!${pattern}")` : matched.problem);
      continue;
    }
    if (exclude) for (const h of matched.hosts) excluded.add(h);
    else {
      includes++;
      for (const h of matched.hosts) included.add(h);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const hosts = universe.hosts.filter((h) => (includes === 0 || included.has(h)) && !excluded.has(h));
  if (hosts.length === 0)
    return { ok: false, problems: ['selects no host: every host it names is excluded again with !'] };
  return { ok: true, hosts };
}

type TermMatch = { ok: true; hosts: ReadonlySet<string> } | { ok: false; problem: string };

function matchTerm(pattern: string, universe: HostUniverse): TermMatch {
  if (pattern === '') return { ok: false, problem: '"!" alone excludes nothing: write !NAME' };
  if (!TERM.test(pattern)) return { ok: false, problem: syntaxProblem(pattern) };
  if (pattern.includes('*') || pattern.includes('?')) {
    const hosts = new Set(universe.hosts.filter((h) => globMatches(pattern, h)));
    if (hosts.size > 0) return { ok: true, hosts };
    const wider = widerGlob(pattern, universe.hosts);
    return {
      ok: false,
      problem: `no host matches "${pattern}"${wider ?? listed(universe)}`,
    };
  }
  const isHost = universe.hosts.includes(pattern);
  const members = universe.groups.get(pattern);
  if (!isHost && members === undefined) return { ok: false, problem: unknownName(pattern, universe) };
  // A name that is both a host and a group (nothing forbids it) selects the host and the members.
  const hosts = new Set<string>(members ?? []);
  if (isHost) hosts.add(pattern);
  if (hosts.size === 0) return { ok: false, problem: `group "${pattern}" has no hosts` };
  return { ok: true, hosts };
}

/** `no host or group named "web1"; did you mean "web-1"?`, or the glob that would match it. */
function unknownName(name: string, universe: HostUniverse): string {
  const hint = closest(name, [...universe.hosts, ...universe.groups.keys()]);
  const head = `no host or group named "${name}"`;
  if (hint !== undefined) return `${head}; did you mean "${hint}"?`;
  return `${head}${widerGlob(name, universe.hosts) ?? listed(universe)}`;
}

/** `; did you mean "*web*" (it matches 4 hosts)?` when the term is part of host names. */
function widerGlob(pattern: string, hosts: readonly string[]): string | undefined {
  const wider = `${pattern.startsWith('*') ? '' : '*'}${pattern}${pattern.endsWith('*') ? '' : '*'}`;
  if (wider === pattern) return undefined;
  const n = hosts.filter((h) => globMatches(wider, h)).length;
  if (n === 0) return undefined;
  return `; did you mean "${wider}" (it matches ${n} host${n === 1 ? '' : 's'})?`;
}

/** ` (hosts: a, b, …; groups: c, d)`: a few names to go by. */
function listed(universe: HostUniverse): string {
  const few = (names: readonly string[]): string =>
    names.length === 0
      ? 'none'
      : `${names.slice(0, LISTED).join(', ')}${names.length > LISTED ? `, … ${names.length} in all` : ''}`;
  return ` (hosts: ${few(universe.hosts)}; groups: ${few([...universe.groups.keys()].sort())})`;
}

function syntaxProblem(pattern: string): string {
  const head = `"${pattern}" is not a host name, glob or group name (letters, digits, '.', '_', '-', and * or ? as wildcards)`;
  if (/\s/.test(pattern)) return `${head}: separate names with commas`;
  if (pattern.includes('&'))
    return `${head}: intersections (&) are not supported; use a group, or list the hosts`;
  if (pattern.startsWith('~')) return `${head}: regular expressions (~) are not supported; use * and ?`;
  if (pattern.includes('[')) return `${head}: ranges ([1:3]) are not supported; use * and ?`;
  if (pattern.includes('!')) return `${head}: "!" excludes only at the start of a term (!NAME)`;
  if (pattern.includes(':')) return `${head}: separate names with commas, not ':'`;
  return head;
}
