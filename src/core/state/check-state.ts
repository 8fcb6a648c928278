// The files under state/ (docs/architecture.md, "The flow"), checked like the documents: JSON syntax and schema
// errors at file:line:col, then the cross-checks that a scanner bug or a hand edit would break.
// A file with an error yields no state: the planner never works from data it cannot trust.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { parseJsonStrict } from '../model/strict-json.js';
import type { Diagnostic, SourcePos } from '../model/diagnostics.js';
import type { Path } from '../model/parse.js';
import { parseYamlFile } from '../model/parse.js';
import { closest } from '../model/suggest.js';
import { quoteValue } from './host-text.js';
import { schemaErrorDiagnostic } from './schema-error.js';
import type { HostState, InstalledPackage, PendingUpdate, RolloutState } from './types.js';

export const STATE_FORMAT_VERSION = 1;
export const HOST_STATE_SCHEMA = 'host-state.schema.json';
export const ROLLOUT_STATE_SCHEMA = 'rollout-state.schema.json';

export interface StateSchemas {
  host: ValidateFunction;
  rollout: ValidateFunction;
}

export interface HostStateCheck {
  /** Present only when the file has no errors (warnings are fine). */
  state?: HostState;
  diagnostics: Diagnostic[];
}

export interface RolloutStateCheck {
  /** Present only when the file has no errors (warnings are fine). */
  state?: RolloutState;
  diagnostics: Diagnostic[];
}

/**
 * Checks `state/hosts/<host>.json`. `inventoryHosts` (every host name of the inventories) turns
 * a file for a host that is no longer in the inventory into a warning.
 */
export function checkHostStateFile(
  file: string,
  text: string,
  schemas: StateSchemas,
  inventoryHosts?: ReadonlySet<string>,
): HostStateCheck {
  const read = readStateFile(file, text, schemas.host);
  if (!read.value) return { diagnostics: read.diagnostics };
  const state = read.value as unknown as HostState;
  const { locate, diagnostics } = read;
  const error = (code: string, message: string, path: Path, part?: 'key'): void => {
    diagnostics.push({ severity: 'error', code, message, at: locate(path, part) });
  };
  const warn = (code: string, message: string, path: Path, part?: 'key'): void => {
    diagnostics.push({ severity: 'warning', code, message, at: locate(path, part) });
  };

  const named = baseName(file);
  if (named !== state.host) {
    error(
      'state-host-mismatch',
      `the file is named after host "${named}" but describes host "${state.host}"; host state files are state/hosts/<host>.json`,
      ['host'],
    );
  }
  if (inventoryHosts && !inventoryHosts.has(state.host)) {
    const hint = closest(state.host, [...inventoryHosts]);
    warn(
      'state-for-unknown-host',
      `host "${state.host}" is not in any inventory${hint ? ` (did you mean "${hint}"?)` : ''}; its state is ignored (delete the file if the host is gone)`,
      ['host'],
    );
  }
  if (!state.reachable && state.error === undefined) {
    error('invalid-state', 'reachable is false, so "error" must say why the host could not be reached', [
      'reachable',
    ]);
  }
  if (state.lastReachableAt && later(state.lastReachableAt, state.scannedAt)) {
    warn(
      'state-inconsistent',
      `lastReachableAt ${state.lastReachableAt} is after scannedAt ${state.scannedAt}`,
      ['lastReachableAt'],
    );
  }

  const scannedMs = instantMs(state.scannedAt);
  const winupdate = state.packageManager === 'winupdate';
  const released = (u: PendingUpdate, i: number): void => {
    if (u.releasedAt && instantMs(u.releasedAt) > scannedMs) {
      warn(
        'state-inconsistent',
        `updates[${i}] (${u.name}) was released at ${u.releasedAt}, after the scan at ${state.scannedAt}`,
        ['updates', i, 'releasedAt'],
      );
    }
  };

  // What scan and apply write: both lists strictly in order, so without duplicates, and each
  // update's installed versions found by walking the two lists together.
  if (strictlyOrdered(state.installed, compareInstalled) && strictlyOrdered(state.updates, compareUpdates)) {
    const installed = state.installed;
    let first = 0;
    state.updates.forEach((u, i) => {
      while (first < installed.length && (installed[first] as InstalledPackage).name < u.name) first++;
      let end = first;
      while (end < installed.length && (installed[end] as InstalledPackage).name === u.name) end++;
      const problem = updateProblem(u, installed, first, end, winupdate);
      if (problem) warn('state-inconsistent', problem.message, ['updates', i, problem.field]);
      released(u, i);
    });
    return withStateIfClean(state, diagnostics);
  }

  // Installed: a package may be installed in several versions (kernels), never twice the same.
  const installedVersions = new Map<string, { arch?: string; version: string }[]>();
  const seenInstalled = new Map<string, number>();
  state.installed.forEach((p, i) => {
    const key = `${p.name}\u0000${p.arch ?? ''}\u0000${p.version}`;
    const first = seenInstalled.get(key);
    if (first !== undefined) {
      error(
        'duplicate-state-entry',
        `installed[${i}] repeats installed[${first}] (${describePackage(p.name, p.arch)} ${p.version})`,
        ['installed', i],
      );
      return;
    }
    seenInstalled.set(key, i);
    const list = installedVersions.get(p.name) ?? [];
    list.push({ arch: p.arch, version: p.version });
    installedVersions.set(p.name, list);
  });

  const seenUpdates = new Map<string, number>();
  state.updates.forEach((u, i) => {
    const key = `${u.name}\u0000${u.arch ?? ''}`;
    const first = seenUpdates.get(key);
    if (first !== undefined) {
      error(
        'duplicate-state-entry',
        `updates[${i}] is a second update for ${describePackage(u.name, u.arch)} (see updates[${first}])`,
        ['updates', i, 'name'],
      );
      return;
    }
    seenUpdates.set(key, i);
    const list = installedVersions.get(u.name) ?? [];
    const problem = updateProblem(u, list, 0, list.length, winupdate);
    if (problem) warn('state-inconsistent', problem.message, ['updates', i, problem.field]);
    released(u, i);
  });

  return withStateIfClean(state, diagnostics);
}

