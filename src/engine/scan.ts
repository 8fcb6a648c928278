// `patchctl scan`: connect to each host, read what its package manager says, write
// state/hosts/<host>.json atomically. An unreachable host keeps its last good data, marked
// `reachable: false` with the reason and its kind, so the plan can say why and since when.
//
// What a host reports is checked against the state schema before it is stored, exactly as
// load-state will read it: a host whose data is invalid gets `invalid-host-data` (the reason and a
// short escaped excerpt) and keeps its last good data, so one host can never make the repository
// invalid for the others. A problem of this machine (a full or read-only state/, a FIFO where a
// state file should be) is never blamed on the host and never written over its state: the host
// gets `local-error` naming the path, and after an I/O error no further host is started.
import path from 'node:path';
import type { DateTime } from 'luxon';
import pLimit from 'p-limit';
import type { Driven } from '../core/model/driven.js';
import { drivesTransport, transportOf } from '../core/model/driven.js';
import type { Repository, ResolvedHost } from '../core/model/repository.js';
import { CONFIG_DEFAULTS } from '../core/model/repository.js';
import { checkHostStateFile } from '../core/state/check-state.js';
import { boundedLine, MAX_HOST_ERROR_LENGTH } from '../core/state/host-text.js';
import type { HostErrorKind, HostState, PendingUpdate } from '../core/state/types.js';
import { driverServing } from '../drivers/api.js';
import { DriverOutputError } from '../drivers/errors.js';
import { linuxFactsCommand, parseLinuxFacts } from '../drivers/linux/index.js';
import type { HostFacts, Inventory, LinuxFacts, PackageDriver, UpdateScan } from '../drivers/types.js';
import { InputFileError, isLocalIoErrno, LocalIoError, PatchctlError, UsageError } from '../errors.js';
import { reachStatus, TransportError } from '../transports/errors.js';
import type { CommandResult, Transport } from '../transports/types.js';
import { writeFileAtomicAsync } from '../platform/atomic-write.js';
import { bundledStateSchemas } from './load-state.js';
import { redactOutput } from '../platform/redact.js';
import { MAX_READ_BYTES, readTextSafeIfExists } from '../platform/safe-fs.js';
import { serialiseHostState } from './state-file.js';

export interface ScanObserver {
  hostStarted?(host: string): void;
  hostFinished?(result: HostScanResult): void;
}

/** Writes a state file (text) atomically; throws LocalIoError naming it when this machine cannot. */
export type StateWriter = (file: string, text: string) => Promise<void>;

export interface ScanOptions {
  /** Only these hosts (default: every host of the inventory). */
  hosts?: readonly string[];
  concurrency: number;
  now: () => DateTime;
  /** Opens a transport to a host; the CLI passes the ssh transport, tests a fake. */
  connect: (host: ResolvedHost) => Transport;
  /** Refresh the package index first (the driver's refresh: apt-get update, dnf makecache...); default true. */
  refresh?: boolean;
  observer?: ScanObserver;
  /**
   * Removes secrets from what is stored and reported; default: the redaction layer every file
   * write goes through (platform/redact.ts), applied before the check so that what is checked is
   * what is written.
   */
  redact?: (text: string) => string;
  /** How state files are written (default writeFileAtomicAsync); tests inject failures. */
  writeFile?: StateWriter;
}

export type HostScanStatus =
  | 'scanned'
  | 'unreachable'
  | 'auth-failed'
  | 'host-key-mismatch'
  | 'invalid-host-data'
  | 'unsupported'
  | 'failed'
  | 'skipped'
  /** This machine could not read or write the host's state file: nothing was written for it. */
  | 'local-error'
  /** Not started: the scan stopped after a local I/O error. */
  | 'not-started';

export interface HostScanResult {
  host: string;
  status: HostScanStatus;
  /**
   * Why the host could not be scanned (or, for `scanned`, a warning such as a failed refresh):
   * one line, secrets redacted, control characters escaped, bounded.
   */
  message?: string;
  updates?: number;
  security?: number;
  /** The state file written, relative to the repository (absent when nothing was written). */
  file?: string;
}

/**
 * The host answered with data patchctl refuses to store (it would not pass the state schema).
 * rescanHost throws it after writing the host's last good data marked `invalid-host-data`.
 */
