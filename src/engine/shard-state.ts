// Bringing shards back together (DESIGN.md §10): `report --merge DIR...` takes the state that
// shard jobs wrote in their own checkouts (host state, run journals, ring progress) into this
// repository, and `report` folds the shards' ring progress into state/rollouts/<rollout>.json.
//
// Everything is read and checked before the first file is written: a bad or conflicting file
// names itself and nothing changes.
import { existsSync, readdirSync, readFileSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../core/model/diagnostics.js';
import type { Repository } from '../core/model/repository.js';
import { ringNamesByRollout } from '../core/model/repository.js';
import { checkHostStateFile, checkRolloutStateFile } from '../core/state/check-state.js';
import { mergeShardProgress } from '../core/state/merge-shards.js';
import type { RolloutState } from '../core/state/types.js';
import { ConfigError, UsageError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { bundledStateSchemas } from './load-state.js';
import { repoLockFiles, stateDirOf } from './repo-lock.js';
import { serialiseRolloutState } from './rollout-state.js';

export interface StateMerge {
  /** Files written into this repository, absolute, sorted. */
  written: string[];
  /** Per source: how many files it brought in. */
  sources: { dir: string; hosts: number; runs: number; rollouts: number }[];
}

interface Candidate {
  /** Relative to the state folder, with forward slashes. */
  rel: string;
  /** The file it comes from, absolute. */
  file: string;
  text: string;
}

/**
 * Takes into this repository's state folder what each source (a shard job's checkout, or its
 * state folder) observed and did: per host the state file with the latest scan, every journal
 * and saved plan of a run (an append-only journal may only have grown), every shard's ring
 * progress (the latest), and each rollout's own progress file (the latest).
 */
export function mergeStateFrom(dir: string, repository: Repository, sources: readonly string[]): StateMerge {
  const stateAbs = stateDirOf(dir, repository);
  const stateRel = path.relative(dir, stateAbs);
  const schemas = bundledStateSchemas();
  const diagnostics: Diagnostic[] = [];
  /** State-relative path → the file chosen for it so far (this repository's own first). */
  const chosen = new Map<string, Candidate & { origin: string }>();
  const counts: StateMerge['sources'] = [];
  const conflicts: string[] = [];

  const consider = (c: Candidate, origin: string): 'taken' | 'same' | 'kept' => {
    const current = chosen.get(c.rel);
    if (current && current.text === c.text) return 'same';
    if (!current) {
      chosen.set(c.rel, { ...c, origin });
      return origin === 'self' ? 'kept' : 'taken';
    }
    const pick = newer(current, c, schemas, diagnostics);
    if (pick === 'conflict') {
      conflicts.push(`${current.file} and ${c.file} differ and neither is newer`);
      return 'kept';
    }
    if (pick === 'second') {
      chosen.set(c.rel, { ...c, origin });
      return 'taken';
    }
    return 'kept';
  };

  for (const c of stateFilesIn(stateAbs)) consider(c, 'self');
  for (const source of sources) {
    const sourceState = sourceStateDir(source, stateRel);
    const tally = { dir: source, hosts: 0, runs: 0, rollouts: 0 };
    for (const c of stateFilesIn(sourceState)) {
      if (path.resolve(c.file) === path.resolve(stateAbs, c.rel)) continue;
      if (consider(c, source) !== 'taken') continue;
      if (c.rel.startsWith('hosts/')) tally.hosts++;
      else if (c.rel.startsWith('runs/')) tally.runs++;
      else tally.rollouts++;
    }
    counts.push(tally);
  }
  // The files to write are checked as patchctl would read them.
  const rollouts = ringNamesByRollout(repository);
  const toWrite = [...chosen.values()].filter((c) => c.origin !== 'self');
  for (const c of toWrite) {
    if (c.rel.startsWith('hosts/'))
      diagnostics.push(...checkHostStateFile(c.file, c.text, schemas, repository.hostNames).diagnostics);
    else if (c.rel.startsWith('rollouts/'))
      diagnostics.push(
        ...checkRolloutStateFile(c.file.split(path.sep).join('/'), c.text, schemas, rollouts).diagnostics,
      );
  }
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new ConfigError(errors);
  if (conflicts.length > 0)
    throw new UsageError(
      `--merge: cannot merge the shards' state, nothing was written: ${conflicts.join('; ')}`,
    );

  const written: string[] = [];
  for (const c of toWrite.sort((a, b) => cmp(a.rel, b.rel))) {
    const target = path.join(stateAbs, ...c.rel.split('/'));
    writeFileAtomic(target, c.text);
    written.push(target);
  }
  return { written, sources: counts };
}

/** A source's state folder: `<source>/<paths.state>` of a checkout, or the source itself. */
function sourceStateDir(source: string, stateRel: string): string {
  const inCheckout = path.join(source, stateRel);
  if (isDir(inCheckout)) return inCheckout;
  if (['hosts', 'runs', 'rollouts'].some((d) => isDir(path.join(source, d)))) return source;
  throw new UsageError(
    `--merge ${source}: neither a checkout with ${stateRel}/ nor a state folder (with hosts/, runs/ or rollouts/)`,
  );
}

function isDir(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** The files patchctl keeps in a state folder (not its locks). */
function stateFilesIn(stateAbs: string): Candidate[] {
  const out: Candidate[] = [];
  const take = (sub: string, keep: (name: string) => boolean): void => {
    const folder = path.join(stateAbs, ...sub.split('/'));
    let names: string[];
    try {
      names = readdirSync(folder);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      if (!keep(name)) continue;
      const file = path.join(folder, name);
      if (!statSync(file).isFile()) continue;
      out.push({ rel: `${sub}/${name}`, file, text: readFileSync(file, 'utf8') });
    }
  };
  take('hosts', (n) => n.endsWith('.json'));
  take('runs', (n) => n.endsWith('.jsonl') || n.endsWith('.plan.json'));
  take('rollouts', (n) => n.endsWith('.json'));
  take('rollouts/shards', (n) => n.endsWith('.json'));
  return out;
}

/**
 * Which of two versions of one state file to keep: the later scan of a host, the longer of an
 * append-only journal, the later update of ring progress. A saved plan never changes.
 */
function newer(
  first: Candidate,
  second: Candidate,
  schemas: ReturnType<typeof bundledStateSchemas>,
  diagnostics: Diagnostic[],
): 'first' | 'second' | 'conflict' {
  if (first.rel.endsWith('.jsonl')) {
    if (second.text.startsWith(first.text)) return 'second';
    if (first.text.startsWith(second.text)) return 'first';
    return 'conflict';
  }
  if (first.rel.startsWith('runs/')) return 'conflict';
  const timeOf = (c: Candidate): number | undefined => {
    if (c.rel.startsWith('hosts/')) {
      const r = checkHostStateFile(c.file, c.text, schemas);
      diagnostics.push(...r.diagnostics);
      return r.state ? Date.parse(r.state.scannedAt) : undefined;
    }
    const r = checkRolloutStateFile(c.file.split(path.sep).join('/'), c.text, schemas);
    diagnostics.push(...r.diagnostics);
    return r.state ? Date.parse(r.state.updatedAt) : undefined;
  };
  const a = timeOf(first);
  const b = timeOf(second);
  if (a === undefined || b === undefined) return 'first'; // the diagnostics stop the merge
  if (a === b) return 'conflict';
  return b > a ? 'second' : 'first';
}

export interface ShardFold {
  /** Rollout files rewritten, absolute. */
  written: string[];
  /** Shard progress files folded in and removed, absolute. */
  removed: string[];
  /** Why nothing was folded (shards still running), if so. */
  skipped?: string;
}

/**
 * Folds the shards' ring progress (state/rollouts/shards/) into each rollout's own file and
 * removes the shard files, so that the next split starts afresh. Not while a shard holds its
 * lock on this repository: it is still writing its progress.
 */
export function foldShardProgress(dir: string, repository: Repository): ShardFold {
  const stateAbs = stateDirOf(dir, repository);
  const shardsDir = path.join(stateAbs, 'rollouts', 'shards');
  if (!existsSync(shardsDir)) return { written: [], removed: [] };
  const running = repoLockFiles(stateAbs).filter((f) => path.basename(f).startsWith('apply.shard-'));
  if (running.length > 0)
    return {
      written: [],
      removed: [],
      skipped: `shards are still running (${running.map((f) => path.basename(f)).join(', ')}): their ring progress stays in ${path.relative(dir, shardsDir)}/`,
    };
  const schemas = bundledStateSchemas();
  const rollouts = ringNamesByRollout(repository);
  const relOf = (file: string): string => path.relative(dir, file).split(path.sep).join('/');
  const byRollout = new Map<string, { state: RolloutState; file: string }[]>();
  for (const name of readdirSync(shardsDir).sort()) {
    if (!name.endsWith('.json')) continue;
    const file = path.join(shardsDir, name);
    const r = checkRolloutStateFile(relOf(file), readFileSync(file, 'utf8'), schemas, rollouts);
    // A file patchctl cannot use (reported by plan and report) or of an unknown rollout stays.
    if (!r.state || r.diagnostics.some((d) => d.severity === 'error') || !rollouts.has(r.state.rollout))
      continue;
    byRollout.set(r.state.rollout, [...(byRollout.get(r.state.rollout) ?? []), { state: r.state, file }]);
  }
  const written: string[] = [];
  const removed: string[] = [];
  for (const [rollout, shards] of [...byRollout].sort(([a], [b]) => cmp(a, b))) {
    const mainFile = path.join(stateAbs, 'rollouts', `${rollout}.json`);
    let main: RolloutState | undefined;
    if (existsSync(mainFile)) {
      const r = checkRolloutStateFile(relOf(mainFile), readFileSync(mainFile, 'utf8'), schemas, rollouts);
      if (!r.state || r.diagnostics.some((d) => d.severity === 'error')) continue;
      main = r.state;
    }
    const merged = mergeShardProgress(
      main,
      shards.map((s) => s.state),
    );
    if (merged && merged !== main) {
      writeFileAtomic(mainFile, serialiseRolloutState(merged));
      written.push(mainFile);
    }
    for (const s of shards) {
      unlinkSync(s.file);
      removed.push(s.file);
    }
  }
  return { written, removed };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
