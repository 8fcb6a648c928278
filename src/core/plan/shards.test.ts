import { describe, expect, it } from '@jest/globals';
import { assignShards, parseShardSpec, shardCountProblem, shardOfPlan, withShards } from './shards.js';
import type { Plan, PlanHost, PlanRing } from './types.js';

function host(name: string, work: boolean): PlanHost {
  return {
    host: name,
    window: null,
    actions: work
      ? [
          {
            type: 'upgrade',
            package: 'openssl',
            from: '1',
            to: '2',
            classification: 'security',
            severity: 'high',
            advisories: [],
            policy: 'p',
          },
        ]
      : [],
    skipped: [],
  };
}

function ring(rollout: string, name: string, hosts: PlanHost[]): PlanRing {
  return { name, rollout, earliestStart: '2026-11-23T00:00:00Z', hosts };
}

function plan(rings: PlanRing[]): Plan {
  return {
    formatVersion: 1,
    createdAt: '2026-11-23T00:00:00Z',
    at: '2026-11-23T00:00:00Z',
    inputsDigest: `sha256:${'a'.repeat(64)}`,
    inputs: {},
    gitCommit: null,
    summary: { hosts: 0, hostsWithChanges: 0, updates: 0, reboots: 0, skipped: 0 },
    rings,
  };
}

const names = (n: number, prefix = 'web'): string[] =>
  Array.from({ length: n }, (_, i) => `${prefix}-${String(i + 1).padStart(3, '0')}`);