export class InvalidHostDataError extends PatchctlError {
  readonly code = 'invalid-host-data';
  readonly exitCode = 1;
  constructor(
    readonly host: string,
    /** Which field, what value (escaped, bounded). */
    readonly reason: string,
    /** The state file written instead, relative to the repository. */
    readonly file: string,
  ) {
    super(`${host}: ${reason}`);
    this.name = 'InvalidHostDataError';
  }
}

/** The host's OS has no package-manager driver yet (README.md, "The plan": host state `unsupported`). */
class UnsupportedHostError extends Error {
  constructor(
    message: string,
    readonly os: HostState['os'],
  ) {
    super(message);
    this.name = 'UnsupportedHostError';
  }
}

/** Scans hosts concurrently; never throws for a host's failure (it becomes its result). */
export async function scanFleet(
  dir: string,
  repo: Repository,
  options: ScanOptions,
): Promise<HostScanResult[]> {
  const stateDir = repo.config?.doc.spec.paths?.state ?? CONFIG_DEFAULTS.paths.state;
  const wanted = options.hosts ? new Set(options.hosts) : undefined;
  const hosts = repo.hosts.filter((h) => !wanted || wanted.has(h.name));
  const limit = pLimit(Math.max(1, options.concurrency));
  // A full disk or a read-only file system will not get better: no new host after one.
  let stoppedBy: string | undefined;
  const results = await Promise.all(
    hosts.map((h) =>
      limit(async (): Promise<HostScanResult> => {
        if (stoppedBy !== undefined) {
          return {
            host: h.name,
            status: 'not-started',
            message: `not scanned: the scan stopped after a local error (${stoppedBy})`,
          };
        }
        options.observer?.hostStarted?.(h.name);
        const { result, stops } = await scanHost(dir, stateDir, h, repo.hostNames, repo.driven, options);
        if (stops && stoppedBy === undefined) stoppedBy = result.message;
        options.observer?.hostFinished?.(result);
        return result;
      }),
    ),
  );
  return results.sort((a, b) => (a.host < b.host ? -1 : a.host > b.host ? 1 : 0));
}

async function scanHost(
  dir: string,
  stateDir: string,
  host: ResolvedHost,
  inventoryHosts: ReadonlySet<string>,
  driven: Driven,
  options: ScanOptions,
): Promise<{ result: HostScanResult; stops: boolean }> {
  const redact = options.redact ?? redactOutput;
  const write = options.writeFile ?? writeFileAtomicAsync;
  const { rel, file } = hostStatePath(dir, stateDir, host.name);
  let previous: HostState | undefined;
  try {
    previous = readPreviousState(dir, file, rel, host.name);
  } catch (err) {
    return localFailure(host.name, err, redact);
  }
  const now = iso(options.now().toUTC().startOf('second'));
  const validate = (text: string) => checkStateText(rel, text, inventoryHosts);
  const transportId = transportOf(host);
  if (!drivesTransport(driven, transportId)) {
    // Not contacted: recorded `unsupported` (README.md, "The plan"), its last good data kept, so that plan
    // and status say what is missing instead of "never scanned: run patchctl scan".
    const hint = host.os ? ` (the inventory says os: ${host.os})` : '';
    const message = bounded(`transport ${transportId} is not supported by this version${hint}`);
    const text = failedStateText(
      host.name,
      previous,
      now,
      'unsupported',
      message,
      undefined,
      redact,
      validate,
    );
    const result: HostScanResult = { host: host.name, status: 'unsupported', message };
    if (text === undefined) return { result, stops: false };
    try {
      await write(file, text);
    } catch (err) {
      return localFailure(host.name, err, redact);
    }
    return { result: { ...result, file: rel }, stops: false };
  }
  let text: string | undefined;
  let result: HostScanResult;
  let transport: Transport | undefined;
  try {
    transport = options.connect(host);
    const observed = await observe(transport, host.name, options.refresh !== false);
    const state = withFirstSeen(
      { ...observed.state, host: host.name, scannedAt: now, lastReachableAt: now },
      previous,
    );
    const candidate = redact(serialiseHostState(state));
    const problem = validate(candidate);
    if (problem === undefined) {
      text = candidate;
      const security = state.updates.filter((u) => u.classification === 'security').length;
      result = {
        host: host.name,
        status: 'scanned',
        updates: state.updates.length,
        security,
        ...(observed.warning ? { message: bounded(redact(observed.warning)) } : {}),
      };
    } else {
      const message = bounded(redact(`${host.name}: ${problem}`));
      text = failedStateText(
        host.name,
        previous,
        now,
        'invalid-host-data',
        message,
        undefined,
        redact,
        validate,
      );
      result = { host: host.name, status: 'invalid-host-data', message };
    }
  } catch (err) {
    if (isLocalProblem(err)) return localFailure(host.name, err, redact);
    const failure = describeFailure(err);
    const message = bounded(redact(failure.message));
    text = failedStateText(host.name, previous, now, failure.kind, message, failure.os, redact, validate);
    result = { host: host.name, status: failure.status, message };
  } finally {
    try {
      await transport?.close();
    } catch {
      // Closing is best effort: the host's outcome is already known.
    }
  }
  if (text === undefined) {
    // Not even a minimal record passes the schema (cannot happen for a valid inventory name).
    return { result, stops: false };
  }
  try {
    await write(file, text);
  } catch (err) {
    // Whatever the host did, this machine could not record it: the old file stays as it was.
    return localFailure(host.name, err, redact);
  }
  return { result: { ...result, file: rel }, stops: false };
}

