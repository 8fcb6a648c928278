import { describe, expect, it } from '@jest/globals';
import { check, doc } from '../test-support/repo-builder.js';
import { registeredTransports, transportFor, transports } from './registry.js';

describe('transport registry', () => {
  it('registers ssh; local and winrm are not registered yet (their hosts are unsupported)', () => {
    expect(registeredTransports()).toEqual(['ssh']);
    expect(transportFor('ssh')?.id).toBe('ssh');
    expect(transportFor('local')).toBeUndefined();
    expect(transportFor('winrm')).toBeUndefined();
  });

  it.each([...transports])('%s: its id matches its key', (key, plugin) => {
    expect(plugin.id).toBe(key);
  });

  it('ssh opens one transport per host, without connecting', async () => {
    const repository = check({
      'inventory/i.yaml': doc('Inventory', 'i', 'hosts:\n  - { name: web-1, address: 192.0.2.10 }'),
    }).repository;
    const open = await transportFor('ssh')?.prepare({
      dir: '/nonexistent-patchctl-repo',
      repository,
      env: {},
      acceptNewHostKeys: false,
    });
    const host = repository.hosts[0];
    if (open === undefined || host === undefined) throw new Error('no ssh plug-in or host');
    const t = open(host);
    expect([t.id, t.host]).toEqual(['ssh', 'web-1']);
    expect(typeof t.hold).toBe('function');
    await t.close();
  });
});
