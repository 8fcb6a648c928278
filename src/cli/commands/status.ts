import path from 'node:path';
import { Chalk } from 'chalk';
import { mapStrings } from '../../core/text/map-strings.js';
import { terminalLine } from '../../core/text/terminal-text.js';
import { Command } from 'commander';
import type { DateTime } from 'luxon';
import { hasErrors } from '../../core/model/diagnostics.js';
import type { UnknownHostKnowledge } from '../../core/plan/host-knowledge.js';
import { unknownHostKnowledge } from '../../core/plan/host-knowledge.js';
import type { RunSummary } from '../../core/report/last-run.js';
import { lastRunSummary } from '../../core/report/last-run.js';
import type { RingStatusReport, RolloutStatusReport } from '../../core/report/rollout-status.js';
import { rolloutStatus } from '../../core/report/rollout-status.js';
import { readJournals } from '../../engine/apply/journal.js';
import { loadRepository } from '../../engine/load-repo.js';
import { loadObservedState } from '../../engine/load-state.js';
import type { RepoLockInfo } from '../../engine/repo-lock.js';
import { describeRepoLock, readRepoLock, RepoLockedError, stateDirOf } from '../../engine/repo-lock.js';
import { ConfigError } from '../../errors.js';
import type { RawCommon } from '../common-options.js';
import { addAtOption, addCommonOptions, commonOptions, parseAt } from '../common-options.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import type { Io } from '../io.js';

interface RawStatus extends RawCommon {
  at?: string;
}

/** What `patchctl status --format json` prints. */
export interface StatusReport {
  at: string;
  rollouts: RolloutStatusReport[];
  /** The latest apply run, from its journal; null when no apply has run. */
  lastRun: (RunSummary & { running: boolean }) | null;
  /** The repository lock, when an apply holds it. */
  lock: RepoLockInfo | null;
  /** Why the lock file could not be read, when it exists but is unreadable. */
  lockProblem?: string;
  /** A rollout is halted (the command then exits 1). */
  halted: boolean;
  /** What patchctl knows about each host: the plan's words (README "The plan": host states). */
  hosts: HostStatesReport;
}

/** The inventory's hosts by what patchctl knows about them. */
export interface HostStatesReport {
  /** Hosts in the inventory. */
  total: number;
  /** Hosts whose last scan read them and that this version can drive. */
  scanned: number;
  unsupported: number;
  unreachable: number;
  /** The last scan reached them but could not read them (authentication, data, host key). */
  scanFailed: number;
  neverScanned: number;
  /** Every host that is not `scanned`, by name, with the plan's note. */
  unknown: { host: string; state: UnknownHostKnowledge['state']; note: string }[];
}

export function statusCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('status')
    .description(
      'show rollout progress: per ring done, in progress, baking until when, halted why or pending; ' +
        'the last apply run and whether an apply holds the repository lock',
    )
    .addHelpText(
      'after',
      `
Examples:
  $ patchctl status -C ops/patching
  $ patchctl status --at 2026-12-11T21:00:00Z        # which bake times are over by then
  $ patchctl status --format json | jq '.rollouts[].rings[] | select(.status == "halted")'

Exit status: 0 (status is informational), 1 when a rollout is halted (or on other
failures), 3 invalid configuration or state.`,
    );
  addCommonOptions(cmd, ['text', 'json']);
  addAtOption(cmd);
  cmd.action((raw: RawStatus) => {
    const opts = commonOptions(raw, io);
    const at = parseAt(raw.at, io);
    const report = readStatus(opts.dir, at);
    if (opts.format === 'json') io.stdout(`${JSON.stringify(report, null, 2)}\n`);
    else io.stdout(renderStatusText(report, { color: opts.color }));
    setExit(report.halted ? EXIT_FAILURE : EXIT_OK);
  });
  return cmd;
}

