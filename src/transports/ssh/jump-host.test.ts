import { describe, expect, it } from '@jest/globals';

import { parseJumpChain, parseJumpHost } from './jump-host.js';

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
    for (const bad of [
      '',
      '-oProxyCommand=x',
      'host:0',
      'host:99999',
      'host:22a',
      'Bad User@host',
      'a b',
      '[web1]:22',
      '[10.0.0.1]',
    ]) {
      expect(() => parseJumpHost(bad, 'ops')).toThrow(TypeError);
    }
  });

  it('reads a ProxyJump chain, keeping what each hop leaves out, and none', () => {
    expect(parseJumpChain('bastion-a, ops@bastion-b:2222,ssh://j@[fd00::1]:2200')).toEqual([
      { host: 'bastion-a' },
      { user: 'ops', host: 'bastion-b', port: 2222 },
      { user: 'j', host: 'fd00::1', port: 2200 },
    ]);
    expect(parseJumpChain('none')).toEqual([]);
    expect(() => parseJumpChain('a,,b')).toThrow(TypeError);
    expect(() => parseJumpChain('a,b,c,d,e,f,g,h,i')).toThrow(/more than 8/);
  });
});
