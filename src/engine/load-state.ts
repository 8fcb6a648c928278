// Reads what patchctl observed (state/hosts, state/rollouts) and the offline advisory feeds into
// the ObservedState the planner takes: the I/O around core/state/check-state.
import type { CheckedFeed } from '../core/model/advisories.js';
import { checkAdvisoryFile } from '../core/model/advisories.js';
import type { Diagnostic } from '../core/model/diagnostics.js';
import { sortDiagnostics } from '../core/model/diagnostics.js';
import type { Repository } from '../core/model/repository.js';
import { CONFIG_DEFAULTS, ringNamesByRollout } from '../core/model/repository.js';
import { pathProblem } from '../core/model/rules/repository-paths.js';
import type { StateSchemas } from '../core/state/check-state.js';
import {
  HOST_STATE_SCHEMA,
  ROLLOUT_STATE_SCHEMA,
  checkHostStateFile,
  checkRolloutStateFile,
} from '../core/state/check-state.js';
import { mergeShardProgress } from '../core/state/merge-shards.js';
import type { HostState, ObservedState, RolloutState } from '../core/state/types.js';
import type { RepositoryReader } from './load-repo.js';
import { folderPath as folder, isFeedFileName, repositoryReader } from './load-repo.js';
import { bundledFeedSchemas, bundledSchemas } from './schemas.js';
import { intelOf } from './load-intel.js';
import type { VulnIntel } from '../core/vuln/types.js';

export interface LoadStateOptions {
  /**
   * The feeds checkRepository already read (CheckResult.feeds). Without them the JSON and CSV
   * files under advisories/ are read and checked here.
   */
  feeds?: readonly CheckedFeed[];
}

export interface LoadedState {
  state: ObservedState;
  /** Problems with the state files; advisory feeds are validate's business and not repeated. */
  diagnostics: Diagnostic[];
  /** Every input file read, relative to the repository with forward slashes, sorted. */
  files: string[];
  /** The state files read, relative path → sha256 of their bytes (for the plan's inputs digest). */
  hashes: Map<string, string>;
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
 * Reads `<paths.state>/hosts/*.json`, `<paths.state>/rollouts/*.json` and the feeds under
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

  // The same rules as for documents: regular files inside the repository only.
  const reader = repositoryReader(dir);
  const hashes = new Map<string, string>();
  const readText = (rel: string, into: Diagnostic[]): string | undefined => {
    const r = reader.readText(rel);
    if (r.diagnostic) into.push(r.diagnostic);
    if (r.sha256 !== undefined) hashes.set(rel, r.sha256);
    return r.text;
  };
  const jsonFilesIn = (rel: string): string[] => {
    const listed = reader.listFiles(rel, (name) => name.endsWith('.json'), { recursive: false });
    diagnostics.push(...listed.diagnostics);
    return listed.files;
  };

  const stateDir = configured.state ?? CONFIG_DEFAULTS.paths.state;
  // A path outside the repository is reported by validate's repositoryPaths rule.
  if (!pathProblem(stateDir)) {
    const base = folder(stateDir);
    const schemas = bundledStateSchemas();
    for (const rel of jsonFilesIn(join(base, 'hosts'))) {
      files.push(rel);
      const text = readText(rel, diagnostics);
      if (text === undefined) continue;
      const r = checkHostStateFile(rel, text, schemas, repository.hostNames);
      diagnostics.push(...r.diagnostics);
      if (r.state && repository.hostNames.has(r.state.host)) hosts.set(r.state.host, r.state);
    }
    const rings = ringNamesByRollout(repository);
    for (const rel of jsonFilesIn(join(base, 'rollouts'))) {
      files.push(rel);
      const text = readText(rel, diagnostics);
      if (text === undefined) continue;
      const r = checkRolloutStateFile(rel, text, schemas, rings);
      diagnostics.push(...r.diagnostics);
      if (r.state && rings.has(r.state.rollout)) rollouts.set(r.state.rollout, r.state);
    }
    // What shards (`apply --shard i/N`) recorded since, merged over each rollout's own file.
    const shardProgress = new Map<string, RolloutState[]>();
    for (const rel of jsonFilesIn(join(join(base, 'rollouts'), 'shards'))) {
      files.push(rel);
      const text = readText(rel, diagnostics);
      if (text === undefined) continue;
      const r = checkRolloutStateFile(rel, text, schemas, rings);
      diagnostics.push(...r.diagnostics);
      if (r.state && rings.has(r.state.rollout))
        shardProgress.set(r.state.rollout, [...(shardProgress.get(r.state.rollout) ?? []), r.state]);
    }
    for (const [rollout, shards] of shardProgress) {
      const merged = mergeShardProgress(rollouts.get(rollout), shards);
      if (merged) rollouts.set(rollout, merged);
    }
  }

  const advisoriesDir = configured.advisories ?? CONFIG_DEFAULTS.paths.advisories;
  const feeds = new Map<string, ReadonlySet<string>>();
  let intel: VulnIntel | undefined;
  if (!pathProblem(advisoriesDir)) {
    const base = folder(advisoriesDir);
    const checked = options.feeds ?? readFeeds(reader, base);
    // KEV, EPSS, OSV records and imported findings, parsed: plans and reports join them to hosts.
    if (checked.some((f) => f.kev ?? f.epss ?? f.osv ?? f.findings)) intel = intelOf(checked);
    for (const feed of checked) {
      files.push(feed.file);
      const prefix = join(base, '');
      const key = feed.file.startsWith(prefix) ? feed.file.slice(prefix.length) : feed.file;
      // Lists of advisories only: EPSS scores, findings and the sync manifest list none.
      if (feed.kind === 'kev' || feed.kind === 'osv') feeds.set(key, new Set(feed.ids));
    }
  }

  return {
    state: intel ? { hosts, rollouts, feeds, intel } : { hosts, rollouts, feeds },
    diagnostics: sortDiagnostics(diagnostics),
    files: [...new Set(files)].sort(),
    hashes,
  };
}

/** The JSON and CSV feeds under advisories/ (any depth), checked; problems are left to validate. */
function readFeeds(reader: RepositoryReader, base: string): CheckedFeed[] {
  const out: CheckedFeed[] = [];
  const schemas = bundledFeedSchemas();
  for (const rel of reader.listFiles(base, isFeedFileName).files) {
    const r = reader.readText(rel);
    const text = r.text;
    if (text === undefined) continue;
    // A feed JSON cannot parse is not a feed; validate reports it.
    out.push(checkAdvisoryFile(rel, text, schemas, r.sha256).feed ?? { file: rel, kind: 'unknown', ids: [] });
  }
  return out;
}

function join(base: string, name: string): string {
  return base === '' ? name : `${base}/${name}`;
}
