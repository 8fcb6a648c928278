// `zypper --xmlout locks` (readme.md, "Holds"): `<locks size="N"><lock number><name><type>[<repo>]
// [<range flag epoch version release/>]</lock>`. A name may be a glob (`kernel*`). A package lock
// keeps zypper from changing the package: its updates are not even listed by list-updates.
import type { CommandResult } from '../types.js';
import { DriverOutputError, resultExcerpt } from '../errors.js';
import { DRIVER, fail, readStream } from './stream.js';
import { childNamed } from './xml.js';

export interface ZypperLock {
  /** A name or a glob (`*`, `?`). */
  name: string;
  /** package, patch, pattern, product... */
  type: string;
  repo?: string;
  /** The lock applies only to these versions, e.g. `< 3.1`. */
  range?: string;
}

export function parseLocks(out: CommandResult): ZypperLock[] {
  const what = 'zypper locks';
  const { root, messages } = readStream(what, out);
  if (out.exitCode !== 0) {
    const errors = messages.filter((m) => m.type === 'error').map((m) => m.text.split('\n')[0]);
    throw new DriverOutputError(
      DRIVER,
      `${what} failed with exit status ${String(out.exitCode)}: ${errors.join('; ')}`,
      resultExcerpt(out),
    );
  }
  const list = childNamed(root, 'locks');
  if (list === undefined) throw fail(`${what}: no <locks> in the output`, out.stdout);
  const locks: ZypperLock[] = [];
  for (const l of list.children.filter((c) => c.name === 'lock')) {
    const name = (childNamed(l, 'name')?.text ?? '').trim();
    if (name === '' || name.length > 200 || /\s/.test(name))
      throw fail(`${what}: unreadable lock name ${JSON.stringify(name)} at line ${l.line}`, out.stdout);
    const lock: ZypperLock = { name, type: (childNamed(l, 'type')?.text ?? 'package').trim() || 'package' };
    const repo = childNamed(l, 'repo')?.text.trim();
    if (repo !== undefined && repo !== '') lock.repo = repo;
    const range = childNamed(l, 'range');
    if (range !== undefined) {
      const epoch = range.attrs.get('epoch') ?? '0';
      const version = range.attrs.get('version') ?? '';
      const release = range.attrs.get('release') ?? '';
      const evr = `${epoch !== '0' && epoch !== '' ? `${epoch}:` : ''}${version}${release !== '' ? `-${release}` : ''}`;
      lock.range = `${range.attrs.get('flag') ?? '='} ${evr}`.trim();
    }
    locks.push(lock);
  }
  const size = list.attrs.get('size');
  if (size !== undefined && Number(size) !== locks.length) {
    throw fail(`${what}: <locks size="${size}"> but ${locks.length} <lock> elements`, out.stdout);
  }
  return locks;
}

/** A zypper lock glob as a RegExp (`*` any run, `?` one character; libzypp matches the whole name). */
function globRegExp(glob: string): RegExp {
  const body = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}

/**
 * The installed packages a package lock holds, sorted, without duplicates: patchctl's `held`. A lock
 * limited to a repository or a version range holds the package too (patchctl does not second-guess
 * which candidate it would let through; the planner reports the package as held).
 */
export function heldPackages(locks: readonly ZypperLock[], installedNames: Iterable<string>): string[] {
  const patterns = locks.filter((l) => l.type === 'package').map((l) => globRegExp(l.name));
  const held = new Set<string>();
  for (const name of installedNames) if (patterns.some((p) => p.test(name))) held.add(name);
  return [...held].sort();
}
