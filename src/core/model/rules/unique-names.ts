import type { Diagnostic } from '../diagnostics.js';
import type { Located, Repository } from '../repository.js';
import type { PatchctlDocument } from '../types.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/** Two documents of one kind with one name: references to it would be ambiguous. */
export const uniqueDocumentNames: Rule = (repo) => {
  const out: Diagnostic[] = [];
  const all: Located<PatchctlDocument>[] = [
    ...repo.inventories,
    ...repo.groups,
    ...repo.rollouts,
    ...repo.windows,
    ...repo.blackouts,
    ...repo.policies,
    ...repo.exceptions,
  ];
  const first = new Map<string, Located<PatchctlDocument>>();
  for (const d of all) {
    const key = `${d.doc.kind}/${d.doc.metadata.name}`;
    const earlier = first.get(key);
    if (!earlier) {
      first.set(key, d);
      continue;
    }
    const pos = earlier.locate(['metadata', 'name']);
    out.push(
      diagnostic(
        'error',
        'duplicate-name',
        `${d.doc.kind} "${d.doc.metadata.name}" is already defined at ${pos.file}:${pos.line}:${pos.col}`,
        d,
        ['metadata', 'name'],
      ),
    );
  }
  return out;
};

/** Host names identify hosts in state files, plans and reports: one name, one host. */
export const uniqueHostNames: Rule = (repo: Repository) => {
  const out: Diagnostic[] = [];
  const first = new Map<string, { inv: Located<unknown>; index: number }>();
  for (const inv of repo.inventories) {
    inv.doc.spec.hosts.forEach((h, index) => {
      const earlier = first.get(h.name);
      if (!earlier) {
        first.set(h.name, { inv, index });
        return;
      }
      const pos = earlier.inv.locate(['spec', 'hosts', earlier.index, 'name']);
      out.push(
        diagnostic(
          'error',
          'duplicate-host',
          `host "${h.name}" is already defined at ${pos.file}:${pos.line}:${pos.col}`,
          inv,
          ['spec', 'hosts', index, 'name'],
        ),
      );
    });
  }
  return out;
};
