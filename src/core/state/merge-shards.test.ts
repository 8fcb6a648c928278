import { describe, expect, it } from '@jest/globals';
import { mergeRing, mergeShardProgress, shardProgressFileName } from './merge-shards.js';
import type { RingProgress, RolloutState } from './types.js';

const T = (h: number): string => `2026-11-23T${String(h).padStart(2, '0')}:00:00Z`;

function shard(
  index: number,
  count: number,
  updatedAt: string,
  rings: Record<string, RingProgress>,
): RolloutState {
  return { formatVersion: 1, rollout: 'servers', updatedAt, rings, shard: { index, count } };
}

const completed = (start: number, end: number, failures = 0): RingProgress => ({
  status: 'completed',
  startedAt: T(start),
  finishedAt: T(end),
  healthySince: T(end),
  failures,
});

describe('mergeRing', () => {
  it('is completed only when every shard completed it, healthy since the last one finished', () => {
    expect(
      mergeRing(
        [
          { shard: 1, progress: completed(1, 3, 1) },
          { shard: 2, progress: completed(2, 5) },
        ],
        2,
      ),
    ).toEqual({
      status: 'completed',
      startedAt: T(1),
      finishedAt: T(5),
      healthySince: T(5),
      failures: 1,
    });
  });

  it('is in progress while a shard has not recorded it or is still running', () => {
    expect(mergeRing([{ shard: 1, progress: completed(1, 3) }], 2)).toEqual({
      status: 'in-progress',
      startedAt: T(1),
      failures: 0,
    });
    expect(
      mergeRing(
        [
          { shard: 1, progress: completed(1, 3) },
          { shard: 2, progress: { status: 'in-progress', startedAt: T(0) } },
        ],
        2,
      ).status,
    ).toBe('in-progress');
  });

  it('is halted when one shard halted, naming that shard', () => {
    expect(
      mergeRing(
        [
          {
            shard: 2,
            progress: {
              status: 'halted',
              startedAt: T(2),
              finishedAt: T(4),
              failures: 3,
              haltedReason: 'failure budget exceeded',
            },
          },
          { shard: 1, progress: completed(1, 3) },
        ],
        3,
      ),
    ).toEqual({
      status: 'halted',
      startedAt: T(1),
      finishedAt: T(4),
      failures: 3,
      haltedReason: 'shard 2/3: failure budget exceeded',
    });
  });
});

describe('mergeShardProgress', () => {
  const main: RolloutState = {
    formatVersion: 1,
    rollout: 'servers',
    planDigest: `sha256:${'1'.repeat(64)}`,
    updatedAt: T(2),
    rings: { canary: completed(0, 2) },
  };

  it('overlays the rings the shards recorded since the rollout file was written', () => {
    const merged = mergeShardProgress(main, [
      { ...shard(1, 2, T(5), { pilot: completed(3, 5) }), planDigest: `sha256:${'2'.repeat(64)}` },
      shard(2, 2, T(4), { pilot: completed(3, 4) }),
    ]);
    expect(merged).toEqual({
      formatVersion: 1,
      rollout: 'servers',
      planDigest: `sha256:${'2'.repeat(64)}`,
      updatedAt: T(5),
      rings: { canary: completed(0, 2), pilot: { ...completed(3, 5) } },
    });
    expect(merged?.shard).toBeUndefined();
  });

  it('ignores a split already folded into the rollout file (not newer than it)', () => {
    expect(mergeShardProgress(main, [shard(1, 1, T(2), { canary: { status: 'in-progress' } })])).toBe(main);
  });

  it('works without a rollout file, and applies splits of different counts oldest first', () => {
    const merged = mergeShardProgress(undefined, [
      shard(1, 3, T(1), { canary: completed(0, 1) }),
      shard(1, 2, T(3), { canary: { status: 'in-progress', startedAt: T(2) } }),
      shard(2, 3, T(1), { canary: completed(0, 1) }),
      shard(3, 3, T(1), { canary: completed(0, 1) }),
    ]);
    // The split into 2 (newer) has only started canary again.
    expect(merged?.rings.canary).toEqual({ status: 'in-progress', startedAt: T(2) });
    expect(merged?.updatedAt).toBe(T(3));
  });

  it('names shard files after the rollout and the shard', () => {
    expect(shardProgressFileName('servers.eu', { index: 2, count: 4 })).toBe('servers.eu.2-of-4.json');
  });
});

describe('merging what shards ran and released (issue 13)', () => {
  it('keeps the highest version of each package (in the ecosystem order), every failed host and the latest release', () => {
    const merged = mergeRing(
      [
        {
          shard: 1,
          progress: {
            ...completed(1, 2),
            versions: { deb: { 'openssl:amd64': '3.0.9-1', curl: '7.88.1-10' } },
            failedHosts: ['b'],
          },
        },
        {
          shard: 2,
          progress: {
            ...completed(1, 3),
            versions: { deb: { 'openssl:amd64': '3.0.10-1' } },
            failedHosts: ['a'],
            released: { at: T(4), by: 'ops@x', reason: 'ok' },
          },
        },
      ],
      2,
    );
    expect(merged).toMatchObject({
      status: 'completed',
      versions: { deb: { curl: '7.88.1-10', 'openssl:amd64': '3.0.10-1' } },
      failedHosts: ['a', 'b'],
      released: { at: T(4), by: 'ops@x', reason: 'ok' },
    });
  });

  it('keeps what the rollout file says the ring ran while the shards have not completed it again', () => {
    const main: RolloutState = {
      formatVersion: 1,
      rollout: 'servers',
      updatedAt: T(1),
      rings: { canary: { ...completed(0, 1), versions: { deb: { bash: '5.2-1' } } } },
    };
    const merged = mergeShardProgress(main, [
      shard(1, 2, T(5), { canary: { status: 'in-progress', startedAt: T(4) } }),
    ]);
    expect(merged?.rings.canary).toMatchObject({
      status: 'in-progress',
      versions: { deb: { bash: '5.2-1' } },
    });
  });
});
