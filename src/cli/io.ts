// What a command may touch of the outside world, so tests can capture and fake it.
import { createInterface } from 'node:readline';
import { DateTime } from 'luxon';

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
}

export function processIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
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
  };
}