/**
 * Checks `state/rollouts/<rollout>.json`. `rollouts` (rollout name → its ring names) turns
 * progress for a rollout or ring that no longer exists into a warning.
 */
export function checkRolloutStateFile(
  file: string,
  text: string,
  schemas: StateSchemas,
  rollouts?: ReadonlyMap<string, readonly string[]>,
): RolloutStateCheck {
  const read = readStateFile(file, text, schemas.rollout);
  if (!read.value) return { diagnostics: read.diagnostics };
  const state = read.value as unknown as RolloutState;
  const { locate, diagnostics } = read;
  const push = (severity: Diagnostic['severity'], code: string, message: string, at: SourcePos): void => {
    diagnostics.push({ severity, code, message, at });
  };

  const named = baseName(file);
  const shard = state.shard;
  const inShards = /(^|\/)rollouts\/shards\/[^/]*$/.test(file);
  if (shard !== undefined && shard.index > shard.count) {
    push(
      'error',
      'state-shard-index',
      `shard ${shard.index} of ${shard.count} does not exist`,
      locate(['shard', 'index']),
    );
  }
  const expected = shard === undefined ? state.rollout : `${state.rollout}.${shard.index}-of-${shard.count}`;
  if (inShards && shard === undefined) {
    push(
      'error',
      'state-rollout-mismatch',
      'a file in rollouts/shards/ holds one shard\'s progress and must have "shard": {"index", "count"}',
      locate([]),
    );
  } else if (!inShards && shard !== undefined) {
    push(
      'error',
      'state-rollout-mismatch',
      `one shard's progress belongs in rollouts/shards/${expected}.json, not in rollouts/`,
      locate(['shard']),
    );
  } else if (named !== expected) {
    push(
      'error',
      'state-rollout-mismatch',
      shard === undefined
        ? `the file is named after rollout "${named}" but records rollout "${state.rollout}"; rollout state files are state/rollouts/<rollout>.json`
        : `the file is named "${named}" but records shard ${shard.index}/${shard.count} of rollout "${state.rollout}"; shard progress files are state/rollouts/shards/<rollout>.<index>-of-<count>.json`,
      locate(['rollout']),
    );
  }
  const rings = rollouts?.get(state.rollout);
  if (rollouts && !rings) {
    const hint = closest(state.rollout, [...rollouts.keys()]);
    push(
      'warning',
      'state-for-unknown-rollout',
      `rollout "${state.rollout}" is not defined${hint ? ` (did you mean "${hint}"?)` : ''}; its progress is ignored`,
      locate(['rollout']),
    );
  }
  for (const [ring, p] of Object.entries(state.rings)) {
    if (rings && !rings.includes(ring)) {
      push(
        'warning',
        'state-for-unknown-ring',
        `rollout "${state.rollout}" has no ring "${ring}"; its progress is ignored`,
        locate(['rings', ring], 'key'),
      );
    }
    const at = (field: string): SourcePos => locate(['rings', ring, field]);
    if (p.status === 'pending' && p.startedAt) {
      push('warning', 'state-inconsistent', `ring "${ring}" is pending but has a startedAt`, at('startedAt'));
    }
    if (p.status === 'completed' && !p.finishedAt) {
      push(
        'warning',
        'state-inconsistent',
        `ring "${ring}" is completed but has no finishedAt`,
        at('status'),
      );
    }
    if (p.startedAt && p.finishedAt && later(p.startedAt, p.finishedAt)) {
      push(
        'warning',
        'state-inconsistent',
        `ring "${ring}" finished (${p.finishedAt}) before it started (${p.startedAt})`,
        at('finishedAt'),
      );
    }
    if (p.startedAt && p.healthySince && later(p.startedAt, p.healthySince)) {
      push(
        'warning',
        'state-inconsistent',
        `ring "${ring}" is healthy since ${p.healthySince}, before it started (${p.startedAt})`,
        at('healthySince'),
      );
    }
    for (const field of ['startedAt', 'finishedAt', 'healthySince'] as const) {
      const value = p[field];
      if (value && later(value, state.updatedAt)) {
        push(
          'warning',
          'state-inconsistent',
          `ring "${ring}" ${field} ${value} is after the file's updatedAt ${state.updatedAt}`,
          at(field),
        );
      }
    }
  }
  return withStateIfClean(state, diagnostics);
}

