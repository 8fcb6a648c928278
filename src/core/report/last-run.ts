// The last apply run, summarised from the journals under state/runs/ (README.md, "Apply"): when it
// started and finished (or that it did not: killed, or still running), how many hosts ended in
// each status, and whether it halted. Pure: the journals come in already read.
//
// The input is the shape of engine/apply/journal.ts `JournalFile` (readJournals), restated here
// with only the fields used, because core does not import the engine.

/** One journal event, as far as the summary reads it. */
export interface RunJournalEvent {
  type: string;
  at: string;
  runId: string;
  planDigest?: string;
  who?: string;
  resumes?: string[];
  host?: string;
  ring?: string;
  rollout?: string;
  status?: string;
  failures?: number;
  reason?: string;
  halted?: boolean;
  /** host-finished: what the host was to get, and how it went (the compliance report's evidence). */
  actions?: readonly { package: string; from: string; to: string; arch?: string }[];
  verification?: { ok: boolean; mismatches: readonly string[] };
  rebooted?: { bootIdBefore: string; bootIdAfter: string };
  error?: string;
}

/** One run's journal (engine/apply/journal.ts `JournalFile` fits). */
export interface RunJournal {
  runId: string;
  events: readonly RunJournalEvent[];
}

export interface RunRingOutcome {
  rollout: string;
  ring: string;
  /** `completed`, `halted`, `interrupted`, `waiting` or `not-started`. */
  status: string;
  failures: number;
  reason?: string;
}

export interface RunSummary {
  runId: string;
  planDigest?: string;
  who?: string;
  /** Runs this one resumed. */
  resumes?: string[];
  startedAt: string;
  /** Absent when the journal has no run-finished event: the run was killed, or is still running. */
  finishedAt?: string;
  finished: boolean;
  /** The run stopped a rollout (a ring exceeded its failure budget). */
  halted: boolean;
  /** How many hosts ended in each status; the last status of each host counts. */
  hostStatuses: Record<string, number>;
  hosts: number;
  /** The rings the run finished (ring-finished events), in order. */
  rings: RunRingOutcome[];
}

/** The summary of the latest run (by start time, then journal order); undefined without journals. */
export function lastRunSummary(journals: readonly RunJournal[]): RunSummary | undefined {
  let latest: { journal: RunJournal; startedMs: number } | undefined;
  for (const journal of journals) {
    const first = journal.events.find((e) => e.type === 'run-started') ?? journal.events[0];
    if (!first) continue;
    const startedMs = Date.parse(first.at);
    const ms = Number.isNaN(startedMs) ? -Infinity : startedMs;
    if (!latest || ms >= latest.startedMs) latest = { journal, startedMs: ms };
  }
  return latest ? summariseRun(latest.journal) : undefined;
}

/** The summary of one run's journal. */
export function summariseRun(journal: RunJournal): RunSummary {
  const events = journal.events;
  const started = events.find((e) => e.type === 'run-started');
  const finished = events.findLast((e) => e.type === 'run-finished');
  const lastStatus = new Map<string, string>();
  const rings: RunRingOutcome[] = [];
  for (const e of events) {
    if (e.type === 'host-finished' && e.host !== undefined && e.status !== undefined)
      lastStatus.set(e.host, e.status);
    if (e.type === 'ring-finished' && e.ring !== undefined && e.status !== undefined) {
      rings.push({
        rollout: e.rollout ?? '',
        ring: e.ring,
        status: e.status,
        failures: e.failures ?? 0,
        ...(e.reason !== undefined ? { reason: e.reason } : {}),
      });
    }
  }
  const hostStatuses: Record<string, number> = {};
  for (const status of [...lastStatus.values()].sort())
    hostStatuses[status] = (hostStatuses[status] ?? 0) + 1;
  return {
    runId: started?.runId ?? journal.runId,
    ...(started?.planDigest !== undefined ? { planDigest: started.planDigest } : {}),
    ...(started?.who !== undefined ? { who: started.who } : {}),
    ...(started?.resumes !== undefined && started.resumes.length > 0 ? { resumes: started.resumes } : {}),
    startedAt: started?.at ?? events[0]?.at ?? '',
    ...(finished ? { finishedAt: finished.at } : {}),
    finished: finished !== undefined,
    halted: finished?.halted ?? rings.some((r) => r.status === 'halted'),
    hostStatuses,
    hosts: lastStatus.size,
    rings,
  };
}
