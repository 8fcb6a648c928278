import { describe, expect, it } from '@jest/globals';

import { parseJumpHost } from './jump-host.js';

describe('parseJumpHost', () => {
  it('reads [user@]host[:port], bare IPv6 and [v6]:port', () => {
    expect(parseJumpHost('bastion.example.com', 'ops')).toEqual({
      user: 'ops',
      host: 'bastion.example.com',
      port: 22,
    });
    expect(parseJumpHost('jump@bastion:2222', 'ops')).toEqual({ user: 'jump', host: 'bastion', port: 2222 });
    expect(parseJumpHost('fd00::1', 'ops')).toEqual({ user: 'ops', host: 'fd00::1', port: 22 });
    expect(parseJumpHost('j@[fd00::1]:2200', 'ops')).toEqual({ user: 'j', host: 'fd00::1', port: 2200 });
  });

  it('refuses what validate refuses', () => {
    for (const bad of ['', '-oProxyCommand=x', 'host:0', 'host:99999', 'host:22a', 'Bad User@host', 'a b']) {
      expect(() => parseJumpHost(bad, 'ops')).toThrow(TypeError);
    }
  });
});
