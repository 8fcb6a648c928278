import type { SourcePos } from '../model/diagnostics.js';
import { expandHostPattern } from './host-pattern.js';
import { AnsibleInventoryError, addChild, addGroup, addHost, setGroupVariable } from './inventory-data.js';
import { pythonLiteral } from './python-literal.js';
import { shlexSplit } from './shlex.js';
import type { AnsibleInventory, AnsibleValue } from './types.js';

const SECTION = /^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$/u;
const GROUP_NAME = /^([^:\]\s]+)\s*(?:#.*)?$/u;
// Python's str.splitlines() line boundaries (it splits on the \x1c-\x1e separators too).
// eslint-disable-next-line no-control-regex
const LINE_BREAK = /\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

interface Pending {
  at: SourcePos;
  state: 'vars' | 'children';
  parents: string[];
}

/**
 * Ansible's INI inventory plugin (ansible-core 2.14): `[group]`, `[group:vars]`,
 * `[group:children]`, hosts before any section in `ungrouped`, `key=value` values through
 * Python's literal_eval (docs/import-ansible.md). Throws AnsibleInventoryError where Ansible
 * would refuse the file.
 */
export function parseIniInventory(inv: AnsibleInventory, file: string, text: string): void {
  const pending = new Map<string, Pending>();
  let group = 'ungrouped';
  let state = 'hosts';
  const lines = text.split(LINE_BREAK);
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]!;
    const line = raw.trim();
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    const at = { file, line: n + 1, col: raw.indexOf(line) + 1 };
    const fail = (message: string, col = at.col): never => {
      throw new AnsibleInventoryError({ ...at, col }, message);
    };
    const section = SECTION.exec(line);
    if (section) {
      group = section[1]!;
      state = section[2] ?? 'hosts';
      if (!['hosts', 'children', 'vars'].includes(state)) {
        fail(`section [${group}:${state}] has unknown type: ${state} (hosts, children or vars)`);
      }
      if (!inv.groups.has(group)) {
        if (state === 'vars' && !pending.has(group)) pending.set(group, { at, state: 'vars', parents: [] });
        addGroup(inv, group, at);
      }
      const p = pending.get(group);
      if (p && state !== 'vars') {
        if (p.state === 'children') addPendingChildren(inv, group, pending);
        else pending.delete(group);
      }
      continue;
    }
    if (line.startsWith('[') && line.endsWith(']')) {
      fail(
        `invalid section entry: '${line}'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters`,
      );
    }
    if (state === 'hosts') {
      let tokens: { text: string; col: number }[];
      try {
        tokens = shlexSplit(raw);
      } catch (err) {
        return fail(`error parsing host definition '${line}': ${(err as Error).message}`);
      }
      if (tokens.length === 0) fail(`expected a host definition, got: ${line}`);
      const [first, ...rest] = tokens;
      let hosts: string[];
      let port: number | undefined;
      try {
        ({ hosts, port } = expandHostPattern(first!.text));
      } catch (err) {
        return fail((err as Error).message, first!.col);
      }
      if (first!.text.trim().endsWith(':') && port === undefined) {
        fail(
          `invalid host pattern '${first!.text}' supplied, ending in ':' is not allowed, this character is reserved to provide a port`,
          first!.col,
        );
      }
      if (hosts.some((h) => h.trim() === '---')) {
        fail(
          `invalid host pattern '${first!.text}' supplied, '---' is normally a sign this is a YAML file`,
          first!.col,
        );
      }
      const vars: [string, AnsibleValue][] = [];
      for (const t of rest) {
        const eq = t.text.indexOf('=');
        if (eq < 0) fail(`expected key=value host variable assignment, got: ${t.text}`, t.col);
        vars.push([t.text.slice(0, eq), iniValue(t.text.slice(eq + 1))]);
      }
      for (const name of hosts) {
        const hostAt = { ...at, col: first!.col };
        const h = addHost(inv, name, group, port, hostAt);
        for (const [k, v] of vars) h.vars[k] = v;
      }
    } else if (state === 'vars') {
      const eq = line.indexOf('=');
      if (eq < 0) fail(`expected key=value, got: ${line}`);
      const key = line.slice(0, eq).trim();
      setGroupVariable(inv.groups.get(group)!, key, iniValue(line.slice(eq + 1).trim()), at);
    } else {
      const m = GROUP_NAME.exec(line);
      if (!m) return fail(`expected group name, got: ${line}`);
      const child = m[1]!;
      if (!inv.groups.has(child)) {
        const p = pending.get(child);
        if (p) p.parents.push(group);
        else pending.set(child, { at, state: 'children', parents: [group] });
      } else {
        addChild(inv, group, child, at);
      }
    }
  }
  for (const [name, p] of pending) {
    if (p.state === 'vars') {
      throw new AnsibleInventoryError(p.at, `section [${name}:vars] not valid for undefined group: ${name}`);
    }
    throw new AnsibleInventoryError(
      p.at,
      `section [${p.parents[p.parents.length - 1]}:children] includes undefined group: ${name}`,
    );
  }
}

function addPendingChildren(inv: AnsibleInventory, group: string, pending: Map<string, Pending>): void {
  const p = pending.get(group)!;
  for (const parent of p.parents) {
    addChild(inv, parent, group, p.at);
    const pp = pending.get(parent);
    if (pp && pp.state === 'children') addPendingChildren(inv, parent, pending);
  }
  pending.delete(group);
}

/** An INI value: a Python literal when it is one, else the text as written. */
export function iniValue(text: string): AnsibleValue {
  const v = pythonLiteral(text);
  return v === undefined ? text : v;
}