function hostStatePath(dir: string, stateDir: string, host: string): { rel: string; file: string } {
  const rel = path.posix.join(stateDir.split(path.sep).join('/'), 'hosts', `${host}.json`);
  return { rel, file: path.join(dir, rel) };
}

export interface RescanOptions {
  /** Removes secrets from what is stored; default: the redaction layer (platform/redact.ts). */
  redact?: (text: string) => string;
  /** How the state file is written (default writeFileAtomicAsync). */
  writeFile?: StateWriter;
}

/**
 * Re-reads a host over an open transport, without refreshing the package index (apply does
 * this after patching, so the next plan starts from what the host has now); writes its state
 * file and returns the file's path relative to the repository. What apply read last (the
 * installed packages, the facts) is not read again.
 *
 * Data the state schema refuses is not stored: the host's last good data is written marked
 * `invalid-host-data`, then InvalidHostDataError is thrown. Local I/O errors (LocalIoError,
 * InputFileError for a state path that is not a regular file) are thrown as they are.
 */
export async function rescanHost(
  dir: string,
  stateDir: string,
  host: string,
  transport: Transport,
  now: DateTime,
  known: KnownAfterPatching = {},
  options: RescanOptions = {},
): Promise<string> {
  const redact = options.redact ?? redactOutput;
  const write = options.writeFile ?? writeFileAtomicAsync;
  const { rel, file } = hostStatePath(dir, stateDir, host);
  const previous = readPreviousState(dir, file, rel, host);
  const at = iso(now.toUTC().startOf('second'));
  const observed = await observe(transport, host, false, known);
  const state = withFirstSeen({ ...observed.state, host, scannedAt: at, lastReachableAt: at }, previous);
  const hosts = new Set([host]);
  const validate = (text: string) => checkStateText(rel, text, hosts);
  const text = redact(serialiseHostState(state));
  const problem = validate(text);
  if (problem === undefined) {
    await write(file, text);
    return rel;
  }
  const reason = bounded(redact(problem));
  const error = bounded(`${host}: ${reason}`);
  const fallback = failedStateText(
    host,
    previous,
    at,
    'invalid-host-data',
    error,
    undefined,
    redact,
    validate,
  );
  if (fallback !== undefined) await write(file, fallback);
  throw new InvalidHostDataError(host, reason, rel);
}

interface Observed {
  state: Omit<HostState, 'host' | 'scannedAt'>;
  warning?: string;
}

/** What apply already read from a host: rescanHost does not read it again. */
export interface KnownAfterPatching {
  inventory?: Inventory;
  facts?: HostFacts;
  scan?: UpdateScan;
}

/**
 * Facts, refresh, installed, held and pending updates: the driver builds, the transport runs. Two
 * round trips (docs/architecture.md, "Round trips"): the package-manager-neutral Linux facts pick
 * the driver (docs/adding-a-driver.md, "Registries"), then one batch reads the driver's facts (its
 * own reboot signal), the package database and the pending updates; the refresh, which needs root
 * and the network and may fail on its own, runs alone between them.
 */
