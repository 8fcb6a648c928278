import { assignRings, isExplicitRing } from '../../schedule/rings.js';
import type { Diagnostic } from '../diagnostics.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/** Each ring takes hosts one way: by groups/selector, by percent, or as the rest. */
export const ringShapes: Rule = (repo) => {
  const out: Diagnostic[] = [];
  for (const r of repo.rollouts) {
    const seen = new Map<string, number>();
    const rings = r.doc.spec.rings;
    rings.forEach((ring, i) => {
      const path = ['spec', 'rings', i];
      const earlier = seen.get(ring.name);
      if (earlier !== undefined) {
        out.push(
          diagnostic(
            'error',
            'duplicate-ring',
            `ring "${ring.name}" is already defined as ring ${earlier + 1}`,
            r,
            [...path, 'name'],
          ),
        );
      } else seen.set(ring.name, i);
      const ways = [isExplicitRing(ring), ring.percent !== undefined, ring.rest === true].filter(
        Boolean,
      ).length;
      if (ways === 0) {
        out.push(
          diagnostic(
            'error',
            'empty-ring',
            `ring "${ring.name}" takes no hosts: give it groups, a selector, percent, or rest: true`,
            r,
            [...path, 'name'],
          ),
        );
      } else if (ways > 1) {
        out.push(
          diagnostic(
            'error',
            'ambiguous-ring',
            `ring "${ring.name}" mixes groups/selector, percent and rest: use one of them per ring`,
            r,
            [...path, 'name'],
          ),
        );
      }
      if (ring.rest === true && i !== rings.length - 1) {
        out.push(
          diagnostic(
            'error',
            'rest-ring-not-last',
            `ring "${ring.name}" takes the rest of the hosts, so the rings after it would stay empty; make it the last ring`,
            r,
            [...path, 'rest'],
          ),
        );
      }
    });
  }
  return out;
};

/** Percent rings split one pool: together at most 100%, and exactly 100% without a rest ring. */
export const ringPercentages: Rule = (repo) => {
  const out: Diagnostic[] = [];
  for (const r of repo.rollouts) {
    const rings = r.doc.spec.rings;
    const percentRings = rings
      .map((ring, i) => ({ ring, i }))
      .filter(({ ring }) => ring.percent !== undefined && !isExplicitRing(ring));
    if (percentRings.length === 0) continue;
    const total = percentRings.reduce((sum, { ring }) => sum + (ring.percent ?? 0), 0);
    const rounded = Math.round(total * 1000) / 1000;
    const hasRest = rings.some((ring) => ring.rest === true);
    const last = percentRings[percentRings.length - 1];
    if (!last) continue;
    const at = ['spec', 'rings', last.i, 'percent'];
    const list = percentRings.map(({ ring }) => `${ring.name} ${ring.percent}%`).join(' + ');
    if (rounded > 100) {
      out.push(
        diagnostic(
          'error',
          'ring-percent-over',
          `ring percentages add up to ${rounded}% (${list}); at most 100%`,
          r,
          at,
        ),
      );
    } else if (rounded < 100 && !hasRest) {
      out.push(
        diagnostic(
          'error',
          'ring-percent-under',
          `ring percentages add up to ${rounded}% (${list}), so ${Math.round((100 - rounded) * 1000) / 1000}% of the hosts would be in no ring; make them add up to 100% or add a last ring with rest: true`,
          r,
          at,
        ),
      );
    } else if (rounded === 100 && hasRest) {
      const restIndex = rings.findIndex((ring) => ring.rest === true);
      out.push(
        diagnostic(
          'warning',
          'rest-ring-empty',
          `ring percentages already add up to 100%, so the rest ring "${rings[restIndex]?.name}" stays empty`,
          r,
          ['spec', 'rings', restIndex, 'rest'],
        ),
      );
    }
  }
  return out;
};

/** A host in two rings would be patched on two schedules: the rollout must say which. */
export const ringMembership: Rule = (repo, ctx) => {
  const out: Diagnostic[] = [];
  for (const r of repo.rollouts) {
    const { conflicts, unassigned } = assignRings(r.doc, repo.hosts, ctx.members);
    const byRing = new Map<string, { host: string; first: string }[]>();
    for (const c of conflicts) {
      const list = byRing.get(c.rings[1]) ?? [];
      list.push({ host: c.host, first: c.rings[0] });
      byRing.set(c.rings[1], list);
    }
    for (const [ringName, list] of byRing) {
      const index = r.doc.spec.rings.findIndex((ring) => ring.name === ringName);
      const shown = list
        .slice(0, 5)
        .map((c) => `${c.host} (already in "${c.first}")`)
        .join(', ');
      const more = list.length > 5 ? ` and ${list.length - 5} more` : '';
      out.push(
        diagnostic(
          'error',
          'host-in-several-rings',
          `ring "${ringName}" takes hosts that an earlier ring already has: ${shown}${more}; a host is in exactly one ring`,
          r,
          ['spec', 'rings', index, 'name'],
        ),
      );
    }
    if (unassigned.length > 0 && !r.doc.spec.rings.some((ring) => ring.percent !== undefined)) {
      const shown = unassigned.slice(0, 5).join(', ');
      const more = unassigned.length > 5 ? ` and ${unassigned.length - 5} more` : '';
      out.push(
        diagnostic(
          'warning',
          'hosts-without-ring',
          `${unassigned.length} host(s) of rollout "${r.doc.metadata.name}" are in no ring and will never be patched by it: ${shown}${more}; add a last ring with rest: true`,
          r,
          ['spec', 'rings'],
          'key',
        ),
      );
    }
  }
  return out;
};
