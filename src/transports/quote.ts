// THE one quoting function of patchctl. Every remote command line is built here, from an
// argument vector, and nowhere else (DESIGN.md §7, §9). quote.test.ts fuzzes it against the
// real /bin/sh (dash) and bash.
//
// Format: POSIX single quotes around every argument; a single quote inside is written as
// '\'' (close, backslash-escaped quote, reopen); the empty string is ''. Inside single
// quotes a POSIX shell treats every byte literally — `$`, backticks, `\`, `*`, `?`, `[`,
// `~`, `!`, newlines — so no expansion of any kind can happen.
//
// The line runs in the remote login shell, which must be a POSIX shell (sh, dash, bash, ksh,
// zsh); csh/tcsh and fish quote differently and are not supported.

import { InvalidCommandError } from './errors.js';
import type { RemoteCommand } from './types.js';

/** The environment every remote command starts from (DESIGN.md §4: scrubbed, `LC_ALL=C`). */
export const SCRUBBED_ENV: readonly string[] = ['LC_ALL=C', 'LANG=C', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin'];

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const FIXED_ENV_NAMES = new Set(
  SCRUBBED_ENV.map((assignment) => assignment.slice(0, assignment.indexOf('='))),
);
// With the `u` flag a class of surrogates matches only unpaired ones.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** `arg` as one POSIX shell word that the shell turns back into exactly `arg`. */
export function shellQuote(arg: string): string {
  if (typeof arg !== 'string')
    throw new InvalidCommandError(`cannot quote a ${typeof arg}: arguments are strings`);
  if (arg.includes('\0')) {
    throw new InvalidCommandError(
      `argument ${JSON.stringify(arg)} holds a NUL byte, which no command line can carry`,
    );
  }
  if (LONE_SURROGATE.test(arg)) {
    throw new InvalidCommandError(
      `argument ${JSON.stringify(arg)} holds an unpaired UTF-16 surrogate, which UTF-8 cannot carry`,
    );
  }
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * The shell line that runs `cmd` remotely:
 *
 *     exec [sudo -n --] env LC_ALL=C LANG=C PATH=/usr/sbin:/usr/bin:/sbin:/bin [NAME='value'…] 'argv0' 'argv1'…
 *
 * `exec` replaces the login shell, so the exit status and signal are the command's own.
 * `sudo -n` never prompts (it fails instead). `env` after sudo sets the scrubbed locale and
 * PATH in the environment the command really gets (sudo resets the environment before).
 * Extra variables are sorted by name so that a command always gives the same line.
 */
export function commandLine(cmd: RemoteCommand): string {
  const { argv } = cmd;
  const program = argv[0];
  if (program === undefined)
    throw new InvalidCommandError('a command needs at least a program name (argv is empty)');
  if (program === '') throw new InvalidCommandError('the program name (argv[0]) is empty');
  if (program.includes('=')) {
    throw new InvalidCommandError(
      `the program name ${JSON.stringify(program)} holds "=": env would read it as a variable assignment`,
    );
  }
  if (program.startsWith('-')) {
    throw new InvalidCommandError(`the program name ${JSON.stringify(program)} starts with "-"`);
  }
  const words = ['exec'];
  if (cmd.sudo === true) words.push('sudo', '-n', '--');
  words.push('env', ...SCRUBBED_ENV);
  const env = Object.entries(cmd.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, value] of env) {
    if (!ENV_NAME.test(name)) {
      throw new InvalidCommandError(
        `environment variable name ${JSON.stringify(name)} does not match ^[A-Z_][A-Z0-9_]*$`,
      );
    }
    if (FIXED_ENV_NAMES.has(name)) {
      throw new InvalidCommandError(`environment variable ${name} is fixed by the scrubbed environment`);
    }
    words.push(`${name}=${shellQuote(value)}`);
  }
  for (const arg of argv) words.push(shellQuote(arg));
  return words.join(' ');
}
