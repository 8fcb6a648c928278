// State files are reviewed in git: a fixed key order, stable sorting and one trailing newline
// keep their diffs to what changed on the host.
import { byNameThenArch } from '../core/state/order.js';
import type { HostState, InstalledPackage, PendingUpdate } from '../core/state/types.js';

/** Copies `keys` of `obj` in that order, leaving out the undefined ones. */
function ordered<T extends object>(obj: T, keys: readonly (keyof T)[]): Partial<T> {
  const out: Partial<T> = {};
  for (const k of keys) if (obj[k] !== undefined) out[k] = obj[k];
  return out;
}

export function serialiseHostState(s: HostState): string {
  const installed = [...s.installed]
    .sort(byNameThenArch)
    .map((p) => ordered<InstalledPackage>(p, ['name', 'version', 'arch', 'source', 'sourceVersion']));
  const updates = [...s.updates]
    .sort(byNameThenArch)
    .map((u) =>
      ordered<PendingUpdate>(u, [
        'name',
        'from',
        'to',
        'arch',
        'source',
        'classification',
        'severity',
        'advisories',
        'releasedAt',
        'rebootRequired',
      ]),
    );
  const body = {
    ...ordered<HostState>(s, [
      'formatVersion',
      'host',
      'scannedAt',
      'reachable',
      'error',
      'errorKind',
      'lastReachableAt',
      'os',
      'packageManager',
      'bootId',
      'rebootRequired',
    ]),
    installed,
    updates,
    held: [...new Set(s.held)].sort(),
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
