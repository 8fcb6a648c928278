// What a command may touch of the outside world, so tests can capture and fake it. main() hands
// every command a safeIo: whatever a command prints passes the redaction layer and the terminal
// sanitiser there, so no secret and no host-sent control sequence or CI workflow command reaches
// the terminal or the CI log (docs/security.md).
import { createInterface } from 'node:readline';
import { DateTime } from 'luxon';
import { TerminalOutput } from '../core/text/terminal-text.js';
import { redactOutput } from '../platform/redact.js';

export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stdout is a terminal (colours and progress only then). */
  isTTY: boolean;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  now(): DateTime;
  /** Asks a question on the terminal; undefined when stdin is not a terminal (nobody to ask). */
  ask?(question: string): Promise<string | undefined>;
  /** Calls `handler` on each Ctrl-C (SIGINT, SIGTERM) until the returned function is called. */
  onInterrupt?(handler: () => void): () => void;
  /** Where an animated progress display may draw (stderr of a terminal). */
  progressStream?: NodeJS.WritableStream & { isTTY?: boolean };
  /**
   * Writes lines meant as CI workflow commands (`::error file=…::message`, validate --format
   * github) to stdout: through safeIo, the only output whose lines may start with `::`.
   * Without it, stdout.
   */
  workflowCommand?(text: string): void;
}

const closedPipes = new WeakSet<NodeJS.WritableStream>();
const guarded = new WeakSet<NodeJS.WritableStream>();

/**
 * Writes to `stream` until its reader goes away: `patchctl plan | head` closes the pipe, and
 * writing on gets EPIPE. That is no error of patchctl's: the rest of the output is dropped
 * quietly and the command goes on to its own end and exit code (an apply is never cut short
 * because nobody reads its output any more). Any other write error is left to crash as before.
 */
export function pipeWriter(stream: NodeJS.WritableStream): (text: string) => void {
  if (!guarded.has(stream)) {
    guarded.add(stream);
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code !== 'EPIPE') throw err;
      closedPipes.add(stream);
    });
  }
  return (text) => {
    if (!closedPipes.has(stream)) stream.write(text);
  };
}

export function processIo(): Io {
  const stdout = pipeWriter(process.stdout);
  return {
    stdout,
    stderr: pipeWriter(process.stderr),
    isTTY: process.stdout.isTTY === true,
    env: process.env,
    cwd: process.cwd(),
    now: () => DateTime.now(),
    ask: (question) => {
      if (process.stdin.isTTY !== true) return Promise.resolve(undefined);
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      return new Promise((resolve) => {
        rl.question(question, (answer) => {
          rl.close();
          resolve(answer);
        });
        rl.once('close', () => resolve(undefined));
      });
    },
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      process.on('SIGTERM', handler);
      return () => {
        process.off('SIGINT', handler);
        process.off('SIGTERM', handler);
      };
    },
    progressStream: process.stderr,
    workflowCommand: stdout,
  };
}

export interface SafeIoOptions {
  /** Colours may be on (a terminal, no NO_COLOR, no --no-color): patchctl's own SGR codes pass. */
  colour: boolean;
}

/**
 * `io` with every write made safe: secrets replaced by [redacted] (redact.ts), control
 * characters other than tab, newline and (with colour) patchctl's own SGR codes escaped
 * visibly, and lines that a CI runner would read as workflow commands (`::add-mask::…`,
 * `##[error]`) defused, except those written through workflowCommand. The progress stream is
 * only redacted: the spinner draws with cursor codes of its own, and apply-progress escapes the
 * host text it shows there.
 */
export function safeIo(io: Io, options: SafeIoOptions): Io {
  const out = new TerminalOutput({ colour: options.colour });
  const err = new TerminalOutput({ colour: options.colour });
  const ask = io.ask?.bind(io);
  const command = io.workflowCommand?.bind(io) ?? io.stdout.bind(io);
  return {
    ...io,
    stdout: (text) => io.stdout(out.push(redactOutput(text))),
    stderr: (text) => io.stderr(err.push(redactOutput(text))),
    workflowCommand: (text) => command(out.pushCommand(redactOutput(text))),
    ...(ask ? { ask: (question: string) => ask(err.push(redactOutput(question))) } : {}),
    ...(io.progressStream ? { progressStream: redactingStream(io.progressStream) } : {}),
  };
}

/** `stream` whose string writes pass the redaction layer; everything else goes to `stream`. */
function redactingStream<S extends NodeJS.WritableStream>(stream: S): S {
  const write = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  return new Proxy(stream, {
    get(target, prop) {
      if (prop === 'write')
        return (chunk: unknown, ...rest: unknown[]) =>
          write(typeof chunk === 'string' ? redactOutput(chunk) : chunk, ...rest);
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}
