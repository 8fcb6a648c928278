import { describe, expect, it } from '@jest/globals';
import type { Repository } from '../model/repository.js';
import { ringNameProblem, ringNames } from './ring-names.js';

const rollout = (name: string, rings: string[]) =>
  ({
    doc: { metadata: { name }, spec: { rings: rings.map((r) => ({ name: r })) } },
  }) as unknown as Repository['rollouts'][number];

describe('ring names', () => {
  it('are the rollouts’ rings, each once, then unassigned', () => {
    const repo = { rollouts: [rollout('a', ['canary', 'broad']), rollout('b', ['canary', 'late'])] };
    expect(ringNames(repo)).toEqual(['canary', 'broad', 'late', 'unassigned']);
    expect(ringNames({ rollouts: [] })).toEqual(['unassigned']);
  });

  it('an unknown one is a problem naming the closest ring and every ring', () => {
    const rings = ['canary', 'pilot', 'broad', 'unassigned'];
    expect(ringNameProblem('canary', rings)).toBeUndefined();
    expect(ringNameProblem('unassigned', rings)).toBeUndefined();
    expect(ringNameProblem('canry', rings)).toBe(
      'no ring named "canry"; did you mean "canary"? (rings: canary, pilot, broad, unassigned)',
    );
    expect(ringNameProblem('everything', rings)).toBe(
      'no ring named "everything" (rings: canary, pilot, broad, unassigned)',
    );
  });
});
