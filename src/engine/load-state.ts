// Reads what patchctl observed (state/hosts, state/rollouts) and the offline advisory feeds into
// the ObservedState the planner takes: the I/O around core/state/check-state.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import type { CheckedFeed } from '../core/model/advisories.js';
import { checkAdvisoryFile } from '../core/model/advisories.js';
import type { Diagnostic } from '../core/model/diagnostics.js';
import { sortDiagnostics } from '../core/model/diagnostics.js';
import { MAX_FILE_BYTES } from '../core/model/parse.js';
import type { Repository } from '../core/model/repository.js';
import { CONFIG_DEFAULTS } from '../core/model/repository.js';
import { pathProblem } from '../core/model/rules/repository-paths.js';
import type { StateSchemas } from '../core/state/check-state.js';
import {
  HOST_STATE_SCHEMA,
  ROLLOUT_STATE_SCHEMA,
  checkHostStateFile,
  checkRolloutStateFile,
} from '../core/state/check-state.js';
import type { HostState, ObservedState, RolloutState } from '../core/state/types.js';
import { bundledFeedSchemas, bundledSchemas } from './schemas.js';

export interface LoadStateOptions {
  /**
   * The feeds checkRepository already read (CheckResult.feeds). Without them the JSON files
   * under advisories/ are read and checked here.
   */
  feeds?: readonly CheckedFeed[];
}

export interface LoadedState {
  state: ObservedState;
  /** Problems with the state files; advisory feeds are validate's business and not repeated. */
  diagnostics: Diagnostic[];
  /** Every input file read, relative to the repository with forward slashes, sorted. */
  files: string[];
}

/** The host and rollout state schemas shipped in schemas/. */
export function bundledStateSchemas(): StateSchemas {
  const schemas = bundledSchemas();
  return {
    host: schemas.validatorForFile(HOST_STATE_SCHEMA),
    rollout: schemas.validatorForFile(ROLLOUT_STATE_SCHEMA),
  };
}

/**
 * Reads `<paths.state>/hosts/*.json`, `<paths.state>/rollouts/*.json` and the JSON feeds under
 * `<paths.advisories>/`. A missing state folder is an empty state. A file with errors is left
 * out of the state and reported; the caller decides whether that stops it.
 */
export function loadObservedState(
  dir: string,
  repository: Repository,
  options: LoadStateOptions = {},
): LoadedState {
  const diagnostics: Diagnostic[] = [];
  const files: string[] = [];
  const configured = repository.config?.doc.spec.paths ?? {};
  const hosts = new Map<string, HostState>();
  const rollouts = new Map<string, RolloutState>();

  const stateDir = configured.state ?? CONFIG_DEFAULTS.paths.state;
  // A path outside the repository is reported by validate's repositoryPaths rule.
  if (!pathProblem(stateDir)) {
    const base = folder(stateDir);
    const schemas = bundledStateSchemas();
    for (const rel of jsonFilesIn(dir, join(base, 'hosts'))) {
      files.push(rel);
      const text = readText(dir, rel, diagnostics);
      if (text === undefined) continue;
      const r = checkHostStateFile(rel, text, schemas, repository.hostNames);
      diagnostics.push(...r.diagnostics);
      if (r.state && repository.hostNames.has(r.state.host)) hosts.set(r.state.host, r.state);
    }
    const rings = new Map(
      repository.rollouts.map((r) => [r.doc.metadata.name, r.doc.spec.rings.map((ring) => ring.name)]),
    );
    for (const rel of jsonFilesIn(dir, join(base, 'rollouts'))) {
      files.push(rel);
      const text = readText(dir, rel, diagnostics);
      if (text === undefined) continue;
      const r = checkRolloutStateFile(rel, text, schemas, rings);
      diagnostics.push(...r.diagnostics);
      if (r.state && rings.has(r.state.rollout)) rollouts.set(r.state.rollout, r.state);
    }
  }

  const advisoriesDir = configured.advisories ?? CONFIG_DEFAULTS.paths.advisories;
  const feeds = new Map<string, ReadonlySet<string>>();
  if (!pathProblem(advisoriesDir)) {
    const base = folder(advisoriesDir);
    const checked = options.feeds ?? readFeeds(dir, base);
    for (const feed of checked) {
      files.push(feed.file);
      const prefix = join(base, '');
      const key = feed.file.startsWith(prefix) ? feed.file.slice(prefix.length) : feed.file;
      if (feed.kind !== 'unknown') feeds.set(key, new Set(feed.ids));
    }
  }

  return {
    state: { hosts, rollouts, feeds },
    diagnostics: sortDiagnostics(diagnostics),
    files: [...new Set(files)].sort(),
  };
}

/** The JSON feeds under advisories/ (any depth), checked; problems are left to validate. */
function readFeeds(root: string, base: string): CheckedFeed[] {
  const out: CheckedFeed[] = [];
  const schemas = bundledFeedSchemas();
  for (const rel of filesUnder(root, base, (name) => name.endsWith('.json'))) {
    const text = readText(root, rel, []);
    if (text === undefined) continue;
    // A feed JSON cannot parse is not a feed; validate reports it.
    out.push(checkAdvisoryFile(rel, text, schemas).feed ?? { file: rel, kind: 'unknown', ids: [] });
  }
  return out;
}

/** A configured folder as a relative posix path without `./` or a trailing slash ('' for the root). */
function folder(rel: string): string {
  const normal = path.posix.normalize(rel.replace(/\\/g, '/')).replace(/\/+$/, '');
  return normal === '.' ? '' : normal;
}

function join(base: string, name: string): string {
  return base === '' ? name : `${base}/${name}`;
}

/** `*.json` files directly in `rel` (not in sub-folders), sorted; none when the folder is missing. */
function jsonFilesIn(root: string, rel: string): string[] {
  const abs = path.join(root, rel);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) return [];
  return readdirSync(abs, { withFileTypes: true })
    .filter((e) => e.isFile() && !e.name.startsWith('.') && e.name.endsWith('.json'))
    .map((e) => e.name)
    .sort(byCodePoint)
    .map((name) => join(rel, name));
}

function filesUnder(root: string, rel: string, wanted: (name: string) => boolean): string[] {
  const abs = path.join(root, rel);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) return [];
  const out: string[] = [];
  const walk = (relDir: string): void => {
    const entries = readdirSync(path.join(root, relDir), { withFileTypes: true }).sort((a, b) =>
      byCodePoint(a.name, b.name),
    );
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const child = join(relDir, e.name);
      if (e.isDirectory()) walk(child);
      else if (wanted(e.name)) out.push(child);
    }
  };
  walk(rel);
  return out;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function readText(root: string, rel: string, diagnostics: Diagnostic[]): string | undefined {
  const at = { file: rel, line: 1, col: 1 };
  const abs = path.join(root, rel);
  if (statSync(abs).size > MAX_FILE_BYTES) {
    diagnostics.push({
      severity: 'error',
      code: 'file-too-large',
      message: `file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`,
      at,
    });
    return undefined;
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(abs));
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    diagnostics.push({ severity: 'error', code: 'not-utf8', message: 'file is not valid UTF-8 text', at });
    return undefined;
  }
}
