import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

import { afterEach, describe, expect, it } from '@jest/globals';

import type { RouteInput } from './route.js';
import { resolveRoute } from './route.js';
import type { SshConfigFile } from './ssh-config.js';
import { loadSshConfig, lookupSshConfig, SshConfigError, sshPatternListMatch } from './ssh-config.js';

let home = '';

afterEach(() => {
  if (home !== '') rmSync(home, { recursive: true, force: true });
  home = '';
});

/** A home directory with `files` (paths relative to it); returns the parsed ~/.ssh/config. */
function homeWith(files: Record<string, string>): SshConfigFile {
  home = mkdtempSync(join(tmpdir(), 'patchctl-sshcfg-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(home, path)), { recursive: true });
    writeFileSync(join(home, path), text);
  }
  const config = loadSshConfig(join(home, '.ssh', 'config'), { home });
  if (config === undefined) throw new Error('no ~/.ssh/config');
  return config;
}

function configError(fn: () => unknown): SshConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SshConfigError);
    return error as SshConfigError;
  }
  throw new Error('expected an SshConfigError');
}

function route(config: SshConfigFile | undefined, alias: string, more: Partial<RouteInput> = {}) {
  return resolveRoute({
    alias,
    inventory: {},
    config: {},
    sshConfig: config,
    home,
    localUser: 'me',
    cwd: '/work',
    ...more,
  });
}

// A ~/.ssh/config as people write them: specific hosts first, a catch-all last.
const REAL = `# managed by hand
Host web1 web1.prod
    HostName 10.0.4.21
    User deploy
    Port 2222
    IdentityFile ~/.ssh/id_web
    ProxyJump bastion

Host bastion
    HostName bastion.example.com
    User jump
    IdentityFile %d/.ssh/id_%r_%h

Host db-?? !db-99
    HostName %h.db.internal
    User dba

Host *.corp
    User corpuser

Host *
    User fallback
    Port 22
    IdentityFile ~/.ssh/id_ed25519
`;

describe('ssh config lookup', () => {
  it('takes the first value obtained, from Host blocks in file order, with every IdentityFile', () => {
    const config = homeWith({ '.ssh/config': REAL });
    const web = lookupSshConfig(config, 'web1', { localUser: 'me' });
    expect(web.hostName?.value).toBe('10.0.4.21');
    expect(web.user?.value).toBe('deploy');
    expect(web.port?.value).toBe('2222');
    expect(web.hostName?.at).toEqual({ file: join(home, '.ssh', 'config'), line: 3 });
    expect(web.identityFiles.map((f) => f.value)).toEqual(['~/.ssh/id_web', '~/.ssh/id_ed25519']);
    expect(web.proxy).toMatchObject({ kind: 'jump', value: 'bastion' });
    // A host only the catch-all matches.
    const other = lookupSshConfig(config, 'other', { localUser: 'me' });
    expect(other.hostName).toBeUndefined();
    expect(other.user?.value).toBe('fallback');
  });

  it('matches patterns: * any run, ? exactly one character, !negation wins, case-insensitively', () => {
    const config = homeWith({ '.ssh/config': REAL });
    expect(lookupSshConfig(config, 'db-01', { localUser: 'me' }).user?.value).toBe('dba');
    expect(lookupSshConfig(config, 'DB-01', { localUser: 'me' }).user?.value).toBe('dba');
    expect(lookupSshConfig(config, 'db-1', { localUser: 'me' }).user?.value).toBe('fallback');
    expect(lookupSshConfig(config, 'db-99', { localUser: 'me' }).user?.value).toBe('fallback');
    expect(lookupSshConfig(config, 'x.corp', { localUser: 'me' }).user?.value).toBe('corpuser');
    expect(sshPatternListMatch(['*', '!*.local'], 'a.local')).toBe(false);
    expect(sshPatternListMatch(['web?'], 'web')).toBe(false);
    expect(sshPatternListMatch(['web.*'], 'webxfoo')).toBe(false);
  });

  it('reads Include in place: relative to ~/.ssh, globs in order, conditional inside a Host block', () => {
    const config = homeWith({
      '.ssh/config': 'Include config.d/*.conf\nHost special\n  Include ~/.ssh/special\nHost *\n  User last\n',
      '.ssh/config.d/20-b.conf': 'Host app\n  User from-b\n  Port 2020\n',
      '.ssh/config.d/10-a.conf': 'Host app\n  User from-a\n',
      '.ssh/config.d/ignored.txt': 'Host app\n  User never\n',
      '.ssh/special': 'HostName special.example.com\nHost app\n  HostName never-for-app\n',
    });
    const app = lookupSshConfig(config, 'app', { localUser: 'me' });
    expect(app.user).toEqual({
      value: 'from-a',
      at: { file: join(home, '.ssh/config.d/10-a.conf'), line: 2 },
    });
    expect(app.port?.value).toBe('2020');
    // The file included from `Host special` applies to special only; its own Host lines to no other.
    expect(app.hostName).toBeUndefined();
    expect(lookupSshConfig(config, 'special', { localUser: 'me' }).hostName?.value).toBe(
      'special.example.com',
    );
  });

  it('refuses Include cycles and nesting deeper than OpenSSH allows, naming file:line', () => {
    const cycle = configError(() =>
      homeWith({ '.ssh/config': 'Host *\n  User a\nInclude other\n', '.ssh/other': 'Include config\n' }),
    );
    expect(cycle.message).toMatch(/other:1: Include of .*config is a cycle/);
    rmSync(home, { recursive: true, force: true });
    const deep: Record<string, string> = { '.ssh/config': 'Include d1\n' };
    for (let i = 1; i <= 20; i++) deep[`.ssh/d${i}`] = `Include d${i + 1}\n`;
    expect(configError(() => homeWith(deep)).message).toMatch(/Include nested more than 16 levels deep/);
  });

  it('names file:line for a line it cannot read and a bad Port', () => {
    expect(configError(() => homeWith({ '.ssh/config': 'Host a\n  User "unterminated\n' })).message).toMatch(
      /config:2: cannot parse this line/,
    );
    rmSync(home, { recursive: true, force: true });
    const config = homeWith({ '.ssh/config': '\nHost a\n  Port ssh\n' });
    expect(configError(() => lookupSshConfig(config, 'a', { localUser: 'me' })).message).toMatch(
      /config:3: Port "ssh" is not a port number/,
    );
  });

  it('refuses a Match block that may apply (never running exec), and skips one that cannot', () => {
    const config = homeWith({
      '.ssh/config':
        'Match originalhost other-*\n  User nope\nMatch host web1 exec "touch /tmp/pwned"\n  User m\nHost *\n  User u\n',
    });
    expect(lookupSshConfig(config, 'db', { localUser: 'me' }).user?.value).toBe('u');
    const error = configError(() => lookupSshConfig(config, 'web1', { localUser: 'me' }));
    expect(error.message).toMatch(/config:3: Match blocks are not supported, and this one may apply to web1/);
  });
});

