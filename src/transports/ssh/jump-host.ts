export interface JumpHost {
  user: string;
  host: string;
  port: number;
}

/**
 * Parses `[user@]host[:port]` (the Config/inventory `jumpHost`). As in the schema, a host with
 * more than one `:` is a bare IPv6 address without a port; `[v6]:port` is accepted too.
 * Throws a TypeError on text that `validate` would have refused.
 */
export function parseJumpHost(text: string, defaultUser: string): JumpHost {
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : defaultUser;
  const rest = at >= 0 ? text.slice(at + 1) : text;
  let host = rest;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::([0-9]+))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1] ?? '';
    portText = bracketed[2];
  } else if (rest.split(':').length === 2) {
    host = rest.slice(0, rest.indexOf(':'));
    portText = rest.slice(rest.indexOf(':') + 1);
  }
  const port = portText === undefined ? 22 : Number(portText);
  if (host === '' || host.startsWith('-') || !/^[A-Za-z0-9.:_-]+$/.test(host)) {
    throw new TypeError(`jump host ${JSON.stringify(text)} has no valid host`);
  }
  if (!/^[a-z_][a-z0-9_.-]{0,31}$/.test(user))
    throw new TypeError(`jump host ${JSON.stringify(text)} has an invalid user`);
  if (
    !Number.isInteger(port) ||
    port < 1 ||
    port > 65535 ||
    (portText !== undefined && !/^[0-9]+$/.test(portText))
  ) {
    throw new TypeError(`jump host ${JSON.stringify(text)} has an invalid port`);
  }
  return { user, host, port };
}
