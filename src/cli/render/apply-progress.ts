// Progress of an apply: on a terminal that reports its width, a status line per ring (done /
// failed / in flight) redrawn in place, with one persistent line per finished host; elsewhere
// (CI, pipes, a terminal that reports no width) plain lines only (status-line.ts). What a host
// said (errors, steps, halt reasons) is shown escaped on one line (terminalLine), in the lines
// and in the status line alike: the status line draws on stderr outside safeIo's sanitiser
// (docs/security.md).
import { Chalk } from 'chalk';
import type { ApplyObserver, HostResult, RingOutcome } from '../../engine/apply/apply.js';
import { isFailure } from '../../engine/apply/apply.js';
import type { PlanRing } from '../../core/plan/types.js';
import { mapStrings } from '../../core/text/map-strings.js';
import { terminalLine } from '../../core/text/terminal-text.js';
import type { WindowZones } from '../../render/window-time.js';
import { windowTextInZone } from '../../render/window-time.js';
import type { StatusStream } from './status-line.js';
import { StatusLine, statusWidth } from './status-line.js';

export interface ProgressOptions {
  write(text: string): void;
  color: boolean;
  quiet: boolean;
  /**
   * Draw a status line on this terminal stream when it reports a usable width (statusWidth);
   * plain lines when undefined or when it reports none.
   */
  spinnerStream?: StatusStream;
  /** Window name → zone: a closed window's reopening is said in it, next to UTC (render/window-time.ts). */
  zones?: WindowZones;
  /** Milliseconds since some origin, for durations. */
  clock?: () => number;
}

export interface ApplyProgress extends ApplyObserver {
  /** Stops the spinner (idempotent). */
  stop(): void;
}

export function applyProgress(options: ProgressOptions): ApplyProgress {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  const clock = options.clock ?? (() => performance.now());
  const started = new Map<string, number>();
  const steps = new Map<string, string>();
  let ring = { name: '', total: 0, done: 0, failed: 0 };
  // Decided once: a terminal that reports no width gets plain lines for the whole run.
  const spinner =
    options.spinnerStream && statusWidth(options.spinnerStream) !== undefined
      ? new StatusLine(options.spinnerStream)
      : undefined;

  const status = (): string => {
    const inFlight = [...steps.entries()];
    const shown = inFlight
      .slice(0, 3)
      .map(([h, s]) => `${h}: ${s}`)
      .join(', ');
    const more = inFlight.length > 3 ? `, +${inFlight.length - 3}` : '';
    return `ring ${ring.name}: ${ring.done}/${ring.total} done, ${ring.failed} failed, ${inFlight.length} in flight${shown ? ` (${shown}${more})` : ''}`;
  };
  const refresh = (): void => {
    spinner?.update(status()); // at once, not at the next frame
  };
  /** A persistent line: above the spinner on a terminal. */
  const line = (text: string): void => {
    if (spinner?.isActive) {
      spinner.clear();
      options.write(`${text}\n`);
      spinner.redraw();
    } else options.write(`${text}\n`);
  };

  return {
    ringStarted(planRing: PlanRing, hosts: number) {
      const r = { name: terminalLine(planRing.name), rollout: terminalLine(planRing.rollout) };
      ring = { name: r.name, total: hosts, done: 0, failed: 0 };
      if (!options.quiet)
        line(c.bold(`Ring ${r.name}${r.rollout ? ` (rollout ${r.rollout})` : ''}: ${hosts} host(s)`));
      if (spinner) {
        spinner.start(status());
      }
    },
    hostStarted(name: string) {
      const host = terminalLine(name);
      started.set(host, clock());
      steps.set(host, 'starting');
      refresh();
    },
    hostStep(host: string, step: string) {
      steps.set(terminalLine(host), terminalLine(step));
      refresh();
    },
    hostFinished(result: HostResult) {
      const r = mapStrings(result, terminalLine);
      steps.delete(r.host);
      ring.done++;
      if (isFailure(r.status)) ring.failed++;
      const seconds = ((clock() - (started.get(r.host) ?? clock())) / 1000).toFixed(1);
      if (!options.quiet || isFailure(r.status))
        line(hostLine(r, seconds, c, options.zones ?? new Map()) + stateNote(r, c));
      refresh();
    },
    ringFinished(outcome: RingOutcome) {
      const o = mapStrings(outcome, terminalLine);
      spinner?.stop();
      if (options.quiet && o.status === 'completed') return;
      line(ringLine(o, c));
    },
    stop() {
      spinner?.stop();
    },
  };
}

function hostLine(r: HostResult, seconds: string, c: InstanceType<typeof Chalk>, zones: WindowZones): string {
  const changes = r.actions.map((a) => `${a.package} ${a.from} → ${a.to}`).join(', ');
  const reboot = r.rebooted ? '; rebooted' : '';
  switch (r.status) {
    case 'patched':
      return `  ${c.green('✓')} ${r.host}: patched${changes ? `: ${changes}` : ''}${reboot} (${seconds} s)`;
    case 'patched-pending-reboot':
      return `  ${c.yellow('✓')} ${r.host}: patched, reboot pending${changes ? `: ${changes}` : ''}${r.error ? `; ${r.error}` : ''} (${seconds} s)`;
    case 'skipped-window-closed':
      return `  ${c.dim('-')} ${r.host}: skipped-window-closed: ${windowTextInZone(r.error ?? '', zones)}`;
    default:
      return `  ${c.red('✗')} ${r.host}: ${r.status}: ${r.error ?? ''} (${seconds} s)`;
  }
}

/** The host's state file was not rewritten after the run: why (its status stands). */
function stateNote(r: HostResult, c: InstanceType<typeof Chalk>): string {
  return r.stateNotRecorded === undefined ? '' : c.yellow(`; state not recorded: ${r.stateNotRecorded}`);
}

function ringLine(o: RingOutcome, c: InstanceType<typeof Chalk>): string {
  const failures = o.failures > 0 ? `, ${o.failures} failed` : '';
  switch (o.status) {
    case 'completed':
      return `Ring ${o.ring}: completed${failures}`;
    case 'halted':
      return c.red(
        `Ring ${o.ring}: halted: ${o.reason ?? ''}${o.notStarted ? ` (${o.notStarted} host(s) not started)` : ''}`,
      );
    case 'interrupted':
      return c.yellow(`Ring ${o.ring}: ${o.reason ?? 'interrupted'}`);
    case 'waiting':
      return c.yellow(
        `Ring ${o.ring}: ${o.startedAt === null ? 'not started' : 'not complete'}: ${o.reason ?? ''}`,
      );
    case 'not-started':
      return c.yellow(`Ring ${o.ring}: not started: ${o.reason ?? ''}`);
  }
}
