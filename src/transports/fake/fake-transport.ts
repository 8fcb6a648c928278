// A scripted transport for engine tests: replies chosen by argv pattern, every call recorded.
// Commands still go through commandLine(), so a command no shell could run fails here too.
// A batch (drivers/linux/batch.ts: several commands in one round trip) is taken apart: each of its
// commands is recorded and answered by the rules like a command of its own, and `roundTrips`
// counts what really went over the wire.

import { batchOutput, batchParts } from '../../drivers/linux/batch.js';
import { parseCommandLine } from '../command-line.js';
import { AbortedError } from '../errors.js';
import { commandLine, SCRUBBED_ENV } from '../quote.js';
import type {
  CommandResult,
  HoldOptions,
  HoldOutcome,
  RemoteCommand,
  RunOptions,
  Transport,
} from '../types.js';

/**
 * Which commands a rule answers:
 * - an array: argv starts with these elements (a string matches exactly, a RegExp tests the element);
 * - a RegExp: tests the argv joined with single spaces;
 * - a function: any predicate.
 */
export type FakeMatcher = readonly (string | RegExp)[] | RegExp | ((cmd: RemoteCommand) => boolean);

export interface FakeReply {
  /** Default 0. */
  exitCode?: number | null;
  signal?: string;
  stdout?: string;
  stderr?: string;
  /** Simulated run time; the run's timeout and abort apply during it. */
  delayMs?: number;
  /** Make run() reject with this (e.g. a TransportError) instead of returning a result. */
  error?: Error;
}

export type FakeResponder =
  FakeReply | ((cmd: RemoteCommand, call: FakeCall) => FakeReply | Promise<FakeReply>);

export interface FakeCall {
  /** 0-based order of the call on this transport. */
  index: number;
  argv: string[];
  sudo: boolean;
  env: Record<string, string>;
  stdin: string | undefined;
  timeoutMs: number | undefined;
  /** The shell line the ssh transport would run. */
  line: string;
  /** Whether a rule answered it. */
  matched: boolean;
  /** The ready line, for a call made by hold(). */
  ready?: string;
  /** For a command that came inside a batch: the batch's round trip (0-based, see `roundTrips`). */
  inBatch?: number;
}

interface Rule {
  matcher: FakeMatcher;
  responder: FakeResponder;
  remaining: number;
}

export interface FakeTransportOptions {
  /** Reply to commands no rule matches; default exit 127 with `fake: no scripted reply for …`. */
  fallback?: FakeResponder;
}

export class FakeTransport implements Transport {
  readonly id = 'fake' as const;
  readonly calls: FakeCall[] = [];
  /** The hold() calls that were held and then released, in the order of their first release. */
  readonly released: FakeCall[] = [];
  /** Commands sent over the wire: a batch counts once, however many commands it holds. */
  roundTrips = 0;
  closed = false;
  private readonly rules: Rule[] = [];

  constructor(
    readonly host: string,
    private readonly options: FakeTransportOptions = {},
  ) {}

  /**
   * Adds a rule. The most recently added rule that matches wins, so a test can override a
   * default script; `times` limits how often a rule answers (then it is skipped).
   */
  on(matcher: FakeMatcher, responder: FakeResponder, options: { times?: number } = {}): this {
    this.rules.unshift({ matcher, responder, remaining: options.times ?? Infinity });
    return this;
  }

  /** Calls whose argv starts with `prefix` (strings and RegExps as in FakeMatcher). */
  callsTo(...prefix: (string | RegExp)[]): FakeCall[] {
    return this.calls.filter((call) => prefixMatches(call.argv, prefix));
  }

  /** Calls that no rule answered. */
  get unmatched(): FakeCall[] {
    return this.calls.filter((call) => !call.matched);
  }

  async run(cmd: RemoteCommand, options: RunOptions = {}): Promise<CommandResult> {
    const trip = this.roundTrips++;
    const lines = batchParts(cmd.argv);
    if (lines !== undefined) return this.runBatch(cmd, lines, trip, options);
    return (await this.answer(cmd, options, undefined)).result;
  }

  /** Each command of a batch answered in turn, as BATCH_SCRIPT would report them. */
  private async runBatch(
    cmd: RemoteCommand,
    lines: readonly string[],
    trip: number,
    options: RunOptions,
  ): Promise<CommandResult> {
    const started = performance.now();
    const results: CommandResult[] = [];
    for (const line of lines) {
      const parsed = parseCommandLine(line);
      if (parsed === undefined) throw new Error(`fake: a batch part is not a command line: ${line}`);
      const env = Object.fromEntries(
        Object.entries(parsed.env).filter(([name]) => !SCRUBBED_ENV.some((e) => e.startsWith(`${name}=`))),
      );
      const part: RemoteCommand = {
        argv: parsed.argv,
        ...(cmd.sudo === true ? { sudo: true } : {}),
        ...(Object.keys(env).length > 0 ? { env } : {}),
      };
      const { result } = await this.answer(part, options, undefined, trip);
      // A part that timed out leaves the batch cut short: no end marker, as on a host.
      if (result.timedOut === true)
        return { ...result, stdout: '', durationMs: Math.round(performance.now() - started) };
      results.push(result);
    }
    return {
      exitCode: 0,
      stdout: batchOutput(results),
      stderr: '',
      durationMs: Math.round(performance.now() - started),
    };
  }

