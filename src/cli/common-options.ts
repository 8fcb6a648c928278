// The conventions every command shares: -C DIR, --format, colours (NO_COLOR, --no-color, TTY),
// --quiet/--verbose, --at, and the names given on the command line (--hosts, --ring).
import path from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import { DateTime } from 'luxon';
import { resolveGroups } from '../core/model/groups.js';
import { selectHosts } from '../core/model/host-selector.js';
import { instantRangeProblem } from '../core/model/instant.js';
import type { Repository } from '../core/model/repository.js';
import { ringNameProblem, ringNames } from '../core/plan/ring-names.js';
import { describeNotFound, findRepository } from '../engine/find-repository.js';
import { UsageError } from '../errors.js';
import type { Io } from './io.js';

export interface CommonOptions {
  /** The repository, absolute. */
  dir: string;
  format: string;
  color: boolean;
  quiet: boolean;
  verbose: boolean;
}

export interface RawCommon {
  directory?: string;
  format?: string;
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}

export function addCommonOptions(
  cmd: Command,
  formats: readonly string[],
  defaultFormat = formats[0],
): Command {
  return cmd
    .option('-C, --directory <dir>', REPOSITORY_OPTION_HELP)
    .addOption(new Option('--format <format>', 'output format').choices([...formats]).default(defaultFormat))
    .option('--no-color', 'never colour the output (NO_COLOR does the same)')
    .option('-q, --quiet', QUIET_HELP)
    .option('-v, --verbose', VERBOSE_HELP);
}

/** The help of `-C`, the same on every command that has it. */
export const REPOSITORY_OPTION_HELP =
  'the patchctl repository to work in (default: the working directory or its nearest parent holding patchctl.yaml, like git)';

/**
 * The repository a command works on: `-C DIR` exactly, else found by walking up from the
 * working directory (engine/find-repository.ts). When it is not the working directory itself,
 * or none was found, stderr says which directory it is (the diagnostics' paths are relative to
 * it), unless --quiet.
 */
export function repositoryDir(directory: string | undefined, io: Io, quiet = false): string {
  const lookup = findRepository(io.cwd, directory);
  if (!quiet && lookup.how === 'found' && lookup.dir !== path.resolve(io.cwd))
    io.stderr(`patchctl: repository ${lookup.dir} (patchctl.yaml found above the working directory)\n`);
  if (!quiet && lookup.how === 'not-found') io.stderr(`patchctl: ${describeNotFound(lookup)}\n`);
  return lookup.dir;
}

/**
 * What `-q` keeps, per command: errors (and warnings that change what is done: an expired
 * exception, a changed host key) and the command's result. The result is what a script reads:
 * plan: the plan in the chosen format (no "Saved the plan" line); scan and apply: the hosts that
 * failed and a halted ring (nothing when all went well: the exit status says it); validate: the
 * errors; status, exceptions: the listing; advisories sync: the feeds that failed;
 * rollout release, force-unlock: the one line saying what was done. --format json is the
 * result itself and is never shortened. -q wins over -v.
 */
export const QUIET_HELP =
  "print only errors and the command's result (plan: the plan; scan, apply: failed hosts; validate: errors); -q wins over -v";

/** `-v`: more detail; on scan and apply each remote command as it runs (cli/verbose-transport.ts). */
export const VERBOSE_HELP =
  'print more detail: warnings, and on scan and apply each remote command (host, command line, exit status, duration; secrets redacted) on stderr';

export function commonOptions(raw: RawCommon, io: Io): CommonOptions {
  const format = raw.format ?? 'text';
  return {
    dir: repositoryDir(raw.directory, io, raw.quiet === true),
    format,
    color: useColor(raw.color !== false, format, io),
    quiet: raw.quiet === true,
    verbose: raw.verbose === true,
  };
}

/** https://no-color.org: any non-empty NO_COLOR turns colours off; so do pipes and dumb terminals. */
export function useColor(flag: boolean, format: string, io: Io): boolean {
  if (!flag || format !== 'text' || !io.isTTY) return false;
  if ((io.env.NO_COLOR ?? '') !== '') return false;
  if (io.env.TERM === 'dumb') return false;
  return true;
}

export function addAtOption(cmd: Command): Command {
  return cmd.option(
    '--at <time>',
    'judge windows and exceptions at this ISO 8601 time instead of now (1970-01-01T00:00:00Z to 9999-12-31T23:59:59Z)',
  );
}

/**
 * `--at` (default: the clock), refused with a usage error (exit 1) when it is not an ISO 8601
 * time or lies outside 1970-01-01T00:00:00Z..9999-12-31T23:59:59Z (core/model/instant.ts).
 */
export function parseAt(text: string | undefined, io: Io): DateTime {
  if (text === undefined) {
    const now = io.now();
    const problem = instantRangeProblem(now);
    if (problem !== undefined) throw new UsageError(`the clock says ${now.toISO() ?? '?'}: ${problem}`);
    return now;
  }
  const at = DateTime.fromISO(text, { setZone: true, zone: 'UTC' });
  if (!at.isValid) {
    throw new UsageError(`--at ${JSON.stringify(text)} is not an ISO 8601 time (e.g. 2026-12-01T00:00:00Z)`);
  }
  const problem = instantRangeProblem(at);
  if (problem !== undefined) throw new UsageError(`--at ${JSON.stringify(text)}: ${problem}`);
  return at;
}

/** The help of `--hosts`, the same on every command that has it (core/model/host-selector.ts). */
export const HOSTS_OPTION_HELP =
  'only these hosts: comma-separated host names, globs (web-*, db-0?) and group names; !NAME leaves out';

/** For the help texts' footers: the `--hosts` syntax in full. */
export const HOSTS_SYNTAX_HELP = `--hosts takes host names, globs over host names (* any run of characters, ? one character)
and group names, comma-separated: \`--hosts 'web-*,databases,!fra-db-01'\`. Terms add up, then
every !term is left out (only !terms: every host but those). A name that is neither a host
nor a group, a glob that matches no host or an empty group is an error naming the closest
match.`;

/**
 * The hosts `--hosts` selects, in inventory order (undefined without the flag), or a usage error
 * (exit 1, like every bad flag value) listing each unknown name with the closest match.
 */
export function resolveHostsOption(
  text: string | undefined,
  repo: Pick<Repository, 'hosts' | 'groups'>,
): string[] | undefined {
  if (text === undefined) return undefined;
  const selection = selectHosts(text, {
    hosts: repo.hosts.map((h) => h.name),
    groups: resolveGroups(repo),
  });
  if (selection.ok) return selection.hosts;
  const [only] = selection.problems;
  const head = `--hosts ${JSON.stringify(text)}`;
  if (selection.problems.length === 1 && only !== undefined) throw new UsageError(`${head}: ${only}`);
  throw new UsageError(`${head}:\n${selection.problems.map((p) => `  ${p}`).join('\n')}`);
}

/** `--ring NAME`: a usage error naming the closest ring when no rollout has it (exit 1). */
export function checkRingOption(ring: string | undefined, repo: Pick<Repository, 'rollouts'>): void {
  if (ring === undefined) return;
  const problem = ringNameProblem(ring, ringNames(repo));
  if (problem !== undefined) throw new UsageError(`--ring: ${problem}`);
}
