import {
  driverOfOsHint,
  drivenOsList,
  drivenTransportList,
  drivesTransport,
  transportOf,
} from '../driven.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Path } from '../parse.js';
import type { Located, ResolvedHost } from '../repository.js';
import type { InventoryDocument } from '../types.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';
import { HOSTS_SHOWN } from './shadowed-policies.js';

/**
 * Hosts this version cannot drive (model/driven.ts): a transport it does not connect over, or an
 * `os` hint without a package-manager driver. They are reported `unsupported` and never patched,
 * which a plan full of other hosts easily hides. One warning per inventory and setting, where
 * the setting is written (a host's own field, or the inventory's defaults).
 */
export const undrivenHosts: Rule = (repo) => {
  const out: Diagnostic[] = [];
  // Where a setting is written → what is wrong with it and the hosts it concerns.
  const found = new Map<
    string,
    { inv: Located<InventoryDocument>; path: Path; what: string; hosts: string[] }
  >();
  const note = (h: ResolvedHost, field: 'transport' | 'os', what: string) => {
    const own = h.inventory.doc.spec.hosts[h.index]?.[field] !== undefined;
    const path: Path = own ? ['spec', 'hosts', h.index, field] : ['spec', 'defaults', field];
    // One warning per inventory and value: per host only if no default says it.
    const key = `${h.inventory.doc.metadata.name}\u0000${field}\u0000${what}\u0000${own ? '' : 'defaults'}`;
    const entry = found.get(key) ?? { inv: h.inventory, path, what, hosts: [] };
    entry.hosts.push(h.name);
    found.set(key, entry);
  };
  for (const h of repo.hosts) {
    const transport = transportOf(h);
    if (!drivesTransport(repo.driven, transport))
      note(
        h,
        'transport',
        `transport ${transport}, which this version cannot drive (it connects over ${drivenTransportList(repo.driven)})`,
      );
    else if (h.os !== undefined && driverOfOsHint(repo.driven, h.os) === undefined)
      note(
        h,
        'os',
        `os ${h.os}, which this version has no package-manager driver for (${drivenOsList(repo.driven)})`,
      );
  }
  for (const { inv, path, what, hosts } of found.values()) {
    const shown = hosts.slice(0, HOSTS_SHOWN).join(', ');
    const more = hosts.length > HOSTS_SHOWN ? ` and ${hosts.length - HOSTS_SHOWN} more` : '';
    out.push(
      diagnostic(
        'warning',
        'undriven-hosts',
        `${hosts.length} host(s) of inventory "${inv.doc.metadata.name}" use ${what}: ${shown}${more}; they are reported unsupported and never patched`,
        inv,
        path,
      ),
    );
  }
  return out;
};
