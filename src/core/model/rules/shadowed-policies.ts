import { anyGlobMatches } from '../../plan/glob.js';
import { byPrecedence, policyHosts } from '../../plan/policies-for-host.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Located } from '../repository.js';
import type { PatchPolicyDocument } from '../types.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/** Hosts named in a message before "and N more". */
export const HOSTS_SHOWN = 3;

/**
 * A policy that higher ones take over entirely: it decides nothing on any of its hosts. Each
 * update is governed by the first policy (by priority, then name) whose package filter selects
 * it, and policies never merge (core/plan/policies-for-host.ts): when a higher policy applies to
 * a host and selects every package a lower one selects, the lower one decides nothing there, and
 * its delay, windows and reboot mode silently disappear. On some of its hosts only, that is the
 * documented way to layer policies (pci-security over linux-servers-security for the PCI hosts)
 * and not reported; on all of them, the lower policy is dead. Only sure cases are reported: the
 * package filters are compared as written, so a doubtful overlap is not a warning.
 */
export const shadowedPolicies: Rule = (repo, ctx) => {
  const out: Diagnostic[] = [];
  const applies = policyHosts(repo.policies, repo.hosts, ctx.members);
  const ordered = [...repo.policies].sort((a, b) => byPrecedence(a.doc, b.doc));
  for (let i = 1; i < ordered.length; i++) {
    const low = ordered[i];
    if (!low) continue;
    const lowHosts = applies.get(low.doc.metadata.name) ?? new Set<string>();
    if (lowHosts.size === 0) continue; // policy-matches-no-host says so
    // Host → the first higher policy that takes it over; grouped by that policy.
    const takenBy = new Map<Located<PatchPolicyDocument>, string[]>();
    for (const host of lowHosts) {
      const high = ordered
        .slice(0, i)
        .find(
          (h) => applies.get(h.doc.metadata.name)?.has(host) === true && selectsEverything(h.doc, low.doc),
        );
      if (high) takenBy.set(high, [...(takenBy.get(high) ?? []), host]);
    }
    const taken = [...takenBy.values()].reduce((n, list) => n + list.length, 0);
    if (taken < lowHosts.size) continue; // a layered override on some hosts: by design
    for (const [high, hosts] of takenBy) {
      hosts.sort();
      const shown = hosts.slice(0, HOSTS_SHOWN).join(', ');
      const more = hosts.length > HOSTS_SHOWN ? ` and ${hosts.length - HOSTS_SHOWN} more` : '';
      const which =
        hosts.length === lowHosts.size
          ? `any of its ${hosts.length} host(s) (${shown}${more})`
          : `${hosts.length} of its ${lowHosts.size} hosts (${shown}${more}), and other policies take the rest`;
      const hp = high.doc.spec.priority ?? 0;
      const lp = low.doc.spec.priority ?? 0;
      const why =
        hp === lp ? `the same priority ${hp}, and its name comes first` : `priority ${hp}, above ${lp}`;
      out.push(
        diagnostic(
          'warning',
          'policy-shadowed',
          `policy "${low.doc.metadata.name}" decides nothing on ${which}: policy "${high.doc.metadata.name}" (${why}) applies to them too and selects every package it selects, and policies do not merge, so its approveAfter, windows and reboot never apply there; narrow one of them (appliesTo, include/exclude), or delete the one that is not wanted`,
          low,
          ['metadata', 'name'],
        ),
      );
    }
  }
  return out;
};

const WILDCARD = /[*?[]/;

/** Whether `high`'s package filter surely selects every package `low`'s selects. */
export function selectsEverything(high: PatchPolicyDocument, low: PatchPolicyDocument): boolean {
  const hi = high.spec.include ?? [];
  const hx = high.spec.exclude ?? [];
  const li = low.spec.include ?? [];
  const lx = low.spec.exclude ?? [];
  if (li.length === 0) {
    // `low` selects everything it does not exclude: `high` must too, excluding nothing more.
    return hi.length === 0 && hx.every((g) => lx.includes(g));
  }
  // `low` selects its include globs (minus its excludes): each must be selected by `high`.
  return li.every((g) => {
    if (WILDCARD.test(g)) {
      // A pattern: only the same pattern (or everything) surely covers it.
      const included = hi.length === 0 || hi.includes(g) || hi.includes('*');
      return included && hx.every((x) => lx.includes(x));
    }
    if (anyGlobMatches(lx, g)) return true; // low never selects it
    const included = hi.length === 0 || anyGlobMatches(hi, g);
    return included && !anyGlobMatches(hx, g);
  });
}
