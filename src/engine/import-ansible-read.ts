import { readdirSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { addVarsFiles, readAnsibleInventory } from '../core/ansible/read-inventory.js';
import type { AnsibleInventory, AnsibleSource } from '../core/ansible/types.js';
import type { Diagnostic } from '../core/model/diagnostics.js';
import { ConfigError, LocalIoError } from '../errors.js';
import { readTextSafe } from '../platform/safe-fs.js';

/** Inventory files are small; this bounds a mistaken `-i /dev/zero` or a huge log file. */
const MAX_INVENTORY_BYTES = 16 * 1024 * 1024;

// What Ansible skips in an inventory directory (INVENTORY_IGNORE_EXTS and the names it always
// ignores, ansible-core 2.14): hidden files, group_vars/, host_vars/, and backup, text and .ini files.
const IGNORED =
  /^\.|^host_vars$|^group_vars$|^vars_plugins$|(\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$/;
const VARS_EXTENSIONS = ['', '.yml', '.yaml', '.json'];

/** Python's sorted() on names: by code point. */
function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function isDirectory(p: string): boolean {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function exists(p: string): boolean {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
}

function listDir(dir: string, label: string): string[] {
  try {
    return readdirSync(dir).sort(byCodePoint);
  } catch (err) {
    throw LocalIoError.from(err, 'read', label);
  }
}

/** The files Ansible reads for `-i PATH`: the file, or a directory's files in Ansible's order. */
function inventoryFiles(abs: string, label: string): { abs: string; label: string }[] {
  if (!isDirectory(abs)) return [{ abs, label }];
  const out: { abs: string; label: string }[] = [];
  for (const name of listDir(abs, label)) {
    if (IGNORED.test(name)) continue;
    const child = { abs: path.join(abs, name), label: path.join(label, name) };
    out.push(...inventoryFiles(child.abs, child.label));
  }
  return out;
}

/** group_vars/NAME or host_vars/NAME: the first of NAME, NAME.yml, NAME.yaml, NAME.json (a
 *  directory: its files, recursively, sorted), as Ansible's find_vars_files. */
function varsFiles(dir: string, label: string, name: string): { abs: string; label: string }[] {
  for (const ext of VARS_EXTENSIONS) {
    const abs = path.join(dir, name + ext);
    if (!exists(abs)) continue;
    if (isDirectory(abs)) return dirVarsFiles(abs, path.join(label, name + ext));
    return [{ abs, label: path.join(label, name + ext) }];
  }
  return [];
}

function dirVarsFiles(dir: string, label: string): { abs: string; label: string }[] {
  const out: { abs: string; label: string }[] = [];
  for (const name of listDir(dir, label)) {
    if (name.startsWith('.') || name.endsWith('~')) continue;
    const abs = path.join(dir, name);
    const ext = path.extname(name);
    if (isDirectory(abs)) {
      if (ext === '') out.push(...dirVarsFiles(abs, path.join(label, name)));
    } else if (ext === '' || VARS_EXTENSIONS.includes(ext)) {
      out.push({ abs, label: path.join(label, name) });
    }
  }
  return out;
}

function read(file: { abs: string; label: string }): AnsibleSource {
  return {
    path: file.label,
    text: readTextSafe(file.abs, { maxBytes: MAX_INVENTORY_BYTES, label: file.label }),
  };
}

/**
 * Reads an Ansible inventory (a file or a directory of them) with the group_vars/ and
 * host_vars/ next to it, as `ansible-inventory -i PATH` does (docs/import-ansible.md).
 * `label` is how messages name PATH. Throws ConfigError (exit 3) with every problem at
 * file:line:col when Ansible would not read it (or patchctl cannot: TOML, plugin configs).
 */
export function readAnsibleInventoryPath(
  input: string,
  label: string,
): { inventory: AnsibleInventory; files: string[] } {
  if (!exists(input))
    throw LocalIoError.from(Object.assign(new Error('not found'), { code: 'ENOENT' }), 'read', label);
  const files = inventoryFiles(input, label);
  if (files.length === 0) {
    throw new ConfigError([
      {
        severity: 'error',
        code: 'ansible-inventory',
        message: `${label} holds no inventory file Ansible would read`,
        at: { file: label, line: 1, col: 1 },
      },
    ]);
  }
  const result = readAnsibleInventory(files.map(read));
  if (!result.ok) throw new ConfigError(result.diagnostics);
  const inv = result.inventory;
  const base = isDirectory(input) ? input : path.dirname(input);
  const baseLabel = isDirectory(input) ? label : path.dirname(label);
  const problems: Diagnostic[] = [];
  for (const [kind, names] of [
    ['group', [...inv.groups.keys()]],
    ['host', [...inv.hosts.keys()]],
  ] as const) {
    const dir = path.join(base, `${kind}_vars`);
    if (!isDirectory(dir)) continue;
    const dirLabel = path.join(baseLabel, `${kind}_vars`);
    for (const name of names) {
      if (name.startsWith('/')) continue; // Ansible skips 'chroot'-like names
      const found = varsFiles(realpathSync(dir), dirLabel, name);
      if (found.length > 0) problems.push(...addVarsFiles(inv, kind, name, found.map(read)));
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { inventory: inv, files: files.map((f) => f.label) };
}