describe('parseShardSpec', () => {
  it('reads INDEX/COUNT', () => {
    expect(parseShardSpec('2/4')).toEqual({ ok: true, value: { index: 2, count: 4 } });
    expect(parseShardSpec(' 1 / 1 ')).toEqual({ ok: true, value: { index: 1, count: 1 } });
  });
  it.each([
    ['0/4', 'the index counts from 1 to 4'],
    ['5/4', 'the index counts from 1 to 4'],
    ['1/0', 'the number of shards must be a whole number from 1 to 1000'],
    ['1/1001', 'the number of shards must be a whole number from 1 to 1000'],
    ['2', 'write INDEX/COUNT'],
    ['a/b', 'write INDEX/COUNT'],
    ['-1/4', 'write INDEX/COUNT'],
  ])('refuses %s', (text, message) => {
    const r = parseShardSpec(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toContain(message);
  });
  it('bounds the count', () => {
    expect(shardCountProblem(1)).toBeUndefined();
    expect(shardCountProblem(1000)).toBeUndefined();
    expect(shardCountProblem(1.5)).toBeDefined();
  });
});

describe('assignShards', () => {
  it('puts every host in exactly one shard, within one host of even in each ring', () => {
    const rings = [
      ring(
        'servers',
        'canary',
        names(5, 'canary').map((n) => host(n, true)),
      ),
      ring(
        'servers',
        'rest',
        names(103).map((n) => host(n, true)),
      ),
    ];
    for (const count of [1, 2, 3, 7, 200]) {
      const shardOf = assignShards(rings, count);
      expect(shardOf.size).toBe(108);
      for (const r of rings) {
        const sizes = Array.from({ length: count }, () => 0);
        for (const h of r.hosts) {
          const s = shardOf.get(h.host) ?? 0;
          expect(s).toBeGreaterThanOrEqual(1);
          expect(s).toBeLessThanOrEqual(count);
          sizes[s - 1] = (sizes[s - 1] ?? 0) + 1;
        }
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }
    }
  });

  it('depends on ring membership only: not on work, order, or the other rings', () => {
    const hosts = names(10);
    const a = assignShards(
      [
        ring(
          'servers',
          'rest',
          hosts.map((n, i) => host(n, i % 2 === 0)),
        ),
      ],
      3,
    );
    const b = assignShards(
      [
        ring(
          'servers',
          'rest',
          [...hosts].reverse().map((n) => host(n, false)),
        ),
      ],
      3,
    );
    expect(b).toEqual(a);
    // The same ring alone (`plan --ring rest`) splits the same way as inside the whole plan.
    const whole = assignShards(
      [
        ring(
          'servers',
          'canary',
          names(3, 'c').map((n) => host(n, true)),
        ),
        ring(
          'servers',
          'rest',
          hosts.map((n) => host(n, true)),
        ),
      ],
      3,
    );
    for (const h of hosts) expect(whole.get(h)).toBe(a.get(h));
  });
});

describe('withShards', () => {
  it('records each host shard and per-shard counts that add up to the summary', () => {
    const p = withShards(
      plan([
        ring(
          'servers',
          'rest',
          names(7).map((n, i) => host(n, i < 5)),
        ),
      ]),
      3,
    );
    expect(p.shards?.count).toBe(3);
    const hosts = p.rings.flatMap((r) => r.hosts);
    expect(hosts.every((h) => h.shard !== undefined)).toBe(true);
    const sum = (k: 'hosts' | 'hostsWithChanges' | 'updates') =>
      (p.shards?.summary ?? []).reduce((n, s) => n + s[k], 0);
    expect(sum('hosts')).toBe(7);
    expect(sum('hostsWithChanges')).toBe(5);
    expect(sum('updates')).toBe(5);
    expect(p.shards?.summary.map((s) => s.shard)).toEqual([1, 2, 3]);
  });
});

describe('shardOfPlan', () => {
  const whole = plan([
    ring('servers', 'canary', [host('c-1', true)]),
    ring(
      'servers',
      'pilot',
      names(4, 'p').map((n) => host(n, true)),
    ),
    ring(
      'servers',
      'rest',
      names(6).map((n) => host(n, true)),
    ),
    ring(
      'desktops',
      'all',
      names(4, 'd').map((n) => host(n, true)),
    ),
  ]);

  it('runs the first ring with work of each rollout, and leaves the next rings for a later run', () => {
    const s = shardOfPlan(whole, { index: 1, count: 2 });
    expect(s.active).toEqual([
      { rollout: 'servers', ring: 'canary' },
      { rollout: 'desktops', ring: 'all' },
    ]);
    expect(s.deferred).toEqual([
      { rollout: 'servers', ring: 'pilot', after: 'canary' },
      { rollout: 'servers', ring: 'rest', after: 'canary' },
    ]);
    expect(s.plan.rings.map((r) => r.name)).toEqual(['canary', 'all']);
    expect(s.plan.rings.flatMap((r) => r.hosts).every((h) => h.shard === 1)).toBe(true);
    expect(s.plan.summary.hosts).toBe(s.plan.rings.flatMap((r) => r.hosts).length);
  });

  it('moves on once a ring has no work left anywhere', () => {
    const later = plan([ring('servers', 'canary', [host('c-1', false)]), ...whole.rings.slice(1)]);
    expect(shardOfPlan(later, { index: 2, count: 2 }).active[0]).toEqual({
      rollout: 'servers',
      ring: 'pilot',
    });
  });

  it('splits the hosts of the whole plan between the shards, each exactly once', () => {
    const seen = [1, 2, 3].flatMap((index) =>
      shardOfPlan(withShards(whole, 3), { index, count: 3 }).plan.rings.flatMap((r) =>
        r.hosts.map((h) => h.host),
      ),
    );
    const active = ['c-1', ...names(4, 'd')];
    expect(seen.sort()).toEqual(active.sort());
  });

  it('keeps the split a plan was saved with, and refuses another count', () => {
    const saved = withShards(whole, 3);
    expect(shardOfPlan(saved, { index: 1, count: 3 }).plan.rings).toEqual(
      shardOfPlan(whole, { index: 1, count: 3 }).plan.rings,
    );
    expect(() => shardOfPlan(saved, { index: 1, count: 2 })).toThrow(/split into 3 shards, not 2/);
  });
});
