// The append-only journal of an apply run, `state/runs/<run id>.jsonl` (DESIGN.md §2, §4): one
// JSON event per line, written as it happens, so a killed controller loses nothing and
// `apply --resume` knows which hosts a plan already finished.
import {
  closeSync,
  existsSync,
  fsync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import { InputFileError, InternalError } from '../../errors.js';

export type HostStatus =
  | 'patched'
  | 'patched-pending-reboot'
  | 'failed'
  | 'unreachable'
  | 'auth-failed'
  | 'host-key-mismatch'
  | 'reboot-timeout'
  | 'health-check-failed'
  | 'skipped-window-closed'
  | 'drifted';

/** What a ring did in one run. */
export type RingStatusInRun = 'completed' | 'halted' | 'interrupted' | 'waiting' | 'not-started';

export type JournalEvent =
  | {
      type: 'run-started';
      at: string;
      runId: string;
      planDigest: string;
      /** The saved plan of the run, relative to the repository (state/runs/<id>.plan.json). */
      planFile?: string;
      who?: string;
      resumes?: string[];
      /** `2/4` when the run applied one shard of the plan (`apply --shard`). */
      shard?: string;
    }
  | { type: 'ring-started'; at: string; runId: string; ring: string; rollout: string }
  | { type: 'host-started'; at: string; runId: string; host: string; ring: string }
  | { type: 'host-step'; at: string; runId: string; host: string; step: string }
  | {
      type: 'host-finished';
      at: string;
      runId: string;
      planDigest: string;
      host: string;
      ring: string;
      status: HostStatus;
      actions: { package: string; from: string; to: string }[];
      verification?: { ok: boolean; mismatches: string[] };
      rebooted?: { bootIdBefore: string; bootIdAfter: string };
      error?: string;
      stateFile?: string;
    }
  | {
      type: 'ring-finished';
      at: string;
      runId: string;
      ring: string;
      rollout: string;
      status: RingStatusInRun;
      failures: number;
      reason?: string;
    }
  | { type: 'run-finished'; at: string; runId: string; halted: boolean };

/**
 * Hosts already finished for this plan digest, last status wins. A host whose window was
 * closed was not touched, so it stays to do.
 */
export function hostsDoneInJournal(
  events: readonly JournalEvent[],
  planDigest: string,
): Map<string, HostStatus> {
  const done = new Map<string, HostStatus>();
  for (const e of events) {
    if (e.type !== 'host-finished' || e.planDigest !== planDigest) continue;
    if (e.status === 'skipped-window-closed') done.delete(e.host);
    else done.set(e.host, e.status);
  }
  return done;
}

/** The shortest time between two syncs of a journal. */
const SYNC_INTERVAL_MS = 100;

/**
 * Appends events to one journal file. Each line is written whole before append returns, so a
 * killed controller never loses an event it acted on. Syncing to the disk (for a crash of the
 * machine itself) happens off the event loop, one fsync for whatever was appended meanwhile:
 * a synchronous fsync per event stalled every host in flight (a third of a 1,000-host run).
 * close() waits for the last sync.
 */
export class JournalWriter {
  private readonly fd: number;
  /** The sync in flight, if any. */
  private syncing: Promise<void> | undefined;
  /** Lines were written after the sync in flight started. */
  private dirty = false;
  private closed = false;
  private syncError: unknown;

  constructor(readonly file: string) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.fd = openSync(file, 'a', 0o644);
  }

  append(event: JournalEvent): void {
    if (this.closed) throw new InternalError(`journal ${this.file} appended to after close`);
    const bytes = Buffer.from(`${JSON.stringify(event)}\n`, 'utf8');
    let off = 0;
    while (off < bytes.length) off += writeSync(this.fd, bytes, off, bytes.length - off);
    this.dirty = true;
    this.syncing ??= this.syncLoop();
  }

  /** Syncs until nothing written is left unsynced. */
  private async syncLoop(): Promise<void> {
    try {
      while (this.dirty) {
        this.dirty = false;
        const started = Date.now();
        await new Promise<void>((resolve, reject) =>
          fsync(this.fd, (err) => (err ? reject(err) : resolve())),
        );
        // A write waits while the file is being synced: at most a few syncs a second.
        const rest = SYNC_INTERVAL_MS - (Date.now() - started);
        if (this.dirty && rest > 0 && !this.closed) await new Promise((resolve) => setTimeout(resolve, rest));
      }
    } catch (err) {
      this.syncError ??= err;
    } finally {
      this.syncing = undefined;
    }
  }

  /** Waits for the syncs in flight, syncs what is left, closes the file. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.syncing) await this.syncing;
    try {
      fsyncSync(this.fd);
    } finally {
      closeSync(this.fd);
    }
    if (this.syncError !== undefined) throw this.syncError;
  }
}

export interface JournalFile {
  runId: string;
  file: string;
  events: JournalEvent[];
}

/**
 * Reads every journal under `runsDir`, oldest first. A last line cut short by a crash is
 * dropped (it was never acted on); any other unreadable line is an error naming file and line.
 */
export function readJournals(runsDir: string): JournalFile[] {
  if (!existsSync(runsDir)) return [];
  const files = readdirSync(runsDir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort();
  return files.map((f) => {
    const file = path.join(runsDir, f);
    const lines = readFileSync(file, 'utf8').split('\n');
    const events: JournalEvent[] = [];
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        const last = lines.slice(i + 1).every((l) => l.trim() === '');
        if (!last) throw new InputFileError(`${file}:${i + 1}:1: not a journal event (invalid JSON)`);
        return;
      }
      if (!isEvent(value))
        throw new InputFileError(`${file}:${i + 1}:1: not a journal event (no "type", "at" and "runId")`);
      events.push(value);
    });
    return { runId: f.slice(0, -'.jsonl'.length), file, events };
  });
}

function isEvent(value: unknown): value is JournalEvent {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.type === 'string' && typeof v.at === 'string' && typeof v.runId === 'string';
}
