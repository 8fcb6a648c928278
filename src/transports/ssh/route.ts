// How to reach one host: its address, port, user and identity files, and the jump hosts before
// it, from the inventory, the ssh config and the Config, in that order (docs/ssh.md,
// "Precedence"). Each jump host is itself looked up in the ssh config, as OpenSSH does.

import { isAbsolute, resolve } from 'node:path';

import type { JumpSpec } from './jump-host.js';
import { MAX_JUMP_HOSTS, parseJumpChain } from './jump-host.js';
import type { At, Obtained, SshConfigFile, SshConfigHost } from './ssh-config.js';
import { expandTilde, expandTokens, lookupSshConfig, SshConfigError } from './ssh-config.js';

/** What the inventory (host fields over its defaults) and the Config say; undefined = not said. */
export interface RouteSettings {
  user?: string | undefined;
  port?: number | undefined;
  jumpHost?: string | undefined;
}

export interface RouteInput {
  /** The name looked up in the ssh config (the host's address, else its name), as `ssh ADDRESS`. */
  alias: string;
  inventory: RouteSettings;
  config: RouteSettings;
  sshConfig: SshConfigFile | undefined;
  home: string;
  localUser: string;
  /** Relative IdentityFile paths are relative to it, as for ssh. */
  cwd: string;
}

export interface RouteHop {
  /** The host as written in the chain (`bastion-a`, without user and port), for messages. */
  spec: string;
  address: string;
  port: number;
  user: string;
  /** The hop's own IdentityFiles from the ssh config, in order. */
  identityFiles: string[];
  /** Names its host key may be listed under in known_hosts: the alias, then the address. */
  names: string[];
}

export interface Route {
  address: string;
  port: number;
  user: string;
  identityFiles: string[];
  hops: RouteHop[];
}

export function resolveRoute(input: RouteInput): Route {
  const { alias, inventory, config } = input;
  const found = lookup(input, alias, inventory.user);
  const address = hostNameOf(found, alias);
  const user = inventory.user ?? found.user?.value ?? config.user ?? input.localUser;
  const port = inventory.port ?? portOf(found.port) ?? config.port ?? 22;
  let chain: { text: string; at?: At } | undefined;
  if (inventory.jumpHost !== undefined) chain = { text: inventory.jumpHost };
  else if (found.proxy !== undefined) {
    refuseProxyCommand(found, alias);
    chain = { text: found.proxy.value, at: found.proxy.at };
  } else if (config.jumpHost !== undefined) chain = { text: config.jumpHost };
  const hops = chain === undefined ? [] : expandChain(input, chain, user, [alias.toLowerCase()]);
  return {
    address,
    port,
    user,
    identityFiles: identityFilesOf(input, found, { address, user, port, alias }),
    hops,
  };
}

function lookup(input: RouteInput, alias: string, user: string | undefined): SshConfigHost {
  if (input.sshConfig === undefined) return { alias, identityFiles: [] };
  return lookupSshConfig(input.sshConfig, alias, { user, localUser: input.localUser });
}

function hostNameOf(found: SshConfigHost, alias: string): string {
  if (found.hostName === undefined) return alias;
  const name = expandTokens(found.hostName.value, { h: alias }, found.hostName.at, 'HostName');
  if (name === '' || name.startsWith('-') || !/^[A-Za-z0-9.:_-]+$/.test(name)) {
    throw new SshConfigError(
      found.hostName.at,
      `HostName ${JSON.stringify(name)} is not a host name or address`,
    );
  }
  return name;
}

function portOf(port: Obtained | undefined): number | undefined {
  return port === undefined ? undefined : Number(port.value);
}

/** A ProxyCommand that ssh would use is refused: patchctl runs no local commands to connect. */
function refuseProxyCommand(found: SshConfigHost, alias: string): void {
  if (found.proxy?.kind === 'command' && found.proxy.value.toLowerCase() !== 'none') {
    throw new SshConfigError(
      found.proxy.at,
      `ProxyCommand is not supported (patchctl runs no local command to reach ${alias}); use ProxyJump`,
    );
  }
}

/**
 * The hops of a chain. Like `ssh -J a,b`: every hop is looked up in the ssh config (its HostName,
 * User, Port, IdentityFile), and the first hop's own ProxyJump, if any, comes before it.
 */
function expandChain(
  input: RouteInput,
  chain: { text: string; at?: At | undefined },
  fallbackUser: string,
  seen: string[],
): RouteHop[] {
  if (chain.text.trim().toLowerCase() === 'none') return [];
  let specs: JumpSpec[];
  try {
    specs = parseJumpChain(chain.text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new SshConfigError(chain.at, reason);
  }
  const hops: RouteHop[] = [];
  for (const [i, spec] of specs.entries()) {
    const key = spec.host.toLowerCase();
    if (seen.includes(key)) {
      throw new SshConfigError(
        chain.at,
        `jump host ${spec.host} is reached through itself (${[...seen, key].join(' -> ')})`,
      );
    }
    const found = lookup(input, spec.host, spec.user);
    if (i === 0 && found.proxy !== undefined) {
      refuseProxyCommand(found, spec.host);
      hops.push(
        ...expandChain(input, { text: found.proxy.value, at: found.proxy.at }, fallbackUser, [...seen, key]),
      );
    }
    const address = hostNameOf(found, spec.host);
    const user = spec.user ?? found.user?.value ?? fallbackUser;
    const port = spec.port ?? portOf(found.port) ?? 22;
    hops.push({
      spec: spec.host,
      address,
      port,
      user,
      identityFiles: identityFilesOf(input, found, { address, user, port, alias: spec.host }),
      names: address === spec.host ? [address] : [spec.host, address],
    });
  }
  if (hops.length > MAX_JUMP_HOSTS) {
    throw new SshConfigError(
      chain.at,
      `more than ${MAX_JUMP_HOSTS} jump hosts before ${seen[0] ?? 'the host'}`,
    );
  }
  return hops;
}

/** IdentityFile paths with `~` and the tokens ssh_config(5) lists for it that apply here. */
function identityFilesOf(
  input: RouteInput,
  found: SshConfigHost,
  target: { address: string; user: string; port: number; alias: string },
): string[] {
  const tokens = {
    d: input.home,
    u: input.localUser,
    h: target.address,
    r: target.user,
    p: String(target.port),
    n: target.alias,
  };
  return found.identityFiles.map((f) => {
    const path = expandTilde(expandTokens(f.value, tokens, f.at, 'IdentityFile'), input.home);
    return isAbsolute(path) ? path : resolve(input.cwd, path);
  });
}
