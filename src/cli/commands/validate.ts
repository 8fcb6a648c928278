import { Command } from 'commander';
import { Chalk } from 'chalk';
import { validateRepository } from '../../engine/load-repo.js';
import {
  diagnosticsToJson,
  renderDiagnosticsGithub,
  renderDiagnosticsText,
} from '../../render/diagnostics.js';
import type { Repository } from '../../core/model/repository.js';
import type { RawCommon } from '../common-options.js';
import { addAtOption, addCommonOptions, commonOptions, parseAt } from '../common-options.js';
import { EXIT_INVALID_CONFIG, EXIT_OK } from '../exit-codes.js';
import type { Io } from '../io.js';

export function validateCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('validate')
    .description('check every document of the repository: schemas, references, rings, windows, exceptions')
    .option('--strict', 'treat warnings as errors (exit 3 when there is any)')
    .addHelpText(
      'after',
      `
Examples:
  $ patchctl validate -C ops/patching
  $ patchctl validate --at 2026-12-01T00:00:00Z --strict
  $ patchctl validate --format github      # annotations on the changed lines of a pull request

Warnings point at the traps that leave a repository valid while patching silently stops: a
policy that higher ones take over entirely, a group, ring, window, blackout or exception that
matches no host, a policy whose windows cover none of its hosts or that has no windows at all
(write "windows: []" to mean any time), a window that never opens, an advisory feed the
emergency track does not read, hosts this version cannot drive (README "What validate warns
about"). An expired exception is an error here, so that it comes back for review; plan and
apply treat it as inactive, with a warning.

Exit status: 0 valid (warnings allowed unless --strict), 3 invalid.`,
    );
  addCommonOptions(cmd, ['text', 'json', 'github']);
  addAtOption(cmd);
  cmd.action((raw: RawCommon & { strict?: boolean; at?: string }) => {
    const opts = commonOptions(raw, io);
    const at = parseAt(raw.at, io);
    const result = validateRepository(opts.dir, { at });
    // -q: errors only; with --strict warnings fail the run, so they are shown too.
    const diagnostics =
      opts.quiet && raw.strict !== true
        ? result.diagnostics.filter((d) => d.severity === 'error')
        : result.diagnostics;
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = result.diagnostics.length - errors;
    const failed = errors > 0 || (raw.strict === true && warnings > 0);
    switch (opts.format) {
      case 'json':
        io.stdout(`${JSON.stringify(diagnosticsToJson(diagnostics), null, 2)}\n`);
        break;
      case 'github': {
        // Annotations are the one output whose lines are meant as workflow commands.
        const annotations = renderDiagnosticsGithub(diagnostics, opts.dir, io.cwd);
        if (io.workflowCommand) io.workflowCommand(annotations);
        else io.stdout(annotations);
        break;
      }
      default: {
        if (opts.verbose && !opts.quiet && result.repository)
          io.stdout(`${inventoryLine(result.repository, at.toISO() ?? '')}\n`);
        io.stdout(renderDiagnosticsText(diagnostics, opts.color));
        if (!opts.quiet || failed)
          io.stdout(
            `${summaryLine(errors, warnings, result.repository?.hosts.length, failed, opts.color)}\n`,
          );
      }
    }
    setExit(failed ? EXIT_INVALID_CONFIG : EXIT_OK);
  });
  return cmd;
}

function summaryLine(
  errors: number,
  warnings: number,
  hosts: number | undefined,
  failed: boolean,
  color: boolean,
): string {
  const c = new Chalk({ level: color ? 1 : 0 });
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (!failed) {
    const tail = warnings > 0 ? ` with ${plural(warnings, 'warning')}` : '';
    return c.green(`valid${tail}: ${plural(hosts ?? 0, 'host')}`);
  }
  return c.red(`invalid: ${plural(errors, 'error')}, ${plural(warnings, 'warning')}`);
}

function inventoryLine(repo: Repository, at: string): string {
  const parts: [number, string][] = [
    [repo.hosts.length, 'hosts'],
    [repo.groups.length, 'groups'],
    [repo.rollouts.length, 'rollouts'],
    [repo.windows.length, 'windows'],
    [repo.blackouts.length, 'blackouts'],
    [repo.policies.length, 'policies'],
    [repo.exceptions.length, 'exceptions'],
  ];
  return `read ${parts.map(([n, w]) => `${n} ${w}`).join(', ')}; judged at ${at}`;
}
