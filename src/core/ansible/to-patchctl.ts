import { allHosts, groupDepths, hostGroups, resolveHostVars } from './inventory-data.js';
import type { VariableOrigin } from './inventory-data.js';
import { shlexSplit } from './shlex.js';
import type { AnsibleInventory, AnsibleValue } from './types.js';

// The patterns of schemas/common.schema.json (hostName, name, labelKey, address, sshUser, jumpHost).
const HOST_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const LABEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const ADDRESS = /^[A-Za-z0-9.:-]{1,253}$/;
const SSH_USER = /^[a-z_][a-z0-9_.-]{0,31}$/;
const JUMP_HOST = /^([a-z_][a-z0-9_.-]{0,31}@)?[A-Za-z0-9.:-]{1,253}(:[0-9]{1,5})?$/;

/** The label every imported host carries for each Ansible group it is directly in. */
export const GROUP_LABEL_PREFIX = 'ansible/';

export interface ImportedHost {
  name: string;
  address?: string;
  port?: number;
  transport?: 'ssh' | 'winrm' | 'local';
  user?: string;
  jumpHost?: string;
  identityFile?: string;
  labels?: Record<string, string>;
}

export interface UnmappedVariable {
  name: string;
  /** Hosts whose resolved variables hold it. */
  hosts: string[];
  /** Where the values come from: `group web`, `group_vars/web`, `host db-01`, `host_vars/db-01`. */
  from: string[];
  /** Why it is not mapped, when it is a variable patchctl knows (`not a lower-case login name`). */
  reasons: string[];
}

export interface AnsibleMapping {
  inventory: {
    apiVersion: 'patchctl/v1';
    kind: 'Inventory';
    metadata: { name: string; description: string };
    spec: { hosts: ImportedHost[] };
  };
  groups: {
    apiVersion: 'patchctl/v1';
    kind: 'Group';
    metadata: { name: string; description: string };
    spec: Record<string, unknown>;
  }[];
  /** Ansible names patchctl's names do not allow, and what they became. */
  renamed: { kind: 'host' | 'group'; from: string; to: string }[];
  /** Groups without hosts (Ansible's --list leaves them out too). */
  emptyGroups: string[];
  unmapped: UnmappedVariable[];
  /** Variables mapped to a host field, with how many hosts. */
  mapped: { name: string; field: string; hosts: number }[];
}

export type MappingResult = { ok: true; mapping: AnsibleMapping } | { ok: false; problems: string[] };

/**
 * A patchctl name for an Ansible one: kept when patchctl allows it, else accents dropped, each
 * run of other characters turned into '-', leading and trailing '-' '.' '_' removed
 * (`příbor` → `pribor`, `2001:db8::1` → `2001-db8-1`, `web servers` → `web-servers`).
 */
export function patchctlName(name: string, pattern: RegExp, max: number): string {
  if (pattern.test(name)) return name;
  const out = name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, max)
    .replace(/[-._]+$/, '');
  return out === '' ? 'x' : out;
}

const CONNECTION_TRANSPORT: Record<string, 'ssh' | 'winrm' | 'local'> = {
  ssh: 'ssh',
  paramiko: 'ssh',
  paramiko_ssh: 'ssh',
  smart: 'ssh',
  'ansible.builtin.ssh': 'ssh',
  'ansible.builtin.paramiko_ssh': 'ssh',
  winrm: 'winrm',
  'ansible.builtin.winrm': 'winrm',
  local: 'local',
  'ansible.builtin.local': 'local',
};

function originText(o: VariableOrigin): string {
  if (o.kind === 'group') return `group ${o.name}`;
  if (o.kind === 'host') return `host ${o.name}`;
  return `${o.kind}/${o.name}`;
}

