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

export function isIPv4(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(0|[1-9][0-9]{0,2})$/.test(p) && Number(p) <= 255);
}

export function isIPv6(text: string): boolean {
  let body = text;
  const groupsNeeded = 8;
  const lastColon = body.lastIndexOf(':');
  const tail = body.slice(lastColon + 1);
  if (tail.includes('.')) {
    if (!isIPv4(tail)) return false;
    body = `${body.slice(0, lastColon + 1)}0:0`;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const groupsOf = (s: string): string[] | undefined => (s === '' ? [] : s.split(':'));
  const head = groupsOf(halves[0] ?? '') ?? [];
  const rest = halves.length === 2 ? (groupsOf(halves[1] ?? '') ?? []) : [];
  const all = [...head, ...rest];
  if (!all.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return false;
  return halves.length === 2 ? all.length < groupsNeeded : all.length === groupsNeeded;
}
