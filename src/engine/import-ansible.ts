// `patchctl import ansible`: an Ansible inventory into Inventory and Group documents
// (docs/import-ansible.md).
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import type { AnsibleMapping } from '../core/ansible/to-patchctl.js';
import { mapAnsibleInventory, patchctlName, unmappedReport } from '../core/ansible/to-patchctl.js';
import { CONFIG_DEFAULTS, configSpec } from '../core/model/repository.js';
import { UsageError } from '../errors.js';
import { writeFileAtomic } from '../platform/atomic-write.js';
import { readAnsibleInventoryPath } from './import-ansible-read.js';
import { folderPath, validateRepository } from './load-repo.js';
import { readSchemaTexts } from './schemas.js';

export interface AnsibleImportOptions {
  /** The inventory file or directory (absolute), and how messages name it. */
  input: string;
  inputLabel: string;
  /** The repository: where the documents go (unless `outDir`), and whose hosts and groups the
   *  imported ones may not duplicate. */
  repoDir: string;
  /** Write `inventory/NAME.yaml` and `groups/NAME.yaml` under this directory instead. */
  outDir?: string;
  /** The Inventory's name and the files' base name (default: from the inventory's file name). */
  name?: string;
  /** Put before each group's name (Group documents and labels). */
  groupPrefix?: string;
}

export interface AnsibleImportResult {
  name: string;
  hosts: number;
  groups: number;
  /** Files written, relative to the output directory. */
  written: string[];
  /** What the report says (renamed, mapped, not mapped), one line each. */
  report: string[];
  mapping: AnsibleMapping;
  warnings: string[];
}

/** What this patchctl's inventory schema allows: per-host identityFile, jump host chains. */
function schemaAllows(): { identityFile: boolean; jumpHost: RegExp | undefined } {
  const texts = readSchemaTexts();
  const inventory = JSON.parse(texts.get('inventory.schema.json') ?? '{}') as {
    $defs?: { host?: { properties?: Record<string, unknown> } };
  };
  const common = JSON.parse(texts.get('common.schema.json') ?? '{}') as {
    $defs?: { jumpHost?: { pattern?: string } };
  };
  const pattern = common.$defs?.jumpHost?.pattern;
  return {
    identityFile: inventory.$defs?.host?.properties?.identityFile !== undefined,
    jumpHost: pattern === undefined ? undefined : new RegExp(pattern),
  };
}

function defaultName(label: string): string {
  const base = path.basename(label.replace(/[\\/]+$/, '')) || 'ansible';
  const stem = base.replace(/\.(ini|ya?ml|json|cfg|hosts)$/i, '');
  return patchctlName(stem === '' ? base : stem, /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/, 128);
}

function yamlText(header: string[], docs: unknown[], schema: string): string {
  const head = [
    `# yaml-language-server: $schema=../schemas/${schema}`,
    '#',
    ...header.map((l) => `# ${l}`.trimEnd()),
  ];
  const body = docs.map((d) => stringify(d, { lineWidth: 0, version: '1.2' })).join('---\n');
  return `${head.join('\n')}\n\n${body}`;
}

/**
 * Reads the inventory, maps it, refuses (UsageError, nothing written) to overwrite a file or
 * to add a host, group or inventory name the repository already has, then writes the two files
 * atomically.
 */