  /**
   * Recorded and answered like run(): the call is held when the reply's stdout has a line equal to
   * `options.ready` (and it did not time out), else the result is returned. A timeout applies to
   * the reply's `delayMs`; releases are recorded in `released`.
   */
  async hold(cmd: RemoteCommand, options: HoldOptions): Promise<HoldOutcome> {
    const { ready, ...runOptions } = options;
    this.roundTrips++;
    const { call, result } = await this.answer(cmd, runOptions, ready);
    const held =
      result.timedOut !== true &&
      result.stdout
        .split('\n')
        .slice(0, -1)
        .some((l) => lineIs(l, ready));
    if (!held) return { held: false, result };
    let released = false;
    return {
      held: true,
      release: async () => {
        if (released) return;
        released = true;
        this.released.push(call);
      },
    };
  }

  private async answer(
    cmd: RemoteCommand,
    options: RunOptions,
    ready: string | undefined,
    inBatch?: number,
  ): Promise<{ call: FakeCall; result: CommandResult }> {
    const line = commandLine(cmd);
    const { signal } = options;
    if (signal?.aborted) throw new AbortedError(this.host, signal.reason);
    const rule = this.rules.find((r) => r.remaining > 0 && matches(r.matcher, cmd));
    const call: FakeCall = {
      index: this.calls.length,
      argv: [...cmd.argv],
      sudo: cmd.sudo === true,
      env: { ...cmd.env },
      stdin: cmd.stdin,
      timeoutMs: options.timeoutMs,
      line,
      matched: rule !== undefined,
    };
    if (ready !== undefined) call.ready = ready;
    if (inBatch !== undefined) call.inBatch = inBatch;
    this.calls.push(call);
    if (rule) rule.remaining -= 1;
    const responder: FakeResponder = rule?.responder ??
      this.options.fallback ?? {
        exitCode: 127,
        stderr: `fake: no scripted reply for: ${cmd.argv.join(' ')}\n`,
      };
    const started = performance.now();
    const reply = typeof responder === 'function' ? await responder(cmd, call) : responder;
    const outcome = await wait(reply.delayMs ?? 0, options.timeoutMs, signal);
    if (outcome === 'aborted') throw new AbortedError(this.host, signal?.reason);
    if (outcome === 'timed-out') {
      const result: CommandResult = {
        exitCode: null,
        stdout: reply.stdout ?? '',
        stderr: reply.stderr ?? '',
        durationMs: Math.round(performance.now() - started),
        timedOut: true,
      };
      return { call, result };
    }
    if (reply.error) throw reply.error;
    const result: CommandResult = {
      exitCode: reply.exitCode === undefined ? 0 : reply.exitCode,
      stdout: reply.stdout ?? '',
      stderr: reply.stderr ?? '',
      durationMs: Math.round(performance.now() - started),
    };
    if (reply.signal !== undefined) result.signal = reply.signal;
    return { call, result };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/** A stdout line (without its newline) is the ready line; a trailing CR is ignored, as over ssh. */
function lineIs(line: string, ready: string): boolean {
  return line === ready || line === `${ready}\r`;
}

function matches(matcher: FakeMatcher, cmd: RemoteCommand): boolean {
  if (typeof matcher === 'function') return matcher(cmd);
  if (matcher instanceof RegExp) return matcher.test(cmd.argv.join(' '));
  return prefixMatches(cmd.argv, matcher);
}

function prefixMatches(argv: readonly string[], prefix: readonly (string | RegExp)[]): boolean {
  if (prefix.length > argv.length) return false;
  return prefix.every((want, i) => {
    const arg = argv[i] ?? '';
    return typeof want === 'string' ? arg === want : want.test(arg);
  });
}

/** Waits `ms`, unless the timeout comes first or the signal aborts. */
function wait(
  ms: number,
  timeoutMs: number | undefined,
  signal: AbortSignal | undefined,
): Promise<'done' | 'timed-out' | 'aborted'> {
  const limited = timeoutMs !== undefined && timeoutMs > 0 && timeoutMs < ms;
  const delay = limited ? timeoutMs : ms;
  if (delay <= 0 && !limited) return Promise.resolve(signal?.aborted ? 'aborted' : 'done');
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve('aborted');
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve(limited ? 'timed-out' : 'done');
    }, delay);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Fake transports by host name, each set up by the same script when first asked for. */
export class FakeFleet {
  readonly transports = new Map<string, FakeTransport>();

  constructor(private readonly script: (transport: FakeTransport) => void = () => undefined) {}

  /** The host's transport (a transport factory for the engine). */
  transport(host: string): FakeTransport {
    let transport = this.transports.get(host);
    if (transport === undefined) {
      transport = new FakeTransport(host);
      this.script(transport);
      this.transports.set(host, transport);
    }
    return transport;
  }

  /** Every call on every host, as [host, call]. */
  allCalls(): [string, FakeCall][] {
    return [...this.transports].flatMap(([host, t]) =>
      t.calls.map((call): [string, FakeCall] => [host, call]),
    );
  }
}
