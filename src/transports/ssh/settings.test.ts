import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, describe, expect, it } from '@jest/globals';

import { TransportError } from '../errors.js';
import { KnownHostsStore } from './known-hosts-store.js';
import { expandPath, knownHostsSources, SshConfigCache, sshTransportOptions } from './settings.js';

let scratch = '';
afterEach(() => {
  if (scratch !== '') rmSync(scratch, { recursive: true, force: true });
  scratch = '';
});

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
      jumpHosts: [
        { spec: 'other', address: 'other', port: 2222, user: 'ops', identityFiles: [], names: ['other'] },
      ],
      sudo: true,
      useAgent: false,
      identityFile: undefined,
      moreIdentityFiles: [{ file: '/home/me/.ssh/id_ed25519', optional: false }],
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

describe('ssh settings with an ssh config', () => {
  const knownHosts = KnownHostsStore.fromText({ repoFile: '/repo/known_hosts' }, '');

  /** A home with ~/.ssh/config and a repository with ssh/config. */
  function setup(): { home: string; repo: string } {
    scratch = mkdtempSync(join(tmpdir(), 'patchctl-sshset-'));
    const home = join(scratch, 'home');
    const repo = join(scratch, 'repo');
    mkdirSync(join(home, '.ssh'), { recursive: true });
    mkdirSync(join(repo, 'ssh'), { recursive: true });
    writeFileSync(
      join(home, '.ssh', 'config'),
      'Host web1\n  HostName 10.0.4.21\n  User deploy\n  IdentityFile ~/.ssh/id_web\n  ProxyJump bastion\n' +
        'Host bastion\n  HostName 10.0.0.1\n  User jump\n',
    );
    writeFileSync(join(repo, 'ssh', 'config'), 'Host web1\n  HostName 192.0.2.7\n  Port 2022\n');
    return { home, repo };
  }

  it('looks the address up in ~/.ssh/config by default: aliases no longer fail with ENOTFOUND', () => {
    const { home } = setup();
    const options = sshTransportOptions(
      { user: 'cfg', port: 2200, identityFile: 'keys/id' },
      { name: 'web-01', address: 'web1', identityFile: '~/.ssh/id_inv' },
      { repoDir: '/repo', knownHosts, homeDir: home, localUser: 'me', sshConfigs: new SshConfigCache() },
    );
    expect(options).toMatchObject({ host: 'web-01', address: '10.0.4.21', user: 'deploy', port: 2200 });
    expect(options.jumpHosts).toMatchObject([
      { spec: 'bastion', address: '10.0.0.1', user: 'jump', port: 22 },
    ]);
    // Inventory key first, then the ssh config's (skipped if missing), then the Config's.
    expect(options.identityFile).toBe(join(home, '.ssh/id_inv'));
    expect(options.moreIdentityFiles).toEqual([
      { file: join(home, '.ssh/id_web'), optional: true },
      { file: '/repo/keys/id', optional: false },
    ]);
  });

  it('takes the inventory sshConfig over the Config configFile; none is none; a named file must exist', () => {
    const { home, repo } = setup();
    const context = { repoDir: repo, knownHosts, homeDir: home, localUser: 'me' };
    const fromInventory = sshTransportOptions(
      { configFile: '~/.ssh/config' },
      { name: 'web-01', address: 'web1', sshConfig: 'ssh/config' },
      context,
    );
    expect(fromInventory).toMatchObject({ address: '192.0.2.7', port: 2022, user: 'me', jumpHosts: [] });
    const fromConfig = sshTransportOptions(
      { configFile: 'ssh/config' },
      { name: 'web-01', address: 'web1' },
      context,
    );
    expect(fromConfig).toMatchObject({ address: '192.0.2.7' });
    const none = sshTransportOptions({ configFile: 'none' }, { name: 'web-01', address: 'web1' }, context);
    expect(none).toMatchObject({ address: 'web1', port: 22, jumpHosts: [] });
    let error: unknown;
    try {
      sshTransportOptions({ configFile: 'ssh/missing' }, { name: 'web-01', address: 'web1' }, context);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TransportError);
    expect((error as TransportError).message).toBe(
      `web-01: ssh config ${join(repo, 'ssh/missing')} (ssh.configFile in the Config) does not exist`,
    );
  });

  it('fails the host with the file and line when the config needs what is not supported', () => {
    const { home } = setup();
    writeFileSync(join(home, '.ssh', 'config'), '# proxies\nHost *\n  ProxyCommand nc %h %p\n');
    expect(() =>
      sshTransportOptions(
        undefined,
        { name: 'web-01', address: 'web1' },
        { repoDir: '/r', knownHosts, homeDir: home },
      ),
    ).toThrow(`web-01: ssh config ${join(home, '.ssh', 'config')}:3: ProxyCommand is not supported`);
  });
});
