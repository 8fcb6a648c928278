import { Chalk } from 'chalk';
import { oneLine } from '../../core/text/control-chars.js';
import { mapStrings } from '../../core/text/map-strings.js';
import { terminalLine } from '../../core/text/terminal-text.js';
import { Command } from 'commander';
import type { DateTime } from 'luxon';
import type { Repository } from '../../core/model/repository.js';
import type { ExceptionEntry, ExceptionStatus, ExceptionsReport } from '../../core/report/exceptions.js';
import { EXCEPTION_STATUSES, reportExceptions } from '../../core/report/exceptions.js';
import { durationToMillis, formatDuration, parseDuration } from '../../core/schedule/duration.js';
import { loadRepository } from '../../engine/load-repo.js';
import { UsageError } from '../../errors.js';
import type { RawCommon } from '../common-options.js';
import { addAtOption, addCommonOptions, commonOptions, parseAt } from '../common-options.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import type { Io } from '../io.js';

interface RawExceptions extends RawCommon {
  at?: string;
  expiring?: string;
  onlyExpiring?: boolean;
}

export const DEFAULT_EXPIRING_WINDOW = '30d';

/** Host names shown per exception before "+N more". */
const HOSTS_SHOWN = 5;

export function exceptionsCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('exceptions')
    .description('list the patch exceptions with owner, scope and expiry: expired, expiring soon, active')
    .option(
      '--expiring <duration>',
      'an exception ending within this long is "expiring" (e.g. 7d, 2w)',
      DEFAULT_EXPIRING_WINDOW,
    )
    .option('--only-expiring', 'list only the expired and expiring exceptions')
    .addHelpText(
      'after',
      `
Examples:
  $ patchctl exceptions -C ops/patching
  $ patchctl exceptions --expiring 14d --only-expiring     # what needs review in the next two weeks
  $ patchctl exceptions --at 2027-01-01T00:00:00Z          # as they will stand on New Year's Day
  $ patchctl exceptions --format markdown > exceptions.md  # a pull-request comment or report
  $ patchctl exceptions --format json                      # { at, expiringWithin, exceptions: [...] }

Every exception is listed (--expiring only moves the line between "expiring" and "active");
an expiry written as a bare date lasts through that day in the time zone of patchctl.yaml.

Exit status: 0 none expired, 1 at least one exception has expired (so CI can fail on it),
3 invalid configuration (an expired exception alone does not count as invalid here).`,
    );
  addCommonOptions(cmd, ['text', 'json', 'markdown']);
  addAtOption(cmd);
  cmd.action((raw: RawExceptions) => {
    const opts = commonOptions(raw, io);
    const at = parseAt(raw.at, io);
    const windowText = raw.expiring ?? DEFAULT_EXPIRING_WINDOW;
    const window = parseDuration(windowText);
    if (!window.ok) throw new UsageError(`--expiring: ${window.message}`);
    const report = reportExceptions(loadForExceptions(opts.dir, at), at, durationToMillis(window.value));
    const listed = raw.onlyExpiring
      ? report.exceptions.filter((e) => e.status !== 'active')
      : report.exceptions;
    const within = formatDuration(window.value);
    switch (opts.format) {
      case 'json':
        io.stdout(
          `${JSON.stringify({ at: report.at, expiringWithin: within, exceptions: listed }, null, 2)}\n`,
        );
        break;
      case 'markdown':
        io.stdout(renderExceptionsMarkdown(report, listed, within));
        break;
      default:
        io.stdout(
          renderExceptionsText(report, listed, within, {
            color: opts.color,
            quiet: opts.quiet,
            verbose: opts.verbose,
          }),
        );
    }
    setExit(listed.some((e) => e.status === 'expired') ? EXIT_FAILURE : EXIT_OK);
  });
  return cmd;
}

/**
 * The repository as `loadRepository` would give it, except that an expired exception is not a
 * reason to refuse: listing those is what this command is for. Every other error still exits 3.
 */
function loadForExceptions(dir: string, at: DateTime): Repository {
  return loadRepository(dir, { at, tolerate: ['exception-expired'] }).repository;
}

// ------------------------------------------------------------------------------------- text

interface TextOptions {
  color: boolean;
  quiet: boolean;
  verbose: boolean;
}

