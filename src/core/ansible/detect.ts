import { parse } from 'yaml';

/**
 * Whether a YAML file's text is an Ansible YAML inventory rather than patchctl documents: a
 * mapping without `apiVersion` and `kind` whose top level has `all:` or a group with `hosts:`,
 * `children:` or `vars:` (docs/import-ansible.md, "Files validate points at").
 */
export function looksLikeAnsibleYaml(text: string): boolean {
  let value: unknown;
  try {
    value = parse(text, { version: '1.1', uniqueKeys: false, maxAliasCount: 100, logLevel: 'silent' });
  } catch {
    return false;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const top = value as Record<string, unknown>;
  if ('apiVersion' in top || 'kind' in top) return false;
  if ('plugin' in top) return true; // an inventory plugin configuration
  return Object.entries(top).some(
    ([key, v]) =>
      (key === 'all' && (v === null || typeof v === 'object')) ||
      (v !== null &&
        typeof v === 'object' &&
        !Array.isArray(v) &&
        ['hosts', 'children'].some((k) => k in (v as Record<string, unknown>))),
  );
}

/** Whether a path is inside an Ansible group_vars/ or host_vars/ folder. */
export function isAnsibleVarsPath(file: string): boolean {
  return /(^|\/)(group|host)_vars\//.test(file);
}

/** What validate says about a file under inventory/ that is an Ansible inventory, or may be. */
export function ansibleInventoryHint(file: string, kind: 'yaml' | 'vars' | 'other'): string {
  const how = `import it with \`patchctl import ansible -i ${file}\` (it writes Inventory and Group documents), then remove it`;
  if (kind === 'vars') {
    const dir = file.replace(/\/?(group|host)_vars\/.*$/, '') || '.';
    return `${file} is Ansible group_vars/host_vars, not patchctl documents: import the inventory next to it with \`patchctl import ansible -i ${dir}\`, then remove them`;
  }
  return kind === 'yaml'
    ? `${file} is an Ansible YAML inventory, not patchctl documents: ${how}`
    : `${file} is not a YAML file, so patchctl does not read it; if it is an Ansible inventory, ${how}`;
}
