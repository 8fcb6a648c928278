// From the repository's Config (`ssh:`) and an inventory host to SshTransportOptions.

import { homedir, userInfo } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

import type { InventoryHost, SshSettings } from '../../core/model/types.js';
import { durationToMillis, parseDuration } from '../../core/schedule/duration.js';
import type { SshKeyring } from './credentials.js';
import type { KnownHostsSources, KnownHostsStore, PinnedHostKey } from './known-hosts-store.js';
import type { SshTransportOptions } from './ssh-transport.js';

export interface SshRunContext {
  /** The repository directory: relative paths in the Config are relative to it. */
  repoDir: string;
  knownHosts: KnownHostsStore;
  acceptNewHostKeys?: boolean;
  keyring?: SshKeyring;
  onHostKeyPinned?: (pinned: PinnedHostKey) => void;
  /** For `~/` in paths; default os.homedir(). */
  homeDir?: string;
}

/** The known_hosts files of a run: `paths.knownHosts` of the repository, plus the user's when asked. */
export function knownHostsSources(
  settings: SshSettings | undefined,
  repoDir: string,
  knownHostsPath = 'known_hosts',
  homeDir = homedir(),
): KnownHostsSources {
  return {
    repoFile: resolve(repoDir, knownHostsPath),
    ...(settings?.useUserKnownHosts === true ? { userFile: join(homeDir, '.ssh', 'known_hosts') } : {}),
  };
}

/** Options for one host; the host's own user, port and jump host win over the Config's. */
export function sshTransportOptions(
  settings: SshSettings | undefined,
  host: InventoryHost,
  context: SshRunContext,
): SshTransportOptions {
  const ssh = settings ?? {};
  const home = context.homeDir ?? homedir();
  const options: SshTransportOptions = {
    host: host.name,
    address: host.address ?? host.name,
    port: host.port ?? ssh.port ?? 22,
    user: host.user ?? ssh.user ?? userInfo().username,
    knownHosts: context.knownHosts,
    acceptNewHostKeys: context.acceptNewHostKeys === true,
    jumpHost: host.jumpHost ?? ssh.jumpHost,
    sudo: ssh.sudo === true,
    useAgent: ssh.useAgent,
    passphraseEnv: ssh.passphraseEnv,
    identityFile:
      ssh.identityFile === undefined ? undefined : expandPath(ssh.identityFile, context.repoDir, home),
    connectTimeoutMs: millis(ssh.connectTimeout, 'connectTimeout'),
    commandTimeoutMs: millis(ssh.commandTimeout, 'commandTimeout'),
    keepaliveIntervalMs: millis(ssh.keepaliveInterval, 'keepaliveInterval'),
    keyring: context.keyring,
    onHostKeyPinned: context.onHostKeyPinned,
  };
  return options;
}

/** `~/x` in the home directory; a relative path in the repository; an absolute one as is. */
export function expandPath(path: string, repoDir: string, home: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return isAbsolute(path) ? path : resolve(repoDir, path);
}

function millis(text: string | undefined, name: string): number | undefined {
  if (text === undefined) return undefined;
  const parsed = parseDuration(text);
  if (!parsed.ok) throw new TypeError(`ssh.${name}: ${parsed.message}`);
  return durationToMillis(parsed.value);
}
