import type { Diagnostic } from '../diagnostics.js';
import type { Path } from '../parse.js';
import type { Located } from '../repository.js';
import { addressProblem } from './host-addresses.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/**
 * Jump hosts are handed to ssh, so they get the checks addresses get, and more: the schema's
 * pattern admits `-oProxyCommand` (an ssh option, not a host), `999.1.1.1` and port 99999.
 */
export const jumpHosts: Rule = (repo) => {
  const out: Diagnostic[] = [];
  const check = (value: string | undefined, where: Located<unknown>, path: Path): void => {
    // A ProxyJump chain `a,b` (docs/ssh.md): each hop is checked.
    const problem = value
      ?.split(',')
      .map(jumpHostProblem)
      .find((p) => p !== undefined);
    if (problem)
      out.push(diagnostic('error', 'invalid-address', `jumpHost "${value}" ${problem}`, where, path));
  };
  const config = repo.config;
  if (config) check(config.doc.spec.ssh?.jumpHost, config, ['spec', 'ssh', 'jumpHost']);
  for (const inv of repo.inventories) {
    check(inv.doc.spec.defaults?.jumpHost, inv, ['spec', 'defaults', 'jumpHost']);
    inv.doc.spec.hosts.forEach((h, i) => check(h.jumpHost, inv, ['spec', 'hosts', i, 'jumpHost']));
  }
  return out;
};

/**
 * Undefined when `text` is `[user@]host[:port]` with a real address or DNS name and a port from 1
 * to 65535; else why not. A host with more than one `:` is an IPv6 address (without a port: the
 * schema allows no brackets).
 */
export function jumpHostProblem(text: string): string | undefined {
  if (text.startsWith('-')) return 'must not start with "-": ssh would read it as an option, not a host';
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  const rest = at >= 0 ? text.slice(at + 1) : text;
  if (user !== undefined && !/^[a-z_][a-z0-9_.-]{0,31}$/.test(user))
    return `has an invalid user "${user}": use a login name of lower-case letters, digits, '_', '.' or '-'`;
  let host = rest;
  let port: string | undefined;
  const colons = rest.split(':').length - 1;
  if (colons === 1) {
    host = rest.slice(0, rest.indexOf(':'));
    port = rest.slice(rest.indexOf(':') + 1);
  }
  if (host.startsWith('-')) return 'must not have a host starting with "-": ssh would read it as an option';
  if (host === '') return 'has no host: write [user@]host[:port]';
  const problem = addressProblem(host);
  if (problem) return `has a host that ${problem}`;
  if (port !== undefined) {
    if (!/^[0-9]+$/.test(port) || Number(port) < 1 || Number(port) > 65535)
      return `has port "${port}", which is not a port number from 1 to 65535`;
  }
  return undefined;
}
