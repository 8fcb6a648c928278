import { isMap, isScalar } from 'yaml';
import type { Diagnostic, SourcePos } from '../model/diagnostics.js';
import { parseIniInventory } from './ini.js';
import { AnsibleInventoryError, emptyInventory, reconcile } from './inventory-data.js';
import type { AnsibleInventory, AnsibleSource, AnsibleVars } from './types.js';
import { parseAnsibleYaml, parseYamlInventory, varsEntries } from './yaml-inventory.js';

export type AnsibleRead =
  { ok: true; inventory: AnsibleInventory } | { ok: false; diagnostics: Diagnostic[] };

const YAML_EXTENSIONS = ['.yml', '.yaml', '.json'];

function extension(file: string): string {
  const base = file.split(/[\\/]/).pop() ?? file;
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}

function problem(at: SourcePos, message: string, code = 'ansible-inventory'): Diagnostic {
  return { severity: 'error', code, message, at };
}

/**
 * Reads inventory sources the way ansible-core 2.14 does with its default plugins: a `.yml`,
 * `.yaml` or `.json` file as YAML, a file without an extension as YAML and else INI, any other
 * file as INI; `.toml` is refused with the command that converts it. The sources of a directory
 * come in the order Ansible reads them (the engine lists them). Then reconciles (`all`,
 * `ungrouped`). Never throws for bad input: each bad file is a diagnostic at file:line:col.
 */
export function readAnsibleInventory(sources: readonly AnsibleSource[]): AnsibleRead {
  let inv = emptyInventory();
  const diagnostics: Diagnostic[] = [];
  for (const source of sources) {
    const ext = extension(source.path);
    const start = { file: source.path, line: 1, col: 1 };
    if (ext === '.toml') {
      diagnostics.push(
        problem(
          start,
          `TOML inventories are not supported; convert it with \`ansible-inventory -i ${source.path} --list -y > inventory.yml\` and import that file`,
          'ansible-toml-unsupported',
        ),
      );
      continue;
    }
    const tries: ('yaml' | 'ini')[] = YAML_EXTENSIONS.includes(ext)
      ? ['yaml', 'ini']
      : ext === ''
        ? ['yaml', 'ini']
        : ['ini'];
    const reportFrom = ext === '' ? 'ini' : tries[0];
    const errors = new Map<string, AnsibleInventoryError>();
    let parsed = false;
    for (const format of tries) {
      const attempt = structuredClone(inv);
      try {
        if (format === 'yaml') parseYamlInventory(attempt, source.path, source.text);
        else parseIniInventory(attempt, source.path, source.text);
        inv = attempt;
        parsed = true;
        break;
      } catch (err) {
        errors.set(format, asInventoryError(err, source.path));
      }
    }
    if (!parsed) {
      const err = errors.get(reportFrom!) ?? [...errors.values()][0]!;
      // A plugin configuration is not INI either: say what it is rather than what INI thinks.
      const yamlErr = errors.get('yaml');
      const shown = yamlErr && /inventory plugin configuration/.test(yamlErr.message) ? yamlErr : err;
      diagnostics.push(problem(shown.at, `Ansible cannot read this inventory: ${shown.message}`));
    }
  }
  if (diagnostics.length > 0) return { ok: false, diagnostics };
  try {
    reconcile(inv);
  } catch (err) {
    if (!(err instanceof AnsibleInventoryError)) throw err;
    return { ok: false, diagnostics: [problem(err.at, err.message)] };
  }
  return { ok: true, inventory: inv };
}

/**
 * Adds the variables of group_vars/NAME or host_vars/NAME files (YAML or JSON mappings; empty
 * files count as none), combined in the given order with the later file winning, as Ansible's
 * host_group_vars plugin does. Returns diagnostics for files that are not mappings.
 */
export function addVarsFiles(
  inv: AnsibleInventory,
  kind: 'group' | 'host',
  name: string,
  files: readonly AnsibleSource[],
): Diagnostic[] {
  const diagnostics: Diagnostic[] = [];
  const target = kind === 'group' ? inv.groupVarsFiles : inv.hostVarsFiles;
  const vars: AnsibleVars = { ...(target.get(name) ?? {}) };
  for (const f of files) {
    try {
      const { doc, at } = parseAnsibleYaml(f.path, f.text);
      const root = doc.contents;
      if (root === null || (isScalar(root) && root.value === null)) continue; // an empty file
      if (!isMap(root)) {
        diagnostics.push(
          problem(at(root?.range?.[0] ?? 0), `a ${kind}_vars file must hold a mapping of variables`),
        );
        continue;
      }
      for (const v of varsEntries(doc, root)) vars[v.key] = v.value;
    } catch (err) {
      const e = asInventoryError(err, f.path);
      diagnostics.push(problem(e.at, e.message));
    }
  }
  target.set(name, vars);
  return diagnostics;
}

/** The YAML library's own limits (too many aliases...) are the file's problem too, not a crash. */
function asInventoryError(err: unknown, file: string): AnsibleInventoryError {
  if (err instanceof AnsibleInventoryError) return err;
  if (err instanceof Error && !(err instanceof TypeError)) {
    return new AnsibleInventoryError({ file, line: 1, col: 1 }, err.message.split('\n')[0] ?? 'unreadable');
  }
  throw err;
}
