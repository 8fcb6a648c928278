// OpenSSH known_hosts files: parsing, host matching, key comparison (no I/O; see
// known-hosts-store.ts for reading and pinning).
//
// Supported, as sshd(8) "SSH_KNOWN_HOSTS FILE FORMAT" describes it:
// - `hostpatterns keytype base64key [comment]`, blank lines and `#` comments;
// - comma-separated patterns, `*` and `?` wildcards, `!` negation (a negated match
//   rejects the whole line), case-insensitive;
// - `[host]:port` for ports other than 22 (a plain `host` entry does not match another port);
// - hashed names `|1|base64(salt)|base64(HMAC-SHA1(salt, name))`;
// - `@revoked` lines: a revoked key is refused for the hosts the line matches;
// - `@cert-authority` lines are parsed but never trusted: ssh2 does not support host
//   certificates, so such hosts count as unknown unless a plain key is listed too.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export type KnownHostsMarker = 'revoked' | 'cert-authority';

export type HostField =
  { kind: 'patterns'; patterns: readonly string[] } | { kind: 'hashed'; salt: Buffer; hash: Buffer };

export interface KnownHostsEntry {
  file: string;
  /** 1-based. */
  line: number;
  marker?: KnownHostsMarker;
  hosts: HostField;
  keyType: string;
  /** The key blob (SSH wire format), as base64-decoded from the line. */
  key: Buffer;
}

export interface KnownHostsProblem {
  file: string;
  line: number;
  message: string;
}

export interface ParsedKnownHosts {
  entries: KnownHostsEntry[];
  /** Lines that were skipped, and why (OpenSSH skips them silently). */
  problems: KnownHostsProblem[];
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** Parses the text of one known_hosts file; bad lines are skipped and reported. */
export function parseKnownHosts(text: string, file: string): ParsedKnownHosts {
  const entries: KnownHostsEntry[] = [];
  const problems: KnownHostsProblem[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const fields = trimmed.split(/[ \t]+/);
    let marker: KnownHostsMarker | undefined;
    if (fields[0]?.startsWith('@')) {
      const name = fields.shift();
      if (name === '@revoked') marker = 'revoked';
      else if (name === '@cert-authority') marker = 'cert-authority';
      else {
        problems.push({ file, line, message: `unknown marker ${JSON.stringify(name)}` });
        return;
      }
    }
    const [hostText, keyType, keyText] = fields;
    if (hostText === undefined || keyType === undefined || keyText === undefined) {
      problems.push({ file, line, message: 'expected "hostpatterns keytype base64key"' });
      return;
    }
    const hosts = parseHostField(hostText);
    if (typeof hosts === 'string') {
      problems.push({ file, line, message: hosts });
      return;
    }
    if (!BASE64.test(keyText)) {
      problems.push({ file, line, message: 'the key is not base64' });
      return;
    }
    const key = Buffer.from(keyText, 'base64');
    const blobType = keyBlobType(key);
    if (blobType !== keyType) {
      problems.push({
        file,
        line,
        message: `the key is of type ${JSON.stringify(blobType ?? 'unreadable')}, not ${JSON.stringify(keyType)}`,
      });
      return;
    }
    entries.push({ file, line, ...(marker === undefined ? {} : { marker }), hosts, keyType, key });
  });
  return { entries, problems };
}

function parseHostField(text: string): HostField | string {
  if (text.startsWith('|')) {
    const parts = text.split('|');
    // ['', '1', salt, hash]
    if (parts.length !== 4 || parts[1] !== '1') return 'a hashed host must look like |1|salt|hash';
    const [, , saltText = '', hashText = ''] = parts;
    if (!BASE64.test(saltText) || !BASE64.test(hashText))
      return 'a hashed host has a salt or hash that is not base64';
    const salt = Buffer.from(saltText, 'base64');
    const hash = Buffer.from(hashText, 'base64');
    if (hash.length !== 20) return 'a hashed host has a hash that is not 20 bytes (HMAC-SHA1)';
    return { kind: 'hashed', salt, hash };
  }
  const patterns = text.split(',').map((p) => p.toLowerCase());
  if (patterns.some((p) => p === '' || p === '!')) return 'empty host pattern';
  return { kind: 'patterns', patterns };
}