/** Reads documents, rollout state, journals and the lock of the repository at `dir`. */
export function readStatus(dir: string, at: DateTime): StatusReport {
  const { repository, feeds } = loadRepository(dir, { at });
  const observed = loadObservedState(dir, repository, { feeds });
  if (hasErrors(observed.diagnostics)) {
    throw new ConfigError(observed.diagnostics.filter((d) => d.severity === 'error'));
  }
  const rollouts = rolloutStatus({
    rollouts: repository.rollouts.map((r) => r.doc),
    states: observed.state.rollouts,
    at,
  });
  const stateDir = stateDirOf(dir, repository);
  let lock: RepoLockInfo | null = null;
  let lockProblem: string | undefined;
  try {
    lock = readRepoLock(stateDir) ?? null;
  } catch (err) {
    // Status is informational: an unreadable lock is reported, not fatal.
    if (!(err instanceof RepoLockedError)) throw err;
    lockProblem = err.message;
  }
  const last = lastRunSummary(readJournals(path.join(stateDir, 'runs')));
  const inventory = new Map(repository.hosts.map((h) => [h.name, h]));
  const hosts = hostStates([...inventory.keys()], (name) =>
    unknownHostKnowledge(inventory.get(name), observed.state.hosts.get(name), repository.driven),
  );
  return {
    at: at.toUTC().toISO({ suppressMilliseconds: true }) ?? at.toString(),
    rollouts,
    lastRun: last ? { ...last, running: !last.finished && lock !== null && lock.runId === last.runId } : null,
    lock,
    ...(lockProblem !== undefined ? { lockProblem } : {}),
    halted: rollouts.some((r) => r.halted),
    hosts,
  };
}

function hostStates(
  names: readonly string[],
  knowledge: (name: string) => UnknownHostKnowledge | undefined,
): HostStatesReport {
  const out: HostStatesReport = {
    total: names.length,
    scanned: 0,
    unsupported: 0,
    unreachable: 0,
    scanFailed: 0,
    neverScanned: 0,
    unknown: [],
  };
  for (const host of [...names].sort()) {
    const k = knowledge(host);
    if (!k) {
      out.scanned++;
      continue;
    }
    out.unknown.push({ host, state: k.state, note: k.note });
    if (k.state === 'unsupported') out.unsupported++;
    else if (k.state === 'unreachable') out.unreachable++;
    else if (k.state === 'never-scanned') out.neverScanned++;
    else out.scanFailed++;
  }
  return out;
}

/** Hosts listed by name under the host counts before "+N more". */
const UNKNOWN_HOSTS_SHOWN = 20;

/** `Hosts: 13 in the inventory: 7 scanned, 5 unsupported, 1 unreachable`, then the others by name. */
function hostLines(h: HostStatesReport, c: InstanceType<typeof Chalk>): string[] {
  const parts = [
    `${h.scanned} scanned`,
    ...(h.unsupported ? [`${h.unsupported} unsupported`] : []),
    ...(h.unreachable ? [`${h.unreachable} unreachable`] : []),
    ...(h.scanFailed ? [`${h.scanFailed} scan failed`] : []),
    ...(h.neverScanned ? [`${h.neverScanned} never scanned`] : []),
  ];
  const lines = [`Hosts: ${h.total} in the inventory: ${parts.join(', ')}`];
  const width = Math.min(32, Math.max(0, ...h.unknown.map((u) => u.host.length)));
  for (const u of h.unknown.slice(0, UNKNOWN_HOSTS_SHOWN))
    lines.push(`  ${c.yellow('?')} ${u.host.padEnd(width)}  ${u.note}`);
  if (h.unknown.length > UNKNOWN_HOSTS_SHOWN)
    lines.push(`  … +${h.unknown.length - UNKNOWN_HOSTS_SHOWN} more`);
  return lines;
}

