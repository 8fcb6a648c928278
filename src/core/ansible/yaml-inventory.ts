import type { Document, Node, Pair } from 'yaml';
import { isAlias, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { SourcePos } from '../model/diagnostics.js';
import { expandHostPattern } from './host-pattern.js';
import { AnsibleInventoryError, addChild, addGroup, addHost, setGroupVariable } from './inventory-data.js';
import type { AnsibleInventory, AnsibleValue, AnsibleVars } from './types.js';

/** Offsets → 1-based line and column (code points), as the other readers report them. */
export function positionsIn(file: string, text: string): (offset: number) => SourcePos {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\n' || (c === '\r' && text[i + 1] !== '\n')) starts.push(i + 1);
  }
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file, line: lo + 1, col: [...text.slice(starts[lo], offset)].length + 1 };
  };
}

/** YAML as Ansible reads it: YAML 1.1 (yes/no are booleans), duplicate keys the last wins. */
export function parseAnsibleYaml(
  file: string,
  text: string,
): { doc: Document; at: (offset: number) => SourcePos } {
  const at = positionsIn(file, text);
  const doc = parseDocument(text, {
    version: '1.1',
    uniqueKeys: false,
    merge: true,
    prettyErrors: false,
    strict: false,
  });
  const e = doc.errors[0];
  if (e) throw new AnsibleInventoryError(at(e.pos[0]), `not valid YAML: ${e.message.split('\n')[0]}`);
  return { doc, at };
}

interface Entry {
  key: unknown;
  keyNode: Node | null;
  value: Node | null;
  offset: number;
}

/** The entries of a mapping node, `<<` merges first, each key once (the last value wins). */
function entries(doc: Document, node: Node): Entry[] {
  const out = new Map<string, Entry>();
  const add = (pair: Pair<unknown, unknown>, fallback: number) => {
    const keyNode = (pair.key ?? null) as Node | null;
    const key = isScalar(keyNode) ? keyNode.value : keyNode;
    const value = deref(doc, (pair.value ?? null) as Node | null);
    const offset = keyNode?.range?.[0] ?? fallback;
    if (isScalar(keyNode) && keyNode.value === '<<' && keyNode.source === '<<') {
      const sources = isSeq(value) ? value.items.map((n) => deref(doc, n as Node)) : [value];
      for (const s of sources) if (isMap(s)) for (const p of s.items) add(p, offset);
      return;
    }
    const id = `${typeof key}:${String(key)}`;
    out.delete(id);
    out.set(id, { key, keyNode, value, offset });
  };
  if (isMap(node)) for (const p of node.items) add(p, node.range?.[0] ?? 0);
  return [...out.values()];
}

function deref(doc: Document, node: Node | null): Node | null {
  let n = node;
  for (let i = 0; i < 100 && isAlias(n); i++) n = n.resolve(doc) ?? null;
  return n;
}

function isNull(node: Node | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

function typeName(node: Node | null): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) return typeof node.value === 'string' ? 'a string' : `a ${typeof node.value}`;
  return 'nothing';
}

/** A node's value as Ansible holds it (and `ansible-inventory --list` prints it). */
export function nodeValue(doc: Document, node: Node | null): AnsibleValue {
  if (node === null) return null;
  return jsonValue(node.toJS(doc, { maxAliasCount: 1000 }));
}

function jsonValue(v: unknown): AnsibleValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Date) return v.toISOString().replace(/T00:00:00\.000Z$/, '');
  if (Array.isArray(v)) return v.map(jsonValue);
  if (v instanceof Set) return [...v].map(jsonValue);
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [String(k), jsonValue(x)]));
  if (v instanceof Uint8Array) return Buffer.from(v).toString('latin1');
  const out: AnsibleVars = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = jsonValue(x);
  return out;
}

/** A key as Python's json writes it: True → "true", None → "null", numbers as digits. */
function keyText(key: unknown): string {
  if (key === null) return 'null';
  if (typeof key === 'boolean') return key ? 'true' : 'false';
  return String(key);
}

/** The entries of a vars mapping (group `vars:` or a host's), keys as JSON writes them. */
export function varsEntries(doc: Document, node: Node | null): { key: string; value: AnsibleValue }[] {
  return entries(doc, node as Node).map((e) => ({ key: keyText(e.key), value: nodeValue(doc, e.value) }));
}

/**
 * Ansible's YAML inventory plugin: top-level keys are groups; each may have `hosts:`,
 * `children:` (groups, recursively) and `vars:` (docs/import-ansible.md).
 */
