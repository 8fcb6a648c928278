// Plain http only to this machine (docs/vulnerabilities.md, "Syncing the feeds"): which hosts are
// loopback is node:net's BlockList (127.0.0.0/8, ::1, and IPv4-mapped forms of 127.x), on the
// host name as URL parses it.
import { describe, expect, it } from '@jest/globals';
import { isLoopbackHost, urlProblem } from './download.js';

describe('isLoopbackHost through node:net', () => {
  it.each([
    'http://127.0.0.1/kev.json',
    'http://127.255.255.254/kev.json',
    'http://127.1/kev.json',
    'http://2130706433/kev.json',
    'http://[0:0:0:0:0:0:0:1]:8080/kev.json',
    'http://[::ffff:127.0.0.1]/kev.json',
    'http://[::FFFF:7f00:2]/kev.json',
  ])('accepts plain http to %s', (url) => expect(urlProblem(url)).toBeUndefined());

  it.each([
    'http://0.0.0.0/kev.json',
    'http://128.0.0.1/kev.json',
    'http://[::2]/kev.json',
    'http://[::ffff:10.0.0.1]/kev.json',
    'http://[::127.0.0.1]/kev.json',
    'http://127.0.0.1.nip.io/kev.json',
    'http://localhost.example.org/kev.json',
  ])('refuses plain http to %s', (url) => expect(urlProblem(url)).toMatch(/plain http/));

  it('takes an address with or without brackets, and nothing that is not an address', () => {
    expect(isLoopbackHost('::1')).toBe(true);
    expect(isLoopbackHost('[::1]')).toBe(true);
    expect(isLoopbackHost('127.0.0.01')).toBe(false);
    expect(isLoopbackHost('[127.0.0.1]')).toBe(false);
    expect(isLoopbackHost('')).toBe(false);
  });
});
