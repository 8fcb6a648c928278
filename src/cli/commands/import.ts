import path from 'node:path';
import { Command } from 'commander';
import { closest } from '../../core/model/suggest.js';
import type { Repository } from '../../core/model/repository.js';
import { terminalLine } from '../../core/text/terminal-text.js';
import { importAnsible } from '../../engine/import-ansible.js';
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
    "bring other tools' data into the repository: scanner findings, Ansible inventories",
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
  cmd.addCommand(ansibleCommand(io, setExit));
  return cmd;
}

interface RawAnsible extends RawCommon {
  inventory: string;
  output?: string;
  name?: string;
  groupPrefix?: string;
}

/** `patchctl import ansible -i INVENTORY [-o DIR] [--name NAME]` (docs/import-ansible.md). */
function ansibleCommand(io: Io, setExit: (code: number) => void): Command {
  const ansible = new Command('ansible')
    .description('read an Ansible inventory (INI, YAML, a directory) into Inventory and Group documents')
    .requiredOption(
      '-i, --inventory <path>',
      'the Ansible inventory: a file or a directory, as `ansible-inventory -i`',
    )
    .option(
      '-o, --output <dir>',
      'write inventory/NAME.yaml and groups/NAME.yaml under this directory instead of the repository',
    )
    .option(
      '--name <name>',
      "the Inventory's name and the files' base name (default: the inventory file's name)",
    )
    .option(
      '--group-prefix <prefix>',
      "put this before every imported group's name (e.g. prod-), to keep two imports apart",
    )
    .addHelpText(
      'after',
      `
Examples:
  $ patchctl import ansible -i hosts.ini              # writes inventory/hosts.yaml and groups/hosts.yaml
  $ patchctl import ansible -i ~/ansible/inventory/ --name prod
  $ patchctl import ansible -i site.yml -o /tmp/review  # look before adding them to the repository
  $ patchctl import ansible -i staging.ini --group-prefix staging-   # groups staging-web, staging-db...

The inventory is read as ansible-inventory (ansible-core 2.14) reads it: INI or YAML, host ranges,
children, group and host variables, group_vars/ and host_vars/ next to it. ansible_host,
ansible_port, ansible_user, ansible_connection (winrm, local), a ProxyJump in
ansible_ssh_common_args or ansible_ssh_extra_args and ansible_ssh_private_key_file become host
fields; each group becomes a label ansible/<group>: "true" and a Group document. Every other
variable is reported on stderr (and in the written file's header), with its hosts and where it
is set. Nothing is written when a file exists already or a host or group name is in the
repository already. TOML inventories and inventory plugin configurations are refused: convert
them with \`ansible-inventory -i FILE --list -y > inventory.yml\` first.
Exit status: 0 imported, 1 refused (existing file or name) or unreadable, 3 an inventory Ansible
would reject (file:line:col).`,
    );
  addCommonOptions(ansible, ['text', 'json']);
  ansible.action((raw: RawAnsible) => {
    const opts = commonOptions(raw, io);
    const result = importAnsible({
      input: path.resolve(io.cwd, raw.inventory),
      inputLabel: raw.inventory,
      repoDir: opts.dir,
      ...(raw.output === undefined ? {} : { outDir: path.resolve(io.cwd, raw.output) }),
      ...(raw.name === undefined ? {} : { name: raw.name }),
      ...(raw.groupPrefix === undefined ? {} : { groupPrefix: raw.groupPrefix }),
    });
    if (opts.format === 'json') {
      io.stdout(
        `${JSON.stringify(
          {
            name: result.name,
            hosts: result.hosts,
            groups: result.groups,
            written: result.written,
            renamed: result.mapping.renamed,
            mapped: result.mapping.mapped,
            unmapped: result.mapping.unmapped,
            emptyGroups: result.mapping.emptyGroups,
            warnings: result.warnings,
          },
          null,
          2,
        )}\n`,
      );
    } else {
      if (!opts.quiet) {
        for (const w of result.warnings) io.stderr(`${terminalLine(w)}\n`);
        for (const line of result.report) io.stderr(`${terminalLine(line)}\n`);
      }
      io.stdout(
        `${terminalLine(
          `imported ${result.hosts} host${result.hosts === 1 ? '' : 's'} and ${result.groups} group${result.groups === 1 ? '' : 's'} from ${raw.inventory}: wrote ${result.written.join(' and ')}`,
        )}\n`,
      );
    }
    setExit(EXIT_OK);
  });
  ansible.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  return ansible;
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