/** The name OpenSSH looks up for a host: `host` on port 22, `[host]:port` on any other. */
export function lookupName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** Whether an entry's host field matches `name` (a lookupName, lower case). */
export function entryMatches(entry: KnownHostsEntry, name: string): boolean {
  const { hosts } = entry;
  if (hosts.kind === 'hashed') {
    const digest = createHmac('sha1', hosts.salt).update(name).digest();
    return timingSafeEqual(digest, hosts.hash);
  }
  return matchPatternList(name, hosts.patterns);
}

/** OpenSSH's match_pattern_list: any positive match, unless a negated pattern matches. */
export function matchPatternList(name: string, patterns: readonly string[]): boolean {
  let matched = false;
  for (const pattern of patterns) {
    const negated = pattern.startsWith('!');
    if (globMatch(name, negated ? pattern.slice(1) : pattern)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** `*` matches any run of characters, `?` any one; everything else literally. */
export function globMatch(text: string, pattern: string): boolean {
  // Iterative wildcard matching with backtracking to the last `*` (linear in practice).
  let t = 0;
  let p = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    const pc = pattern[p];
    if (pc === '?' || (pc !== undefined && pc !== '*' && pc === text[t])) {
      t += 1;
      p += 1;
    } else if (pc === '*') {
      star = p;
      mark = t;
      p += 1;
    } else if (star >= 0) {
      p = star + 1;
      mark += 1;
      t = mark;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p += 1;
  return p === pattern.length;
}

/** The key type named inside an SSH key blob (its first string), or undefined if unreadable. */
export function keyBlobType(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length === 0 || length > 64 || 4 + length > blob.length) return undefined;
  const type = blob.subarray(4, 4 + length).toString('latin1');
  return /^[\x21-\x7e]+$/.test(type) ? type : undefined;
}

/** OpenSSH's fingerprint: `SHA256:` and the unpadded base64 of the blob's SHA-256. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** A hostname, IPv4 or IPv6 address that can be written into a known_hosts pattern as is. */
const PINNABLE_NAME = /^[a-z0-9_.:-]+$/i;

/**
 * The names a host is checked and pinned under: each of `hosts` (inventory name, address),
 * lower case, without duplicates, as `[host]:port` off port 22. Throws on a name that is not a
 * plain hostname or address (it could widen a known_hosts pattern).
 */
export function hostKeyNames(hosts: readonly string[], port: number): string[] {
  const names: string[] = [];
  for (const host of hosts) {
    if (!PINNABLE_NAME.test(host)) {
      throw new TypeError(`${JSON.stringify(host)} is not a host name or address that known_hosts can hold`);
    }
    const name = lookupName(host, port);
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** One known_hosts line pinning `key` for `names` (from hostKeyNames). */
export function formatKnownHostsLine(names: readonly string[], key: Buffer): string {
  const type = keyBlobType(key);
  if (type === undefined) throw new TypeError('cannot pin an unreadable host key');
  return `${names.join(',')} ${type} ${key.toString('base64')}`;
}

/** ssh2 host key algorithms for each known_hosts key type (RSA with SHA-2 only). */
const ALGORITHMS_BY_KEY_TYPE: Record<string, readonly string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256'],
};

/** The host key algorithms patchctl accepts, in its order of preference. */
export const HOST_KEY_ALGORITHMS: readonly string[] = Object.values(ALGORITHMS_BY_KEY_TYPE).flat();

/**
 * HOST_KEY_ALGORITHMS with those of the already-known key types first, as OpenSSH orders them,
 * so that a server with several host keys presents the one that is pinned.
 */
export function preferredAlgorithms(knownKeyTypes: Iterable<string>): string[] {
  const first: string[] = [];
  for (const type of knownKeyTypes) {
    for (const algorithm of ALGORITHMS_BY_KEY_TYPE[type] ?? [])
      if (!first.includes(algorithm)) first.push(algorithm);
  }
  return [...first, ...HOST_KEY_ALGORITHMS.filter((a) => !first.includes(a))];
}