describe('ssh config routes', () => {
  it('resolves an alias: HostName with %h, tokens in IdentityFile, inventory over ssh config over Config', () => {
    const config = homeWith({ '.ssh/config': REAL });
    const db = route(config, 'db-07', { config: { user: 'cfg', port: 2200 } });
    expect(db).toMatchObject({ address: 'db-07.db.internal', user: 'dba', port: 22, hops: [] });
    const web = route(config, 'web1', { inventory: { user: 'inv' }, config: { user: 'cfg', port: 2200 } });
    expect(web).toMatchObject({ address: '10.0.4.21', user: 'inv', port: 2222 });
    expect(web.identityFiles).toEqual([join(home, '.ssh/id_web'), join(home, '.ssh/id_ed25519')]);
    // The bastion's IdentityFile: %d its home, %r the remote user, %h the HostName.
    expect(web.hops).toEqual([
      {
        spec: 'bastion',
        address: 'bastion.example.com',
        port: 22,
        user: 'jump',
        identityFiles: [join(home, '.ssh/id_jump_bastion.example.com'), join(home, '.ssh/id_ed25519')],
        names: ['bastion', 'bastion.example.com'],
      },
    ]);
    // Without a config: the Config, then the built-in defaults.
    expect(route(undefined, 'x', { config: { user: 'cfg' } })).toMatchObject({
      address: 'x',
      user: 'cfg',
      port: 22,
    });
    expect(route(undefined, 'x')).toMatchObject({ user: 'me', port: 22 });
  });

  it("follows a ProxyJump chain, each hop looked up in the config, the first hop's own ProxyJump before it", () => {
    const config = homeWith({
      '.ssh/config': `Host target
  HostName 10.9.0.5
  ProxyJump ops@hop-b:2201,hop-c

Host hop-b
  HostName 10.1.0.2
  User never-used
  ProxyJump hop-a

Host hop-a
  HostName 10.1.0.1
  User a-user

Host hop-c
  HostName 10.1.0.3
  ProxyJump hop-z
`,
    });
    const r = route(config, 'target', { inventory: { user: 'root' } });
    expect(r.hops.map((h) => `${h.user}@${h.spec}=${h.address}:${h.port}`)).toEqual([
      'a-user@hop-a=10.1.0.1:22',
      'ops@hop-b=10.1.0.2:2201',
      // hop-c's own ProxyJump is overridden by the chain (as `ssh -J hop-b hop-c`); its user is the target's.
      'root@hop-c=10.1.0.3:22',
    ]);
    // The inventory's jumpHost wins over ProxyJump, and `none` is none.
    expect(route(config, 'target', { inventory: { jumpHost: 'hop-a' } }).hops.map((h) => h.spec)).toEqual([
      'hop-a',
    ]);
    expect(route(config, 'target', { inventory: { jumpHost: 'none' } }).hops).toEqual([]);
    expect(route(config, 'target', { config: { jumpHost: 'hop-a' } }).hops).toHaveLength(3);
  });

  it('refuses ProxyCommand, loops, and tokens ssh would expand differently, naming file:line', () => {
    const config = homeWith({
      '.ssh/config': `Host pc
  ProxyCommand nc %h %p
Host loop-a
  ProxyJump loop-b
Host loop-b
  ProxyJump loop-a
Host tok
  HostName %n.example
Host id
  IdentityFile ~/.ssh/%C
Host badjump
  ProxyJump -oProxyCommand=x
`,
    });
    expect(configError(() => route(config, 'pc')).message).toMatch(/config:2: ProxyCommand is not supported/);
    // The inventory's jumpHost overrides ProxyCommand as `ssh -J` does.
    expect(route(config, 'pc', { inventory: { jumpHost: 'hop' } }).hops.map((h) => h.spec)).toEqual(['hop']);
    expect(configError(() => route(config, 'loop-a')).message).toMatch(/reached through itself/);
    expect(configError(() => route(config, 'tok')).message).toMatch(
      /config:8: %n is not supported in HostName/,
    );
    expect(configError(() => route(config, 'id')).message).toMatch(
      /config:10: %C is not supported in IdentityFile/,
    );
    expect(configError(() => route(config, 'badjump')).message).toMatch(
      /config:12: jump host .* has no valid host/,
    );
  });
});
