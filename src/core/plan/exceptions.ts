// Exceptions in force at planning time, resolved to host names once.
import type { DateTime } from 'luxon';
import type { GroupMembers } from '../model/groups.js';
import { parseInstant } from '../model/instant.js';
import type { Located } from '../model/repository.js';
import type { PatchExceptionDocument } from '../model/types.js';
import type { PendingUpdate } from '../state/types.js';
import { anyGlobMatches } from './glob.js';

export interface ActiveException {
  name: string;
  hosts: ReadonlySet<string>;
  packages: readonly string[];
  advisories: ReadonlySet<string>;
  /** As written in the document. */
  expires: string;
}

export function activeExceptions(
  docs: readonly Located<PatchExceptionDocument>[],
  members: GroupMembers,
  zone: string,
  at: DateTime,
): ActiveException[] {
  const out: ActiveException[] = [];
  for (const { doc } of docs) {
    const s = doc.spec;
    const expires = parseInstant(s.expires, zone, 'end-of-day');
    if (!expires || expires <= at) continue; // expired: no longer waives anything
    const hosts = new Set(s.hosts ?? []);
    for (const g of s.groups ?? []) for (const h of members.get(g) ?? []) hosts.add(h);
    out.push({
      name: doc.metadata.name,
      hosts,
      packages: s.packages ?? [],
      advisories: new Set(s.advisories ?? []),
      expires: s.expires,
    });
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The first exception (by name) that waives this update on this host. */
export function exceptionFor(
  list: readonly ActiveException[],
  host: string,
  u: PendingUpdate,
): ActiveException | undefined {
  return list.find(
    (e) =>
      e.hosts.has(host) &&
      (anyGlobMatches(e.packages, u.name) || (u.advisories ?? []).some((a) => e.advisories.has(a))),
  );
}
