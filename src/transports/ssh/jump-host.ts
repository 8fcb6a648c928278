import { isIPv6 } from 'node:net';

export interface JumpHost {
  user: string;
  host: string;
  port: number;
}

/** One hop as written: what it leaves out comes from the ssh config or the defaults. */
export interface JumpSpec {
  user?: string;
  host: string;
  port?: number;
}

/** At most this many jump hosts before a target (a chain longer than this is a mistake). */
export const MAX_JUMP_HOSTS = 8;

/**
 * Parses `[user@]host[:port]` (the Config/inventory `jumpHost`). As in the schema, a host with
 * more than one `:` is a bare IPv6 address without a port; `[v6]:port` is accepted too.
 * Throws a TypeError on text that `validate` would have refused.
 */
export function parseJumpHost(text: string, defaultUser: string): JumpHost {
  const spec = parseJumpSpec(text);
  return { user: spec.user ?? defaultUser, host: spec.host, port: spec.port ?? 22 };
}

/** `[user@]host[:port]` (or `ssh://[user@]host[:port]`, as ProxyJump allows), keeping what is left out. */
export function parseJumpSpec(written: string): JumpSpec {
  const text = written.startsWith('ssh://') ? written.slice('ssh://'.length) : written;
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  const rest = at >= 0 ? text.slice(at + 1) : text;
  let host = rest;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::([0-9]+))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
    // Brackets are for IPv6 only, as in OpenSSH: `[web1]:22` is a typo, not a name.
    if (!isIPv6(host))
      throw new TypeError(`jump host ${JSON.stringify(written)} has brackets around a non-IPv6 host`);
  } else if (rest.split(':').length === 2) {
    host = rest.slice(0, rest.indexOf(':'));
    portText = rest.slice(rest.indexOf(':') + 1);
  }
  const port = portText === undefined ? undefined : Number(portText);
  if (host === '' || host.startsWith('-') || !/^[A-Za-z0-9.:_-]+$/.test(host)) {
    throw new TypeError(`jump host ${JSON.stringify(written)} has no valid host`);
  }
  if (user !== undefined && !/^[a-z_][a-z0-9_.-]{0,31}$/.test(user))
    throw new TypeError(`jump host ${JSON.stringify(written)} has an invalid user`);
  if (
    port !== undefined &&
    (!Number.isInteger(port) || port < 1 || port > 65535 || !/^[0-9]+$/.test(portText ?? ''))
  ) {
    throw new TypeError(`jump host ${JSON.stringify(written)} has an invalid port`);
  }
  return { ...(user === undefined ? {} : { user }), host, ...(port === undefined ? {} : { port }) };
}

/** A ProxyJump chain `a,b` (first hop first); `none` is no chain. Throws a TypeError like parseJumpSpec. */
export function parseJumpChain(text: string): JumpSpec[] {
  if (text.trim().toLowerCase() === 'none') return [];
  const hops = text.split(',').map((hop) => parseJumpSpec(hop.trim()));
  if (hops.length > MAX_JUMP_HOSTS) {
    throw new TypeError(`jump host chain ${JSON.stringify(text)} has more than ${MAX_JUMP_HOSTS} hosts`);
  }
  return hops;
}