async function observe(
  transport: Transport,
  host: string,
  refresh: boolean,
  known: KnownAfterPatching = {},
): Promise<Observed> {
  const probe = known.facts ?? parseLinuxFacts(await transport.run(linuxFactsCommand()));
  const driver = driverForHost(probe, host);
  let warning: string | undefined;
  if (refresh) {
    const r = driver.parseRefresh(await transport.run(driver.refresh()));
    if (!r.ok) warning = `package index not refreshed: ${r.failure?.message ?? 'unknown reason'}`;
  }
  const wanted = {
    facts: known.facts === undefined,
    inventory: known.inventory === undefined,
    scan: known.scan === undefined,
  };
  const parts = [
    ...(wanted.facts ? [driver.facts()] : []),
    ...(wanted.inventory ? [driver.listInstalled()] : []),
    ...(wanted.scan ? [driver.listUpdates()] : []),
  ];
  const results =
    parts.length === 0 ? [] : driver.os.unbatch(await transport.run(driver.os.batch(parts)), parts.length);
  const next = (): CommandResult => {
    const r = results.shift();
    if (r === undefined) throw new Error('internal: a batched part has no result');
    return r;
  };
  const facts = known.facts ?? driver.parseFacts(next());
  const inventory = known.inventory ?? driver.parseInstalled(next());
  const scan = known.scan ?? driver.parseUpdateScan(next());
  return {
    state: {
      formatVersion: 1,
      reachable: true,
      os: osOf(facts),
      packageManager: driver.id,
      bootId: facts.bootId,
      rebootRequired: facts.rebootRequired,
      installed: inventory.installed,
      updates: scan.updates,
      held: [...new Set([...inventory.held, ...scan.held])].sort(),
    },
    ...(warning ? { warning } : {}),
  };
}

function osOf(facts: LinuxFacts): NonNullable<HostState['os']> {
  return { family: facts.os.family, id: facts.os.id, version: facts.os.version, kernel: facts.kernel };
}

function driverForHost(facts: LinuxFacts, host: string): PackageDriver {
  const { family, id, version } = facts.os;
  const driver = driverServing(facts.os);
  if (!driver)
    throw new UnsupportedHostError(
      `${host} runs ${id} ${version} (${family} family): patchctl has no package-manager driver for it in this version`,
      osOf(facts),
    );
  return driver;
}

/**
 * An update without a release date (apt gives none; dnf and zypper take theirs from the advisory):
 * its clock starts when a scan first saw it, and later scans keep that date so `approveAfter` can
 * elapse.
 */
function withFirstSeen(state: HostState, previous: HostState | undefined): HostState {
  const seen = new Map<string, string>();
  for (const u of previous?.updates ?? [])
    if (u.releasedAt) seen.set(`${u.name}\0${u.arch ?? ''}\0${u.to}`, u.releasedAt);
  const updates: PendingUpdate[] = state.updates.map((u) => ({
    ...u,
    releasedAt: u.releasedAt ?? seen.get(`${u.name}\0${u.arch ?? ''}\0${u.to}`) ?? state.scannedAt,
  }));
  return { ...state, updates };
}

/**
 * The host's last state, read like load-state reads it: a regular file inside the repository
 * (a FIFO or a link to /dev/zero is refused, never read), checked. An invalid old file is
 * replaced, not trusted. Throws LocalIoError or InputFileError when this machine cannot read it.
 */
function readPreviousState(dir: string, file: string, rel: string, host: string): HostState | undefined {
  const text = readTextSafeIfExists(file, { maxBytes: MAX_READ_BYTES, within: dir, label: rel });
  if (text === undefined) return undefined;
  return checkHostStateFile(rel, text, bundledStateSchemas(), new Set([host])).state;
}

/**
 * What load-state would say about this text: undefined when it would read it, else the first
 * error and how many more (the values in it quoted, escaped and bounded by check-state).
 */
function checkStateText(rel: string, text: string, hosts: ReadonlySet<string>): string | undefined {
  const errors = checkHostStateFile(rel, text, bundledStateSchemas(), hosts).diagnostics.filter(
    (d) => d.severity === 'error',
  );
  const first = errors[0];
  if (first === undefined) return undefined;
  const more =
    errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
  return `the host reported data patchctl refuses to store: ${first.message}${more}`;
}

