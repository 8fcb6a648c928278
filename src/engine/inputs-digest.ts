// The digest that ties a plan to its inputs: every document, state file and advisory feed.
import { createHash } from 'node:crypto';

export interface InputsDigest {
  /** sha256 over the sorted (path, sha256) list. */
  digest: string;
  /** Relative path → sha256 of the file's bytes, sorted by path. */
  files: Record<string, string>;
}

export function digestInputs(...sources: ReadonlyMap<string, string>[]): InputsDigest {
  const all = new Map<string, string>();
  for (const s of sources) for (const [p, h] of s) all.set(p, h);
  const paths = [...all.keys()].sort();
  const hash = createHash('sha256');
  const files: Record<string, string> = {};
  for (const p of paths) {
    const h = all.get(p) ?? '';
    files[p] = h;
    hash.update(`${p}\0${h}\n`);
  }
  return { digest: `sha256:${hash.digest('hex')}`, files };
}

export interface InputsChange {
  changed: string[];
  added: string[];
  removed: string[];
}

export function diffInputs(
  before: Readonly<Record<string, string>>,
  now: Readonly<Record<string, string>>,
): InputsChange {
  const changed: string[] = [];
  const added: string[] = [];
  const removed: string[] = [];
  for (const [p, h] of Object.entries(now)) {
    if (!(p in before)) added.push(p);
    else if (before[p] !== h) changed.push(p);
  }
  for (const p of Object.keys(before)) if (!(p in now)) removed.push(p);
  return { changed: changed.sort(), added: added.sort(), removed: removed.sort() };
}