export function renderExceptionsText(
  report: ExceptionsReport,
  entries: readonly ExceptionEntry[],
  within: string,
  options: TextOptions,
): string {
  const c = new Chalk({ level: options.color ? 1 : 0 });
  // Owners, tickets and reasons are free text: one escaped line each (docs/security.md).
  const listed = mapStrings(entries, terminalLine);
  const lines: string[] = [];
  if (!options.quiet) lines.push(`Exceptions at ${report.at}; expiring means within ${within}.`, '');
  const rows = listed.map((e) => [
    e.name,
    e.owner,
    e.ticket ?? '-',
    e.expires,
    daysPhrase(e),
    hostsPhrase(e.hosts),
    `${e.file}:${e.line}`,
  ]);
  const widths = rows.reduce<number[]>(
    (w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)),
    [],
  );
  const paint: Record<ExceptionStatus, (s: string) => string> = {
    expired: (s) => c.red(s),
    expiring: (s) => c.yellow(s),
    active: (s) => c.green(s),
  };
  for (const status of EXCEPTION_STATUSES) {
    const group = listed.flatMap((e, i) => (e.status === status ? [{ e, row: rows[i] ?? [] }] : []));
    if (group.length === 0) continue;
    lines.push(paint[status](`${statusHeading(status, within)} (${group.length})`));
    for (const { e, row } of group) {
      const cells = row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)));
      lines.push(`  ${cells.join('  ')}`);
      if (options.verbose) {
        lines.push(`      covers: ${e.hosts.join(', ') || '(no known hosts)'}`);
        lines.push(`      waives: ${[...e.packages, ...e.advisories].join(', ')}`);
        lines.push(`      reason: ${e.reason}`);
      }
    }
  }
  if (listed.length > 0) lines.push('');
  lines.push(countLine(report, listed, within));
  return `${lines.join('\n')}\n`;
}

function statusHeading(status: ExceptionStatus, within: string): string {
  switch (status) {
    case 'expired':
      return 'Expired';
    case 'expiring':
      return `Expiring within ${within}`;
    case 'active':
      return 'Active';
  }
}

function daysPhrase(e: ExceptionEntry): string {
  if (e.daysLeft === null) return 'not a real date';
  if (e.status === 'expired') {
    const ago = -e.daysLeft;
    return `expired ${ago} day${ago === 1 ? '' : 's'} ago`;
  }
  return `${e.daysLeft} day${e.daysLeft === 1 ? '' : 's'} left`;
}

function hostsPhrase(hosts: readonly string[]): string {
  if (hosts.length === 0) return '(no known hosts)';
  const shown = hosts.slice(0, HOSTS_SHOWN).join(', ');
  return hosts.length > HOSTS_SHOWN ? `${shown} +${hosts.length - HOSTS_SHOWN} more` : shown;
}

function countLine(report: ExceptionsReport, listed: readonly ExceptionEntry[], within: string): string {
  const count = (status: ExceptionStatus) => listed.filter((e) => e.status === status).length;
  const total = report.exceptions.length;
  const what =
    listed.length === total
      ? `${total} exception${total === 1 ? '' : 's'}`
      : `${listed.length} of ${total} exceptions`;
  const parts = [`${count('expired')} expired`, `${count('expiring')} expiring within ${within}`];
  if (listed.length === total) parts.push(`${count('active')} active`);
  return `${what}: ${parts.join(', ')}`;
}

// --------------------------------------------------------------------------------- markdown

const STATUS_MARK: Record<ExceptionStatus, string> = {
  expired: '🔴 expired',
  expiring: '🟡 expiring',
  active: '🟢 active',
};

export function renderExceptionsMarkdown(
  report: ExceptionsReport,
  listed: readonly ExceptionEntry[],
  within: string,
): string {
  const out = ['### Patch exceptions', '', `At ${report.at}; expiring means within ${within}.`, ''];
  if (listed.length === 0) {
    out.push(report.exceptions.length === 0 ? 'No exceptions.' : 'No expired or expiring exceptions.');
  } else {
    out.push(
      '| Status | Exception | Owner | Ticket | Covers | Waives | Expires | Days left |',
      '| --- | --- | --- | --- | --- | --- | --- | ---: |',
    );
    for (const e of listed) {
      const waives = [...e.packages, ...e.advisories].map((w) => `\`${w}\``).join(', ');
      out.push(
        `| ${[
          STATUS_MARK[e.status],
          `\`${e.name}\` (${e.file}:${e.line})`,
          e.owner,
          e.ticket ?? '',
          hostsPhrase(e.hosts),
          waives,
          e.expires,
          e.daysLeft === null ? '' : String(e.daysLeft),
        ]
          .map(cell)
          .join(' | ')} |`,
      );
    }
    out.push('', countLine(report, listed, within).replace(/^([^:]+):/, '**$1**:'));
  }
  return `${out.join('\n')}\n`;
}

/**
 * A table cell: one line with control characters escaped, pipes escaped, no HTML tag (owners,
 * tickets and reasons are free text; docs/security.md).
 */
function cell(text: string): string {
  return oneLine(text).replace(/\|/g, '\\|').replace(/</g, '&lt;');
}
