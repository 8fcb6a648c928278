// `--ring NAME` (plan, apply): the rings a plan can have are those of the Rollout documents,
// plus `unassigned` for hosts no rollout covers. An unknown name is an error naming the closest
// one (issue 13: `plan --ring canry` printed "No changes").
import { closest } from '../model/suggest.js';
import type { Repository } from '../model/repository.js';
import { NO_ROLLOUT_RING } from './build-plan.js';

/** Every ring name of the repository's rollouts (each once, in document order), then `unassigned`. */
export function ringNames(repo: Pick<Repository, 'rollouts'>): string[] {
  const names = repo.rollouts.flatMap((r) => r.doc.spec.rings.map((ring) => ring.name));
  return [...new Set([...names, NO_ROLLOUT_RING])];
}

/** Why `name` is not a ring (`no ring named "canry"; did you mean "canary"? …`), or undefined. */
export function ringNameProblem(name: string, rings: readonly string[]): string | undefined {
  if (rings.includes(name)) return undefined;
  const hint = closest(name, rings);
  return `no ring named "${name}"${hint !== undefined ? `; did you mean "${hint}"?` : ''} (rings: ${rings.join(', ')})`;
}
