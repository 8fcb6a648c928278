// The only top-level catch: user mistakes print a message and exit with their code; anything
// else is a bug and says so.
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import type { LocalIoAction } from '../errors.js';
import { isLocalIoErrno, LocalIoError, PatchctlError } from '../errors.js';
import { advisoriesCommand } from './commands/advisories.js';
import { completionCommand } from './commands/completion.js';
import { versionCommand } from './commands/version.js';
import { forceUnlockCommand } from './commands/force-unlock.js';
import { applyCommand } from './commands/apply.js';
import { exceptionsCommand } from './commands/exceptions.js';
import { importCommand } from './commands/import.js';
import { initCommand } from './commands/init.js';
import { reportCommand } from './commands/report.js';
import { rolloutCommand } from './commands/rollout.js';
import { planCommand } from './commands/plan.js';
import { scanCommand } from './commands/scan.js';
import { statusCommand } from './commands/status.js';
import { validateCommand } from './commands/validate.js';
import { configureRedaction, refuseShortSecrets } from '../platform/redact.js';
import { useColor } from './common-options.js';
import { EXIT_FAILURE, EXIT_OK } from './exit-codes.js';
import type { Io } from './io.js';
import { processIo, safeIo } from './io.js';

/** package.json sits two levels above both src/cli and dist/cli. */
export const VERSION = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * Commands that contact hosts or print or write what hosts said: they refuse to run with a
 * secret too short to redact (docs/security.md). validate, init, exceptions and force-unlock
 * read only the repository (and the lock) and still redact every secret long enough.
 */
export const COMMANDS_REFUSING_SHORT_SECRETS: ReadonlySet<string> = new Set([
  'scan',
  'plan',
  'apply',
  'report',
  'status',
]);

export async function main(argv: readonly string[], rawIo: Io = processIo()): Promise<number> {
  // One redaction layer and one terminal sanitiser for everything any command prints.
  configureRedaction(rawIo.env);
  const io = safeIo(rawIo, { colour: useColor(!argv.includes('--no-color'), 'text', rawIo) });
  let exitCode = EXIT_OK;
  const setExit = (code: number) => {
    exitCode = code;
  };
  const program = new Command('patchctl')
    .description('GitOps patch management: declarative policies, planned rollouts, compliance in git')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ patchctl init ops/patching               # a complete, commented repository to start from
  $ patchctl validate -C ops/patching        # exit 0 valid, 3 invalid
  $ patchctl validate --format github        # pull-request annotations in GitHub Actions
  $ patchctl plan -C ops/patching            # what apply would do, ring by ring
  $ patchctl scan -C ops/patching            # record what the hosts have and lack in state/hosts/
  $ patchctl apply -C ops/patching           # plan, ask, then patch ring by ring
  $ patchctl report --commit                 # compliance report into reports/, committed with git
  $ patchctl status -C ops/patching          # rollout progress: rings done, baking, halted; the last apply
  $ patchctl exceptions --expiring 14d       # exceptions by expiry; exit 1 when one has expired
  $ patchctl force-unlock ID                 # remove the lock left by an apply that is gone
  $ patchctl rollout release servers --ring canary --reason "…"   # clear a halt: who and why recorded

Global conventions: -C DIR, --format, --no-color (or NO_COLOR), --quiet, --verbose.
Exit codes: 0 ok, 1 failure, 2 changes pending (plan --detailed-exitcode), 3 invalid configuration.`,
    )
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .hook('preAction', (_program, action) => {
      // Before anything touches a host or writes a file.
      if (COMMANDS_REFUSING_SHORT_SECRETS.has(action.name())) refuseShortSecrets(action.name());
    });
  for (const sub of [
    initCommand(io, setExit),
    validateCommand(io, setExit),
    scanCommand(io, setExit),
    planCommand(io, setExit),
    applyCommand(io, setExit),
    reportCommand(io, setExit),
    statusCommand(io, setExit),
    exceptionsCommand(io, setExit),
    forceUnlockCommand(io, setExit),
    rolloutCommand(io, setExit),
    advisoriesCommand(io, setExit),
    importCommand(io, setExit),
    versionCommand(io, setExit, VERSION),
    completionCommand(io, setExit, VERSION),
  ]) {
    sub.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
    program.addCommand(sub);
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode; // commander printed the reason
    if (err instanceof PatchctlError) {
      io.stderr(`patchctl: ${err.message}\n`);
      return err.exitCode;
    }
    // A full disk or a read-only checkout is this machine's problem, not a bug: name the path.
    if (isLocalIoErrno(err)) {
      const local = LocalIoError.from(err, ioAction(err.syscall), err.path ?? 'a file');
      io.stderr(`patchctl: ${local.message}\n`);
      return local.exitCode;
    }
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    io.stderr(`patchctl: internal error (a bug in patchctl, please report it with this text):\n${detail}\n`);
    return EXIT_FAILURE;
  }
}

function ioAction(syscall: string | undefined): LocalIoAction {
  if (syscall === undefined) return 'write';
  if (syscall === 'open') return 'open';
  if (/^(mkdir|mkdtemp|symlink|link|copyfile)/.test(syscall)) return 'create';
  if (/^(unlink|rmdir|rm)/.test(syscall)) return 'remove';
  if (syscall.startsWith('rename')) return 'rename';
  if (/^(read|scandir|stat|lstat|realpath|access)/.test(syscall)) return 'read';
  return 'write';
}
