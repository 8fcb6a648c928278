import { describe, expect, it } from '@jest/globals';
import { doc, runRule, where } from '../../../test-support/repo-builder.js';
import { addressProblem, hostAddresses, isIPv4, isIPv6 } from './host-addresses.js';

describe('addresses', () => {
  it.each(['192.0.2.10', '0.0.0.0', '255.255.255.255'])('accepts IPv4 %s', (a) =>
    expect(isIPv4(a)).toBe(true),
  );
  it.each(['256.1.1.1', '1.2.3', '01.2.3.4', '1.2.3.4.5', '1..2.3'])('rejects IPv4 %s', (a) =>
    expect(isIPv4(a)).toBe(false),
  );
  it.each(['::1', '2001:db8::10', 'fe80::1:2:3:4', '::ffff:192.0.2.1', '1:2:3:4:5:6:7:8', '::'])(
    'accepts IPv6 %s',
    (a) => expect(isIPv6(a)).toBe(true),
  );
  it.each(['1:2:3:4:5:6:7:8:9', '2001:db8:::1', '2001:db8::g', '1::2::3', ':1', '1:2:3:4:5:6:7'])(
    'rejects IPv6 %s',
    (a) => expect(isIPv6(a)).toBe(false),
  );
  it('accepts DNS names and rejects broken ones', () => {
    expect(addressProblem('web-01.fra.example.net')).toBeUndefined();
    expect(addressProblem('web..example.net')).toMatch(/empty DNS label/);
    expect(addressProblem('-web.example.net')).toMatch(/not a valid DNS name/);
    expect(addressProblem(`${'a'.repeat(64)}.example.net`)).toMatch(/longer than 63/);
  });
  it('points at the address, or at the name when the name is the address', () => {
    const d = runRule(hostAddresses, {
      'inventory/a.yaml': doc(
        'Inventory',
        'a',
        'hosts:\n  - name: ok\n    address: 192.0.2.300\n  - name: bad..name',
      ),
    });
    expect(where(d)).toEqual([
      'inventory/a.yaml:8:16 error invalid-address',
      'inventory/a.yaml:9:13 error invalid-address',
    ]);
  });
});
