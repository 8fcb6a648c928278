// The repository as the rest of patchctl sees it: typed documents that passed their schema,
// each still able to point back at its source, plus the names of every document seen.
import type { Driven } from './driven.js';
import type { SourcePos } from './diagnostics.js';
import type { Path } from './parse.js';
import type {
  BlackoutDocument,
  ConfigDocument,
  ConfigSpec,
  DocumentOfKind,
  GroupDocument,
  InventoryDocument,
  InventoryHost,
  Kind,
  MaintenanceWindowDocument,
  PatchExceptionDocument,
  PatchPolicyDocument,
  RolloutDocument,
} from './types.js';
import { KINDS } from './types.js';
import type { ValidatedDocument } from './validate.js';

export interface Located<D> {
  doc: D;
  file: string;
  locate(path: Path, part?: 'key' | 'value'): SourcePos;
}

/** A host with its inventory's defaults applied. */
export interface ResolvedHost extends InventoryHost {
  address: string;
  labels: Record<string, string>;
  /** The inventory it came from and its index there, to point diagnostics at it. */
  inventory: Located<InventoryDocument>;
  index: number;
}

export interface Repository {
  config: Located<ConfigDocument> | undefined;
  inventories: Located<InventoryDocument>[];
  groups: Located<GroupDocument>[];
  rollouts: Located<RolloutDocument>[];
  windows: Located<MaintenanceWindowDocument>[];
  blackouts: Located<BlackoutDocument>[];
  policies: Located<PatchPolicyDocument>[];
  exceptions: Located<PatchExceptionDocument>[];
  /** Every host, in inventory order (first definition wins on duplicate names). */
  hosts: ResolvedHost[];
  /** Names of every document of each kind, including those that failed their schema, so that
   *  a broken document does not also produce "unknown reference" errors everywhere. */
  names: Record<Kind, Set<string>>;
  /** Every host name written in any inventory, valid or not (same reason as `names`). */
  hostNames: Set<string>;
  /** What this version's registries drive (model/driven.ts), handed in by the loader. */
  driven: Driven;
}

/** Defaults that apply when patchctl.yaml leaves a setting out. */
export const CONFIG_DEFAULTS = {
  timezone: 'UTC',
  concurrency: 20,
  sla: { critical: '7d', high: '14d', medium: '30d', low: '90d' },
  exceptionMaxDuration: '90d',
  /** EPSS at or above this is the `epss` risk tier (FIRST sets no threshold; 0.1 is common practice). */
  epssThreshold: 0.1,
  /** validate warns about feeds older than this. */
  advisoriesMaxAge: '7d',
  paths: {
    inventory: 'inventory',
    groups: 'groups',
    rollouts: 'rollouts',
    windows: 'windows',
    policies: 'policies',
    exceptions: 'exceptions',
    advisories: 'advisories',
    state: 'state',
    reports: 'reports',
    knownHosts: 'known_hosts',
  },
} as const;

export function configSpec(repo: Pick<Repository, 'config'>): ConfigSpec {
  return repo.config?.doc.spec ?? {};
}

/** Rollout name → its ring names, as the rollout state checks take them. */
export function ringNamesByRollout(repo: Pick<Repository, 'rollouts'>): Map<string, string[]> {
  return new Map(repo.rollouts.map((r) => [r.doc.metadata.name, r.doc.spec.rings.map((ring) => ring.name)]));
}

export function buildRepository(documents: readonly ValidatedDocument[], driven: Driven): Repository {
  const names = Object.fromEntries(KINDS.map((k) => [k, new Set<string>()])) as Record<Kind, Set<string>>;
  const repo: Repository = {
    config: undefined,
    inventories: [],
    groups: [],
    rollouts: [],
    windows: [],
    blackouts: [],
    policies: [],
    exceptions: [],
    hosts: [],
    names,
    hostNames: new Set(),
    driven,
  };
  for (const d of documents) {
    if (d.name !== undefined) names[d.kind].add(d.name);
    if (d.kind === 'Inventory') for (const n of rawHostNames(d.parsed.value)) repo.hostNames.add(n);
    if (!d.valid) continue;
    const located = <K extends Kind>(): Located<DocumentOfKind<K>> => ({
      doc: d.parsed.value as DocumentOfKind<K>,
      file: d.parsed.file,
      locate: d.parsed.locate,
    });
    switch (d.kind) {
      case 'Config':
        repo.config ??= located<'Config'>();
        break;
      case 'Inventory':
        repo.inventories.push(located<'Inventory'>());
        break;
      case 'Group':
        repo.groups.push(located<'Group'>());
        break;
      case 'Rollout':
        repo.rollouts.push(located<'Rollout'>());
        break;
      case 'MaintenanceWindow':
        repo.windows.push(located<'MaintenanceWindow'>());
        break;
      case 'Blackout':
        repo.blackouts.push(located<'Blackout'>());
        break;
      case 'PatchPolicy':
        repo.policies.push(located<'PatchPolicy'>());
        break;
      case 'PatchException':
        repo.exceptions.push(located<'PatchException'>());
        break;
    }
  }
  const seenHosts = new Set<string>();
  for (const inv of repo.inventories) {
    inv.doc.spec.hosts.forEach((h, index) => {
      if (seenHosts.has(h.name)) return;
      seenHosts.add(h.name);
      repo.hosts.push(resolveHost(inv, h, index));
    });
  }
  return repo;
}

function resolveHost(inv: Located<InventoryDocument>, h: InventoryHost, index: number): ResolvedHost {
  const defaults = inv.doc.spec.defaults ?? {};
  return {
    ...defaults,
    ...h,
    address: h.address ?? h.name,
    labels: { ...(defaults.labels ?? {}), ...(h.labels ?? {}) },
    inventory: inv,
    index,
  };
}

function rawHostNames(value: unknown): string[] {
  const hosts = (value as { spec?: { hosts?: unknown } } | null)?.spec?.hosts;
  if (!Array.isArray(hosts)) return [];
  return hosts.flatMap((h: unknown) => {
    const name = (h as { name?: unknown } | null)?.name;
    return typeof name === 'string' ? [name] : [];
  });
}
