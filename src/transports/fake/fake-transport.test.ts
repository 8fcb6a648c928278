import { describe, expect, it } from '@jest/globals';

import { AbortedError, InvalidCommandError, TransportError } from '../errors.js';
import { FakeFleet, FakeTransport } from './fake-transport.js';

describe('FakeTransport', () => {
  it('replies by argv prefix, RegExp or predicate; the latest matching rule wins', async () => {
    const t = new FakeTransport('web-01')
      .on(['apt-get'], { stdout: 'generic\n' })
      .on(['apt-get', 'install', /^openssl=/], { exitCode: 100, stderr: 'E: broken\n' })
      .on(/^cat \/proc\/sys\/kernel\/random\/boot_id$/, { stdout: 'boot-1\n' })
      .on((cmd) => cmd.sudo === true && cmd.argv[0] === 'reboot', { exitCode: null, signal: 'SIGTERM' });
    expect(await t.run({ argv: ['apt-get', 'update'] })).toMatchObject({ exitCode: 0, stdout: 'generic\n' });
    expect(await t.run({ argv: ['apt-get', 'install', 'openssl=3'] })).toMatchObject({
      exitCode: 100,
      stderr: 'E: broken\n',
    });
    expect((await t.run({ argv: ['cat', '/proc/sys/kernel/random/boot_id'] })).stdout).toBe('boot-1\n');
    expect(await t.run({ argv: ['reboot'], sudo: true })).toMatchObject({
      exitCode: null,
      signal: 'SIGTERM',
    });
    const unscripted = await t.run({ argv: ['uname', '-r'] });
    expect(unscripted.exitCode).toBe(127);
    expect(t.unmatched.map((c) => c.argv)).toEqual([['uname', '-r']]);
  });

  it('records calls with their shell line, and validates commands like the real transports', async () => {
    const t = new FakeTransport('web-01');
    await t.run(
      { argv: ['apt-get', 'update'], sudo: true, env: { DEBIAN_FRONTEND: 'noninteractive' } },
      { timeoutMs: 5 },
    );
    expect(t.calls).toEqual([
      {
        index: 0,
        argv: ['apt-get', 'update'],
        sudo: true,
        env: { DEBIAN_FRONTEND: 'noninteractive' },
        stdin: undefined,
        timeoutMs: 5,
        line: "exec sudo -n -- env LC_ALL=C LANG=C PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND='noninteractive' 'apt-get' 'update'",
        matched: false,
      },
    ]);
    expect(t.callsTo('apt-get')).toHaveLength(1);
    await expect(t.run({ argv: ['echo', 'a\0'] })).rejects.toThrow(InvalidCommandError);
  });

  it('answers a limited number of times, then falls through', async () => {
    const t = new FakeTransport('h')
      .on(['lock'], { exitCode: 0 })
      .on(['lock'], { exitCode: 1 }, { times: 2 });
    const codes = [];
    for (let i = 0; i < 3; i += 1) codes.push((await t.run({ argv: ['lock'] })).exitCode);
    expect(codes).toEqual([1, 1, 0]);
  });

  it('computes replies, throws scripted transport errors, times out and aborts', async () => {
    let n = 0;
    const t = new FakeTransport('h')
      .on(['count'], () => ({ stdout: String((n += 1)) }))
      .on(['connect'], { error: new TransportError('unreachable', 'h', 'no route') })
      .on(['slow'], { delayMs: 1_000, stdout: 'late' });
    expect((await t.run({ argv: ['count'] })).stdout).toBe('1');
    expect((await t.run({ argv: ['count'] })).stdout).toBe('2');
    await expect(t.run({ argv: ['connect'] })).rejects.toMatchObject({ kind: 'unreachable' });
    expect(await t.run({ argv: ['slow'] }, { timeoutMs: 20 })).toMatchObject({
      exitCode: null,
      timedOut: true,
    });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 20);
    await expect(t.run({ argv: ['slow'] }, { signal: controller.signal })).rejects.toBeInstanceOf(
      AbortedError,
    );
    await t.close();
    expect(t.closed).toBe(true);
  });

  it('holds a call whose reply prints the ready line, records it and its release', async () => {
    const t = new FakeTransport('h')
      .on(['lock'], { stdout: 'locked\r\n' }, { times: 1 })
      .on(['lock'], { exitCode: 75, stdout: 'busy\nother run\n' }, { times: 1 })
      .on(['slow-lock'], { delayMs: 1_000, stdout: 'locked\n' })
      .on(['partial'], { stdout: 'locked' })
      .on(['connect'], { error: new TransportError('unreachable', 'h', 'no route') });
    const busy = await t.hold({ argv: ['lock'], sudo: true }, { ready: 'locked' });
    expect(busy).toEqual({ held: false, result: expect.objectContaining({ exitCode: 75 }) });
    const outcome = await t.hold({ argv: ['lock'] }, { ready: 'locked', timeoutMs: 50 });
    expect(outcome.held).toBe(true);
    expect(t.released).toEqual([]);
    if (outcome.held) {
      await outcome.release();
      await outcome.release();
    }
    expect(t.released.map((c) => [c.index, c.ready, c.timeoutMs])).toEqual([[1, 'locked', 50]]);
    expect(t.calls.map((c) => [c.argv[0], c.sudo, c.ready])).toEqual([
      ['lock', true, 'locked'],
      ['lock', false, 'locked'],
    ]);
    // A ready line needs its newline; a timeout before it is a result, like run()'s.
    expect(await t.hold({ argv: ['partial'] }, { ready: 'locked' })).toMatchObject({ held: false });
    expect(await t.hold({ argv: ['slow-lock'] }, { ready: 'locked', timeoutMs: 20 })).toEqual({
      held: false,
      result: expect.objectContaining({ exitCode: null, timedOut: true }),
    });
    await expect(t.hold({ argv: ['connect'] }, { ready: 'locked' })).rejects.toMatchObject({
      kind: 'unreachable',
    });
    const controller = new AbortController();
    controller.abort();
    await expect(
      t.hold({ argv: ['lock'] }, { ready: 'locked', signal: controller.signal }),
    ).rejects.toBeInstanceOf(AbortedError);
    // run() calls carry no ready line.
    await t.run({ argv: ['lock'] });
    expect(t.calls.at(-1)).not.toHaveProperty('ready');
  });

  it('builds a fleet of scripted hosts', async () => {
    const fleet = new FakeFleet((t) => t.on(['hostname'], { stdout: `${t.host}\n` }));
    expect((await fleet.transport('a').run({ argv: ['hostname'] })).stdout).toBe('a\n');
    expect((await fleet.transport('b').run({ argv: ['hostname'] })).stdout).toBe('b\n');
    expect(fleet.transport('a')).toBe(fleet.transport('a'));
    expect(fleet.allCalls().map(([host, call]) => [host, call.argv[0]])).toEqual([
      ['a', 'hostname'],
      ['b', 'hostname'],
    ]);
  });
});
