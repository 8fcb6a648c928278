// IP addresses through node:net (host-addresses.ts): the same answers as the hand-written parser
// it replaced, plus what that one left to the schema (no zone index).
import { describe, expect, it } from '@jest/globals';
import { jumpHostProblem } from './jump-hosts.js';
import { addressProblem, isIPv4, isIPv6 } from './host-addresses.js';

describe('IP addresses through node:net', () => {
  it.each([
    '1:2:3:4:5:6:1.2.3.4',
    '::1.2.3.4',
    '1:2:3:4:5:6:7::',
    '::2:3:4:5:6:7:8',
    '0000:0000::1',
    'FE80::A',
  ])('accepts IPv6 %s', (a) => expect(isIPv6(a)).toBe(true));

  it.each([
    'fe80::1%eth0',
    'fe80::1%',
    '::ffff:01.2.3.4',
    '1:2:3:4:5:6:7:1.2.3.4',
    '1.2.3.4::',
    '00000::1',
    '::1.2.3',
    '',
  ])('rejects IPv6 %j', (a) => expect(isIPv6(a)).toBe(false));

  it.each(['1.2.3.04', '0x7f.0.0.1', '127.1', '2130706433', ' 1.2.3.4', '1.2.3.4 '])('rejects IPv4 %j', (a) =>
    expect(isIPv4(a)).toBe(false),
  );

  it('says why an address or a jump host is not one', () => {
    expect(addressProblem('fe80::1%eth0')).toBe('is not a valid IPv6 address');
    expect(addressProblem('10.0.0.256')).toBe('is not a valid IPv4 address');
    expect(addressProblem('2001:db8::10')).toBeUndefined();
    expect(jumpHostProblem('ops@2001:db8::10')).toBeUndefined();
    expect(jumpHostProblem('ops@10.0.0.300:22')).toMatch(/not a valid IPv4 address/);
  });
});
