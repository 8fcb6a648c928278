import type { SourcePos } from '../model/diagnostics.js';
import type { AnsibleGroup, AnsibleHost, AnsibleInventory, AnsibleValue, AnsibleVars } from './types.js';

/** An inventory Ansible would reject, at the place it would complain about. */
export class AnsibleInventoryError extends Error {
  constructor(
    readonly at: SourcePos,
    message: string,
  ) {
    super(message);
    this.name = 'AnsibleInventoryError';
  }
}

/** A new inventory with Ansible's two implicit groups, `all` and its child `ungrouped`. */
export function emptyInventory(): AnsibleInventory {
  const inv: AnsibleInventory = {
    groups: new Map(),
    hosts: new Map(),
    groupVarsFiles: new Map(),
    hostVarsFiles: new Map(),
    warnings: [],
  };
  const at = { file: '', line: 1, col: 1 };
  addGroup(inv, 'all', at);
  addGroup(inv, 'ungrouped', at);
  addChild(inv, 'all', 'ungrouped', at);
  return inv;
}

// Ansible's C.INVALID_VARIABLE_NAMES: group names should be valid Python identifiers.
const INVALID_GROUP_CHARS = /^[\d\W]|[^\w]/u;

export function addGroup(inv: AnsibleInventory, name: string, at: SourcePos): AnsibleGroup {
  let g = inv.groups.get(name);
  if (g) return g;
  if (name === '') throw new AnsibleInventoryError(at, 'a group name may not be empty');
  g = { name, vars: {}, hosts: [], children: [], parents: [], priority: 1, at };
  inv.groups.set(name, g);
  if (INVALID_GROUP_CHARS.test(name)) {
    // Ansible warns ("Invalid characters were found in group names but not replaced").
    inv.warnings.push({
      message: `group name ${JSON.stringify(name)} has characters Ansible warns about`,
      at,
    });
  }
  return g;
}

/** Adds a host (once) and, when `group` is given, makes it a direct member of that group. */
export function addHost(
  inv: AnsibleInventory,
  name: string,
  group: string | undefined,
  port: number | undefined,
  at: SourcePos,
): AnsibleHost {
  if (name === '') throw new AnsibleInventoryError(at, 'a host name may not be empty');
  let h = inv.hosts.get(name);
  if (!h) {
    h = { name, vars: {}, groups: [], at };
    inv.hosts.set(name, h);
    if (port !== undefined && port !== 0) h.vars.ansible_port = port; // Ansible's Host(name, port)
  }
  if (group !== undefined) {
    const g = inv.groups.get(group);
    if (!g) throw new AnsibleInventoryError(at, `could not find group ${group} in the inventory`);
    if (!g.hosts.includes(name)) {
      g.hosts.push(name);
      h.groups.push(group);
    }
  }
  return h;
}

export function setGroupVariable(g: AnsibleGroup, key: string, value: AnsibleValue, at: SourcePos): void {
  if (key === 'ansible_group_priority') {
    const n = typeof value === 'number' ? value : Number(value);
    if (!Number.isInteger(n)) {
      throw new AnsibleInventoryError(
        at,
        `ansible_group_priority must be an integer, got ${JSON.stringify(value)}`,
      );
    }
    g.priority = n;
    return;
  }
  g.vars[key] = value;
}

/** Ansible's Group.add_child_group: refuses a group in itself or a loop. */
export function addChild(inv: AnsibleInventory, parent: string, child: string, at: SourcePos): void {
  const p = inv.groups.get(parent);
  const c = inv.groups.get(child);
  if (!p || !c) throw new AnsibleInventoryError(at, `${!p ? parent : child} is not a known group`);
  if (parent === child) throw new AnsibleInventoryError(at, `can't add group ${child} to itself`);
  if (p.children.includes(child)) return;
  if (ancestors(inv, parent).has(child)) {
    throw new AnsibleInventoryError(
      at,
      `adding group '${child}' as child to '${parent}' creates a recursive dependency loop`,
    );
  }
  p.children.push(child);
  if (!c.parents.includes(parent)) c.parents.push(parent);
}

export function ancestors(inv: AnsibleInventory, group: string): Set<string> {
  const seen = new Set<string>();
  const todo = [...(inv.groups.get(group)?.parents ?? [])];
  while (todo.length > 0) {
    const g = todo.pop()!;
    if (seen.has(g)) continue;
    seen.add(g);
    todo.push(...(inv.groups.get(g)?.parents ?? []));
  }
  return seen;
}

/** Every group a host is in: its direct groups and all their ancestors. */
export function hostGroups(inv: AnsibleInventory, host: string): Set<string> {
  const out = new Set<string>();
  for (const g of inv.hosts.get(host)?.groups ?? []) {
    out.add(g);
    for (const a of ancestors(inv, g)) out.add(a);
  }
  return out;
}

/**
 * Ansible's reconcile_inventory: groups without a parent become children of `all`; hosts in no
 * group but `all` go to `ungrouped`, and hosts in `ungrouped` and another group leave it.
 */
