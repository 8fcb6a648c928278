import { Command } from 'commander';
import path from 'node:path';
import { Chalk } from 'chalk';
import { loadRepository } from '../../engine/load-repo.js';
import type { HostScanResult } from '../../engine/scan.js';
import { scanFleet } from '../../engine/scan.js';
import { CONFIG_DEFAULTS, configSpec } from '../../core/model/repository.js';
import { sshConnector } from '../ssh-connector.js';
import { commitFiles } from '../../engine/git-commit.js';
import { gitAuthorOf, prepareRepositoryCommit } from '../../engine/repo-commit.js';
import type { RawCommon } from '../common-options.js';
import {
  addCommonOptions,
  commonOptions,
  HOSTS_OPTION_HELP,
  HOSTS_SYNTAX_HELP,
  resolveHostsOption,
} from '../common-options.js';
import { EXIT_FAILURE, EXIT_OK } from '../exit-codes.js';
import type { Io } from '../io.js';
import { UsageError } from '../../errors.js';

interface RawScan extends RawCommon {
  commit?: boolean;
  push?: boolean;
  hosts?: string;
  concurrency?: string;
  acceptNewHostKeys?: boolean;
  refresh?: boolean;
}

export function scanCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('scan')
    .description('connect to the hosts and record what their package managers report in state/hosts/')
    .option('--hosts <list>', HOSTS_OPTION_HELP)
    .option('--concurrency <n>', 'hosts scanned at once (default: the Config concurrency)')
    .option('--accept-new-host-keys', "pin hosts' first-seen SSH keys into the repository's known_hosts")
    .option(
      '--no-refresh',
      'do not refresh the package index first (apt-get update, dnf makecache, zypper refresh)',
    )
    .option('--commit', 'commit the state files the scan wrote with git (not known_hosts: review that)')
    .option('--push', 'push that commit (implies --commit)')
    .addHelpText(
      'after',
      `
Examples:
  $ patchctl scan -C ops/patching
  $ patchctl scan --hosts fra-web-01,fra-web-02 --concurrency 2
  $ patchctl scan --hosts 'nyc-*,!nyc-ws-*'           # globs and group names too
  $ patchctl scan --accept-new-host-keys      # first scan of new hosts; review known_hosts in git

${HOSTS_SYNTAX_HELP}

A host that cannot be scanned keeps its last data, marked with the reason and its kind
(unreachable, auth-failed, host-key-mismatch, invalid-host-data, unsupported, failed). Data a
host reports that the state schema refuses is never stored (invalid-host-data). A changed host
key is always an error. If this machine cannot write state/ (full, read-only), no host is
blamed, no state is overwritten, and no further host is started.
Exit status: 0 every host scanned, 1 some host could not be (or state/ could not be written),
3 invalid configuration.`,
    );
  addCommonOptions(cmd, ['text', 'json']);
  cmd.action(async (raw: RawScan) => {
    const opts = commonOptions(raw, io);
    const concurrency = raw.concurrency === undefined ? undefined : Number(raw.concurrency);
    if (concurrency !== undefined && (!Number.isInteger(concurrency) || concurrency < 1)) {
      throw new UsageError(`--concurrency "${raw.concurrency}" must be a whole number of at least 1`);
    }
    const { repository, inputs } = loadRepository(opts.dir, { at: io.now() });
    const spec = configSpec(repository);
    const hosts = resolveHostsOption(raw.hosts, repository);
    const connect = await sshConnector(opts.dir, repository, io.env, {
      acceptNewHostKeys: raw.acceptNewHostKeys === true,
      ...(opts.verbose && !opts.quiet ? { verbose: { say: (l: string) => io.stderr(l) } } : {}),
      onHostKeyPinned: (p) => {
        if (!opts.quiet && opts.format === 'text')
          io.stderr(
            `pinned new host key for ${p.names.join(',')} (${p.type} ${p.fingerprint}) into known_hosts\n`,
          );
      },
    });
    const prepared =
      raw.commit === true || raw.push === true
        ? prepareRepositoryCommit(opts.dir, repository, inputs.keys(), raw.push === true)
        : undefined;
    const c = new Chalk({ level: opts.color ? 1 : 0 });
    const results = await scanFleet(opts.dir, repository, {
      ...(hosts ? { hosts } : {}),
      concurrency: concurrency ?? spec.concurrency ?? CONFIG_DEFAULTS.concurrency,
      now: io.now,
      refresh: raw.refresh !== false,
      connect,
      observer: {
        hostFinished: (r) => {
          if (opts.format === 'text' && !(opts.quiet && r.status === 'scanned')) io.stdout(`${line(r, c)}\n`);
        },
      },
    });
    if (opts.format === 'text')
      for (const r of results) if (r.status === 'not-started') io.stdout(`${line(r, c)}\n`);
    if (opts.format === 'json') io.stdout(`${JSON.stringify(results, null, 2)}\n`);
    else if (!opts.quiet) io.stdout(`${summary(results)}\n`);
    // `unsupported` is recorded, not failed: this version cannot drive the host (README "The plan").
    setExit(results.every((r) => SCAN_OK.has(r.status)) ? EXIT_OK : EXIT_FAILURE);
    // Said on stderr whatever the format and --quiet: a changed key may be an interception, and a
    // local error is this machine's, not a host's.
    for (const r of results)
      if (r.status === 'host-key-mismatch')
        io.stderr(
          `error host-key-changed: ${r.host}: its host key changed since it was pinned in known_hosts (possible interception); nothing was read from it. Verify the host's new key out of band, then update known_hosts\n`,
        );
    const local = results.filter((r) => r.status === 'local-error');
    if (local.length > 0) {
      const notStarted = results.filter((r) => r.status === 'not-started').length;
      for (const r of local) io.stderr(`patchctl: ${r.message ?? 'a local error'}\n`);
      io.stderr(
        `patchctl: the state of ${local.length} host${local.length === 1 ? '' : 's'} could not be recorded on this machine` +
          `${notStarted > 0 ? `, and ${notStarted} host${notStarted === 1 ? ' was' : 's were'} not scanned` : ''}; ` +
          `their state files were left as they were. Fix the problem above (free space, permissions, a file that is not a regular file), then scan again` +
          `${prepared ? '. Nothing was committed' : ''}.\n`,
      );
      return;
    }
    if (prepared) {
      const files = results.flatMap((r) => (r.file ? [path.resolve(opts.dir, r.file)] : []));
      const outcome = commitFiles(
        prepared,
        { files, message: scanCommitMessage(results), author: gitAuthorOf(repository) },
        { push: raw.push === true },
      );
      if (!opts.quiet && opts.format === 'text')
        io.stdout(
          outcome.committed
            ? `Committed ${outcome.files.length} state files in ${outcome.commit?.slice(0, 12) ?? '?'}` +
                `${outcome.pushed ? `; pushed to ${outcome.pushedTo ?? 'the remote'}` : ''}\n`
            : 'Nothing to commit: no state file changed.\n',
        );
    }
  });
  return cmd;
}

