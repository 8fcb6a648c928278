import { describe, expect, it } from '@jest/globals';
import { MINIMAL_CONFIG, doc, runRule, where } from '../../../test-support/repo-builder.js';
import { jumpHostProblem, jumpHosts } from './jump-hosts.js';

describe('jump hosts', () => {
  it.each([
    'bastion.example.com',
    'jump@bastion.example.com',
    'jump@bastion.example.com:2222',
    '192.0.2.1:22',
    '2001:db8::1',
    'a@2001:db8::1',
  ])('accepts %s', (text) => expect(jumpHostProblem(text)).toBeUndefined());

  it.each([
    ['-oProxyCommand', /must not start with "-"/],
    ['jump@-oProxyCommand=x', /must not have a host starting with "-"/],
    ['999.1.1.1', /not a valid IPv4 address/],
    ['bastion.example.com:99999', /port "99999"/],
    ['bastion.example.com:0', /port "0"/],
    ['bastion.example.com:', /port ""/],
    ['jump@:22', /has no host/],
    ['bastion..example.com', /empty DNS label/],
    ['2001:db8:::1', /not a valid IPv6 address/],
  ])('refuses %s', (text, why) => expect(jumpHostProblem(text)).toMatch(why));

  it('checks the Config, inventory defaults and hosts, at each value', () => {
    const d = runRule(jumpHosts, {
      'patchctl.yaml': `${MINIMAL_CONFIG}  ssh:\n    jumpHost: bastion.example.com:99999\n`,
      'inventory/a.yaml': doc(
        'Inventory',
        'a',
        'defaults:\n  jumpHost: -oProxyCommand\nhosts:\n  - name: a\n  - name: b\n    jumpHost: 999.1.1.1:22',
      ),
    });
    expect(where(d)).toEqual([
      'patchctl.yaml:8:15 error invalid-address',
      'inventory/a.yaml:7:15 error invalid-address',
      'inventory/a.yaml:11:17 error invalid-address',
    ]);
    expect(d.map((x) => x.message)).toEqual([
      'jumpHost "bastion.example.com:99999" has port "99999", which is not a port number from 1 to 65535',
      'jumpHost "-oProxyCommand" must not start with "-": ssh would read it as an option, not a host',
      'jumpHost "999.1.1.1:22" has a host that is not a valid IPv4 address',
    ]);
  });

  it('checks each hop of a ProxyJump chain (docs/ssh.md)', () => {
    const d = runRule(jumpHosts, {
      'inventory/a.yaml': doc(
        'Inventory',
        'a',
        'hosts:\n  - name: a\n    jumpHost: bastion-a,ops@bastion-b:2222\n  - name: b\n    jumpHost: bastion-a,999.1.1.1',
      ),
    });
    expect(d.map((x) => x.message)).toEqual([
      'jumpHost "bastion-a,999.1.1.1" has a host that is not a valid IPv4 address',
    ]);
  });

  it('accepts what the starter repository writes', () => {
    const d = runRule(jumpHosts, {
      'inventory/a.yaml': doc(
        'Inventory',
        'a',
        'hosts:\n  - name: a\n    jumpHost: jump@bastion.example.net:2222',
      ),
    });
    expect(d).toEqual([]);
  });
});
