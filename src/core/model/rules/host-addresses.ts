import net from 'node:net';
import type { Diagnostic } from '../diagnostics.js';
import type { Rule } from './rule.js';
import { diagnostic } from './rule.js';

/** The schema limits addresses to safe characters; this checks they are real IPs or DNS names. */
export const hostAddresses: Rule = (repo) => {
  const out: Diagnostic[] = [];
  for (const inv of repo.inventories) {
    inv.doc.spec.hosts.forEach((h, index) => {
      const address = h.address ?? h.name;
      const problem = addressProblem(address);
      if (problem) {
        const path =
          h.address === undefined ? ['spec', 'hosts', index, 'name'] : ['spec', 'hosts', index, 'address'];
        const what =
          h.address === undefined ? `host name "${address}" (used as its address)` : `address "${address}"`;
        out.push(diagnostic('error', 'invalid-address', `${what} ${problem}`, inv, path));
      }
    });
  }
  return out;
};

/** Undefined when `text` is an IPv4 address, an IPv6 address or a DNS name; else why not. */
export function addressProblem(text: string): string | undefined {
  if (text.includes(':')) return isIPv6(text) ? undefined : 'is not a valid IPv6 address';
  if (/^[0-9.]+$/.test(text)) return isIPv4(text) ? undefined : 'is not a valid IPv4 address';
  if (text.length > 253) return 'is longer than 253 characters';
  for (const label of text.replace(/\.$/, '').split('.')) {
    if (label.length === 0) return 'has an empty DNS label (two dots in a row)';
    if (label.length > 63) return `has a DNS label longer than 63 characters ("${label.slice(0, 20)}…")`;
    if (!/^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?$/.test(label)) {
      return `is not a valid DNS name (label "${label}" must start and end with a letter or digit)`;
    }
  }
  return undefined;
}

/**
 * A dotted-quad IPv4 address, by node:net (the parser Node itself connects with): four decimal
 * numbers up to 255, no leading zeros (`010` is octal to some tools, decimal to others).
 */
export function isIPv4(text: string): boolean {
  return net.isIPv4(text);
}

/**
 * An IPv6 address without brackets, by node:net (`::` compression, an embedded IPv4 tail). Without
 * a zone (`fe80::1%eth0`): node:net accepts any text after `%`, and the schemas allow no `%`.
 */
export function isIPv6(text: string): boolean {
  return !text.includes('%') && net.isIPv6(text);
}
