// The host keys patchctl trusts for one run: the repository's known_hosts file (always) and the
// user's ~/.ssh/known_hosts (when Config says useUserKnownHosts). Read once, shared by every
// ssh transport of the run; new keys are pinned into the repository file only, atomically.

import { lstat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';

import { writeFileAtomicAsync } from '../../platform/atomic-write.js';
import { readTextSafeIfExists } from '../../platform/safe-fs.js';
import type { HostKeyInfo } from '../errors.js';
import type { KnownHostsEntry, KnownHostsProblem } from './known-hosts.js';
import {
  entryMatches,
  fingerprint,
  formatKnownHostsLine,
  keyBlobType,
  parseKnownHosts,
  preferredAlgorithms,
} from './known-hosts.js';

export interface KnownHostsSources {
  /** The repository's known_hosts: trusted, and where new keys are pinned. Need not exist yet. */
  repoFile: string;
  /**
   * The repository: the repository's known_hosts must really be inside it (a link out of it is
   * refused, as for every file of the repository). Default: the folder of `repoFile`.
   */
  repoDir?: string | undefined;
  /** Also trusted (never written), e.g. ~/.ssh/known_hosts. Need not exist. */
  userFile?: string | undefined;
}

/** A key pinned by `--accept-new-host-keys`, for the run to report. */
export interface PinnedHostKey {
  /** The names the line was written for (`web-01,10.0.4.21` or `[web-01]:2222`). */
  names: string[];
  type: string;
  fingerprint: string;
  /** The known_hosts line written. */
  line: string;
  file: string;
}

export type HostKeyDecision =
  | { ok: true; entry?: KnownHostsEntry; pinned?: PinnedHostKey }
  | { ok: false; kind: 'host-key-mismatch' | 'host-key-unknown'; message: string; hostKey: HostKeyInfo };

// Pins into the same file are serialized across stores of this process.
const writeChains = new Map<string, Promise<unknown>>();

export class KnownHostsStore {
  private constructor(
    readonly sources: KnownHostsSources,
    private readonly entries: KnownHostsEntry[],
    /** Lines that were skipped as malformed. */
    readonly problems: readonly KnownHostsProblem[],
  ) {}

  /** The keys pinned so far through this store. */
  readonly pinned: PinnedHostKey[] = [];

  /** Reads the files; a missing file is empty, an unreadable one an error. */
  static async load(sources: KnownHostsSources): Promise<KnownHostsStore> {
    const entries: KnownHostsEntry[] = [];
    const problems: KnownHostsProblem[] = [];
    for (const file of [sources.repoFile, sources.userFile]) {
      if (file === undefined) continue;
      // The repository's file stays inside the repository; the user's may be a link (dotfiles
      // managers make them), but to a regular file: a FIFO would block the run for ever.
      const text = readIfExists(
        file,
        file === sources.repoFile ? (sources.repoDir ?? dirname(sources.repoFile)) : undefined,
      );
      if (text === undefined) continue;
      const parsed = parseKnownHosts(text, file);
      entries.push(...parsed.entries);
      problems.push(...parsed.problems);
    }
    return new KnownHostsStore(sources, entries, problems);
  }

  /** A store over literal text (tests, `validate`); pins still go to `sources.repoFile`. */
  static fromText(sources: KnownHostsSources, text: string): KnownHostsStore {
    const parsed = parseKnownHosts(text, sources.repoFile);
    return new KnownHostsStore(sources, parsed.entries, parsed.problems);
  }

  /**
   * Entries whose host field matches one of `names` (from hostKeyNames), in file order. Lines
   * of literal names are looked up by name; only hashed and wildcard lines are tried one by one
   * (a known_hosts of 10,000 hosts made every connection scan 10,000 lines).
   */
  entriesFor(names: readonly string[]): KnownHostsEntry[] {
    this.index ??= indexEntries(this.entries);
    const found = new Set<number>();
    for (const name of names) for (const i of this.index.byName.get(name) ?? []) found.add(i);
    for (const i of this.index.others) {
      const entry = this.entries[i];
      if (entry && names.some((name) => entryMatches(entry, name))) found.add(i);
    }
    return [...found].sort((a, b) => a - b).flatMap((i) => this.entries[i] ?? []);
  }

  /** Built on first use, dropped when a key is pinned. */
  private index: EntryIndex | undefined;

  /** Host key algorithms to offer when connecting to `names`: known key types first. */
  algorithmsFor(names: readonly string[]): string[] {
    const types = this.entriesFor(names)
      .filter((e) => e.marker === undefined)
      .map((e) => e.keyType);
    return preferredAlgorithms(types);
  }

  /**
   * Whether `key`, offered by the server known as `names`, is trusted: listed for one of the
   * names (and not revoked). A host that has keys listed, none of them this one, has a changed
   * key (even if the listed keys are of another type): always refused. A host with no key
   * listed is unknown: refused, unless `acceptNew`, in which case the key is pinned.
   */
  async verify(names: readonly string[], key: Buffer, acceptNew: boolean): Promise<HostKeyDecision> {
    const decision = this.decide(names, key);
    if (decision.ok || decision.kind === 'host-key-mismatch' || !acceptNew) return decision;
    return this.pin(names, key);
  }

  private decide(names: readonly string[], key: Buffer): HostKeyDecision {
    const type = keyBlobType(key) ?? 'unknown';
    const hostKey: HostKeyInfo = { type, fingerprint: fingerprint(key) };
    const offered = `${type} key ${hostKey.fingerprint}`;
    const entries = this.entriesFor(names);
    const revoked = entries.find((e) => e.marker === 'revoked' && e.key.equals(key));
    if (revoked) {
      return {
        ok: false,
        kind: 'host-key-mismatch',
        message: `the server offered the ${offered}, which ${where(revoked)} marks as @revoked; refusing to connect`,
        hostKey,
      };
    }
    const plain = entries.filter((e) => e.marker === undefined);
    const match = plain.find((e) => e.key.equals(key));
    if (match) return { ok: true, entry: match };
    if (plain.length > 0) {
      const known = plain.map((e) => `${e.keyType} ${fingerprint(e.key)} (${where(e)})`).join(', ');
      return {
        ok: false,
        kind: 'host-key-mismatch',
        message:
          `HOST KEY CHANGED: the server offered the ${offered}, but known_hosts has ${known}. ` +
          `Someone may be intercepting the connection, or the host was reinstalled. patchctl will not connect; ` +
          `if the change is expected, replace the line in ${this.sources.repoFile} through a reviewed change`,
        hostKey,
      };
    }
    const caNote = entries.some((e) => e.marker === 'cert-authority')
      ? ' (@cert-authority lines match it, but host certificates are not supported)'
      : '';
    return {
      ok: false,
      kind: 'host-key-unknown',
      message:
        `host key unknown${caNote}: the server offered the ${offered} for ${names.join(', ')}. ` +
        `Check it, then add it to ${this.sources.repoFile}, or run with --accept-new-host-keys to pin it for review`,
      hostKey,
    };
  }

  /** Appends one line for `key` to the repository file (temp file + rename), keeping its content. */
  private async pin(names: readonly string[], key: Buffer): Promise<HostKeyDecision> {
    const file = resolve(this.sources.repoFile);
    const previous = writeChains.get(file) ?? Promise.resolve();
    const result = previous.then(async (): Promise<HostKeyDecision> => {
      // Another connection may have pinned a key for these names while this one waited.
      const again = this.decide(names, key);
      if (again.ok || again.kind === 'host-key-mismatch') return again;
      const line = formatKnownHostsLine(names, key);
      await appendLineAtomically(file, line);
      const parsed = parseKnownHosts(line, this.sources.repoFile);
      const entry = parsed.entries[0];
      if (entry === undefined) throw new Error(`cannot re-read the pinned line ${line}`);
      this.entries.push(entry);
      this.index = undefined;
      const pinned: PinnedHostKey = {
        names: [...names],
        type: entry.keyType,
        fingerprint: fingerprint(key),
        line,
        file: this.sources.repoFile,
      };
      this.pinned.push(pinned);
      return { ok: true, entry, pinned };
    });
    writeChains.set(
      file,
      result.catch(() => undefined),
    );
    return result;
  }
}

function where(entry: KnownHostsEntry): string {
  return `${entry.file}:${entry.line}`;
}

/** known_hosts of 10,000 hosts with three keys each is a few MiB. */
const MAX_KNOWN_HOSTS_BYTES = 64 * 1024 * 1024;

/** The text of a regular file (inside `within` when given), or undefined when there is none. */
function readIfExists(file: string, within?: string): string | undefined {
  return readTextSafeIfExists(file, {
    maxBytes: MAX_KNOWN_HOSTS_BYTES,
    ...(within === undefined ? {} : { within }),
  });
}

/**
 * Rewrites `file` as its current content plus `line`, atomically (temp file + rename), keeping
 * its mode. Only a regular file is read and replaced (atomic-write.ts): a known_hosts that is a
 * FIFO, a device or a link is refused, never read for ever or turned into a file.
 */
export async function appendLineAtomically(file: string, line: string): Promise<void> {
  const current = readIfExists(file, dirname(file)) ?? '';
  let mode = 0o644;
  try {
    mode = (await lstat(file)).mode & 0o777;
  } catch {
    // A new file.
  }
  const separator = current === '' || current.endsWith('\n') ? '' : '\n';
  await writeFileAtomicAsync(file, `${current}${separator}${line}\n`, mode);
}

interface EntryIndex {
  /** Literal host name → indexes of the lines that list it. */
  byName: Map<string, number[]>;
  /** Lines with hashed names, wildcards or negations. */
  others: number[];
}

function indexEntries(entries: readonly KnownHostsEntry[]): EntryIndex {
  const byName = new Map<string, number[]>();
  const others: number[] = [];
  entries.forEach((entry, i) => {
    const { hosts } = entry;
    if (hosts.kind === 'hashed' || hosts.patterns.some((p) => /[*?!]/.test(p))) {
      others.push(i);
      return;
    }
    for (const name of new Set(hosts.patterns)) byName.set(name, [...(byName.get(name) ?? []), i]);
  });
  return { byName, others };
}
