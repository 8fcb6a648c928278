// `-v`: each remote command as it runs (docs/security.md, "Secrets"; docs/architecture.md,
// "Transports"). A line when it starts (the host and the command line as commandLine() quotes
// it: what the transport runs, but for the sudo that Config `ssh.sudo` adds) and a line when it
// ends (its exit status and duration). A batch (drivers/linux/batch.ts) is shown as its parts,
// each with its own exit status. Everything shown goes through the redaction layer
// (platform/redact.ts) and is made one inert line (terminalLine): a secret in a command's
// arguments or environment never reaches the output; a command's output is never shown.
import { terminalLine } from '../core/text/terminal-text.js';
import { batchParts, unbatch } from '../drivers/linux/index.js';
import { redactOutput } from '../platform/redact.js';
import { commandLine } from '../transports/quote.js';
import type { CommandResult, RemoteCommand, Transport } from '../transports/types.js';

export interface VerboseOptions {
  /** Takes one line (with its newline): the CLI writes it to stderr. */
  say: (line: string) => void;
  /** Milliseconds since some origin, for durations. Default performance.now. */
  clock?: () => number;
}

/** `t`, saying each command it runs, how long it took and how it ended. */
export function verboseTransport(t: Transport, options: VerboseOptions): Transport {
  const clock = options.clock ?? (() => performance.now());
  const host = terminalLine(t.host);
  const say = (text: string): void => options.say(`${terminalLine(redactOutput(text))}\n`);
  // One number per command of the run, so that the end line of a command can be matched to its
  // start when hosts run side by side.
  let next = 0;
  const started = (cmd: RemoteCommand, how = '$'): { id: string; parts: number | undefined } => {
    const id = `${host}#${++next}`;
    const parts = batchParts(cmd.argv);
    if (parts === undefined) say(`${id} ${how} ${shownLine(cmd)}`);
    else {
      say(`${id} ${how} batch of ${parts.length}${cmd.sudo === true ? ' (as root)' : ''}:`);
      parts.forEach((p, i) => say(`${id}   [${i + 1}] ${p}`));
    }
    return { id, parts: parts?.length };
  };
  const ended = (id: string, parts: number | undefined, out: CommandResult, ms: number): void =>
    say(`${id} ${endPhrase(out)}${partsPhrase(out, parts)} (${seconds(ms)})`);
  const failed = (id: string, err: unknown, ms: number): void =>
    say(`${id} not run: ${err instanceof Error ? err.message : String(err)} (${seconds(ms)})`);

  const hold = t.hold?.bind(t);
  return {
    id: t.id,
    host: t.host,
    ...(t.canReboot === undefined ? {} : { canReboot: t.canReboot }),
    run: async (cmd, runOptions) => {
      const { id, parts } = started(cmd);
      const t0 = clock();
      try {
        const out = await t.run(cmd, runOptions);
        ended(id, parts, out, clock() - t0);
        return out;
      } catch (err) {
        failed(id, err, clock() - t0);
        throw err;
      }
    },
    ...(hold
      ? {
          hold: async (cmd, holdOptions) => {
            const { id, parts } = started(cmd, '$ (held)');
            const t0 = clock();
            try {
              const outcome = await hold(cmd, holdOptions);
              if (outcome.held) say(`${id} held (${seconds(clock() - t0)})`);
              else ended(id, parts, outcome.result, clock() - t0);
              return outcome;
            } catch (err) {
              failed(id, err, clock() - t0);
              throw err;
            }
          },
        }
      : {}),
    close: () => t.close(),
  };
}

/** The command line; one that cannot be quoted (the transport refuses it too) as its argv. */
function shownLine(cmd: RemoteCommand): string {
  try {
    return commandLine(cmd);
  } catch {
    return `(not a valid command) ${JSON.stringify(cmd.argv)}`;
  }
}

function endPhrase(out: CommandResult): string {
  if (out.timedOut === true) return 'timed out';
  if (out.exitCode === null) return `ended by ${out.signal ?? 'a signal'}`;
  return `exit ${out.exitCode}`;
}

/** `; parts exit 0, 0, 1` for a batch that ran to its end. */
function partsPhrase(out: CommandResult, parts: number | undefined): string {
  if (parts === undefined) return '';
  try {
    const codes = unbatch(out, parts).map((r) => (r.exitCode === null ? 'signal' : String(r.exitCode)));
    return `; parts exit ${codes.join(', ')}`;
  } catch {
    return '; the batch did not run to its end';
  }
}

function seconds(ms: number): string {
  return `${(Math.max(0, ms) / 1000).toFixed(2)} s`;
}
