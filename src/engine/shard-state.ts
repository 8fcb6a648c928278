// Bringing shards back together (README.md, "Sharding"): `report --merge DIR...` takes the state that
// shard jobs wrote in their own checkouts (host state, run journals, ring progress) into this
// repository, and `report` folds the shards' ring progress into state/rollouts/<rollout>.json.
//
// Everything is read and checked before the first file is written: a bad or conflicting file
// names itself and nothing changes. A shard checkout is input patchctl did not write itself (a CI
// artifact): only regular files are read from it, never through a symbolic link (a link
// `runs/x.jsonl → /etc/shadow` would copy that file into this repository and into git), of a
// bounded size, with the names patchctl gives its files, and every journal line and saved plan
// must match its schema (docs/security.md).
import type { Dirent, Stats } from 'node:fs';
import { existsSync, lstatSync, readdirSync, statSync, unlinkSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from '../core/model/diagnostics.js';
import { dedupeDiagnostics } from '../core/model/diagnostics.js';
import type { Repository } from '../core/model/repository.js';
import { ringNamesByRollout } from '../core/model/repository.js';
import { checkHostStateFile, checkRolloutStateFile } from '../core/state/check-state.js';
import { mergeShardProgress } from '../core/state/merge-shards.js';
import type { RolloutState } from '../core/state/types.js';
import { MAX_FILE_BYTES } from '../core/model/parse.js';
import { ConfigError, LocalIoError, PatchctlError, UsageError } from '../errors.js';
import { JOURNAL_EVENT_SCHEMA, MAX_JOURNAL_BYTES, parseJournal } from './apply/journal.js';
import { writeFileAtomic } from '../platform/atomic-write.js';
import { bundledStateSchemas } from './load-state.js';
import { MAX_PLAN_BYTES } from './plan-file.js';
import { checkRunPlanText } from './apply/run-plan-file.js';
import { repoLockFiles, stateDirOf } from './repo-lock.js';
import { serialiseRolloutState } from './rollout-state.js';
import { readTextSafe, readTextSafeIfExists } from '../platform/safe-fs.js';
import { bundledSchemas } from './schemas.js';

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

  for (const c of stateFilesIn(stateAbs, { within: dir }, diagnostics)) consider(c, 'self');
  const journalSchema = bundledSchemas().validatorForFile(JOURNAL_EVENT_SCHEMA);
  for (const source of sources) {
    const sourceState = sourceStateDir(source, stateRel, diagnostics);
    const tally = { dir: source, hosts: 0, runs: 0, rollouts: 0 };
    counts.push(tally);
    if (sourceState === undefined) continue;
    for (const c of stateFilesIn(sourceState, { names: 'strict' }, diagnostics)) {
      // What patchctl reads from runs/ is checked as it reads it: each journal line against the
      // journal event schema, each saved plan against the plan schema.
      if (c.rel.endsWith('.jsonl'))
        diagnostics.push(...parseJournal(c.file, c.text, journalSchema).diagnostics);
      else if (c.rel.endsWith('.plan.json'))
        diagnostics.push(...checkRunPlanText(c.file, c.text).diagnostics);
      if (path.resolve(c.file) === path.resolve(stateAbs, c.rel)) continue;
      if (consider(c, source) !== 'taken') continue;
      if (c.rel.startsWith('hosts/')) tally.hosts++;
      else if (c.rel.startsWith('runs/')) tally.runs++;
      else tally.rollouts++;
    }
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
  const errors = dedupeDiagnostics(diagnostics.filter((d) => d.severity === 'error'));
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

/**
 * A source's state folder: `<source>/<paths.state>` of a checkout, or the source itself. The
 * source is the folder the user named (followed if it is a link); below it, no folder may be a
 * symbolic link: the checkout is not this repository, and a link in it leads where it likes.
 */
function sourceStateDir(source: string, stateRel: string, diagnostics: Diagnostic[]): string | undefined {
  const parts = stateRel.split(path.sep).filter((p) => p !== '' && p !== '.');
  let folder = source;
  let inCheckout = true;
  for (const part of parts) {
    folder = path.join(folder, part);
    const st = lstatOrUndefined(folder);
    if (st === undefined || (!st.isDirectory() && !st.isSymbolicLink())) {
      inCheckout = false;
      break;
    }
    if (st.isSymbolicLink()) {
      diagnostics.push(
        unsafe(folder, 'is a symbolic link: patchctl never follows links in a shard checkout'),
      );
      return undefined;
    }
  }
  if (inCheckout && parts.length > 0) return folder;
  if (['hosts', 'runs', 'rollouts'].some((d) => lstatOrUndefined(path.join(source, d)) !== undefined))
    return source;
  if (!isDir(source))
    throw new UsageError(`--merge ${source}: not a folder (a shard job's checkout, or its state folder)`);
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

function lstatOrUndefined(p: string): Stats | undefined {
  try {
    return lstatSync(p);
  } catch {
    return undefined;
  }
}

/** A file or folder a merge will not read, at its start. */
function unsafe(file: string, why: string): Diagnostic {
  return {
    severity: 'error',
    code: 'unsafe-shard-file',
    message: `${file} ${why}; nothing was merged`,
    at: { file, line: 1, col: 1 },
  };
}

/** The names patchctl gives what it keeps in a state folder (run ids are newRunId's). */
const RUN_ID = '[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}';
const NAME = '[A-Za-z0-9][A-Za-z0-9._-]{0,127}';
const HOST_NAME = '[A-Za-z0-9][A-Za-z0-9._-]{0,252}';
const STATE_FOLDERS: readonly { sub: string; wanted: RegExp; strict: RegExp; maxBytes: number }[] = [
  {
    sub: 'hosts',
    wanted: /\.json$/,
    strict: new RegExp(`^${HOST_NAME}\\.json$`),
    maxBytes: MAX_FILE_BYTES,
  },
  {
    sub: 'runs',
    wanted: /\.(jsonl|plan\.json)$/,
    strict: new RegExp(`^${RUN_ID}\\.(jsonl|plan\\.json)$`),
    maxBytes: Math.max(MAX_PLAN_BYTES, MAX_JOURNAL_BYTES),
  },
  {
    sub: 'rollouts',
    wanted: /\.json$/,
    strict: new RegExp(`^${NAME}\\.json$`),
    maxBytes: MAX_FILE_BYTES,
  },
  {
    sub: 'rollouts/shards',
    wanted: /\.json$/,
    strict: new RegExp(`^${NAME}\\.[1-9][0-9]{0,3}-of-[1-9][0-9]{0,3}\\.json$`),
    maxBytes: MAX_FILE_BYTES,
  },
];

/**
 * The files patchctl keeps in a state folder (not its locks), each read safely: a regular file
 * of a bounded size, never a FIFO (it would block), a device or a folder. In this repository
 * (`within`) a link that stays inside it is followed, as every reader of the repository does; in
 * a shard's checkout (`names: 'strict'`) no link is followed, for files or folders, and a file
 * whose name patchctl would not have written is refused. Problems are pushed to `diagnostics`.
 */
function stateFilesIn(
  stateAbs: string,
  mode: { within: string } | { names: 'strict' },
  diagnostics: Diagnostic[],
): Candidate[] {
  const strict = 'names' in mode;
  const out: Candidate[] = [];
  for (const { sub, wanted, strict: named, maxBytes } of STATE_FOLDERS) {
    const folder = path.join(stateAbs, ...sub.split('/'));
    const st = lstatOrUndefined(folder);
    if (st === undefined) continue;
    if (st.isSymbolicLink() && strict) {
      diagnostics.push(
        unsafe(folder, 'is a symbolic link: patchctl never follows links in a shard checkout'),
      );
      continue;
    }
    let entries: Dirent[];
    try {
      entries = readdirSync(folder, { withFileTypes: true });
    } catch (err) {
      diagnostics.push(
        unsafe(folder, `cannot be read as a folder (${LocalIoError.from(err, 'read', folder).message})`),
      );
      continue;
    }
    for (const e of entries.sort((a, b) => cmp(a.name, b.name))) {
      // Dot files: a temp file of an atomic write in flight, .gitkeep.
      if (e.name.startsWith('.') || !wanted.test(e.name)) continue;
      const file = path.join(folder, e.name);
      if (strict && e.isSymbolicLink()) {
        diagnostics.push(
          unsafe(file, 'is a symbolic link: patchctl never follows links in a shard checkout'),
        );
        continue;
      }
      if (strict && !named.test(e.name)) {
        diagnostics.push(unsafe(file, 'is not named as patchctl names its state files'));
        continue;
      }
      try {
        const text = readTextSafe(file, {
          maxBytes,
          ...('within' in mode ? { within: mode.within } : { within: stateAbs, refuseLinks: true }),
        });
        out.push({ rel: `${sub}/${e.name}`, file, text });
      } catch (err) {
        if (!(err instanceof PatchctlError)) throw err;
        diagnostics.push({
          severity: 'error',
          code: 'unsafe-shard-file',
          message: `${err.message}; nothing was merged`,
          at: { file, line: 1, col: 1 },
        });
      }
    }
  }
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
  // Read as loadObservedState reads them (regular files inside the repository): a file it
  // reports as unusable stays where it is.
  const readable = (file: string): string | undefined => {
    try {
      return readTextSafeIfExists(file, { maxBytes: MAX_FILE_BYTES, within: dir });
    } catch (err) {
      if (err instanceof PatchctlError) return undefined;
      throw err;
    }
  };
  for (const name of readdirSync(shardsDir).sort()) {
    if (!name.endsWith('.json')) continue;
    const file = path.join(shardsDir, name);
    const text = readable(file);
    if (text === undefined) continue;
    const r = checkRolloutStateFile(relOf(file), text, schemas, rollouts);
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
    if (lstatOrUndefined(mainFile) !== undefined) {
      const text = readable(mainFile);
      if (text === undefined) continue;
      const r = checkRolloutStateFile(relOf(mainFile), text, schemas, rollouts);
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
