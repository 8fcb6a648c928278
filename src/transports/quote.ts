// THE one quoting function of patchctl. Every remote command line is built here, from an
// argument vector, and nowhere else (docs/architecture.md, "Transports"). quote.test.ts fuzzes it against the
// real /bin/sh (dash) and bash.
//
// Format: POSIX single quotes around every argument; a single quote inside is written as
// '\'' (close, backslash-escaped quote, reopen); the empty string is ''. Inside single
// quotes a POSIX shell treats every byte literally — `$`, backticks, `\`, `*`, `?`, `[`,
// `~`, `!`, newlines — so no expansion of any kind can happen.
//
// The line runs in the remote login shell, which must be a POSIX shell (sh, dash, bash, ksh,
// zsh); csh/tcsh and fish quote differently and are not supported.

import { argumentProblem, envNameProblem, programProblem, SCRUBBED_ENV } from '../core/command/argv.js';
import { InvalidCommandError } from './errors.js';
import type { RemoteCommand } from './types.js';

// What a command may hold is decided in core/command/argv.ts, which `validate` also uses to
// report hooks and health checks that could never run (docs/security.md).
export { SCRUBBED_ENV } from '../core/command/argv.js';

/** `arg` as one POSIX shell word that the shell turns back into exactly `arg`. */
export function shellQuote(arg: string): string {
  const problem = argumentProblem(arg);
  if (problem !== undefined) {
    throw new InvalidCommandError(
      typeof arg === 'string'
        ? `argument ${JSON.stringify(arg)} ${problem}`
        : `cannot quote a ${typeof arg}: arguments are strings`,
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
  const problem = programProblem(argv[0]);
  if (problem !== undefined) throw new InvalidCommandError(problem);
  const words = ['exec'];
  if (cmd.sudo === true) words.push('sudo', '-n', '--');
  words.push('env', ...SCRUBBED_ENV);
  const env = Object.entries(cmd.env ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (const [name, value] of env) {
    const nameProblem = envNameProblem(name);
    if (nameProblem !== undefined) throw new InvalidCommandError(nameProblem);
    words.push(`${name}=${shellQuote(value)}`);
  }
  for (const arg of argv) words.push(shellQuote(arg));
  return words.join(' ');
}
