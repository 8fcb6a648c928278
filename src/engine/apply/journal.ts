// The append-only journal of an apply run, `state/runs/<run id>.jsonl` (README.md, "Apply"): one
// JSON event per line, written as it happens, so a killed controller loses nothing and
// `apply --resume` knows which hosts a plan already finished.
import { closeSync, fsync, fsyncSync, mkdirSync, openSync, readdirSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { ValidateFunction } from 'ajv';
import type { Diagnostic } from '../../core/model/diagnostics.js';
import { checkJsonText } from '../../core/state/check-json.js';
import { InputFileError, InternalError, LocalIoError } from '../../errors.js';
import { readTextSafe } from '../../platform/safe-fs.js';
import { bundledSchemas } from '../schemas.js';
import { jsonOutputText } from '../../core/text/terminal-text.js';
import { redactOutput } from '../../platform/redact.js';

/** Every status a host can end a run with (README.md, "Apply"); schemas/journal-event.schema.json lists the same. */
export const HOST_STATUSES = [
  'patched',
  'patched-pending-reboot',
  'failed',
  'unreachable',
  'auth-failed',
  'host-key-mismatch',
  'reboot-timeout',
  'health-check-failed',
  'skipped-window-closed',
  'drifted',
  /** Refused: its transport, package manager or OS family is not one this version drives. */
  'unsupported',
] as const;

export type HostStatus = (typeof HOST_STATUSES)[number];

/** What a ring did in one run. */
export const RING_STATUSES_IN_RUN = ['completed', 'halted', 'interrupted', 'waiting', 'not-started'] as const;

export type RingStatusInRun = (typeof RING_STATUSES_IN_RUN)[number];

/** The event types of a journal, in the order a run writes them. */
export const JOURNAL_EVENT_TYPES = [
  'run-started',
  'ring-started',
  'host-started',
  'host-step',
  'host-finished',
  'ring-finished',
  'run-finished',
] as const satisfies readonly JournalEvent['type'][];

/** The schema every journal line must match (an event type, field or status it lacks is refused). */
export const JOURNAL_EVENT_SCHEMA = 'journal-event.schema.json';

export type JournalEvent =
  | {
      type: 'run-started';
      at: string;
      runId: string;
      planDigest: string;
      /** The saved plan of the run, relative to the repository (state/runs/<id>.plan.json). */
      planFile?: string;
      /** The plan's `at` (the time it was made for): apply --resume re-derives the plan at it. */
      planAt?: string;
      who?: string;
      resumes?: string[];
      /** `2/4` when the run applied one shard of the plan (`apply --shard`). */
      shard?: string;
      /** `apply --ignore-ring-order REASON`: who lifted the ring gates for this run, and why. */
      ignoreRingOrder?: { by: string; reason: string };
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
      actions: { package: string; from: string; to: string; arch?: string }[];
      verification?: { ok: boolean; mismatches: string[] };
      rebooted?: { bootIdBefore: string; bootIdAfter: string };
      error?: string;
      stateFile?: string;
      /** Why the host's state file was not rewritten (its status stands). */
      stateNotRecorded?: string;
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
    // A status this patchctl does not know never counts as done (readJournals refuses it first).
    if (e.status === 'skipped-window-closed' || !isHostStatus(e.status)) done.delete(e.host);
    else done.set(e.host, e.status);
  }
  return done;
}

export function isHostStatus(value: unknown): value is HostStatus {
  return typeof value === 'string' && (HOST_STATUSES as readonly string[]).includes(value);
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
    // Host text (errors, mismatches) passes the redaction layer, and its control characters
    // become JSON escapes: no secret and nothing a terminal acts on in a journal line.
    const bytes = Buffer.from(jsonOutputText(redactOutput(`${JSON.stringify(event)}\n`)), 'utf8');
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

/** Journals are read whole; a run over 10,000 hosts writes a few tens of MiB. */
export const MAX_JOURNAL_BYTES = 256 * 1024 * 1024;

export interface ReadJournalsOptions {
  /**
   * The folder the journals must really be in (symbolic links resolved): default `runsDir`
   * itself, whose files patchctl wrote as regular files. Callers that know the repository pass
   * it, so that a runs folder that is a link out of it is refused too.
   */
  within?: string;
}

/**
 * Reads every journal under `runsDir`, oldest first. Only regular files, inside `within`, of at
 * most MAX_JOURNAL_BYTES are read (a FIFO named x.jsonl would block for ever, a link to
 * /dev/zero eat memory). Every line must be an event of schemas/journal-event.schema.json:
 * anything else throws an InputFileError naming file:line:col. The one exception is a last line
 * cut short by a crash (not JSON at all), which is dropped: it was never acted on.
 */
export function readJournals(runsDir: string, options: ReadJournalsOptions = {}): JournalFile[] {
  let names: string[];
  try {
    names = readdirSync(runsDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw LocalIoError.from(err, 'read', runsDir);
  }
  const validate = bundledSchemas().validatorForFile(JOURNAL_EVENT_SCHEMA);
  return names
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => {
      const file = path.join(runsDir, f);
      const text = readTextSafe(file, { maxBytes: MAX_JOURNAL_BYTES, within: options.within ?? runsDir });
      const { events, diagnostics } = parseJournal(file, text, validate, { stopAtFirst: true });
      const first = diagnostics[0];
      if (first) throw new InputFileError(`${formatAt(first)}: not a journal event: ${first.message}`);
      return { runId: f.slice(0, -'.jsonl'.length), file, events };
    });
}

/**
 * The events of a journal's text (`file` names it in diagnostics), each line checked against the
 * journal event schema. A last line that is not JSON at all (cut short by a crash) is dropped;
 * every other problem is a diagnostic at its line and column. `stopAtFirst` stops at the first
 * line with a problem.
 */
export function parseJournal(
  file: string,
  text: string,
  validate: ValidateFunction,
  options: { stopAtFirst?: boolean } = {},
): { events: JournalEvent[]; diagnostics: Diagnostic[] } {
  const events: JournalEvent[] = [];
  const diagnostics: Diagnostic[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.trim() === '') continue;
    const r = checkJsonText(file, line, validate, {
      code: 'invalid-journal-event',
      line: i + 1,
      maxReported: 5,
    });
    if (r.value !== undefined) {
      events.push(r.value as JournalEvent);
      continue;
    }
    const syntax = r.diagnostics[0]?.code === 'json-syntax';
    if (syntax && lines.slice(i + 1).every((l) => l.trim() === '')) break; // cut short by a crash
    diagnostics.push(
      ...r.diagnostics.map((d) =>
        // The line as a whole is not an event: at its start, unless the error is inside it.
        d.code === 'json-syntax' && d.at && d.at.col > line.trimEnd().length
          ? { ...d, message: 'invalid JSON (the line ends before the event does)', at: { ...d.at, col: 1 } }
          : d,
      ),
    );
    if (options.stopAtFirst) break;
  }
  return { events, diagnostics };
}

function formatAt(d: Diagnostic): string {
  return d.at ? `${d.at.file}:${d.at.line}:${d.at.col}` : 'journal';
}