// ---------------------------------------------------------------- shared

type Locate = (path: Path, part?: 'key' | 'value') => SourcePos;

interface ReadResult {
  /** The parsed value when it passed the schema. */
  value?: Record<string, unknown>;
  diagnostics: Diagnostic[];
  locate: Locate;
}

/** Keywords whose failure is explained by other errors. */
const WRAPPERS = new Set(['if', 'then', 'else', 'anyOf', 'oneOf', 'allOf', 'not', 'contains']);
const MAX_REPORTED = 20;

function readStateFile(file: string, text: string, validate: ValidateFunction): ReadResult {
  // Positions are only needed when something is wrong: parse again with positions then.
  let locator: Locate | undefined;
  const locate: Locate = (path, part) => {
    if (!locator) {
      const doc = parseYamlFile(file, text).documents[0];
      locator = doc ? (p, k) => doc.locate(p, k) : () => ({ file, line: 1, col: 1 });
    }
    return locator(path, part);
  };
  const parsed = parseJsonStrict(file, text);
  if (!parsed.ok) return { diagnostics: [parsed.diagnostic], locate };
  const value = parsed.value;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'invalid-state',
          message: 'expected a JSON object written by `patchctl scan` or `patchctl apply`',
          at: { file, line: 1, col: 1 },
        },
      ],
      locate,
    };
  }
  const obj = value as Record<string, unknown>;
  const version = obj.formatVersion;
  if (version !== undefined && version !== STATE_FORMAT_VERSION) {
    const newer = typeof version === 'number' && version > STATE_FORMAT_VERSION;
    return {
      diagnostics: [
        {
          severity: 'error',
          code: 'unsupported-state-version',
          message: `formatVersion ${quoteValue(version)} is not supported: this patchctl reads formatVersion ${STATE_FORMAT_VERSION}${newer ? ' (written by a newer patchctl? upgrade patchctl, or scan again)' : ''}`,
          at: locate(['formatVersion']),
        },
      ],
      locate,
    };
  }
  if (validate(value)) return { value: obj, diagnostics: [], locate };
  const causes = relevantErrors(validate.errors ?? []);
  const diagnostics = causes
    .slice(0, MAX_REPORTED)
    .map((e) => schemaErrorDiagnostic(e, locate, 'invalid-state'));
  if (causes.length > MAX_REPORTED) {
    diagnostics.push({
      severity: 'error',
      code: 'invalid-state',
      message: `${causes.length - MAX_REPORTED} more schema errors not shown`,
      at: { file, line: 1, col: 1 },
    });
  }
  return { diagnostics, locate };
}

function relevantErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (WRAPPERS.has(e.keyword)) return false;
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * What is wrong with an update given the installed versions of its package: `installed[start]`
 * to `installed[end - 1]`, in the order of the file.
 */
function updateProblem(
  u: PendingUpdate,
  installed: readonly { name?: string; arch?: string; version: string }[],
  start: number,
  end: number,
  winupdate: boolean,
): { message: string; field: keyof PendingUpdate } | undefined {
  if (u.from === u.to) {
    return { message: `the update of ${u.name} does not change its version (${u.from})`, field: 'to' };
  }
  const sameArch = (p: { arch?: string }): boolean => !p.arch || !u.arch || p.arch === u.arch;
  let found = 0;
  for (let k = start; k < end; k++) {
    const p = installed[k] as { arch?: string; version: string };
    if (!sameArch(p)) continue;
    if (p.version === u.from) return undefined;
    found++;
  }
  if (found === 0) {
    // Windows updates (KBs) are new packages; everywhere else an update upgrades an installed one.
    if (winupdate) return undefined;
    return {
      message: `the update of ${describePackage(u.name, u.arch)} upgrades a package that is not installed`,
      field: 'name',
    };
  }
  const versions = installed
    .slice(start, end)
    .filter(sameArch)
    .map((p) => p.version)
    .join(', ');
  return {
    message: `the update of ${describePackage(u.name, u.arch)} is from ${u.from}, but the installed version is ${versions}`,
    field: 'from',
  };
}

/** Whether every element sorts strictly after the one before it (so no two are the same). */
function strictlyOrdered<T>(list: readonly T[], compare: (a: T, b: T) => number): boolean {
  for (let i = 1; i < list.length; i++) if (compare(list[i - 1] as T, list[i] as T) >= 0) return false;
  return true;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** By name, architecture and version: the identity of an installed package. */
function compareInstalled(a: InstalledPackage, b: InstalledPackage): number {
  return (
    compareStrings(a.name, b.name) ||
    compareStrings(a.arch ?? '', b.arch ?? '') ||
    compareStrings(a.version, b.version)
  );
}

/** By name and architecture: at most one update for each. */
function compareUpdates(a: PendingUpdate, b: PendingUpdate): number {
  return compareStrings(a.name, b.name) || compareStrings(a.arch ?? '', b.arch ?? '');
}

function describePackage(name: string, arch: string | undefined): string {
  return arch ? `${name} (${arch})` : name;
}

/** The file name without folders and without `.json`. */
function baseName(file: string): string {
  const name = file.slice(file.lastIndexOf('/') + 1);
  return name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
}

/** a > b for two instants that passed the schema's pattern (both carry a zone). */
function later(a: string, b: string): boolean {
  return instantMs(a) > instantMs(b);
}

/** Date.parse, remembered: the same few instants (release dates, scans) recur in every file. */
const parsedInstants = new Map<string, number>();

function instantMs(text: string): number {
  let ms = parsedInstants.get(text);
  if (ms === undefined) {
    if (parsedInstants.size >= 10_000) parsedInstants.clear();
    ms = Date.parse(text);
    parsedInstants.set(text, ms);
  }
  return ms;
}

function withStateIfClean<S>(state: S, diagnostics: Diagnostic[]): { state?: S; diagnostics: Diagnostic[] } {
  return diagnostics.some((d) => d.severity === 'error') ? { diagnostics } : { state, diagnostics };
}