export function reconcile(inv: AnsibleInventory): void {
  for (const g of inv.groups.values()) {
    if (g.name !== 'all' && g.parents.length === 0) addChild(inv, 'all', g.name, g.at);
  }
  const ungrouped = inv.groups.get('ungrouped')!;
  for (const h of inv.hosts.values()) {
    const mine = hostGroups(inv, h.name);
    if (mine.has('ungrouped')) {
      if ([...mine].some((g) => g !== 'all' && g !== 'ungrouped')) {
        ungrouped.hosts = ungrouped.hosts.filter((n) => n !== h.name);
        h.groups = h.groups.filter((g) => g !== 'ungrouped');
      }
    } else if (mine.size === 0 || (mine.size === 1 && mine.has('all'))) {
      addHost(inv, h.name, 'ungrouped', undefined, h.at);
    }
  }
}

/** A group's depth: the longest path from `all` (Ansible's Group.depth). */
export function groupDepths(inv: AnsibleInventory): Map<string, number> {
  const depth = new Map<string, number>();
  const visit = (name: string): number => {
    const known = depth.get(name);
    if (known !== undefined) return known;
    const parents = inv.groups.get(name)?.parents ?? [];
    const d = parents.length === 0 ? 0 : Math.max(...parents.map((p) => visit(p) + 1));
    depth.set(name, d);
    return d;
  };
  for (const name of inv.groups.keys()) visit(name);
  return depth;
}

/** Python's sorted() on strings: by code point. */
function byCodePoint(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}

/** The host's groups except `all`, in Ansible's precedence order: depth, priority, name. */
export function sortedHostGroups(inv: AnsibleInventory, host: string, depths: Map<string, number>): string[] {
  return [...hostGroups(inv, host)]
    .filter((g) => g !== 'all')
    .sort(
      (a, b) =>
        depths.get(a)! - depths.get(b)! ||
        inv.groups.get(a)!.priority - inv.groups.get(b)!.priority ||
        byCodePoint(a, b),
    );
}

/** Where a resolved variable's value came from. */
export interface VariableOrigin {
  kind: 'group' | 'group_vars' | 'host' | 'host_vars';
  name: string;
}

/**
 * A host's variables as Ansible resolves them (VariableManager.get_vars without a play):
 * `all` from the inventory, then group_vars/all, then the other groups from the inventory
 * (by depth, priority, name), then their group_vars/ files in the same order, then the host's
 * own variables, then host_vars/. Later wins, whole values (hash_behaviour=replace).
 */
export function resolveHostVars(
  inv: AnsibleInventory,
  host: string,
  depths: Map<string, number> = groupDepths(inv),
): { vars: AnsibleVars; origin: Map<string, VariableOrigin> } {
  const vars: AnsibleVars = {};
  const origin = new Map<string, VariableOrigin>();
  const put = (from: AnsibleVars | undefined, o: VariableOrigin) => {
    for (const [k, v] of Object.entries(from ?? {})) {
      vars[k] = v;
      origin.set(k, o);
    }
  };
  const groups = sortedHostGroups(inv, host, depths);
  put(inv.groups.get('all')!.vars, { kind: 'group', name: 'all' });
  put(inv.groupVarsFiles.get('all'), { kind: 'group_vars', name: 'all' });
  for (const g of groups) put(inv.groups.get(g)!.vars, { kind: 'group', name: g });
  for (const g of groups) put(inv.groupVarsFiles.get(g), { kind: 'group_vars', name: g });
  put(inv.hosts.get(host)!.vars, { kind: 'host', name: host });
  put(inv.hostVarsFiles.get(host), { kind: 'host_vars', name: host });
  return { vars, origin };
}

/** What `ansible-inventory -i FILE --list` prints for this inventory (its JSON, parsed). */
export function listOutput(inv: AnsibleInventory): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const seen = new Set<string>();
  const format = (name: string) => {
    const g = inv.groups.get(name)!;
    const entry: Record<string, unknown> = {};
    if (name !== 'all' && g.hosts.length > 0) entry.hosts = [...g.hosts];
    if (g.children.length > 0) entry.children = [...g.children];
    if (Object.keys(entry).length > 0) out[name] = entry;
    for (const c of g.children) {
      if (seen.has(c)) continue;
      seen.add(c);
      format(c);
    }
  };
  format('all');
  const depths = groupDepths(inv);
  const hostvars: Record<string, AnsibleVars> = {};
  for (const name of allHosts(inv)) {
    const { vars } = resolveHostVars(inv, name, depths);
    if (Object.keys(vars).length > 0) hostvars[name] = vars;
  }
  out._meta = { hostvars };
  return out;
}

/** Every host in `all`'s order (Group.get_hosts: depth-first over the groups, each host once). */
export function allHosts(inv: AnsibleInventory): string[] {
  const order: string[] = [];
  const seenGroups = new Set<string>();
  const seenHosts = new Set<string>();
  const walk = (name: string) => {
    if (seenGroups.has(name)) return;
    seenGroups.add(name);
    const g = inv.groups.get(name)!;
    for (const h of g.hosts) {
      if (!seenHosts.has(h)) {
        seenHosts.add(h);
        order.push(h);
      }
    }
    for (const c of g.children) walk(c);
  };
  walk('all');
  for (const h of inv.hosts.keys()) if (!seenHosts.has(h)) order.push(h);
  return order;
}
