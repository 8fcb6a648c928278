import path from 'node:path';
import { Command } from 'commander';
import { closest } from '../../core/model/suggest.js';
import type { Repository } from '../../core/model/repository.js';
import { terminalLine } from '../../core/text/terminal-text.js';
import type { HostImport } from '../../engine/import-findings.js';
import { importFindings } from '../../engine/import-findings.js';
import { loadRepository } from '../../engine/load-repo.js';
import { UsageError } from '../../errors.js';
import type { RawCommon } from '../common-options.js';
import { addCommonOptions, commonOptions, parseAt } from '../common-options.js';
import { EXIT_OK } from '../exit-codes.js';
import type { Io } from '../io.js';

interface RawFindings extends RawCommon {
  host?: string;
  at?: string;
}

/** `patchctl import …`: bring what other tools know into the repository (docs/vulnerabilities.md). */
export function importCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('import').description(
    "bring other tools' data into the repository: scanner findings",
  );
  const findings = new Command('findings')
    .description(
      'read vulnerability scanners’ findings (Trivy, Grype, OSV-Scanner JSON) into advisories/findings/',
    )
    .argument('<file...>', 'findings files: Trivy JSON, Grype JSON or OSV-Scanner JSON (detected)')
    .option('--host <name>', 'the inventory host the files are about (default: the host the scanner names)')
    .option('--at <time>', 'the scan time of files whose scanner states none (ISO 8601; default: now)')
    .addHelpText(
      'after',
      `
Examples:
  $ trivy rootfs --format json --output web-01.trivy.json /      # on the host
  $ patchctl import findings web-01.trivy.json --host fra-web-01
  $ patchctl import findings grype.json osv.json --host fra-db-01 # both merged into one host's findings
  $ patchctl import findings report.json --format json

The format is detected from the file. The host is --host, else what the scanner says it scanned
(Trivy ArtifactName, Grype source.target, OSV-Scanner's first source path) when that is an
inventory host's name or address. Findings on OS packages are kept (deb, rpm, apk); findings on
language packages (npm, PyPI, Go…) are left out and counted. Each host's findings are written to
advisories/findings/<host>.json, replacing that host's previous findings; several files for one
host are merged (each vulnerability, package and installed version once). A file that cannot be
read or is not one of the formats is an error at file:line:col, and nothing is written.
Exit status: 0 imported, 1 a file could not be used or names no inventory host, 3 invalid
configuration.`,
    );
  addCommonOptions(findings, ['text', 'json']);
  findings.action((files: string[], raw: RawFindings) => {
    const opts = commonOptions(raw, io);
    const at = parseAt(raw.at, io);
    const { repository } = loadRepository(opts.dir, { at });
    if (raw.host !== undefined) checkHostOption(raw.host, repository);
    const result = importFindings(opts.dir, repository, {
      files: files.map((f) => ({ path: path.resolve(io.cwd, f), label: f })),
      ...(raw.host === undefined ? {} : { host: raw.host }),
      at,
    });
    if (opts.format === 'json') io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    else if (!opts.quiet) for (const h of result.hosts) io.stdout(`${terminalLine(hostLine(h))}\n`);
    setExit(EXIT_OK);
  });
  findings.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  cmd.addCommand(findings);
  return cmd;
}

/** `--host NAME` must be an inventory host: a usage error naming the closest one (as `--hosts`). */
function checkHostOption(name: string, repository: Pick<Repository, 'hosts'>): void {
  const names = repository.hosts.map((h) => h.name);
  if (names.includes(name)) return;
  const hint = closest(name, names);
  throw new UsageError(
    `--host ${JSON.stringify(name)}: no host named ${JSON.stringify(name)} in the inventory` +
      (hint === undefined ? '' : `; did you mean ${JSON.stringify(hint)}?`),
  );
}

/** `web-01: 12 findings from trivy (report.json), 3 without a fix; …` */
export function hostLine(h: HostImport): string {
  const from = h.sources.map((s) => `${s.format} (${s.file})`).join(' and ');
  const parts = [
    `${h.host}: ${h.findings} finding${h.findings === 1 ? '' : 's'} from ${from}, ${h.withoutFix} without a fix`,
  ];
  if (h.leftOut > 0) parts.push(`${h.leftOut} on language packages left out (patchctl patches OS packages)`);
  parts.push(
    h.replaced === null
      ? `written to ${h.file}`
      : `written to ${h.file}, replacing its previous findings${h.replaced.findings === null ? '' : ` (${h.replaced.findings})`}`,
  );
  return parts.join('; ');
}