/**
 * The state of a host the scan could not record: its last good data (or nothing) marked
 * `reachable: false` with the error and its kind. The text must pass the same check as a
 * scanned host's; if the last good data somehow does not, a minimal record is written instead.
 */
function failedStateText(
  host: string,
  previous: HostState | undefined,
  at: string,
  kind: HostErrorKind,
  message: string,
  seenOs: HostState['os'],
  redact: (text: string) => string,
  validate: (text: string) => string | undefined,
): string | undefined {
  const minimal: HostState = {
    formatVersion: 1,
    host,
    scannedAt: at,
    reachable: false,
    error: message,
    errorKind: kind,
    installed: [],
    updates: [],
    held: [],
  };
  const lastReachableAt = previous?.reachable ? previous.scannedAt : previous?.lastReachableAt;
  const full: HostState = {
    ...(previous ?? minimal),
    ...minimal,
    installed: previous?.installed ?? [],
    updates: previous?.updates ?? [],
    held: previous?.held ?? [],
    ...(lastReachableAt ? { lastReachableAt } : {}),
    ...(seenOs ? { os: seenOs } : {}),
  };
  for (const candidate of [full, { ...full, os: previous?.os }, minimal]) {
    if (candidate.os === undefined) delete candidate.os;
    const text = redact(serialiseHostState(candidate));
    if (validate(text) === undefined) return text;
  }
  return undefined;
}

/** A host's failure, in the words of README.md, "Apply", and the kind recorded in its state. */
function describeFailure(err: unknown): {
  status: HostScanStatus;
  kind: HostErrorKind;
  message: string;
  os?: HostState['os'];
} {
  if (err instanceof TransportError) {
    const status = reachStatus(err);
    return { status, kind: status, message: err.message };
  }
  if (err instanceof UnsupportedHostError)
    return { status: 'unsupported', kind: 'unsupported', message: err.message, os: err.os };
  if (err instanceof DriverOutputError) return { status: 'failed', kind: 'failed', message: err.message };
  return { status: 'failed', kind: 'failed', message: err instanceof Error ? err.message : String(err) };
}

/**
 * Whether `err` (or what caused it) is this machine's problem: a file it cannot read or write,
 * never the host's. Network errors are the transport's (TransportError) and are not.
 */
function isLocalProblem(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if (e instanceof LocalIoError || e instanceof InputFileError) return true;
    if (isLocalIoErrno(e) && FILE_SYSCALLS.has(String(e.syscall))) return true;
    e = e instanceof Error ? e.cause : undefined;
  }
  return false;
}

const FILE_SYSCALLS = new Set([
  'open',
  'read',
  'write',
  'close',
  'fsync',
  'rename',
  'mkdir',
  'unlink',
  'rmdir',
  'stat',
  'lstat',
  'fstat',
  'realpath',
  'scandir',
  'copyfile',
]);

/**
 * The result of a host whose state this machine could not read or write. An I/O error
 * (LocalIoError: a full disk, a read-only file system, permissions) stops the scan starting
 * new hosts; a path that is not a regular file concerns that host only.
 */
function localFailure(
  host: string,
  err: unknown,
  redact: (text: string) => string,
): { result: HostScanResult; stops: boolean } {
  const local = localError(err);
  return {
    result: { host, status: 'local-error', message: bounded(redact(local.message)) },
    stops: local instanceof LocalIoError,
  };
}

function localError(err: unknown): PatchctlError {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if (e instanceof LocalIoError || e instanceof InputFileError || e instanceof UsageError) return e;
    if (isLocalIoErrno(e)) return LocalIoError.from(e, 'write', e.path ?? 'a file');
    e = e instanceof Error ? e.cause : undefined;
  }
  return err instanceof PatchctlError ? err : LocalIoError.from(err, 'write', 'a state file');
}

/** One line for `error` and messages: controls escaped, at most MAX_HOST_ERROR_LENGTH characters. */
function bounded(text: string): string {
  return boundedLine(text, MAX_HOST_ERROR_LENGTH, 'unknown error');
}

function iso(d: DateTime): string {
  return d.toUTC().toISO({ suppressMilliseconds: true }) ?? '';
}
