// `patchctl advisories sync`: refresh the vulnerability feeds under advisories/
// (docs/vulnerabilities.md, "Syncing the feeds").
import { Command } from 'commander';
import type { DateTime } from 'luxon';
import type { Repository } from '../../core/model/repository.js';
import { CONFIG_DEFAULTS } from '../../core/model/repository.js';
import { durationToMillis, parseDuration } from '../../core/schedule/duration.js';
import type { FeedResult } from '../../engine/advisories-sync.js';
import { scannedEcosystems, syncAdvisories } from '../../engine/advisories-sync.js';
import { folderPath, validateRepository } from '../../engine/load-repo.js';
import { ConfigError, UsageError } from '../../errors.js';
import { configSecretEnvNames, registerSecretEnvNames } from '../../platform/redact.js';
import type { RawCommon } from '../common-options.js';
import { addCommonOptions, commonOptions } from '../common-options.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import type { Io } from '../io.js';

interface RawSync extends RawCommon {
  feed?: string[];
  timeout?: string;
}

export const DEFAULT_SYNC_TIMEOUT = '10m';

export function advisoriesCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('advisories').description('manage the vulnerability feeds under advisories/');
  const sync = new Command('sync')
    .description(
      'download the vulnerability feeds (CISA KEV, EPSS, OSV) into advisories/, checked, atomically',
    )
    .option('--feed <name>', 'sync only this feed (repeatable; default: every feed)', collect, [])
    .option(
      '--timeout <duration>',
      'give up on a download after this long (e.g. 90s, 5m)',
      DEFAULT_SYNC_TIMEOUT,
    )
    .addHelpText(
      'after',
      `
Examples:
  $ patchctl advisories sync -C ops/patching
  $ patchctl advisories sync --feed kev --feed epss --timeout 2m
  $ patchctl advisories sync --format json        # { advisories, feeds: [{ name, status, ... }] }

The feeds are Config spec.advisories.sources; without it CISA KEV (advisories/kev.json), EPSS
(advisories/epss.csv) and, per OSV ecosystem of the scanned hosts, osv.dev's records
(advisories/osv/osv-<distribution>/). Downloads are https only (plain http only to a loopback
address), at most 512 MiB each and 2 GiB decompressed; a feed's sha256 or sha256Url must match.
Every record is checked before anything is written; a feed is then replaced atomically and its
entry in advisories/sync.json (what was fetched, from where, when, its sha256) updated. A feed
that fails keeps its old files and its old entry; the others are still synced.

Exit status: 0 every feed synced (updated or unchanged), 1 a feed failed (the others were still
written), 3 invalid configuration.`,
    );
  addCommonOptions(sync, ['text', 'json']);
  sync.action(async (raw: RawSync) => {
    const opts = commonOptions(raw, io);
    const timeoutText = raw.timeout ?? DEFAULT_SYNC_TIMEOUT;
    const timeout = parseDuration(timeoutText);
    if (!timeout.ok) throw new UsageError(`--timeout: ${timeout.message}`);
    const timeoutMs = durationToMillis(timeout.value);
    if (timeoutMs <= 0) throw new UsageError('--timeout must be longer than 0s');
    const now = io.now();
    const repository = loadForSync(opts.dir, now);
    const ecosystems =
      repository.config?.doc.spec.advisories?.sources === undefined
        ? scannedEcosystems(opts.dir, repository)
        : [];
    const text = opts.format === 'text';
    if (
      text &&
      !opts.quiet &&
      (raw.feed ?? []).length === 0 &&
      repository.config?.doc.spec.advisories?.sources === undefined &&
      ecosystems.length === 0
    )
      io.stderr(
        'No OSV feed: no Config spec.advisories.sources and no scanned host with an OSV ecosystem (run patchctl scan first).\n',
      );
    const outcome = await syncAdvisories({
      dir: opts.dir,
      repository,
      feeds: raw.feed ?? [],
      timeoutMs,
      now,
      ecosystems,
      // -q: only the feeds that failed.
      onResult: text
        ? (r) => (opts.quiet && r.status !== 'failed' ? undefined : io.stdout(resultLine(r)))
        : undefined,
    });
    if (text && opts.verbose && !opts.quiet) for (const line of outcome.recovered) io.stderr(`${line}\n`);
    const failed = outcome.results.filter((r) => r.status === 'failed');
    if (opts.format === 'json') {
      io.stdout(`${JSON.stringify({ advisories: outcome.advisories, feeds: outcome.results }, null, 2)}\n`);
    } else if (failed.length > 0) {
      io.stderr(
        `patchctl: ${failed.length} of ${outcome.results.length} feed${outcome.results.length === 1 ? '' : 's'} failed (${failed.map((f) => f.name).join(', ')}); their files and sync.json entries are unchanged\n`,
      );
    }
    setExit(failed.length > 0 ? EXIT_FAILURE : EXIT_OK);
  });
  sync.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  cmd.addCommand(sync);
  return cmd;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function resultLine(r: FeedResult): string {
  const records = `${r.records ?? 0} record${r.records === 1 ? '' : 's'}`;
  switch (r.status) {
    case 'updated':
      return `${r.name}: updated, ${records} (${r.path})\n`;
    case 'unchanged':
      return `${r.name}: unchanged, ${records} (${r.path})\n`;
    case 'failed':
      return `${r.name}: failed: ${r.error ?? 'unknown reason'}\n`;
  }
}

/**
 * The repository as loadRepository gives it, except that problems with the feeds under
 * advisories/ do not stop the sync: replacing them is what it is for. Every other error still
 * exits 3.
 */
function loadForSync(dir: string, at: DateTime): Repository {
  const result = validateRepository(dir, { at, purpose: 'act' });
  const advisories = folderPath(
    result.repository?.config?.doc.spec.paths?.advisories ?? CONFIG_DEFAULTS.paths.advisories,
  );
  const prefix = advisories === '' ? '' : `${advisories}/`;
  const errors = result.diagnostics.filter(
    (d) => d.severity === 'error' && !(prefix !== '' && d.at?.file.startsWith(prefix) === true),
  );
  if (errors.length > 0 || !result.repository) throw new ConfigError(errors);
  registerSecretEnvNames(configSecretEnvNames(result.repository)); // redact.ts: Config-named secrets
  return result.repository;
}
