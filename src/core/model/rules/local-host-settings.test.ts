import { describe, expect, it } from '@jest/globals';
import { doc, runRule, where } from '../../../test-support/repo-builder.js';
import { localHostSettings } from './local-host-settings.js';

const inventory = (body: string) => ({ 'inventory/a.yaml': doc('Inventory', 'a', body) });

describe('localHostSettings', () => {
  it('warns at each connection setting a local host would ignore', () => {
    const d = runRule(
      localHostSettings,
      inventory(
        'hosts:\n  - name: admin-box\n    transport: local\n    address: 10.0.0.5\n    user: ops\n    jumpHost: bastion\n  - name: web-01\n    address: 10.0.0.6\n    user: ops',
      ),
    );
    expect(where(d)).toEqual([
      'inventory/a.yaml:9:7 warning local-host-setting-ignored',
      'inventory/a.yaml:10:7 warning local-host-setting-ignored',
      'inventory/a.yaml:11:7 warning local-host-setting-ignored',
    ]);
    expect(d[0]?.message).toBe(
      'host admin-box is transport local (this machine, as the user running patchctl): its address is not used',
    );
  });

  it('warns at the defaults only when every host of the inventory is local', () => {
    const allLocal = runRule(
      localHostSettings,
      inventory('defaults:\n  transport: local\n  port: 2222\nhosts:\n  - name: a\n  - name: b'),
    );
    expect(where(allLocal)).toEqual(['inventory/a.yaml:8:5 warning local-host-setting-ignored']);
    const oneOverSsh = runRule(
      localHostSettings,
      inventory(
        'defaults:\n  transport: local\n  port: 2222\nhosts:\n  - name: a\n  - name: b\n    transport: ssh',
      ),
    );
    expect(oneOverSsh).toEqual([]);
  });

  it('is quiet for ssh hosts and for a local host with only what it uses', () => {
    expect(
      runRule(
        localHostSettings,
        inventory(
          'hosts:\n  - name: a\n    address: 10.0.0.1\n    port: 22\n  - name: b\n    transport: local\n    labels: { role: admin }',
        ),
      ),
    ).toEqual([]);
  });
});
