import { describe, expect, it } from '@jest/globals';
import { check, doc } from '../test-support/repo-builder.js';
import { registeredTransports, transportFor, transports } from './registry.js';

describe('transport registry', () => {
  it('registers ssh and local; winrm is not registered yet (its hosts are unsupported)', () => {
    expect(registeredTransports()).toEqual(['ssh', 'local']);
    expect(transportFor('ssh')?.id).toBe('ssh');
    expect(transportFor('local')?.id).toBe('local');
    expect(transportFor('winrm')).toBeUndefined();
  });

  it('local opens a transport for the machine patchctl runs on, which apply never reboots', async () => {
    const repository = check({
      'inventory/i.yaml': doc('Inventory', 'i', 'hosts:\n  - { name: bastion, transport: local }'),
    }).repository;
    const open = await transportFor('local')?.prepare({
      dir: '/nonexistent-patchctl-repo',
      repository,
      env: {},
      acceptNewHostKeys: false,
    });
    const host = repository.hosts[0];
    if (open === undefined || host === undefined) throw new Error('no local plug-in or host');
    const t = open(host);
    expect([t.id, t.host, t.canReboot]).toEqual(['local', 'bastion', false]);
    expect(typeof t.hold).toBe('function');
    expect((await t.run({ argv: ['echo', 'here'] })).stdout).toBe('here\n');
    await t.close();
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
