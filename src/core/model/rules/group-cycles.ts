import type { Diagnostic } from '../diagnostics.js';
import type { Located } from '../repository.js';
import type { GroupDocument } from '../types.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/** Groups that include (or exclude) themselves through other groups have no defined members. */
export const groupCycles: Rule = (repo) => {
  const byName = new Map<string, Located<GroupDocument>>();
  for (const g of repo.groups) if (!byName.has(g.doc.metadata.name)) byName.set(g.doc.metadata.name, g);
  const edges = (g: GroupDocument): { to: string; field: 'groups' | 'excludeGroups'; index: number }[] => [
    ...(g.spec.groups ?? []).map((to, index) => ({ to, field: 'groups' as const, index })),
    ...(g.spec.excludeGroups ?? []).map((to, index) => ({ to, field: 'excludeGroups' as const, index })),
  ];
  const out: Diagnostic[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const reported = new Set<string>();

  const visit = (name: string): void => {
    const g = byName.get(name);
    if (!g || state.get(name) === 'done') return;
    state.set(name, 'visiting');
    stack.push(name);
    for (const e of edges(g.doc)) {
      if (state.get(e.to) === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(e.to)), e.to];
        const key = [...cycle].sort().join('>');
        if (!reported.has(key)) {
          reported.add(key);
          out.push(
            diagnostic(
              'error',
              'group-cycle',
              `groups include each other in a cycle: ${cycle.join(' → ')}`,
              g,
              ['spec', e.field, e.index],
            ),
          );
        }
      } else {
        visit(e.to);
      }
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of byName.keys()) visit(name);
  return out;
};
