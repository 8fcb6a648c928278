import { PassThrough } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import type { PlanRing } from '../../core/plan/types.js';
import type { HostResult, RingOutcome } from '../../engine/apply/apply.js';
import { applyProgress } from './apply-progress.js';

const ring: PlanRing = { name: 'canary', rollout: 'lab', earliestStart: null, hosts: [] };
const result = (host: string, status: HostResult['status'], extra: Partial<HostResult> = {}): HostResult => ({
  host,
  ring: 'canary',
  status,
  actions: [{ package: 'openssl', from: '3.0.15-1', to: '3.0.17-1' }],
  startedAt: '2026-11-23T12:00:00Z',
  finishedAt: '2026-11-23T12:00:02Z',
  verification: null,
  ...extra,
});
const outcome = (status: RingOutcome['status'], extra: Partial<RingOutcome> = {}): RingOutcome => ({
  ring: 'canary',
  rollout: 'lab',
  status,
  startedAt: '2026-11-23T12:00:00Z',
  finishedAt: '2026-11-23T12:00:05Z',
  failures: 0,
  notStarted: 0,
  ...extra,
});

function drive(quiet: boolean): string {
  let out = '';
  let now = 0;
  const p = applyProgress({ write: (t) => (out += t), color: false, quiet, clock: () => now });
  p.ringStarted?.(ring, 2);
  p.hostStarted?.('web-1', 'canary');
  p.hostStarted?.('web-2', 'canary');
  p.hostStep?.('web-1', 'install');
  now = 2500;
  p.hostFinished?.(result('web-1', 'patched', { rebooted: { bootIdBefore: 'a', bootIdAfter: 'b' } }));
  now = 4000;
  p.hostFinished?.(result('web-2', 'failed', { actions: [], error: 'pre-flight: no space' }));
  p.ringFinished?.(
    outcome('halted', { failures: 1, reason: 'failure budget exceeded: 1 of 2 hosts failed' }),
  );
  p.stop();
  return out;
}

describe('apply progress', () => {
  it('prints one plain line per ring and per finished host, with durations', () => {
    expect(drive(false)).toBe(
      [
        'Ring canary (rollout lab): 2 host(s)',
        '  ✓ web-1: patched: openssl 3.0.15-1 → 3.0.17-1; rebooted (2.5 s)',
        '  ✗ web-2: failed: pre-flight: no space (4.0 s)',
        'Ring canary: halted: failure budget exceeded: 1 of 2 hosts failed',
        '',
      ].join('\n'),
    );
  });

  it('prints only failures and rings that did not complete when quiet', () => {
    expect(drive(true)).toBe(
      [
        '  ✗ web-2: failed: pre-flight: no space (4.0 s)',
        'Ring canary: halted: failure budget exceeded: 1 of 2 hosts failed',
        '',
      ].join('\n'),
    );
  });

  it('on a terminal, draws a spinner with done, failed and in-flight counts, and stops it', () => {
    const stream = Object.assign(new PassThrough(), {
      isTTY: true,
      columns: 200,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    let drawn = '';
    stream.on('data', (c: Buffer) => (drawn += c.toString()));
    let out = '';
    const p = applyProgress({ write: (t) => (out += t), color: false, quiet: false, spinnerStream: stream });
    p.ringStarted?.(ring, 3);
    p.hostStarted?.('web-1', 'canary');
    p.hostStep?.('web-1', 'install');
    p.hostFinished?.(result('web-1', 'patched'));
    p.hostStarted?.('web-2', 'canary');
    p.stop();
    expect(drawn).toContain('ring canary: 0/3 done, 0 failed, 0 in flight');
    expect(drawn).toContain('ring canary: 1/3 done, 0 failed, 1 in flight (web-2: starting)');
    expect(out).toContain('  ✓ web-1: patched: openssl 3.0.15-1 → 3.0.17-1');
  });
});
