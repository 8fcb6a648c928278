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

describe('apply progress: state not recorded', () => {
  it("says after the host's line why its state was not recorded, whatever its status", () => {
    let out = '';
    const p = applyProgress({ write: (t) => (out += t), color: false, quiet: false, clock: () => 0 });
    p.ringStarted?.(ring, 2);
    p.hostFinished?.(
      result('web-1', 'patched', { stateNotRecorded: 'cannot write state/hosts/web-1.json: ENOSPC' }),
    );
    p.hostFinished?.(result('web-2', 'failed', { error: 'boom', stateNotRecorded: 'invalid host data' }));
    p.stop();
    expect(out.split('\n').slice(1, 3)).toEqual([
      '  ✓ web-1: patched: openssl 3.0.15-1 → 3.0.17-1 (0.0 s); state not recorded: cannot write state/hosts/web-1.json: ENOSPC',
      '  ✗ web-2: failed: boom (0.0 s); state not recorded: invalid host data',
    ]);
  });
});

describe('apply progress: host text (issue 12)', () => {
  const HOSTILE = 'check said\u001b[2J\u001b[8mhidden\n::add-mask::x\n##[error]fake \u202eevil';
  // eslint-disable-next-line no-control-regex
  const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

  it('shows errors, steps and halt reasons escaped on one line, in lines and spinner alike', () => {
    const stream = Object.assign(new PassThrough(), {
      isTTY: true,
      columns: 400,
      cursorTo: () => true,
      clearLine: () => true,
      moveCursor: () => true,
    });
    let drawn = '';
    stream.on('data', (c: Buffer) => (drawn += c.toString()));
    let out = '';
    const p = applyProgress({ write: (t) => (out += t), color: false, quiet: false, spinnerStream: stream });
    p.ringStarted?.(ring, 2);
    p.hostStarted?.('web-1', 'canary');
    p.hostStep?.('web-1', HOSTILE);
    p.hostFinished?.(result('web-1', 'health-check-failed', { error: HOSTILE }));
    p.ringFinished?.(outcome('halted', { failures: 1, reason: HOSTILE }));
    p.stop();
    expect(out).not.toMatch(UNSAFE);
    expect(out.split('\n').filter((l) => /^\s*::/.test(l) || l.includes('##['))).toEqual([]);
    expect(out).toContain(
      '✗ web-1: health-check-failed: check said\\x1b[2J\\x1b[8mhidden\\n::add-mask::x\\n##\\u005berror]fake \\u202eevil',
    );
    expect(out).toContain('Ring canary: halted: check said\\x1b[2J');
    // The spinner's own cursor codes stay; the host's text in it is escaped.
    expect(drawn).toContain('web-1: check said\\x1b[2J\\x1b[8mhidden\\n');
    expect(drawn).not.toContain('\u001b[8m');
    expect(drawn).not.toContain('\u202e');
  });
});

describe('apply progress: a terminal that reports no width (issue 13)', () => {
  const ESC = '\u001b';
  /**
   * A terminal stream that reports `columns`, and fails after many writes: a display that loops
   * on the width (ora cleared `text width / 0` = Infinity lines) throws instead of hanging.
   */
  function terminal(columns: number | undefined) {
    let writes = 0;
    let drawn = '';
    // Cursor movements write their codes, as a real terminal stream's do.
    const stream = Object.assign(new PassThrough(), {
      isTTY: true,
      columns,
      cursorTo: (x: number) => stream.write(`\u001b[${x + 1}G`),
      clearLine: () => stream.write('\u001b[2K'),
      moveCursor: (_x: number, y: number) => stream.write(y < 0 ? `\u001b[${-y}A` : ''),
    });
    const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      if (++writes > 10_000) throw new Error(`runaway progress display: ${writes} writes`);
      drawn += String(chunk);
      return write(chunk, ...rest);
    }) as typeof stream.write;
    return { stream, drawn: () => drawn, writes: () => writes };
  }

  it.each([0, undefined, 1, Number.NaN, 19])(
    'with columns %p: prints plain lines, writes no cursor code, and returns at once',
    (columns) => {
      const t = terminal(columns);
      let out = '';
      const p = applyProgress({
        write: (text) => (out += text),
        color: false,
        quiet: false,
        spinnerStream: t.stream,
        clock: () => 0,
      });
      p.ringStarted?.(ring, 2);
      p.hostStarted?.('web-1', 'canary');
      p.hostStep?.('web-1', 'install');
      p.hostFinished?.(result('web-1', 'patched'));
      p.hostStarted?.('web-2', 'canary');
      p.hostFinished?.(result('web-2', 'failed', { actions: [], error: 'boom' }));
      p.ringFinished?.(outcome('halted', { failures: 1, reason: 'budget' }));
      p.stop();
      expect(t.drawn()).toBe('');
      expect(out).toBe(
        [
          'Ring canary (rollout lab): 2 host(s)',
          '  ✓ web-1: patched: openssl 3.0.15-1 → 3.0.17-1 (0.0 s)',
          '  ✗ web-2: failed: boom (0.0 s)',
          'Ring canary: halted: budget',
          '',
        ].join('\n'),
      );
    },
  );

  it('on a narrow terminal, keeps the status on one line: cut to the width, cleared with one erase', () => {
    const t = terminal(24);
    const p = applyProgress({ write: () => undefined, color: false, quiet: false, spinnerStream: t.stream });
    p.ringStarted?.(ring, 3);
    p.hostStarted?.('a-host-with-a-long-name', 'canary');
    p.hostFinished?.(result('a-host-with-a-long-name', 'patched'));
    p.stop();
    const draws = t
      .drawn()
      .split('\r')
      .filter((d) => d !== '' && d !== '\u001b[2K');
    expect(draws.length).toBeGreaterThan(0);
    for (const d of draws) {
      const text = d.replace('\u001b[K', '').replace('\u001b[2K', '');
      expect([...text].length).toBeLessThanOrEqual(23);
    }
    // Never a cursor movement up (into lines that are not the status line's).
    expect(t.drawn()).not.toMatch(new RegExp(`${ESC}\\[\\d*A`));
    expect(t.writes()).toBeLessThan(20);
  });

  it('a terminal resized to no width mid-run stops drawing, and never loops', () => {
    const t = terminal(80);
    const p = applyProgress({ write: () => undefined, color: false, quiet: false, spinnerStream: t.stream });
    p.ringStarted?.(ring, 2);
    expect(t.drawn()).toContain('ring canary: 0/2 done');
    t.stream.columns = 0;
    const before = t.drawn().length;
    p.hostStarted?.('web-1', 'canary');
    p.hostFinished?.(result('web-1', 'patched'));
    p.stop();
    expect(t.drawn().slice(before)).toBe('\r\u001b[2K');
  });
});

describe('apply progress: window times (issue 16)', () => {
  it("says when a closed window reopens in the window's zone next to UTC", () => {
    let out = '';
    const p = applyProgress({
      write: (t) => (out += t),
      color: false,
      quiet: false,
      clock: () => 0,
      zones: new Map([['fra-monthly', 'Europe/Berlin']]),
    });
    p.ringStarted?.(ring, 1);
    p.hostFinished?.(
      result('web-1', 'skipped-window-closed', {
        actions: [],
        error: 'window fra-monthly is closed (or past its cutoff) until 2026-12-11T21:00:00Z',
      }),
    );
    p.stop();
    expect(out).toContain(
      'web-1: skipped-window-closed: window fra-monthly is closed (or past its cutoff) until 2026-12-11 22:00 Europe/Berlin (21:00 UTC)',
    );
  });
});
