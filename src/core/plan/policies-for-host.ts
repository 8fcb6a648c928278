// Which policies apply to a host, and which one governs each of its updates.
//
// Precedence (documented in the README): the policies whose appliesTo matches the host are
// ordered by `priority` (higher first), then by name. Each update is governed by the first of
// them whose package filter selects it (`include` empty or matching, `exclude` not matching).
// So a narrow, high-priority policy (browsers: include firefox*) decides for its packages
// only, and a broad policy below it decides for everything else. Classification, severity,
// pins, delays, windows and reboot then come from the governing policy alone: policies never
// merge field by field, so a reviewer can always name the one policy behind a decision.
import type { GroupMembers } from '../model/groups.js';
import { hostsMatching } from '../model/groups.js';
import type { Located, ResolvedHost } from '../model/repository.js';
import type { PatchPolicyDocument } from '../model/types.js';
import { anyGlobMatches } from './glob.js';

export type PolicyDoc = PatchPolicyDocument;

/** Policy name → the hosts it applies to, computed once per plan. */
export function policyHosts(
  policies: readonly Located<PolicyDoc>[],
  hosts: readonly ResolvedHost[],
  members: GroupMembers,
): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const p of policies) out.set(p.doc.metadata.name, hostsMatching(hosts, members, p.doc.spec.appliesTo));
  return out;
}

/** The policies that apply to `host`, in precedence order. */
export function policiesForHost(
  host: string,
  policies: readonly PolicyDoc[],
  applies: ReadonlyMap<string, ReadonlySet<string>>,
): PolicyDoc[] {
  return policies.filter((p) => applies.get(p.metadata.name)?.has(host) === true).sort(byPrecedence);
}

/**
 * policiesForHost for many hosts at once: host name → its policies in precedence order. Hosts
 * with the same policies share one (frozen) array, so answers about a list hold for all of them.
 */
export function policiesByHost(
  hosts: readonly string[],
  policies: readonly PolicyDoc[],
  applies: ReadonlyMap<string, ReadonlySet<string>>,
): Map<string, readonly PolicyDoc[]> {
  // Array.prototype.sort is stable, so sorting first and filtering after gives the same order.
  const ordered = [...policies].sort(byPrecedence);
  const sets = ordered.map((p) => applies.get(p.metadata.name));
  const shared = new Map<string, readonly PolicyDoc[]>();
  const out = new Map<string, readonly PolicyDoc[]>();
  for (const host of hosts) {
    let key = '';
    for (let i = 0; i < ordered.length; i++) if (sets[i]?.has(host) === true) key += `${i},`;
    let list = shared.get(key);
    if (!list) {
      list = Object.freeze(ordered.filter((_, i) => sets[i]?.has(host) === true));
      shared.set(key, list);
    }
    out.set(host, list);
  }
  return out;
}

export function byPrecedence(a: PolicyDoc, b: PolicyDoc): number {
  const pa = a.spec.priority ?? 0;
  const pb = b.spec.priority ?? 0;
  if (pa !== pb) return pb - pa;
  return a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0;
}

export function selectsPackage(policy: PolicyDoc, name: string): boolean {
  const include = policy.spec.include ?? [];
  if (include.length > 0 && !anyGlobMatches(include, name)) return false;
  return !anyGlobMatches(policy.spec.exclude, name);
}

export type Governance = { kind: 'governed'; policy: PolicyDoc } | { kind: 'excluded'; by: string };

/** The policy that decides for package `name`, or why none does. */
export function governingPolicy(ordered: readonly PolicyDoc[], name: string): Governance {
  const policy = ordered.find((p) => selectsPackage(p, name));
  if (policy) return { kind: 'governed', policy };
  if (ordered.length === 0) return { kind: 'excluded', by: 'no policy applies to this host' };
  // Name the policy that excluded it explicitly, else the first that does not include it.
  const excluder = ordered.find((p) => anyGlobMatches(p.spec.exclude, name)) ?? ordered[0];
  return { kind: 'excluded', by: `policy ${excluder?.metadata.name ?? '?'}` };
}