export function parseYamlInventory(inv: AnsibleInventory, file: string, text: string): void {
  const { doc, at } = parseAnsibleYaml(file, text);
  const root = deref(doc, doc.contents as Node | null);
  const start = at(root?.range?.[0] ?? 0);
  if (isNull(root) || (isMap(root) && root.items.length === 0)) {
    throw new AnsibleInventoryError(start, 'parsed empty YAML file');
  }
  if (!isMap(root)) {
    throw new AnsibleInventoryError(
      start,
      `YAML inventory has invalid structure, it should be a mapping of groups, got ${typeName(root)}`,
    );
  }
  const top = entries(doc, root);
  const plugin = top.find((e) => e.key === 'plugin');
  if (plugin && nodeValue(doc, plugin.value)) {
    throw new AnsibleInventoryError(
      at(plugin.offset),
      `this is an inventory plugin configuration (plugin: ${JSON.stringify(nodeValue(doc, plugin.value))}), not an inventory: patchctl cannot run Ansible plugins; run \`ansible-inventory -i ${file} --list -y > inventory.yml\` and import that file`,
    );
  }
  for (const e of top) parseGroup(inv, doc, at, e);
}

function parseGroup(
  inv: AnsibleInventory,
  doc: Document,
  at: (offset: number) => SourcePos,
  entry: Entry,
): string {
  const where = at(entry.offset);
  if (typeof entry.key !== 'string') {
    throw new AnsibleInventoryError(
      where,
      `group name ${String(entry.key)} must be a string (Ansible: "Invalid group name supplied"); quote it`,
    );
  }
  const name = entry.key;
  const data = entry.value;
  if (!isNull(data) && !isMap(data)) {
    inv.warnings.push({ message: `skipping '${name}' as this is not a valid group definition`, at: where });
    return name;
  }
  const group = addGroup(inv, name, where);
  if (isNull(data)) return name;
  const sections = entries(doc, data!);
  for (const e of sections) {
    const key = e.key;
    const w = at(e.offset);
    const value = e.value;
    const isSection = key === 'vars' || key === 'children' || key === 'hosts';
    if (isSection && isScalar(value) && typeof value.value === 'string') {
      // A string is allowed and means a mapping with that one key.
      const single = String(value.value);
      if (key === 'vars') {
        // Ansible then sets that one variable to None.
        setGroupVariable(group, single, null, w);
        continue;
      }
      handleSection(inv, doc, at, name, key, [
        { key: single, keyNode: null, value: null, offset: e.value!.range?.[0] ?? e.offset },
      ]);
      continue;
    }
    if (isSection && !isNull(value) && !isMap(value)) {
      throw new AnsibleInventoryError(
        w,
        `invalid "${key}" entry for "${name}" group, requires a mapping, found ${typeName(value)} instead`,
      );
    }
    if (!isNull(value) && !isMap(value)) {
      inv.warnings.push({
        message: `skipping key (${String(key)}) in group (${name}) as it is not a mapping, it is ${typeName(value)}`,
        at: w,
      });
      continue;
    }
    if (isNull(value)) continue;
    if (!isSection) {
      inv.warnings.push({
        message: `skipping unexpected key (${String(key)}) in group (${name}), only "vars", "children" and "hosts" are valid`,
        at: w,
      });
      continue;
    }
    if (key === 'vars') {
      for (const v of varsEntries(doc, value)) setGroupVariable(group, v.key, v.value, w);
      continue;
    }
    handleSection(inv, doc, at, name, key, entries(doc, value!));
  }
  return name;
}

function handleSection(
  inv: AnsibleInventory,
  doc: Document,
  at: (offset: number) => SourcePos,
  group: string,
  key: 'children' | 'hosts',
  items: Entry[],
): void {
  for (const e of items) {
    const w = at(e.offset);
    if (key === 'children') {
      const child = parseGroup(inv, doc, at, e);
      addChild(inv, group, child, w);
      continue;
    }
    if (typeof e.key !== 'string') {
      throw new AnsibleInventoryError(
        w,
        `host pattern ${keyText(e.key)} must be a string: enclose integers/floats in quotation marks`,
      );
    }
    let pattern: { hosts: string[]; port: number | undefined };
    try {
      pattern = expandHostPattern(e.key);
    } catch (err) {
      throw new AnsibleInventoryError(w, (err as Error).message);
    }
    if (!isNull(e.value) && !isMap(e.value)) {
      throw new AnsibleInventoryError(
        w,
        `host ${JSON.stringify(e.key)}: expected a mapping of variables, got ${typeName(e.value)}`,
      );
    }
    const vars = isNull(e.value) ? [] : varsEntries(doc, e.value);
    for (const h of pattern.hosts) {
      const host = addHost(inv, h, group, pattern.port, w);
      for (const v of vars) host.vars[v.key] = v.value;
    }
  }
}
