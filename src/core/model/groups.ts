// Group membership: selector ∪ explicit hosts ∪ included groups, minus exclusions.
// Cycles are reported by the group-cycles rule; resolution here just refuses to loop.
import type { Repository, ResolvedHost } from './repository.js';
import { isEmptySelector, matchesSelector } from './selector.js';
import type { GroupDocument } from './types.js';

export type GroupMembers = ReadonlyMap<string, ReadonlySet<string>>;

export function resolveGroups(repo: Pick<Repository, 'groups' | 'hosts'>): GroupMembers {
  const byName = new Map<string, GroupDocument>();
  for (const g of repo.groups) if (!byName.has(g.doc.metadata.name)) byName.set(g.doc.metadata.name, g.doc);
  const resolved = new Map<string, Set<string>>();
  const resolving = new Set<string>();
  let known: Set<string> | undefined; // every host name, once the first group lists hosts

  const resolve = (name: string): Set<string> => {
    const done = resolved.get(name);
    if (done) return done;
    const group = byName.get(name);
    if (!group || resolving.has(name)) return new Set();
    resolving.add(name);
    const spec = group.spec;
    const members = new Set<string>();
    if (!isEmptySelector(spec.selector)) {
      for (const h of repo.hosts) if (matchesSelector(h.labels, spec.selector ?? {})) members.add(h.name);
    }
    if (spec.hosts && spec.hosts.length > 0) {
      known ??= new Set(repo.hosts.map((h) => h.name));
      for (const h of spec.hosts) if (known.has(h)) members.add(h);
    }
    for (const g of spec.groups ?? []) for (const h of resolve(g)) members.add(h);
    for (const g of spec.excludeGroups ?? []) for (const h of resolve(g)) members.delete(h);
    for (const h of spec.exclude ?? []) members.delete(h);
    resolving.delete(name);
    resolved.set(name, members);
    return members;
  };
  for (const name of byName.keys()) resolve(name);
  return resolved;
}

/** Hosts matched by a list of groups and/or a selector (an `appliesTo`, a ring). */
export function hostsMatching(
  hosts: readonly ResolvedHost[],
  members: GroupMembers,
  target: { groups?: readonly string[]; selector?: Parameters<typeof matchesSelector>[1] },
): Set<string> {
  const out = new Set<string>();
  for (const g of target.groups ?? []) for (const h of members.get(g) ?? []) out.add(h);
  if (!isEmptySelector(target.selector)) {
    for (const h of hosts) if (matchesSelector(h.labels, target.selector ?? {})) out.add(h.name);
  }
  return out;
}