/** The human form: a block per rollout, a line per ring, then the last apply and the lock. */
export function renderStatusText(status: StatusReport, options: { color: boolean }): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  // Halt reasons quote host errors; the lock and the journal say who: shown escaped, one line
  // each (docs/security.md).
  const report = mapStrings(status, terminalLine);
  const lines: string[] = [];
  if (report.rollouts.length === 0) lines.push('No rollouts (rollouts/ holds no Rollout document).');
  for (const rollout of report.rollouts) {
    const digest = rollout.planDigest ? `, plan ${shortDigest(rollout.planDigest)}` : '';
    const updated = rollout.updatedAt ? ` (updated ${rollout.updatedAt}${digest})` : ' (not started)';
    lines.push(`${c.bold(`Rollout ${rollout.rollout}`)}${updated}`);
    const width = Math.max(0, ...rollout.rings.map((r) => r.ring.length));
    for (const ring of rollout.rings) lines.push(`  ${ringLine(ring, width, c)}`);
    lines.push('');
  }
  lines.push(...hostLines(report.hosts, c), '');
  lines.push(`Last apply: ${runLine(report.lastRun)}`);
  if (report.lock) {
    lines.push(
      `Lock: held by ${describeRepoLock(report.lock)} ` +
        `(if that run is gone: patchctl force-unlock ${report.lock.id})`,
    );
  } else if (report.lockProblem !== undefined) {
    lines.push(`Lock: ${report.lockProblem}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The ring's line, then who released its last halt (and why), and which hosts failed in a halt. */
function ringLine(r: RingStatusReport, width: number, c: InstanceType<typeof Chalk>): string {
  const more: string[] = [];
  if (r.status === 'halted' && r.failedHosts && r.failedHosts.length > 0)
    more.push(
      `failed: ${r.failedHosts.join(', ')} (patchctl rollout release … --ring ${r.ring} --reason … clears the halt)`,
    );
  if (r.released)
    more.push(
      `released by ${r.released.by} at ${r.released.at}: ${r.released.reason}${r.released.haltedReason ? ` (was halted: ${r.released.haltedReason})` : ''}`,
    );
  const pad = ' '.repeat(width + 4);
  return [ringHead(r, width, c), ...more.map((m) => `  ${pad}${m}`)].join('\n');
}

function ringHead(r: RingStatusReport, width: number, c: InstanceType<typeof Chalk>): string {
  const name = r.ring.padEnd(width);
  const failed = `${r.failures ?? 0} failed`;
  switch (r.status) {
    case 'done':
      return `${c.green('✓')} ${name}  done (finished ${r.finishedAt ?? 'at an unknown time'}, ${failed})`;
    case 'baking':
      return `${c.cyan('…')} ${name}  baking until ${r.bakingUntil ?? '?'} (finished ${r.finishedAt ?? '?'}, ${failed}, bake time ${r.bakeTime ?? '?'})`;
    case 'in-progress':
      return `${c.yellow('▸')} ${name}  in progress (started ${r.startedAt ?? 'at an unknown time'}, ${failed} so far)`;
    case 'halted': {
      const when = r.finishedAt ? `at ${r.finishedAt}, ` : '';
      return `${c.red('✗')} ${name}  ${c.red(`halted: ${r.haltedReason ?? 'no reason recorded'}`)} (${when}${failed})`;
    }
    case 'pending':
      return `${c.dim('·')} ${name}  pending: ${r.waitingFor !== undefined ? `waits for ${r.waitingFor}` : 'starts with the next apply'}`;
  }
}

function runLine(run: StatusReport['lastRun']): string {
  if (!run) return 'none (no journal under state/runs/)';
  const plan = run.planDigest ? ` (plan ${shortDigest(run.planDigest)})` : '';
  const by = run.who ? ` by ${run.who}` : '';
  const head = `run ${run.runId}${plan}${by}, started ${run.startedAt}`;
  const counts = Object.entries(run.hostStatuses).map(([status, n]) => `${n} ${terminalLine(status)}`);
  const hosts = counts.length > 0 ? counts.join(', ') : 'no host finished';
  if (run.finished)
    return `${head}, finished ${run.finishedAt ?? '?'}: ${hosts}; ${run.halted ? 'halted' : 'not halted'}`;
  if (run.running) return `${head}, still running (it holds the lock): ${hosts} so far`;
  return (
    `${head}, did not finish (killed?): ${hosts}${run.halted ? '; halted' : ''}; ` +
    'continue it with: patchctl apply --resume'
  );
}

/** `sha256:9f2b5c0e4d1a` */
function shortDigest(digest: string): string {
  return digest.slice(0, 'sha256:'.length + 12);
}
