import { transportOf } from '../driven.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Path } from '../parse.js';
import type { HostSettings } from '../types.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/** Settings that only say how to reach a host over the network: a `local` host never reads them. */
const CONNECTION_FIELDS = ['address', 'port', 'user', 'jumpHost', 'sshConfig', 'identityFile'] as const;

/**
 * A `transport: local` host is the machine patchctl runs on, reached as the user running it
 * (README, "Inventory"): an address, port, user, jump host, ssh config or key written for it is
 * ignored. Said once per field where it is written, because the reader believes it is used.
 */
export const localHostSettings: Rule = (repo) => {
  const out: Diagnostic[] = [];
  for (const inv of repo.inventories) {
    const spec = inv.doc.spec;
    const defaults: HostSettings & { address?: string } = spec.defaults ?? {};
    spec.hosts.forEach((host, i) => {
      if (transportOf({ ...defaults, ...host }) !== 'local') return;
      for (const field of CONNECTION_FIELDS) {
        if (host[field] === undefined) continue;
        const path: Path = ['spec', 'hosts', i, field];
        out.push(
          diagnostic(
            'warning',
            'local-host-setting-ignored',
            `host ${host.name} is transport local (this machine, as the user running patchctl): its ${field} is not used`,
            inv,
            path,
            'key',
          ),
        );
      }
    });
    // The defaults' settings are ignored only when no host of the inventory connects another way.
    if (
      defaults.transport === 'local' &&
      spec.hosts.every((h) => transportOf({ ...defaults, ...h }) === 'local')
    ) {
      for (const field of CONNECTION_FIELDS) {
        if (defaults[field] === undefined) continue;
        out.push(
          diagnostic(
            'warning',
            'local-host-setting-ignored',
            `the defaults make hosts transport local (this machine, as the user running patchctl): their ${field} is not used`,
            inv,
            ['spec', 'defaults', field],
            'key',
          ),
        );
      }
    }
  }
  return out;
};
