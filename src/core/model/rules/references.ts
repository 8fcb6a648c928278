import type { Diagnostic } from '../diagnostics.js';
import type { Path } from '../parse.js';
import type { Located, Repository } from '../repository.js';
import { closest } from '../suggest.js';
import type { Rule, RuleContext } from './rule.js';
import { diagnostic } from './rule.js';

export type ReferenceTarget = 'Group' | 'MaintenanceWindow' | 'Rollout' | 'host' | 'advisory-feed';

export interface Reference {
  target: ReferenceTarget;
  name: string;
  from: Located<unknown>;
  path: Path;
}

/** Every name one document uses to point at another (or at a host, or a feed file). */
export function collectReferences(repo: Repository): Reference[] {
  const refs: Reference[] = [];
  const add = (
    target: ReferenceTarget,
    names: readonly string[] | undefined,
    from: Located<unknown>,
    path: Path,
  ) => names?.forEach((name, i) => refs.push({ target, name, from, path: [...path, i] }));
  for (const g of repo.groups) {
    add('Group', g.doc.spec.groups, g, ['spec', 'groups']);
    add('Group', g.doc.spec.excludeGroups, g, ['spec', 'excludeGroups']);
    add('host', g.doc.spec.hosts, g, ['spec', 'hosts']);
    add('host', g.doc.spec.exclude, g, ['spec', 'exclude']);
  }
  for (const r of repo.rollouts) {
    add('Group', r.doc.spec.appliesTo, r, ['spec', 'appliesTo']);
    r.doc.spec.rings.forEach((ring, i) => add('Group', ring.groups, r, ['spec', 'rings', i, 'groups']));
  }
  for (const w of repo.windows) add('Group', w.doc.spec.groups, w, ['spec', 'groups']);
  for (const b of repo.blackouts) add('Group', b.doc.spec.groups, b, ['spec', 'groups']);
  for (const p of repo.policies) {
    add('Group', p.doc.spec.appliesTo.groups, p, ['spec', 'appliesTo', 'groups']);
    add('MaintenanceWindow', p.doc.spec.windows, p, ['spec', 'windows']);
    add('advisory-feed', p.doc.spec.emergency?.feeds, p, ['spec', 'emergency', 'feeds']);
    if (p.doc.spec.rollout !== undefined) {
      refs.push({ target: 'Rollout', name: p.doc.spec.rollout, from: p, path: ['spec', 'rollout'] });
    }
  }
  for (const e of repo.exceptions) {
    add('Group', e.doc.spec.groups, e, ['spec', 'groups']);
    add('host', e.doc.spec.hosts, e, ['spec', 'hosts']);
  }
  return refs;
}

const LABEL: Record<ReferenceTarget, string> = {
  Group: 'group',
  MaintenanceWindow: 'maintenance window',
  Rollout: 'rollout',
  host: 'host',
  'advisory-feed': 'advisory feed',
};

/** A reference that resolves to nothing silently matches no host: always an error. */
export const unresolvedReferences: Rule = (repo: Repository, ctx: RuleContext) => {
  const out: Diagnostic[] = [];
  for (const ref of collectReferences(repo)) {
    const known = knownNames(repo, ctx, ref.target);
    if (known.has(ref.name)) continue;
    const hint = closest(ref.name, [...known]);
    const where =
      ref.target === 'advisory-feed'
        ? ' (feeds are files under advisories/)'
        : hint
          ? ` (did you mean "${hint}"?)`
          : '';
    out.push(
      diagnostic(
        'error',
        `unknown-${ref.target === 'MaintenanceWindow' ? 'window' : ref.target.toLowerCase()}`,
        `${LABEL[ref.target]} "${ref.name}" is not defined${where}`,
        ref.from,
        ref.path,
      ),
    );
  }
  return out;
};

function knownNames(repo: Repository, ctx: RuleContext, target: ReferenceTarget): ReadonlySet<string> {
  switch (target) {
    case 'host':
      return repo.hostNames;
    case 'advisory-feed':
      return ctx.advisoryFiles;
    default:
      return repo.names[target];
  }
}
