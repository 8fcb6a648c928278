import { describe, expect, it } from '@jest/globals';
import { DateTime } from 'luxon';
import type { Ring, RolloutDocument } from '../model/types.js';
import type { RingProgress, RolloutState } from '../state/types.js';
import { rolloutStatus } from './rollout-status.js';

const at = DateTime.fromISO('2026-12-01T00:00:00Z', { setZone: true });

function aRollout(name: string, rings: Ring[]): RolloutDocument {
  return { apiVersion: 'patchctl/v1', kind: 'Rollout', metadata: { name }, spec: { rings } };
}

const standard = aRollout('standard', [
  { name: 'canary', groups: ['canary'], bakeTime: '24h' },
  { name: 'pilot', percent: 25, bakeTime: '2d' },
  { name: 'broad', rest: true },
]);

function aState(rings: Record<string, RingProgress>, rollout = 'standard'): Map<string, RolloutState> {
  return new Map([[rollout, { formatVersion: 1, rollout, updatedAt: '2026-11-30T12:00:00Z', rings }]]);
}

const completed = (finishedAt: string, failures = 0): RingProgress => ({
  status: 'completed',
  startedAt: '2026-11-28T00:00:00Z',
  finishedAt,
  healthySince: finishedAt,
  failures,
});

describe('rolloutStatus', () => {
  it('reports every ring pending when nothing was recorded; later rings wait for earlier ones', () => {
    const [r] = rolloutStatus({ rollouts: [standard], states: new Map(), at });
    expect(r).toEqual({
      rollout: 'standard',
      halted: false,
      rings: [
        { ring: 'canary', status: 'pending', bakeTime: '24h' },
        { ring: 'pilot', status: 'pending', bakeTime: '2d', waitingFor: 'ring canary to complete' },
        { ring: 'broad', status: 'pending', waitingFor: 'ring pilot to complete' },
      ],
    });
  });

  it('says a completed ring bakes until healthySince + bakeTime, and the next ring waits for that', () => {
    const [r] = rolloutStatus({
      rollouts: [standard],
      states: aState({ canary: completed('2026-11-30T10:00:00Z', 1) }),
      at,
    });
    expect(r?.updatedAt).toBe('2026-11-30T12:00:00Z');
    expect(r?.rings[0]).toEqual({
      ring: 'canary',
      status: 'baking',
      startedAt: '2026-11-28T00:00:00Z',
      finishedAt: '2026-11-30T10:00:00Z',
      healthySince: '2026-11-30T10:00:00Z',
      failures: 1,
      bakeTime: '24h',
      bakingUntil: '2026-12-01T10:00:00Z',
    });
    expect(r?.rings[1]).toMatchObject({
      status: 'pending',
      waitingFor: 'ring canary to bake until 2026-12-01T10:00:00Z',
    });
  });

  it('counts the bake time from finishedAt when healthySince is missing, and is done once it is over', () => {
    const canary: RingProgress = { status: 'completed', finishedAt: '2026-11-29T00:00:00Z', failures: 0 };
    const [r] = rolloutStatus({ rollouts: [standard], states: aState({ canary }), at });
    expect(r?.rings.map((x) => x.status)).toEqual(['done', 'pending', 'pending']);
    expect(r?.rings[1]?.waitingFor).toBeUndefined();
    expect(r?.rings[2]?.waitingFor).toBe('ring pilot to complete');
    // Exactly at the end of the bake time the ring is done.
    const edge = rolloutStatus({
      rollouts: [standard],
      states: aState({ canary: completed('2026-11-30T00:00:00Z') }),
      at,
    });
    expect(edge[0]?.rings[0]?.status).toBe('done');
  });

  it('is done at once without a bake time, and in progress with its start', () => {
    const [r] = rolloutStatus({
      rollouts: [standard],
      states: aState({
        canary: completed('2026-11-20T00:00:00Z'),
        pilot: completed('2026-11-25T00:00:00Z', 2),
        broad: { status: 'in-progress', startedAt: '2026-11-30T22:00:00Z', failures: 0 },
      }),
      at,
    });
    expect(r?.rings.map((x) => [x.ring, x.status])).toEqual([
      ['canary', 'done'],
      ['pilot', 'done'],
      ['broad', 'in-progress'],
    ]);
    expect(r?.rings[2]).toEqual({
      ring: 'broad',
      status: 'in-progress',
      startedAt: '2026-11-30T22:00:00Z',
      failures: 0,
    });
  });

  it('reports a halted ring with its reason, marks the rollout halted and holds the rings after it', () => {
    const [r] = rolloutStatus({
      rollouts: [standard],
      states: aState({
        canary: completed('2026-11-20T00:00:00Z'),
        pilot: {
          status: 'halted',
          startedAt: '2026-11-30T01:00:00Z',
          finishedAt: '2026-11-30T02:00:00Z',
          failures: 3,
          haltedReason: '3 of 10 hosts failed; the failure budget allows 2',
        },
      }),
      at,
    });
    expect(r?.halted).toBe(true);
    expect(r?.rings[1]).toMatchObject({
      status: 'halted',
      failures: 3,
      haltedReason: '3 of 10 hosts failed; the failure budget allows 2',
    });
    expect(r?.rings[2]).toEqual({
      ring: 'broad',
      status: 'pending',
      waitingFor: 'ring pilot, which is halted',
    });
  });

  it('evaluates calendar bake times in the recorded zone and lists rollouts by name', () => {
    const weekly = aRollout('a-weekly', [{ name: 'first', bakeTime: '1w' }, { name: 'second' }]);
    const states = aState(
      {
        first: {
          status: 'completed',
          finishedAt: '2026-11-28T09:00:00+01:00',
          healthySince: '2026-11-28T09:00:00+01:00',
        },
      },
      'a-weekly',
    );
    const out = rolloutStatus({ rollouts: [standard, weekly], states, at });
    expect(out.map((r) => r.rollout)).toEqual(['a-weekly', 'standard']);
    expect(out[0]?.rings[0]).toMatchObject({ status: 'baking', bakingUntil: '2026-12-05T08:00:00Z' });
    expect(out[1]?.updatedAt).toBeUndefined();
  });
});

describe('rolloutStatus: releases and failed hosts (issue 13)', () => {
  it('shows who released a halt, when and why, and which hosts failed in a halt', () => {
    const released = {
      at: '2026-11-30T09:00:00Z',
      by: 'ops@laptop',
      reason: 'checked web-7',
      haltedReason: 'budget',
    };
    const [report] = rolloutStatus({
      rollouts: [standard],
      states: aState({
        canary: { status: 'in-progress', startedAt: '2026-11-29T00:00:00Z', released },
        pilot: { status: 'halted', failures: 1, failedHosts: ['web-7'], haltedReason: 'budget' },
      }),
      at,
    });
    expect(report?.rings[0]).toMatchObject({ status: 'in-progress', released });
    expect(report?.rings[1]).toMatchObject({ status: 'halted', failedHosts: ['web-7'] });
  });
});
