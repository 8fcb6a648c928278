// `patchctl scan`: connect to each host, read what its package manager says, write
// state/hosts/<host>.json atomically. An unreachable host keeps its last good data, marked
// `reachable: false` with the reason, so the plan can say "host-unreachable" and since when.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { DateTime } from 'luxon';
import pLimit from 'p-limit';
import type { Repository, ResolvedHost } from '../core/model/repository.js';
import { CONFIG_DEFAULTS } from '../core/model/repository.js';
import type { HostState, PendingUpdate } from '../core/state/types.js';
import { checkHostStateFile } from '../core/state/check-state.js';
import { driverFor } from '../drivers/api.js';
import { DriverOutputError } from '../drivers/errors.js';
import type { HostFacts, Inventory, PackageDriver } from '../drivers/types.js';
import { reachStatus, TransportError } from '../transports/errors.js';
import type { Transport } from '../transports/types.js';
import { writeFileAtomicAsync } from './atomic-write.js';
import { bundledStateSchemas } from './load-state.js';
import { serialiseHostState } from './state-file.js';

export interface ScanObserver {
  hostStarted?(host: string): void;
  hostFinished?(result: HostScanResult): void;
}

export interface ScanOptions {
  /** Only these hosts (default: every host of the inventory). */
  hosts?: readonly string[];
  concurrency: number;
  now: () => DateTime;
  /** Opens a transport to a host; the CLI passes the ssh transport, tests a fake. */
  connect: (host: ResolvedHost) => Transport;
  /** Refresh the package index first (`apt-get update`); default true. */
  refresh?: boolean;
  observer?: ScanObserver;
}

export type HostScanStatus =
  'scanned' | 'unreachable' | 'auth-failed' | 'host-key-mismatch' | 'failed' | 'skipped';

export interface HostScanResult {
  host: string;
  status: HostScanStatus;
  /** Why the host could not be scanned (or, for `scanned`, a warning such as a failed refresh). */
  message?: string;
  updates?: number;
  security?: number;
  /** The state file written, relative to the repository. */
  file?: string;
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
  const results = await Promise.all(
    hosts.map((h) =>
      limit(async () => {
        options.observer?.hostStarted?.(h.name);
        const result = await scanHost(dir, stateDir, h, options);
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
  options: ScanOptions,
): Promise<HostScanResult> {
  const { rel, file } = hostStatePath(dir, stateDir, host.name);
  const previous = readPreviousState(file, rel, host.name);
  const transport = (host.transport ?? 'ssh') === 'ssh' ? options.connect(host) : undefined;
  if (!transport) {
    return {
      host: host.name,
      status: 'skipped',
      message: `scan over ${host.transport} is not supported yet`,
    };
  }
  const now = options.now().toUTC().startOf('second');
  try {
    const observed = await observe(transport, host.name, options.refresh !== false);
    const state = withFirstSeen(
      { ...observed.state, host: host.name, scannedAt: iso(now), lastReachableAt: iso(now) },
      previous,
    );
    await writeFileAtomicAsync(file, serialiseHostState(state));
    const security = state.updates.filter((u) => u.classification === 'security').length;
    return {
      host: host.name,
      status: 'scanned',
      updates: state.updates.length,
      security,
      file: rel,
      ...(observed.warning ? { message: observed.warning } : {}),
    };
  } catch (err) {
    const { status, message } = describeFailure(err);
    // Keep the last good data: the planner reports the host as unreachable, with since when.
    const state: HostState = {
      ...(previous ?? { formatVersion: 1, host: host.name, installed: [], updates: [], held: [] }),
      formatVersion: 1,
      host: host.name,
      scannedAt: iso(now),
      reachable: false,
      error: message,
      ...(previous?.reachable ? { lastReachableAt: previous.scannedAt } : {}),
    } as HostState;
    await writeFileAtomicAsync(file, serialiseHostState(state));
    return { host: host.name, status, message, file: rel };
  } finally {
    await transport.close();
  }
}

function hostStatePath(dir: string, stateDir: string, host: string): { rel: string; file: string } {
  const rel = path.posix.join(stateDir.split(path.sep).join('/'), 'hosts', `${host}.json`);
  return { rel, file: path.join(dir, rel) };
}

/**
 * Re-reads a host over an open transport, without refreshing the package index (apply does
 * this after patching, so the next plan starts from what the host has now); writes its state
 * file and returns the file's path relative to the repository. What apply read last (the
 * installed packages, the facts) is not read again.
 */
export async function rescanHost(
  dir: string,
  stateDir: string,
  host: string,
  transport: Transport,
  now: DateTime,
  known: { inventory?: Inventory; facts?: HostFacts } = {},
): Promise<string> {
  const { rel, file } = hostStatePath(dir, stateDir, host);
  const previous = readPreviousState(file, rel, host);
  const at = iso(now.toUTC().startOf('second'));
  const observed = await observe(transport, host, false, known);
  const state = withFirstSeen({ ...observed.state, host, scannedAt: at, lastReachableAt: at }, previous);
  await writeFileAtomicAsync(file, serialiseHostState(state));
  return rel;
}

interface Observed {
  state: Omit<HostState, 'host' | 'scannedAt'>;
  warning?: string;
}

/** Facts, refresh, installed, held and pending updates: the driver builds, the transport runs. */
async function observe(
  transport: Transport,
  host: string,
  refresh: boolean,
  known: { inventory?: Inventory; facts?: HostFacts } = {},
): Promise<Observed> {
  const probe = driverFor('apt');
  if (!probe) throw new Error('the apt driver is not registered');
  const facts = known.facts ?? probe.parseFacts(await transport.run(probe.facts()));
  const driver = driverForFamily(facts.os.family, facts.os.id, host);
  let warning: string | undefined;
  if (refresh) {
    const r = driver.parseRefresh(await transport.run(driver.refresh()));
    if (!r.ok) warning = `package index not refreshed: ${r.failure?.message ?? 'unknown reason'}`;
  }
  const inventory = known.inventory ?? driver.parseInstalled(await transport.run(driver.listInstalled()));
  const scan = driver.parseUpdateScan(await transport.run(driver.listUpdates()));
  return {
    state: {
      formatVersion: 1,
      reachable: true,
      os: { family: facts.os.family, id: facts.os.id, version: facts.os.version, kernel: facts.kernel },
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

function driverForFamily(family: string, id: string, host: string): PackageDriver {
  const driver = family === 'debian' ? driverFor('apt') : undefined;
  if (!driver)
    throw new ScanError(
      `${host} runs ${id} (${family} family): patchctl has no package-manager driver for it yet`,
    );
  return driver;
}

class ScanError extends Error {}

/**
 * apt gives no release dates: an update's clock starts when a scan first saw it, and later scans
 * keep that date so `approveAfter` can elapse.
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

function readPreviousState(file: string, rel: string, host: string): HostState | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return checkHostStateFile(rel, readFileSync(file, 'utf8'), bundledStateSchemas(), new Set([host])).state;
  } catch {
    return undefined; // an unreadable old file is replaced, not trusted
  }
}

function describeFailure(err: unknown): { status: HostScanStatus; message: string } {
  if (err instanceof TransportError) return { status: reachStatus(err), message: err.message };
  if (err instanceof DriverOutputError || err instanceof ScanError)
    return { status: 'failed', message: err.message };
  return { status: 'failed', message: err instanceof Error ? err.message : String(err) };
}

function iso(d: DateTime): string {
  return d.toUTC().toISO({ suppressMilliseconds: true }) ?? '';
}