export function importAnsible(options: AnsibleImportOptions): AnsibleImportResult {
  const { inventory } = readAnsibleInventoryPath(options.input, options.inputLabel);
  const name = options.name ?? defaultName(options.inputLabel);
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/.test(name)) {
    throw new UsageError(
      `--name ${JSON.stringify(name)}: must be letters, digits, '.', '_' or '-', starting with a letter or digit`,
    );
  }
  const allows = schemaAllows();
  const result = mapAnsibleInventory(inventory, {
    name,
    source: options.inputLabel,
    identityFile: allows.identityFile,
    ...(allows.jumpHost ? { jumpHost: allows.jumpHost } : {}),
    ...(options.groupPrefix === undefined ? {} : { groupPrefix: options.groupPrefix }),
  });
  if (!result.ok) {
    throw new UsageError(
      `cannot import ${options.inputLabel}: ${result.problems.join('; ')}; nothing written`,
      3,
    );
  }
  const mapping = result.mapping;
  if (mapping.inventory.spec.hosts.length === 0) {
    const empty = mapping.emptyGroups.filter((g) => g !== 'ungrouped');
    const which =
      empty.length === 0
        ? ''
        : ` (its group${empty.length === 1 ? '' : 's'} ${empty.length === 1 ? empty[0] : `${empty.slice(0, -1).join(', ')} and ${empty[empty.length - 1]}`} ${empty.length === 1 ? 'is' : 'are'} empty)`;
    throw new UsageError(`${options.inputLabel} has no hosts${which}: nothing to import`);
  }

  // The repository the documents join: its folders, and the names they may not repeat.
  const isRepo = existsSync(path.join(options.repoDir, 'patchctl.yaml'));
  if (options.outDir === undefined && !isRepo) {
    throw new UsageError(
      `${options.repoDir} is not a patchctl repository (no patchctl.yaml): run \`patchctl init\` first, or write the documents elsewhere with -o DIR`,
    );
  }
  const repo = isRepo ? validateRepository(options.repoDir).repository : undefined;
  const paths = repo ? configSpec(repo).paths : undefined;
  const inventoryDir =
    options.outDir === undefined
      ? folderPath(paths?.inventory ?? CONFIG_DEFAULTS.paths.inventory)
      : 'inventory';
  const groupsDir =
    options.outDir === undefined ? folderPath(paths?.groups ?? CONFIG_DEFAULTS.paths.groups) : 'groups';
  const outRoot = options.outDir ?? options.repoDir;
  const files = {
    inventory: path.join(inventoryDir, `${name}.yaml`),
    groups: path.join(groupsDir, `${name}.yaml`),
  };
  const problems: string[] = [];
  for (const f of mapping.groups.length > 0 ? [files.inventory, files.groups] : [files.inventory]) {
    if (existsSync(path.join(outRoot, f)))
      problems.push(`${f} exists already (choose another name with --name)`);
  }
  if (repo) {
    const dupHosts = mapping.inventory.spec.hosts.map((h) => h.name).filter((h) => repo.hostNames.has(h));
    if (dupHosts.length > 0) {
      problems.push(
        `the repository already has host${dupHosts.length === 1 ? '' : 's'} ${listNames(dupHosts)}`,
      );
    }
    const dupGroups = mapping.groups.map((g) => g.metadata.name).filter((g) => repo.names.Group.has(g));
    if (dupGroups.length > 0) {
      problems.push(
        `the repository already has group${dupGroups.length === 1 ? '' : 's'} ${listNames(dupGroups)} (put a prefix before the imported groups' names with --group-prefix)`,
      );
    }
    if (repo.names.Inventory.has(name))
      problems.push(`the repository already has an inventory named ${name} (choose another with --name)`);
  }
  if (problems.length > 0) {
    throw new UsageError(`cannot import ${options.inputLabel}: ${problems.join('; ')}; nothing written`);
  }

  const report = unmappedReport(mapping);
  const header = [
    `Imported by \`patchctl import ansible\` from the Ansible inventory ${options.inputLabel}`,
    `(${mapping.inventory.spec.hosts.length} hosts). Each Ansible group is a label ansible/<group>: "true"`,
    `on its direct members and a Group document in ${files.groups} (docs/import-ansible.md).`,
    ...(report.length > 0 ? ['', ...report] : []),
  ];
  const writes: [string, string][] = [
    [files.inventory, yamlText(header, [mapping.inventory], 'inventory.schema.json')],
  ];
  if (mapping.groups.length > 0) {
    writes.push([
      files.groups,
      yamlText(
        [`The Ansible groups of ${options.inputLabel}, imported by \`patchctl import ansible\`.`],
        mapping.groups,
        'group.schema.json',
      ),
    ]);
  }
  const done: string[] = [];
  try {
    for (const [rel, text] of writes) {
      writeFileAtomic(path.join(outRoot, rel), text);
      done.push(rel);
    }
  } catch (err) {
    for (const rel of done) rmSync(path.join(outRoot, rel), { force: true }); // all or nothing
    throw err;
  }
  return {
    name,
    hosts: mapping.inventory.spec.hosts.length,
    groups: mapping.groups.length,
    written: done,
    report,
    mapping,
    warnings: inventory.warnings.map((w) => `${w.at.file}:${w.at.line}:${w.at.col} warning: ${w.message}`),
  };
}

function listNames(names: string[]): string {
  const shown = names.slice(0, 5).join(', ');
  return names.length > 5 ? `${shown} and ${names.length - 5} more` : shown;
}
