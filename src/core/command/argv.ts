// What makes an argument vector impossible to run as one remote command. THE quoting function
// (transports/quote.ts commandLine) refuses such a command when it is about to run, and
// `validate` (model/rules/commands.ts) reports it in the documents long before: both ask here,
// so the two can never disagree (docs/security.md, "Inputs that validate must be able to run").
//
// The command line is `exec [sudo -n --] env LC_ALL=C LANG=C PATH=… [NAME='value'…] 'argv0' …`,
// hence the rules on argv[0]: `env` would read a program holding `=` as a variable assignment,
// and one starting with `-` as an option of its own.

/** The environment every remote command starts from (README.md, "Apply": scrubbed, `LC_ALL=C`). */
export const SCRUBBED_ENV: readonly string[] = ['LC_ALL=C', 'LANG=C', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin'];

const ENV_NAME = /^[A-Z_][A-Z0-9_]*$/;
const FIXED_ENV_NAMES: ReadonlySet<string> = new Set(
  SCRUBBED_ENV.map((assignment) => assignment.slice(0, assignment.indexOf('='))),
);
// With the `u` flag a class of surrogates matches only unpaired ones.
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Why `arg` cannot be one argument of a command line, or undefined when it can. */
export function argumentProblem(arg: unknown): string | undefined {
  if (typeof arg !== 'string') return `is a ${typeof arg}: arguments are strings`;
  if (arg.includes('\0')) return 'holds a NUL byte, which no command line can carry';
  if (LONE_SURROGATE.test(arg)) return 'holds an unpaired UTF-16 surrogate, which UTF-8 cannot carry';
  return undefined;
}

/**
 * Why `program` cannot be argv[0], or undefined when it can (its characters are checked as an
 * argument's, by argumentProblem).
 */
export function programProblem(program: string | undefined): string | undefined {
  if (program === undefined) return 'a command needs at least a program name (argv is empty)';
  if (program === '') return 'the program name (argv[0]) is empty';
  if (program.includes('=')) {
    return `the program name ${JSON.stringify(program)} holds "=": env would read it as a variable assignment`;
  }
  if (program.startsWith('-')) return `the program name ${JSON.stringify(program)} starts with "-"`;
  return undefined;
}

/** Why `name` cannot be an extra environment variable of a command, or undefined. */
export function envNameProblem(name: string): string | undefined {
  if (!ENV_NAME.test(name)) {
    return `environment variable name ${JSON.stringify(name)} does not match ^[A-Z_][A-Z0-9_]*$`;
  }
  if (FIXED_ENV_NAMES.has(name)) return `environment variable ${name} is fixed by the scrubbed environment`;
  return undefined;
}

export interface ArgvProblem {
  /** The argument at fault (0: the program), or undefined for the vector as a whole. */
  index: number | undefined;
  /** A sentence without subject for an argument ("holds a NUL byte…"), a whole one otherwise. */
  message: string;
  part: 'program' | 'argument' | 'argv';
}

/** Every reason why `argv` cannot run as a remote command, in argument order (none: it can). */
export function argvProblems(argv: readonly unknown[]): ArgvProblem[] {
  const out: ArgvProblem[] = [];
  const program = argv[0];
  if (program === undefined) {
    const message = programProblem(undefined) ?? '';
    out.push({ index: undefined, message, part: 'argv' });
    return out;
  }
  if (typeof program === 'string') {
    const problem = programProblem(program);
    if (problem) out.push({ index: 0, message: problem, part: 'program' });
  }
  argv.forEach((arg, index) => {
    const problem = argumentProblem(arg);
    if (problem) out.push({ index, message: problem, part: 'argument' });
  });
  return out;
}