/** Results that do not fail a scan: `unsupported` says what this version cannot drive. */
const SCAN_OK: ReadonlySet<HostScanResult['status']> = new Set(['scanned', 'skipped', 'unsupported']);

function line(r: HostScanResult, c: InstanceType<typeof Chalk>): string {
  if (r.status === 'scanned') {
    const warn = r.message ? c.yellow(` (${r.message})`) : '';
    return `${c.green('✓')} ${r.host}: ${r.updates} pending update${r.updates === 1 ? '' : 's'}, ${r.security} security${warn}`;
  }
  if (r.status === 'skipped') return `${c.dim('-')} ${r.host}: skipped: ${r.message}`;
  if (r.status === 'unsupported') return `${c.yellow('?')} ${r.host}: unsupported: ${r.message}`;
  if (r.status === 'not-started') return `${c.dim('-')} ${r.host}: ${r.message}`;
  if (r.status === 'local-error')
    return `${c.red('✗')} ${r.host}: not recorded (a problem on this machine, not on the host): ${r.message}`;
  return `${c.red('✗')} ${r.host}: ${r.status}: ${r.message}`;
}

function scanCommitMessage(results: readonly HostScanResult[]): string {
  const body = results.map(
    (r) => `${r.host}: ${r.status}${r.status === 'scanned' ? `, ${r.updates ?? 0} pending updates` : ''}`,
  );
  return `patchctl scan: ${summary(results)}\n\n${body.join('\n')}\n`;
}

function summary(results: readonly HostScanResult[]): string {
  const count = (...statuses: HostScanResult['status'][]) =>
    results.filter((r) => statuses.includes(r.status)).length;
  const ok = count('scanned');
  const skipped = count('skipped');
  const unsupported = count('unsupported');
  const local = count('local-error');
  const notStarted = count('not-started');
  const failed = results.length - ok - skipped - unsupported - local - notStarted;
  const parts = [
    failed ? `${failed} failed` : '',
    unsupported ? `${unsupported} unsupported` : '',
    local ? `${local} not recorded (local error)` : '',
    notStarted ? `${notStarted} not started` : '',
    skipped ? `${skipped} skipped` : '',
  ].filter((p) => p !== '');
  return `Scanned ${ok} of ${results.length} hosts${parts.map((p) => `, ${p}`).join('')}.`;
}
