import type { SourcePos } from '../model/diagnostics.js';

/** A variable's value as Ansible's inventory holds it (what `ansible-inventory --list` prints). */
export type AnsibleValue =
  null | boolean | number | string | AnsibleValue[] | { [key: string]: AnsibleValue };

export type AnsibleVars = Record<string, AnsibleValue>;

/** One inventory file (or group_vars / host_vars file) as the engine read it. */
export interface AnsibleSource {
  /** How messages name the file (relative to the working directory, as the user typed it). */
  path: string;
  text: string;
}

export interface AnsibleGroup {
  name: string;
  /** Variables set in the inventory itself (`[g:vars]`, `vars:`). */
  vars: AnsibleVars;
  /** Direct member hosts, in the order Ansible added them. */
  hosts: string[];
  /** Child groups, in the order Ansible added them. */
  children: string[];
  parents: string[];
  /** `ansible_group_priority` (default 1): orders groups of equal depth. */
  priority: number;
  /** Where the group first appears. */
  at: SourcePos;
}

export interface AnsibleHost {
  name: string;
  /** Variables set on the host in the inventory itself (host line or `hosts:` entry). */
  vars: AnsibleVars;
  /** Groups the host was added to directly, in order. */
  groups: string[];
  at: SourcePos;
}

/** An Ansible inventory as Ansible's InventoryData holds it after parsing and reconciling. */
export interface AnsibleInventory {
  groups: Map<string, AnsibleGroup>;
  hosts: Map<string, AnsibleHost>;
  /** Variables from group_vars/ and host_vars/ next to the inventory, by group or host name. */
  groupVarsFiles: Map<string, AnsibleVars>;
  hostVarsFiles: Map<string, AnsibleVars>;
  /** Warnings Ansible would print too (skipped keys, invalid group name characters...). */
  warnings: { message: string; at: SourcePos }[];
}

/** `ansible-inventory --list` output shape (docs/import-ansible.md). */
export type AnsibleListOutput = Record<string, unknown>;
