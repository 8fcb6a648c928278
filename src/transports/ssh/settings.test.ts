import { describe, expect, it } from '@jest/globals';

import { KnownHostsStore } from './known-hosts-store.js';
import { expandPath, knownHostsSources, sshTransportOptions } from './settings.js';

describe('ssh settings', () => {
  const knownHosts = KnownHostsStore.fromText({ repoFile: '/repo/known_hosts' }, '');

  it('takes the host own user, port and jump host over the Config', () => {
    const options = sshTransportOptions(
      {
        user: 'patchctl',
        port: 2200,
        identityFile: '~/.ssh/id_ed25519',
        passphraseEnv: 'PATCHCTL_SSH_PASSPHRASE',
        useAgent: false,
        sudo: true,
        connectTimeout: '10s',
        commandTimeout: '1h',
        keepaliveInterval: '15s',
        jumpHost: 'bastion',
      },
      { name: 'web-01', address: '10.0.4.21', user: 'ops', jumpHost: 'other:2222' },
      { repoDir: '/repo', knownHosts, acceptNewHostKeys: true, homeDir: '/home/me' },
    );
    expect(options).toMatchObject({
      host: 'web-01',
      address: '10.0.4.21',
      port: 2200,
      user: 'ops',
      jumpHost: 'other:2222',
      sudo: true,
      useAgent: false,
      identityFile: '/home/me/.ssh/id_ed25519',
      passphraseEnv: 'PATCHCTL_SSH_PASSPHRASE',
      connectTimeoutMs: 10_000,
      commandTimeoutMs: 3_600_000,
      keepaliveIntervalMs: 15_000,
      acceptNewHostKeys: true,
    });
    expect(options.knownHosts).toBe(knownHosts);
  });

  it('defaults the address to the name, and the port to 22', () => {
    const options = sshTransportOptions(undefined, { name: 'web-01' }, { repoDir: '/repo', knownHosts });
    expect(options).toMatchObject({ address: 'web-01', port: 22, sudo: false, acceptNewHostKeys: false });
    expect(options.connectTimeoutMs).toBeUndefined();
    expect(() =>
      sshTransportOptions({ connectTimeout: '10' }, { name: 'x' }, { repoDir: '/r', knownHosts }),
    ).toThrow(/connectTimeout/);
  });

  it('resolves paths and the known_hosts files', () => {
    expect(expandPath('keys/id', '/repo', '/home/me')).toBe('/repo/keys/id');
    expect(expandPath('/etc/key', '/repo', '/home/me')).toBe('/etc/key');
    expect(expandPath('~', '/repo', '/home/me')).toBe('/home/me');
    expect(knownHostsSources(undefined, '/repo')).toEqual({ repoFile: '/repo/known_hosts' });
    expect(knownHostsSources({ useUserKnownHosts: true }, '/repo', 'keys/known_hosts', '/home/me')).toEqual({
      repoFile: '/repo/keys/known_hosts',
      userFile: '/home/me/.ssh/known_hosts',
    });
  });
});
