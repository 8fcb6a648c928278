// `patchctl init`: copies the starter repository (examples/starter) — or with --minimal the
// smallest repository that plans a host (templates/minimal) — and the JSON Schemas into a
// folder, refusing to overwrite anything, and leaving nothing behind when it cannot finish.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, rmdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DateTime } from 'luxon';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../platform/atomic-write.js';
import { SCHEMAS_DIR } from './schemas.js';

export const STARTER_DIR = fileURLToPath(new URL('../../examples/starter/', import.meta.url));
export const MINIMAL_DIR = fileURLToPath(new URL('../../templates/minimal/', import.meta.url));

export type InitTemplate = 'starter' | 'minimal';
const TEMPLATE_DIRS: Record<InitTemplate, string> = { starter: STARTER_DIR, minimal: MINIMAL_DIR };

/** Parts of the starter that are results of running patchctl, not documents to start from. */
const NOT_COPIED = new Set(['state', 'reports', 'schemas']);

export interface InitPlanEntry {
  /** Relative to the target folder. */
  target: string;
  source: string;
}

export function starterFiles(template: InitTemplate = 'starter'): InitPlanEntry[] {
  const from = TEMPLATE_DIRS[template];
  const entries: InitPlanEntry[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(from, rel)).sort()) {
      const childRel = rel === '' ? name : `${rel}/${name}`;
      if (rel === '' && NOT_COPIED.has(name)) continue;
      const abs = path.join(from, childRel);
      if (statSync(abs).isDirectory()) walk(childRel);
      else entries.push({ target: childRel, source: abs });
    }
  };
  walk('');
  for (const name of readdirSync(SCHEMAS_DIR).sort()) {
    if (name.endsWith('.json'))
      entries.push({ target: `schemas/${name}`, source: path.join(SCHEMAS_DIR, name) });
  }
  return entries;
}

/**
 * The starter's exception is dated; a new repository gets it re-dated to `today` with the same
 * length, so that `init` output validates on any day, not only near the day it was written.
 */
export function redateException(text: string, today: DateTime): string {
  const date = /^(\s*)(created|expires):\s*(['"]?)(\d{4}-\d{2}-\d{2})\3\s*$/gm;
  const found = new Map<string, string>();
  for (const m of text.matchAll(date)) if (m[2] && m[4]) found.set(m[2], m[4]);
  const created = found.get('created');
  const expires = found.get('expires');
  if (!created || !expires) return text;
  const days = DateTime.fromISO(expires, { zone: 'UTC' }).diff(
    DateTime.fromISO(created, { zone: 'UTC' }),
    'days',
  ).days;
  const start = today.toUTC().startOf('day');
  const next = {
    created: start.toISODate() ?? created,
    expires: start.plus({ days }).toISODate() ?? expires,
  };
  return text.replace(
    date,
    (_all, indent: string, key: 'created' | 'expires', quote: string) =>
      `${indent}${key}: ${quote}${next[key]}${quote}`,
  );
}

/** Writes the starter into `dir`; returns the files written (relative). */
export function initRepository(
  dir: string,
  today: DateTime = DateTime.now(),
  template: InitTemplate = 'starter',
): string[] {
  if (existsSync(dir) && !statSync(dir).isDirectory())
    throw new UsageError(`${dir} exists and is not a folder`);
  const entries = starterFiles(template);
  const clashes = entries.filter((e) => existsSync(path.join(dir, e.target))).map((e) => e.target);
  if (clashes.length > 0) {
    const shown = clashes.slice(0, 10).join(', ');
    const more = clashes.length > 10 ? ` and ${clashes.length - 10} more` : '';
    throw new UsageError(
      `refusing to overwrite existing files in ${dir}: ${shown}${more}; nothing was written`,
    );
  }
  const createdDirs: string[] = [];
  const written: string[] = [];
  try {
    for (const e of entries) {
      const target = path.join(dir, e.target);
      for (let d = path.dirname(target); !existsSync(d); d = path.dirname(d)) createdDirs.unshift(d);
      mkdirSync(path.dirname(target), { recursive: true });
      const content = e.target.startsWith('exceptions/')
        ? redateException(readFileSync(e.source, 'utf8'), today)
        : readFileSync(e.source);
      writeFileAtomic(target, content);
      written.push(e.target);
    }
  } catch (err) {
    // Roll back: the folder is left as it was found.
    for (const f of written) rmSync(path.join(dir, f), { force: true });
    for (const d of [...createdDirs].reverse()) {
      try {
        rmdirSync(d);
      } catch {
        // not empty or already gone: leave it
      }
    }
    throw err;
  }
  return written;
}

/**
 * Whether `dir` (or, when it does not exist yet, its nearest existing parent) lies inside a git
 * work tree: itself or a parent holds `.git` (a directory, or a worktree's or submodule's file).
 */
export function insideGitWorkTree(dir: string): boolean {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    if (existsSync(path.join(d, '.git'))) return true;
    if (path.dirname(d) === d) return false;
  }
}
