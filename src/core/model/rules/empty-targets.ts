import { rolloutHosts } from '../../schedule/rings.js';
import type { Diagnostic } from '../diagnostics.js';
import { hostsMatching } from '../groups.js';
import { isEmptySelector } from '../selector.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/**
 * A group or selector that matches no host makes whatever uses it do nothing, without a word: a
 * canary ring that never patches anything, a window or blackout that holds for nobody, an
 * exception that waives nothing. Usually a label typo or a group that lost its members. (Policies
 * that match no host are rules/policies.ts; names that do not exist are errors of references.ts,
 * so what uses an unknown group is not reported here too.)
 */
export const emptyTargets: Rule = (repo, ctx) => {
  const out: Diagnostic[] = [];
  const known = (groups: readonly string[] | undefined) => (groups ?? []).every((g) => ctx.members.has(g));
  const union = (groups: readonly string[] | undefined) => {
    const hosts = new Set<string>();
    for (const g of groups ?? []) for (const h of ctx.members.get(g) ?? []) hosts.add(h);
    return hosts;
  };
  for (const g of repo.groups) {
    const name = g.doc.metadata.name;
    if (ctx.members.get(name)?.size !== 0) continue;
    // A group naming a group or host that does not exist has an error there already.
    const s = g.doc.spec;
    if (!known(s.groups) || !known(s.excludeGroups)) continue;
    if ((s.hosts ?? []).some((h) => !repo.hostNames.has(h))) continue;
    out.push(
      diagnostic(
        'warning',
        'group-matches-no-host',
        `group "${name}" matches no host in the inventory (check its selector's labels and its host names); whatever uses it does nothing`,
        g,
        ['metadata', 'name'],
      ),
    );
  }
  for (const r of repo.rollouts) {
    const scope = new Set(rolloutHosts(r.doc, repo.hosts, ctx.members).map((h) => h.name));
    r.doc.spec.rings.forEach((ring, i) => {
      if (ring.groups === undefined && ring.selector === undefined) return; // percent or rest
      if (!known(ring.groups)) return;
      const selector = isEmptySelector(ring.selector) ? {} : { selector: ring.selector };
      const hosts = hostsMatching(repo.hosts, ctx.members, { groups: ring.groups ?? [], ...selector });
      if ([...hosts].some((h) => scope.has(h))) return;
      out.push(
        diagnostic(
          'warning',
          'ring-matches-no-host',
          `ring "${ring.name}" of rollout "${r.doc.metadata.name}" takes no host: its ${ring.groups !== undefined ? 'groups match' : 'selector matches'} none of the rollout's hosts, so the ring does nothing`,
          r,
          ['spec', 'rings', i, ring.groups !== undefined ? 'groups' : 'selector'],
          'key',
        ),
      );
    });
  }
  for (const w of repo.windows) {
    if (!known(w.doc.spec.groups) || union(w.doc.spec.groups).size > 0) continue;
    out.push(
      diagnostic(
        'warning',
        'window-matches-no-host',
        `window "${w.doc.metadata.name}" is for no host: its groups (${w.doc.spec.groups.join(', ')}) match none, so it never lets a host be patched`,
        w,
        ['spec', 'groups'],
        'key',
      ),
    );
  }
  for (const b of repo.blackouts) {
    const groups = b.doc.spec.groups;
    if (groups === undefined || !known(groups) || union(groups).size > 0) continue;
    out.push(
      diagnostic(
        'warning',
        'blackout-matches-no-host',
        `blackout "${b.doc.metadata.name}" holds back no host: its groups (${groups.join(', ')}) match none`,
        b,
        ['spec', 'groups'],
        'key',
      ),
    );
  }
  for (const e of repo.exceptions) {
    const s = e.doc.spec;
    if ((s.hosts ?? []).length > 0 || (s.groups ?? []).length === 0) continue; // named hosts: references.ts
    if (!known(s.groups) || union(s.groups).size > 0) continue;
    out.push(
      diagnostic(
        'warning',
        'exception-matches-no-host',
        `exception "${e.doc.metadata.name}" waives nothing: its groups (${(s.groups ?? []).join(', ')}) match no host`,
        e,
        ['spec', 'groups'],
        'key',
      ),
    );
  }
  return out;
};