function isTemplate(v: AnsibleValue): boolean {
  return typeof v === 'string' && /\{\{|\{%/.test(v);
}

/** `-J x`, `-Jx`, `-o ProxyJump=x`, `-oProxyJump=x`, `-o ProxyJump x` in ssh arguments. */
export function proxyJumpOf(args: string): { jump: string | undefined; rest: string[] } {
  let tokens: string[];
  try {
    tokens = shlexSplit(args).map((t) => t.text);
  } catch {
    return { jump: undefined, rest: [args] };
  }
  let jump: string | undefined;
  const rest: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '-J' && i + 1 < tokens.length) {
      jump = tokens[++i];
      continue;
    }
    if (t.startsWith('-J') && t.length > 2) {
      jump = t.slice(2);
      continue;
    }
    let option: string | undefined;
    if (t === '-o' && i + 1 < tokens.length) option = tokens[++i];
    else if (t.startsWith('-o') && t.length > 2) option = t.slice(2);
    if (option !== undefined) {
      const m = /^ProxyJump\s*(?:=\s*|\s+)(.+)$/i.exec(option.trim());
      if (m) {
        jump = m[1]!.trim();
        continue;
      }
      rest.push(`-o ${option}`);
      continue;
    }
    rest.push(t);
  }
  return { jump, rest };
}

/**
 * Maps an Ansible inventory to one patchctl Inventory and Group documents (docs/import-ansible.md):
 * hosts keep their names where patchctl allows them; `ansible_host`, `ansible_port`,
 * `ansible_user`, `ansible_connection`, the ProxyJump of `ansible_ssh_common_args` /
 * `ansible_ssh_extra_args` and (when the schema has it) `ansible_ssh_private_key_file` become
 * host fields; each Ansible group becomes a label `ansible/<group>: "true"` on its direct
 * members and a Group document selecting them and including its child groups. Every other
 * variable is reported, per variable, with its hosts and where it is set.
 */
export function mapAnsibleInventory(
  inv: AnsibleInventory,
  options: {
    name: string;
    source: string;
    /** Whether the inventory schema has a per-host `identityFile` (schemas/inventory.schema.json). */
    identityFile: boolean;
    /** The schema's jumpHost pattern (one hop, or a ProxyJump chain where the schema allows it). */
    jumpHost?: RegExp;
    /** Put before every group's name (document and label), to keep two imports apart. */
    groupPrefix?: string;
  },
): MappingResult {
  const problems: string[] = [];
  const renamed: AnsibleMapping['renamed'] = [];
  const hostNames = new Map<string, string>();
  const taken = new Map<string, string>();
  const order = allHosts(inv);
  for (const h of order) {
    const to = patchctlName(h, HOST_NAME, 253);
    const other = taken.get(to);
    if (other !== undefined) {
      problems.push(
        `hosts ${JSON.stringify(other)} and ${JSON.stringify(h)} would both be named ${JSON.stringify(to)} in patchctl`,
      );
    }
    taken.set(to, h);
    hostNames.set(h, to);
    if (to !== h) renamed.push({ kind: 'host', from: h, to });
  }
  // Groups with at least one host, themselves or through children (the others select nothing).
  const nonEmpty = new Set<string>();
  for (const h of order) for (const g of hostGroups(inv, h)) nonEmpty.add(g);
  const groupNames = new Map<string, string>();
  const takenGroups = new Map<string, string>();
  const depths = groupDepths(inv);
  const groupOrder = [...inv.groups.keys()].filter((g) => g !== 'all');
  for (const g of groupOrder) {
    if (!nonEmpty.has(g)) continue;
    const prefixed = `${options.groupPrefix ?? ''}${g}`;
    const to = patchctlName(prefixed, LABEL_NAME, 63);
    const other = takenGroups.get(to);
    if (other !== undefined) {
      problems.push(
        `groups ${JSON.stringify(other)} and ${JSON.stringify(g)} would both be named ${JSON.stringify(to)} in patchctl`,
      );
    }
    takenGroups.set(to, g);
    groupNames.set(g, to);
    if (to !== prefixed) renamed.push({ kind: 'group', from: g, to });
  }
  void NAME; // a label name (63) is always a valid document name (128) too
  if (problems.length > 0) return { ok: false, problems };

  const unmapped = new Map<string, { hosts: string[]; from: Set<string>; reasons: Set<string> }>();
  const mappedCount = new Map<string, { field: string; hosts: number }>();
  const notMapped = (host: string, name: string, origin: VariableOrigin | undefined, reason?: string) => {
    let u = unmapped.get(name);
    if (!u) unmapped.set(name, (u = { hosts: [], from: new Set(), reasons: new Set() }));
    u.hosts.push(hostNames.get(host)!);
    if (origin) u.from.add(originText(origin));
    if (reason !== undefined) u.reasons.add(reason);
  };
  const mapped = (name: string, field: string) => {
    const m = mappedCount.get(name) ?? { field, hosts: 0 };
    m.hosts++;
    mappedCount.set(name, m);
  };

  const hosts: ImportedHost[] = [];
  for (const h of order) {
    const { vars, origin } = resolveHostVars(inv, h, depths);
    const out: ImportedHost = { name: hostNames.get(h)! };
    const used = new Set<string>();
    const take = (
      names: string[],
      field: string,
      convert: (v: AnsibleValue) => { value?: unknown; reason?: string },
    ) => {
      const name = names.find((n) => n in vars);
      if (name === undefined) return;
      for (const n of names) if (n in vars) used.add(n);
      const v = vars[name]!;
      const r = isTemplate(v)
        ? { reason: 'a Jinja template: patchctl does not evaluate templates' }
        : convert(v);
      if (r.value === undefined) {
        notMapped(h, name, origin.get(name), r.reason);
        return;
      }
      (out as unknown as Record<string, unknown>)[field] = r.value;
      mapped(name, field);
    };
    take(['ansible_host', 'ansible_ssh_host'], 'address', (v) => {
      const s =
        typeof v === 'string' ? v.replace(/^\[(.*)\]$/, '$1') : typeof v === 'number' ? String(v) : '';
      return ADDRESS.test(s) ? { value: s } : { reason: 'not an IP address or DNS name patchctl accepts' };
    });
    take(['ansible_port', 'ansible_ssh_port'], 'port', (v) => {
      const n = typeof v === 'number' ? v : typeof v === 'string' && /^[0-9]+$/.test(v) ? Number(v) : NaN;
      return Number.isInteger(n) && n >= 1 && n <= 65535 ? { value: n } : { reason: 'not a port number' };
    });
    take(['ansible_user', 'ansible_ssh_user'], 'user', (v) =>
      typeof v === 'string' && SSH_USER.test(v)
        ? { value: v }
        : { reason: 'not a login name patchctl accepts (lower-case letters, digits, _ . -)' },
    );
    take(['ansible_connection'], 'transport', (v) => {
      const t = typeof v === 'string' ? CONNECTION_TRANSPORT[v] : undefined;
      if (t === undefined) return { reason: 'a connection plugin patchctl has no transport for' };
      return { value: t };
    });
    if (out.transport === 'ssh') delete out.transport; // ssh is the default: no need to say it
    for (const name of ['ansible_ssh_common_args', 'ansible_ssh_extra_args']) {
      if (!(name in vars)) continue;
      used.add(name);
      const v = vars[name]!;
      if (typeof v !== 'string' || isTemplate(v)) {
        notMapped(h, name, origin.get(name), 'not plain ssh arguments');
        continue;
      }
      const { jump, rest } = proxyJumpOf(v);
      if (jump !== undefined) {
        const pattern = options.jumpHost ?? JUMP_HOST;
        if (!pattern.test(jump)) {
          notMapped(
            h,
            name,
            origin.get(name),
            `ProxyJump ${jump} is not a jump host patchctl accepts ([user@]host[:port])`,
          );
        } else {
          out.jumpHost = jump;
          mapped(name, 'jumpHost');
        }
      }
      if (rest.length > 0)
        notMapped(h, name, origin.get(name), `ssh options other than ProxyJump: ${rest.join(' ')}`);
    }
    for (const name of ['ansible_ssh_private_key_file', 'ansible_private_key_file']) {
      if (!(name in vars)) continue;
      used.add(name);
      const v = vars[name]!;
      if (!options.identityFile) {
        notMapped(
          h,
          name,
          origin.get(name),
          'this patchctl has no per-host identityFile; set the key in patchctl.yaml or your ssh agent',
        );
      } else if (typeof v !== 'string' || isTemplate(v) || v === '' || v.length > 4096) {
        notMapped(h, name, origin.get(name), 'not a file path');
      } else if (out.identityFile === undefined) {
        out.identityFile = v;
        mapped(name, 'identityFile');
      }
    }
    const labels: Record<string, string> = {};
    for (const g of inv.hosts.get(h)!.groups) {
      const label = groupNames.get(g);
      if (label !== undefined) labels[`${GROUP_LABEL_PREFIX}${label}`] = 'true';
    }
    if (Object.keys(labels).length > 0) out.labels = labels;
    for (const name of Object.keys(vars)) if (!used.has(name)) notMapped(h, name, origin.get(name));
    hosts.push(out);
  }

  const groups: AnsibleMapping['groups'] = [];
  for (const g of groupOrder) {
    const name = groupNames.get(g);
    if (name === undefined) continue;
    const group = inv.groups.get(g)!;
    const spec: Record<string, unknown> = {};
    if (group.hosts.length > 0) spec.selector = { matchLabels: { [`${GROUP_LABEL_PREFIX}${name}`]: 'true' } };
    const children = group.children.map((c) => groupNames.get(c)).filter((c): c is string => c !== undefined);
    if (children.length > 0) spec.groups = children;
    groups.push({
      apiVersion: 'patchctl/v1',
      kind: 'Group',
      metadata: { name, description: `Ansible group ${g} (${options.source})` },
      spec,
    });
  }

  return {
    ok: true,
    mapping: {
      inventory: {
        apiVersion: 'patchctl/v1',
        kind: 'Inventory',
        metadata: {
          name: options.name,
          description: `Imported from the Ansible inventory ${options.source}`,
        },
        spec: { hosts },
      },
      groups,
      renamed,
      emptyGroups: groupOrder.filter((g) => !nonEmpty.has(g)),
      unmapped: [...unmapped]
        .map(([name, u]) => ({ name, hosts: u.hosts, from: [...u.from], reasons: [...u.reasons] }))
        .sort((a, b) => b.hosts.length - a.hosts.length || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      mapped: [...mappedCount].map(([name, m]) => ({ name, ...m })),
    },
  };
}

/** The report of what was not mapped, as lines (docs/import-ansible.md, "The report"). */
export function unmappedReport(m: AnsibleMapping): string[] {
  const lines: string[] = [];
  if (m.renamed.length > 0) {
    lines.push(`Renamed (patchctl names are letters, digits, '.', '_' and '-'; labels at most 63):`);
    for (const r of m.renamed) lines.push(`  ${r.kind} ${r.from} -> ${r.to}`);
  }
  if (m.emptyGroups.length > 0) lines.push(`Left out (no hosts): group ${m.emptyGroups.join(', ')}`);
  if (m.mapped.length > 0) {
    lines.push('Mapped:');
    for (const x of m.mapped)
      lines.push(`  ${x.name} -> ${x.field} (${x.hosts} host${x.hosts === 1 ? '' : 's'})`);
  }
  if (m.unmapped.length > 0) {
    const total = m.unmapped.reduce((n, u) => n + u.hosts.length, 0);
    lines.push(
      `Not mapped: ${m.unmapped.length} variable${m.unmapped.length === 1 ? '' : 's'} (${total} host values); they stay in Ansible:`,
    );
    for (const u of m.unmapped) {
      const hosts =
        u.hosts.length <= 3
          ? u.hosts.join(', ')
          : `${u.hosts.slice(0, 3).join(', ')}, ... (${u.hosts.length - 3} more)`;
      const why = u.reasons.length > 0 ? `; ${u.reasons.join('; ')}` : '';
      lines.push(
        `  ${u.name}: ${u.hosts.length} host${u.hosts.length === 1 ? '' : 's'} (${hosts}), from ${u.from.join(', ')}${why}`,
      );
    }
  }
  return lines;
}
