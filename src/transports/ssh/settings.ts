// From the repository's Config (`ssh:`) and an inventory host to SshTransportOptions.

import { homedir, userInfo } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

import { TransportError } from '../errors.js';
import type { InventoryHost, SshSettings } from '../../core/model/types.js';
import { durationToMillis, parseDuration } from '../../core/schedule/duration.js';
import type { SshKeyring } from './credentials.js';
import type { KnownHostsSources, KnownHostsStore, PinnedHostKey } from './known-hosts-store.js';
import { resolveRoute } from './route.js';
import type { SshConfigFile, SshConfigIo } from './ssh-config.js';
import { loadSshConfig, nodeSshConfigIo, SshConfigError } from './ssh-config.js';
import type { SshTransportOptions } from './ssh-transport.js';

/**
 * The ssh config files of a run, each read (with its Includes) once. A file that cannot be read or
 * parsed fails every host that uses it, with its file:line (docs/ssh.md).
 */
export class SshConfigCache {
  private readonly files = new Map<
    string,
    { ok: true; value: SshConfigFile | undefined } | { ok: false; error: unknown }
  >();

  constructor(private readonly io: SshConfigIo = nodeSshConfigIo) {}

  /** The parsed file; undefined when it does not exist. */
  get(file: string, home: string): SshConfigFile | undefined {
    let entry = this.files.get(file);
    if (entry === undefined) {
      try {
        entry = { ok: true, value: loadSshConfig(file, { home, io: this.io }) };
      } catch (error) {
        entry = { ok: false, error };
      }
      this.files.set(file, entry);
    }
    if (!entry.ok) throw entry.error;
    return entry.value;
  }
}

export interface SshRunContext {
  /** The repository directory: relative paths in the Config are relative to it. */
  repoDir: string;
  knownHosts: KnownHostsStore;
  acceptNewHostKeys?: boolean;
  keyring?: SshKeyring;
  onHostKeyPinned?: (pinned: PinnedHostKey) => void;
  /** For `~/` in paths; default os.homedir(). */
  homeDir?: string;
  /** The run's ssh config files; default a new cache (each file read once per call). */
  sshConfigs?: SshConfigCache;
  /** The controller's user (`%u`, and the login name when nothing else names one); default os.userInfo(). */
  localUser?: string;
  /** Relative IdentityFile paths in an ssh config are relative to it, as for ssh; default process.cwd(). */
  cwd?: string;
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

/**
 * Options for one host (docs/ssh.md, "Precedence"): the inventory's host fields, then its
 * defaults (already merged into `host`), then the ssh config (looked up by the host's address, or
 * its name, as `ssh ADDRESS`), then the Config's `ssh:`, then the built-in defaults. A problem in
 * the ssh config, or a host that needs what is not supported, throws a TransportError naming the
 * file and line: the host is never reached some other way.
 */
export function sshTransportOptions(
  settings: SshSettings | undefined,
  host: InventoryHost,
  context: SshRunContext,
): SshTransportOptions {
  const ssh = settings ?? {};
  const home = context.homeDir ?? homedir();
  const localUser = context.localUser ?? userInfo().username;
  const alias = host.address ?? host.name;
  let route;
  try {
    route = resolveRoute({
      alias,
      inventory: { user: host.user, port: host.port, jumpHost: host.jumpHost },
      config: { user: ssh.user, port: ssh.port, jumpHost: ssh.jumpHost },
      sshConfig: sshConfigFor(ssh, host, context, home),
      home,
      localUser,
      cwd: context.cwd ?? process.cwd(),
    });
  } catch (error) {
    if (error instanceof SshConfigError) {
      throw new TransportError('protocol', host.name, `ssh config ${error.message}`, { cause: error });
    }
    throw error;
  }
  // The inventory's key first, then the ssh config's, then the Config's (credentials.ts).
  const moreIdentityFiles = [
    ...route.identityFiles.map((file) => ({ file, optional: true })),
    ...(ssh.identityFile === undefined
      ? []
      : [{ file: expandPath(ssh.identityFile, context.repoDir, home), optional: false }]),
  ];
  const options: SshTransportOptions = {
    host: host.name,
    address: route.address,
    port: route.port,
    user: route.user,
    knownHosts: context.knownHosts,
    acceptNewHostKeys: context.acceptNewHostKeys === true,
    jumpHosts: route.hops,
    sudo: ssh.sudo === true,
    useAgent: ssh.useAgent,
    passphraseEnv: ssh.passphraseEnv,
    identityFile:
      host.identityFile === undefined ? undefined : expandPath(host.identityFile, context.repoDir, home),
    ...(moreIdentityFiles.length > 0 ? { moreIdentityFiles } : {}),
    connectTimeoutMs: millis(ssh.connectTimeout, 'connectTimeout'),
    commandTimeoutMs: millis(ssh.commandTimeout, 'commandTimeout'),
    keepaliveIntervalMs: millis(ssh.keepaliveInterval, 'keepaliveInterval'),
    keyring: context.keyring,
    onHostKeyPinned: context.onHostKeyPinned,
  };
  return options;
}

/**
 * The ssh config a host uses: the inventory's `sshConfig` (host, then defaults), else the Config's
 * `ssh.configFile`, else ~/.ssh/config when it exists. `none` is none; an explicit file must exist.
 */
function sshConfigFor(
  ssh: SshSettings,
  host: InventoryHost,
  context: SshRunContext,
  home: string,
): SshConfigFile | undefined {
  const cache = context.sshConfigs ?? new SshConfigCache();
  const named = host.sshConfig ?? ssh.configFile;
  if (named === undefined) return cache.get(join(home, '.ssh', 'config'), home);
  if (named === 'none') return undefined;
  const file = expandPath(named, context.repoDir, home);
  const config = cache.get(file, home);
  if (config === undefined) {
    const from = host.sshConfig !== undefined ? 'the inventory sshConfig' : 'ssh.configFile in the Config';
    throw new SshConfigError(undefined, `${file} (${from}) does not exist`);
  }
  return config;
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
