// The JSON Schemas in schemas/ are a user-facing contract: editors (yaml-language-server) read them
// for completion and hover, and the loader validates every document with them. These tests check
// that they compile under strict ajv, that they explain themselves, that their patterns keep shell
// metacharacters out, and that they accept exactly the fields of types.ts.

import { describe, it, expect } from '@jest/globals';
import { readFileSync, readdirSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { AnySchemaObject, ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { KINDS } from './types.js';
import type {
  BlackoutDocument,
  ConfigDocument,
  GroupDocument,
  InventoryDocument,
  Kind,
  MaintenanceWindowDocument,
  PatchExceptionDocument,
  PatchPolicyDocument,
  RolloutDocument,
} from './types.js';

const SCHEMA_DIR = new URL('../../../schemas/', import.meta.url);
const BASE_ID = 'https://patchctl.dev/schemas/v1/';
const DRAFT = 'https://json-schema.org/draft/2020-12/schema';

const FILE_OF_KIND: Record<Kind, string> = {
  Config: 'config.schema.json',
  Inventory: 'inventory.schema.json',
  Group: 'group.schema.json',
  Rollout: 'rollout.schema.json',
  MaintenanceWindow: 'maintenance-window.schema.json',
  Blackout: 'blackout.schema.json',
  PatchPolicy: 'patch-policy.schema.json',
  PatchException: 'patch-exception.schema.json',
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

function loadSchemas(): Map<string, JsonObject> {
  const out = new Map<string, JsonObject>();
  for (const file of readdirSync(SCHEMA_DIR).sort()) {
    if (!file.endsWith('.json')) continue;
    out.set(file, JSON.parse(readFileSync(new URL(file, SCHEMA_DIR), 'utf8')) as JsonObject);
  }
  return out;
}

const schemas = loadSchemas();

function makeAjv(): Ajv2020 {
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats.default(ajv);
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  for (const schema of schemas.values()) ajv.addSchema(schema as AnySchemaObject);
  return ajv;
}

const ajv = makeAjv();

function validatorFor(file: string): ValidateFunction {
  const v = ajv.getSchema(BASE_ID + file);
  if (!v) throw new Error(`no schema ${file}`);
  return v;
}

const anyDocument = validatorFor('patchctl.schema.json');
const validatorOfKind = (kind: Kind): ValidateFunction => validatorFor(FILE_OF_KIND[kind]);

/** `instancePath keyword` of every error, e.g. `/spec/hosts/0/name pattern`. */
function problems(validate: ValidateFunction, doc: unknown): string[] {
  return validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.keyword}`);
}

/** Every schema node of a file with its JSON pointer, walking only schema positions. */
function* schemaNodes(node: Json, pointer = ''): Generator<[string, JsonObject]> {
  if (!isObject(node)) return;
  yield [pointer, node];
  const esc = (k: string): string => k.replace(/~/g, '~0').replace(/\//g, '~1');
  for (const mapKeyword of ['properties', '$defs', 'patternProperties']) {
    const map = node[mapKeyword];
    if (isObject(map)) {
      for (const [k, v] of Object.entries(map)) yield* schemaNodes(v, `${pointer}/${mapKeyword}/${esc(k)}`);
    }
  }
  for (const one of [
    'items',
    'additionalProperties',
    'propertyNames',
    'if',
    'then',
    'else',
    'not',
    'contains',
  ]) {
    if (isObject(node[one])) yield* schemaNodes(node[one], `${pointer}/${one}`);
  }
  for (const list of ['allOf', 'anyOf', 'oneOf', 'prefixItems']) {
    const arr = node[list];
    if (Array.isArray(arr))
      for (const [i, v] of arr.entries()) yield* schemaNodes(v, `${pointer}/${list}/${i}`);
  }
}

function allNodes(): Array<[string, string, JsonObject]> {
  const out: Array<[string, string, JsonObject]> = [];
  for (const [file, schema] of schemas)
    for (const [ptr, node] of schemaNodes(schema)) out.push([file, ptr, node]);
  return out;
}

/** Resolve a `$ref` as written in our schemas (`#/$defs/x` or `common.schema.json#/$defs/x`). */
function resolveRef(ref: string, fromFile: string): [string, JsonObject] {
  const [filePart, pointer = ''] = ref.split('#');
  const file = filePart ? filePart : fromFile;
  let node: Json | undefined = schemas.get(file);
  for (const seg of pointer.split('/').filter(Boolean)) {
    node = isObject(node) ? node[seg.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  }
  if (!isObject(node)) throw new Error(`unresolvable $ref ${ref} in ${fromFile}`);
  return [file, node];
}

/** Names of every property a document of this schema can carry, following `$ref`s. */
function propertyNamesReachable(file: string, node: JsonObject, seen = new Set<JsonObject>()): Set<string> {
  const names = new Set<string>();
  const visit = (f: string, n: JsonObject): void => {
    if (seen.has(n)) return;
    seen.add(n);
    for (const [, sub] of schemaNodes(n)) {
      if (isObject(sub.properties)) for (const k of Object.keys(sub.properties)) names.add(k);
      if (typeof sub.$ref === 'string') {
        const [rf, rn] = resolveRef(sub.$ref, f);
        visit(rf, rn);
      }
    }
  };
  visit(file, node);
  return names;
}

function keysOf(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keysOf(v, into);
  else if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) {
      into.add(k);
      keysOf(v, into);
    }
  }
  return into;
}

// ---------------------------------------------------------------- documents

const meta = (name: string) => ({ name });

/** The smallest valid document of each kind. */
const minimal: Record<Kind, unknown> = {
  Config: { apiVersion: 'patchctl/v1', kind: 'Config', metadata: meta('default'), spec: {} },
  Inventory: {
    apiVersion: 'patchctl/v1',
    kind: 'Inventory',
    metadata: meta('web'),
    spec: { hosts: [{ name: 'web-01' }] },
  },
  Group: { apiVersion: 'patchctl/v1', kind: 'Group', metadata: meta('web-prod'), spec: {} },
  Rollout: {
    apiVersion: 'patchctl/v1',
    kind: 'Rollout',
    metadata: meta('default'),
    spec: { rings: [{ name: 'all', rest: true }] },
  },
  MaintenanceWindow: {
    apiVersion: 'patchctl/v1',
    kind: 'MaintenanceWindow',
    metadata: meta('nightly'),
    spec: { timezone: 'UTC', cron: '0 22 * * *', duration: '4h', groups: ['web-prod'] },
  },
  Blackout: { apiVersion: 'patchctl/v1', kind: 'Blackout', metadata: meta('freeze'), spec: {} },
  PatchPolicy: {
    apiVersion: 'patchctl/v1',
    kind: 'PatchPolicy',
    metadata: meta('security'),
    spec: { appliesTo: { groups: ['web-prod'] } },
  },
  PatchException: {
    apiVersion: 'patchctl/v1',
    kind: 'PatchException',
    metadata: meta('pg-pin'),
    spec: { reason: 'Vendor certifies 15.4 only', owner: 'team-db', expires: '2026-12-31' },
  },
};

const selector = {
  matchLabels: { env: 'prod', 'example.com/owner': 'team-web@example.com', empty: '' },
  matchExpressions: [
    { key: 'site', operator: 'In' as const, values: ['fra1', 'ams2'] },
    { key: 'legacy', operator: 'DoesNotExist' as const },
  ],
};

/** Metadata with every field, for the documents below. */
const fullMeta = (name: string) => ({
  name,
  description: `The ${name} document`,
  labels: { team: 'platform' },
});

const healthCheck = {
  command: ['curl', '-fsS', 'http://127.0.0.1/healthz'],
  timeout: '30s',
  retries: 3,
  interval: '10s',
};

// Every field of types.ts, typed with types.ts: `npm run typecheck` proves the field names exist
// there, and the tests below prove the schemas accept them and declare nothing else.
const config: ConfigDocument = {
  apiVersion: 'patchctl/v1',
  kind: 'Config',
  metadata: fullMeta('default'),
  spec: {
    timezone: 'Europe/Berlin',
    concurrency: 20,
    ssh: {
      user: 'patchctl',
      port: 22,
      identityFile: '~/.ssh/id_ed25519',
      passphraseEnv: 'PATCHCTL_SSH_PASSPHRASE',
      useAgent: true,
      sudo: true,
      connectTimeout: '10s',
      commandTimeout: '30m',
      keepaliveInterval: '15s',
      jumpHost: 'jump@bastion.example.com:2222',
      useUserKnownHosts: false,
      configFile: '~/.ssh/config',
    },
    winrm: {
      scheme: 'https',
      port: 5986,
      auth: 'ntlm',
      allowHttp: false,
      userEnv: 'PATCHCTL_WINRM_USER',
      passwordEnv: 'PATCHCTL_WINRM_PASSWORD',
      caFile: 'certs/ca.pem',
      operationTimeout: '1h',
    },
    sla: { critical: '7d', high: '14d', medium: '30d', low: '90d', unknown: '30d' },
    advisories: {
      maxAge: '7d',
      epssThreshold: 0.1,
      sources: [
        {
          name: 'debian',
          kind: 'osv',
          url: 'https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip',
          sha256: 'a'.repeat(64),
          sha256Url: 'https://mirror.example.com/Debian/all.zip.sha256',
          ecosystems: ['Debian:12'],
        },
      ],
    },
    exceptions: { maxDuration: '90d' },
    paths: {
      inventory: 'inventory',
      groups: 'groups',
      rollouts: 'rollouts',
      windows: 'windows',
      policies: 'policies',
      exceptions: 'exceptions',
      advisories: 'advisories',
      state: 'state',
      reports: 'reports',
      knownHosts: 'known_hosts',
    },
    git: { authorName: 'patchctl', authorEmail: 'patchctl@example.com' },
    notifications: {
      webhooks: [
        {
          name: 'ops-slack',
          urlEnv: 'PATCHCTL_SLACK_WEBHOOK_URL',
          format: 'slack',
          events: ['ring-halted', 'host-failed'],
          minSeverity: 'high',
        },
      ],
      timeout: '10s',
      retries: 3,
      exceptionExpiryNotice: '14d',
    },
  },
};

const inventory: InventoryDocument = {
  apiVersion: 'patchctl/v1',
  kind: 'Inventory',
  metadata: fullMeta('fra1'),
  spec: {
    defaults: {
      port: 22,
      transport: 'ssh',
      os: 'debian',
      user: 'patchctl',
      timezone: 'Europe/Berlin',
      jumpHost: 'bastion.example.com',
      sshConfig: 'ssh/config',
      identityFile: '~/.ssh/id_ed25519',
      labels: { site: 'fra1', env: 'prod' },
    },
    hosts: [
      {
        name: 'web-01',
        address: '10.0.4.21',
        port: 2222,
        transport: 'ssh',
        os: 'ubuntu',
        user: 'admin',
        timezone: 'America/New_York',
        jumpHost: 'jump@10.0.0.1:22,bastion-b',
        sshConfig: 'none',
        identityFile: 'keys/web',
        labels: { role: 'web' },
      },
      { name: 'win-01', address: 'fd00::21', transport: 'winrm', os: 'windows' },
      { name: 'controller', transport: 'local' },
    ],
  },
};

const group: GroupDocument = {
  apiVersion: 'patchctl/v1',
  kind: 'Group',
  metadata: fullMeta('web-prod'),
  spec: { selector, hosts: ['web-01'], groups: ['api-prod'], exclude: ['web-07'], excludeGroups: ['legacy'] },
};

const rollout: RolloutDocument = {
  apiVersion: 'patchctl/v1',
  kind: 'Rollout',
  metadata: fullMeta('default'),
  spec: {
    appliesTo: ['prod'],
    rings: [
      {
        name: 'canary',
        description: 'Volunteers first',
        groups: ['canary'],
        maxParallel: 1,
        failureBudget: { maxFailed: 0 },
        bakeTime: '24h',
        healthCheck,
      },
      { name: 'labelled', selector, maxParallel: '100%', failureBudget: { maxFailedPercent: 10 } },
      { name: 'early', percent: 12.5, maxParallel: '25%' },
      { name: 'rest', rest: true, maxParallel: 10 },
    ],
  },
};

const window: MaintenanceWindowDocument = {
  apiVersion: 'patchctl/v1',
  kind: 'MaintenanceWindow',
  metadata: fullMeta('patch-tuesday-plus-3'),
  spec: {
    timezone: 'Europe/Berlin',
    rrule: 'FREQ=MONTHLY;BYDAY=2TU;BYHOUR=22;BYMINUTE=0',
    cron: '0 22 * * 2',
    offset: '3d',
    duration: '4h',
    cutoff: '30m',
    groups: ['web-prod'],
  },
};

const blackout: BlackoutDocument = {
  apiVersion: 'patchctl/v1',
  kind: 'Blackout',
  metadata: fullMeta('year-end'),
  spec: {
    timezone: 'Europe/Berlin',
    start: '2026-12-20T18:00',
    end: '2027-01-04T08:00:00+01:00',
    rrule: 'FREQ=YEARLY;BYMONTH=12;BYMONTHDAY=20',
    cron: '0 0 20 12 *',
    duration: '15d',
    groups: ['shop-prod'],
    reason: 'Year-end sales freeze',
  },
};

const policy: PatchPolicyDocument = {
  apiVersion: 'patchctl/v1',
  kind: 'PatchPolicy',
  metadata: fullMeta('prod-security'),
  spec: {
    appliesTo: { groups: ['web-prod'], selector },
    priority: -10,
    rollout: 'default',
    classification: ['security', 'bugfix'],
    minSeverity: 'high',
    unknownSeverity: 'include',
    approveAfter: '3d',
    include: ['openssl', 'linux-image-*', 'g++', 'libc6:amd64', 'kernel-?'],
    exclude: ['postgresql-*'],
    pins: [
      { package: 'openssl', version: '<3.1' },
      { package: 'libfoo', version: '>=1.2 <2' },
      { package: 'openssl', version: '=3.0.15-1~deb12u1' },
      { package: 'git', version: '!=1:2.39.2-1.1 >=1:2.39.*' },
    ],
    reboot: 'ifRequired',
    allowRebootBy: ['emergency-kev'],
    windows: ['patch-tuesday-plus-3'],
    hooks: {
      pre: [{ command: ['systemctl', 'stop', 'myapp'], timeout: '2m', required: true }],
      post: [{ command: ['sh', '-c', 'echo "argument vectors may hold anything; no shell is involved"'] }],
      healthCheck,
    },
    emergency: {
      enabled: true,
      feeds: ['kev', 'cisa-kev.json'],
      epss: true,
      skipApproval: true,
      skipBakeTime: true,
      ignoreWindows: false,
    },
  },
};

const exception: PatchExceptionDocument = {
  apiVersion: 'patchctl/v1',
  kind: 'PatchException',
  metadata: fullMeta('pg-pin'),
  spec: {
    hosts: ['db-02'],
    groups: ['db-prod'],
    packages: ['postgresql-15'],
    advisories: [
      'CVE-2024-1234',
      'DSA-5939-1',
      'ALSA-2025:11533',
      'RHSA-2022:0216',
      'USN-5252-1',
      'KB5034441',
      'GHSA-xq3w-v528-46rv',
    ],
    reason: 'Vendor certifies PostgreSQL 15.4 only; upgrade planned for Q3.',
    owner: 'team-db',
    ticket: 'CHG-4711',
    created: '2026-06-01',
    expires: '2026-09-30T18:00:00Z',
  },
};

const full: Record<Kind, unknown> = {
  Config: config,
  Inventory: inventory,
  Group: group,
  Rollout: rollout,
  MaintenanceWindow: window,
  Blackout: blackout,
  PatchPolicy: policy,
  PatchException: exception,
};

/** A deep copy of `doc` with `value` set at `path` (`undefined` deletes the key). */
function withValue(doc: unknown, path: Array<string | number>, value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let node = copy;
  for (const seg of path.slice(0, -1)) node = node[seg] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) delete node[last];
  else node[last] = value;
  return copy;
}

// ---------------------------------------------------------------- tests

describe('schema files', () => {
  it('hold one schema per kind, the common definitions, the any-document schema, plan and state', () => {
    const files = [
      'common.schema.json',
      'patchctl.schema.json',
      'plan.schema.json',
      'compliance.schema.json',
      'compliance-history.schema.json',
      'host-state.schema.json',
      'rollout-state.schema.json',
      'journal-event.schema.json',
      'findings.schema.json',
      'advisories-sync.schema.json',
      'notification.schema.json',
    ];
    const expected = [...files, ...Object.values(FILE_OF_KIND)].sort();
    expect([...schemas.keys()]).toEqual(expected);
    expect(Object.keys(FILE_OF_KIND).sort()).toEqual([...KINDS].sort());
  });

  it.each([...schemas.keys()])('%s declares draft 2020-12, its $id, a title and a description', (file) => {
    const s = schemas.get(file)!;
    expect(s.$schema).toBe(DRAFT);
    expect(s.$id).toBe(BASE_ID + file);
    expect(typeof s.title).toBe('string');
    expect(String(s.description).length).toBeGreaterThan(20);
  });

  it('compile under strict ajv', () => {
    for (const file of schemas.keys()) expect(typeof validatorFor(file)).toBe('function');
  });

  it.each(KINDS)('%s schema is a closed document with apiVersion, kind, metadata and spec', (kind) => {
    const s = schemas.get(FILE_OF_KIND[kind])!;
    expect(s.type).toBe('object');
    expect(s.additionalProperties).toBe(false);
    expect(s.required).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
    const props = s.properties as JsonObject;
    expect((props.kind as JsonObject).const).toBe(kind);
    expect((props.apiVersion as JsonObject).$ref).toBe('common.schema.json#/$defs/apiVersion');
    expect((props.metadata as JsonObject).$ref).toBe('common.schema.json#/$defs/metadata');
  });

  it('the any-document schema dispatches every kind to its own schema', () => {
    const s = schemas.get('patchctl.schema.json')!;
    expect(((s.properties as JsonObject).kind as JsonObject).enum).toEqual([...KINDS]);
    const dispatch = (s.allOf as JsonObject[]).map((branch) => [
      (((branch.if as JsonObject).properties as JsonObject).kind as JsonObject).const,
      (branch.then as JsonObject).$ref,
    ]);
    expect(dispatch).toEqual(KINDS.map((k) => [k, FILE_OF_KIND[k]]));
  });
});

describe('schemas explain themselves to editors', () => {
  const nodes = allNodes();

  it('every property and every definition has a description', () => {
    const missing: string[] = [];
    for (const [file, ptr, node] of nodes) {
      for (const mapKeyword of ['properties', '$defs']) {
        const map = node[mapKeyword];
        if (!isObject(map)) continue;
        for (const [name, sub] of Object.entries(map)) {
          const d = isObject(sub) ? sub.description : undefined;
          if (typeof d !== 'string' || d.trim().length < 10)
            missing.push(`${file}#${ptr}/${mapKeyword}/${name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('every pattern has a patternErrorMessage saying what is allowed', () => {
    const bad = nodes
      .filter(([, , n]) => typeof n.pattern === 'string')
      .filter(([, , n]) => typeof n.patternErrorMessage !== 'string' || !/^must /.test(n.patternErrorMessage))
      .map(([f, p]) => `${f}#${p}`);
    expect(bad).toEqual([]);
    expect(nodes.filter(([, , n]) => typeof n.pattern === 'string').length).toBeGreaterThan(15);
  });

  it('every object with properties is closed (additionalProperties: false)', () => {
    const open = nodes
      .filter(([, p, n]) => isObject(n.properties) && !p.endsWith('/if'))
      .filter(([, , n]) => n.additionalProperties !== false)
      .map(([f, p]) => `${f}#${p}`);
    expect(open).toEqual([]);
  });

  it('most properties offer examples', () => {
    let props = 0;
    let withExamples = 0;
    for (const [, , node] of nodes) {
      if (!isObject(node.properties)) continue;
      for (const sub of Object.values(node.properties)) {
        props++;
        if (isObject(sub) && Array.isArray(sub.examples) && sub.examples.length > 0) withExamples++;
      }
    }
    expect(withExamples / props).toBeGreaterThan(0.8);
  });

  it('every example is valid where it is given', () => {
    const invalid: string[] = [];
    for (const [file, ptr, node] of nodes) {
      if (!Array.isArray(node.examples)) continue;
      const validate = ajv.compile({ $ref: `${BASE_ID}${file}#${ptr}` });
      for (const example of node.examples) {
        if (!validate(example))
          invalid.push(`${file}#${ptr} ${JSON.stringify(example)}: ${ajv.errorsText(validate.errors)}`);
      }
    }
    expect(invalid).toEqual([]);
  });

  it('no property can hold a secret: only names of environment variables', () => {
    const names = new Set<string>();
    for (const [, , node] of nodes)
      if (isObject(node.properties)) Object.keys(node.properties).forEach((k) => names.add(k));
    const secretish = [...names].filter((k) => /password|passphrase|secret|token|privatekey|apikey/i.test(k));
    expect(secretish.sort()).toEqual(['passphraseEnv', 'passwordEnv']);
  });
});

describe('documents of each kind', () => {
  it.each(KINDS)('a minimal %s is valid, alone and through the any-document schema', (kind) => {
    expect(problems(validatorOfKind(kind), minimal[kind])).toEqual([]);
    expect(problems(anyDocument, minimal[kind])).toEqual([]);
  });

  it.each(KINDS)('a %s using every field of types.ts is valid', (kind) => {
    expect(problems(validatorOfKind(kind), full[kind])).toEqual([]);
    expect(problems(anyDocument, full[kind])).toEqual([]);
  });

  it.each(KINDS)('the %s schema declares no field that types.ts lacks', (kind) => {
    const file = FILE_OF_KIND[kind];
    const declared = propertyNamesReachable(file, schemas.get(file)!);
    const used = keysOf(full[kind]);
    expect([...declared].filter((k) => !used.has(k))).toEqual([]);
  });

  it.each(KINDS)('%s: wrong apiVersion, wrong kind, missing name, unknown fields are rejected', (kind) => {
    const v = validatorOfKind(kind);
    const doc = minimal[kind];
    expect(problems(v, withValue(doc, ['apiVersion'], 'patchctl/v2'))).toContain('/apiVersion const');
    expect(problems(v, withValue(doc, ['kind'], 'Nope'))).toContain('/kind const');
    expect(problems(v, withValue(doc, ['metadata'], {}))).toContain('/metadata required');
    expect(problems(v, withValue(doc, ['metadata', 'name'], 'a b'))).toContain('/metadata/name pattern');
    expect(problems(v, withValue(doc, ['spec', 'bogus'], 1))).toContain('/spec additionalProperties');
    expect(problems(v, withValue(doc, ['extra'], 1))).toContain(' additionalProperties');
    expect(problems(v, withValue(doc, ['spec'], undefined))).toContain(' required');
  });
});

describe('invalid documents', () => {
  const cases: Array<[string, Kind, Array<string | number>, unknown, string]> = [
    // shell metacharacters
    [
      'host name with a command',
      'Inventory',
      ['spec', 'hosts', 0, 'name'],
      'web;rm -rf /',
      '/spec/hosts/0/name pattern',
    ],
    [
      'address with a space',
      'Inventory',
      ['spec', 'hosts', 0, 'address'],
      '10.0.0.1 -oProxyCommand=x',
      '/spec/hosts/0/address pattern',
    ],
    [
      'address with brackets',
      'Inventory',
      ['spec', 'hosts', 0, 'address'],
      '[fd00::1]',
      '/spec/hosts/0/address pattern',
    ],
    ['user with $', 'Inventory', ['spec', 'hosts', 0, 'user'], 'root$(id)', '/spec/hosts/0/user pattern'],
    [
      'jump host with ;',
      'Inventory',
      ['spec', 'defaults'],
      { jumpHost: 'bastion;id' },
      '/spec/defaults/jumpHost pattern',
    ],
    [
      'label value with a backtick',
      'Inventory',
      ['spec', 'hosts', 0, 'labels'],
      { role: 'web`id`' },
      '/spec/hosts/0/labels/role pattern',
    ],
    [
      'label key with a space',
      'Group',
      ['spec', 'selector'],
      { matchLabels: { 'a b': 'x' } },
      '/spec/selector/matchLabels propertyNames',
    ],
    [
      'label value not a string',
      'Group',
      ['spec', 'selector'],
      { matchLabels: { tier: 1 } },
      '/spec/selector/matchLabels/tier type',
    ],
    [
      'package glob with $()',
      'PatchPolicy',
      ['spec', 'include'],
      ['openssl$(id)'],
      '/spec/include/0 pattern',
    ],
    [
      'package glob with a space',
      'PatchPolicy',
      ['spec', 'exclude'],
      ['openssl foo'],
      '/spec/exclude/0 pattern',
    ],
    [
      'package glob starting with -',
      'PatchPolicy',
      ['spec', 'exclude'],
      ['-oDebug'],
      '/spec/exclude/0 pattern',
    ],
    [
      'version with ;',
      'PatchPolicy',
      ['spec', 'pins'],
      [{ package: 'a', version: '1.0;id' }],
      '/spec/pins/0/version pattern',
    ],
    [
      'version with a lone operator',
      'PatchPolicy',
      ['spec', 'pins'],
      [{ package: 'a', version: '>= 1.0' }],
      '/spec/pins/0/version pattern',
    ],
    ['pin without version', 'PatchPolicy', ['spec', 'pins'], [{ package: 'a' }], '/spec/pins/0 required'],
    ['group reference with /', 'Rollout', ['spec', 'appliesTo'], ['../etc'], '/spec/appliesTo/0 pattern'],
    [
      'advisory with ;',
      'PatchException',
      ['spec', 'advisories'],
      ['CVE-2024-1;id'],
      '/spec/advisories/0 pattern',
    ],
    [
      'advisory lower-case prefix',
      'PatchException',
      ['spec', 'advisories'],
      ['cve-2024-1'],
      '/spec/advisories/0 pattern',
    ],
    [
      'timezone with a space',
      'MaintenanceWindow',
      ['spec', 'timezone'],
      'Europe/Berlin now',
      '/spec/timezone pattern',
    ],
    [
      'rrule with RRULE: prefix',
      'MaintenanceWindow',
      ['spec', 'rrule'],
      'RRULE:FREQ=DAILY',
      '/spec/rrule pattern',
    ],
    ['cron with ;', 'MaintenanceWindow', ['spec', 'cron'], '0 22 * * 2;id', '/spec/cron pattern'],
    // durations, dates and numbers
    ['duration "7 days"', 'MaintenanceWindow', ['spec', 'duration'], '7 days', '/spec/duration pattern'],
    ['duration without unit', 'MaintenanceWindow', ['spec', 'duration'], '90', '/spec/duration pattern'],
    ['duration as a number', 'MaintenanceWindow', ['spec', 'duration'], 90, '/spec/duration type'],
    ['empty window groups', 'MaintenanceWindow', ['spec', 'groups'], [], '/spec/groups minItems'],
    ['window without timezone', 'MaintenanceWindow', ['spec', 'timezone'], undefined, '/spec required'],
    ['date in another format', 'PatchException', ['spec', 'expires'], '31.12.2026', '/spec/expires pattern'],
    ['short reason', 'PatchException', ['spec', 'reason'], 'because', '/spec/reason minLength'],
    ['empty owner', 'PatchException', ['spec', 'owner'], '', '/spec/owner minLength'],
    ['missing expires', 'PatchException', ['spec', 'expires'], undefined, '/spec required'],
    ['port 0', 'Inventory', ['spec', 'hosts', 0, 'port'], 0, '/spec/hosts/0/port minimum'],
    ['port 65536', 'Inventory', ['spec', 'hosts', 0, 'port'], 65536, '/spec/hosts/0/port maximum'],
    ['port as a string', 'Inventory', ['spec', 'hosts', 0, 'port'], '22', '/spec/hosts/0/port type'],
    [
      'host without name',
      'Inventory',
      ['spec', 'hosts', 0],
      { address: '10.0.0.1' },
      '/spec/hosts/0 required',
    ],
    ['inventory without hosts', 'Inventory', ['spec', 'hosts'], undefined, '/spec required'],
    [
      'unknown transport',
      'Inventory',
      ['spec', 'hosts', 0, 'transport'],
      'telnet',
      '/spec/hosts/0/transport enum',
    ],
    ['unknown os', 'Inventory', ['spec', 'hosts', 0, 'os'], 'windoze', '/spec/hosts/0/os enum'],
    ['no rings', 'Rollout', ['spec', 'rings'], [], '/spec/rings minItems'],
    ['ring without name', 'Rollout', ['spec', 'rings', 0, 'name'], undefined, '/spec/rings/0 required'],
    [
      'ring percent 0',
      'Rollout',
      ['spec', 'rings', 0, 'percent'],
      0,
      '/spec/rings/0/percent exclusiveMinimum',
    ],
    ['ring percent 101', 'Rollout', ['spec', 'rings', 0, 'percent'], 101, '/spec/rings/0/percent maximum'],
    ['maxParallel 0', 'Rollout', ['spec', 'rings', 0, 'maxParallel'], 0, '/spec/rings/0/maxParallel anyOf'],
    [
      'maxParallel 150%',
      'Rollout',
      ['spec', 'rings', 0, 'maxParallel'],
      '150%',
      '/spec/rings/0/maxParallel anyOf',
    ],
    [
      'maxParallel 1.5',
      'Rollout',
      ['spec', 'rings', 0, 'maxParallel'],
      1.5,
      '/spec/rings/0/maxParallel anyOf',
    ],
    [
      'negative maxFailed',
      'Rollout',
      ['spec', 'rings', 0, 'failureBudget'],
      { maxFailed: -1 },
      '/spec/rings/0/failureBudget/maxFailed minimum',
    ],
    [
      'maxFailedPercent 120',
      'Rollout',
      ['spec', 'rings', 0, 'failureBudget'],
      { maxFailedPercent: 120 },
      '/spec/rings/0/failureBudget/maxFailedPercent maximum',
    ],
    [
      'health check as a shell string',
      'Rollout',
      ['spec', 'rings', 0, 'healthCheck'],
      { command: 'curl localhost | grep ok' },
      '/spec/rings/0/healthCheck/command type',
    ],
    [
      'empty health check command',
      'Rollout',
      ['spec', 'rings', 0, 'healthCheck'],
      { command: [] },
      '/spec/rings/0/healthCheck/command minItems',
    ],
    [
      'negative retries',
      'Rollout',
      ['spec', 'rings', 0, 'healthCheck'],
      { command: ['true'], retries: -1 },
      '/spec/rings/0/healthCheck/retries minimum',
    ],
    ['concurrency 0', 'Config', ['spec', 'concurrency'], 0, '/spec/concurrency minimum'],
    ['policy without appliesTo', 'PatchPolicy', ['spec', 'appliesTo'], undefined, '/spec required'],
    ['empty classification', 'PatchPolicy', ['spec', 'classification'], [], '/spec/classification minItems'],
    [
      'duplicate classification',
      'PatchPolicy',
      ['spec', 'classification'],
      ['security', 'security'],
      '/spec/classification uniqueItems',
    ],
    [
      'unknown classification',
      'PatchPolicy',
      ['spec', 'classification'],
      ['feature'],
      '/spec/classification/0 enum',
    ],
    ['unknown severity', 'PatchPolicy', ['spec', 'minSeverity'], 'important', '/spec/minSeverity enum'],
    ['unknown reboot mode', 'PatchPolicy', ['spec', 'reboot'], 'sometimes', '/spec/reboot enum'],
    ['fractional priority', 'PatchPolicy', ['spec', 'priority'], 1.5, '/spec/priority type'],
    [
      'hook as a shell string',
      'PatchPolicy',
      ['spec', 'hooks'],
      { pre: [{ command: 'systemctl stop app' }] },
      '/spec/hooks/pre/0/command type',
    ],
    [
      'unknown selector operator',
      'Group',
      ['spec', 'selector'],
      { matchExpressions: [{ key: 'a', operator: 'Equals' }] },
      '/spec/selector/matchExpressions/0/operator enum',
    ],
    // secrets never in the repository
    ['ssh password', 'Config', ['spec', 'ssh'], { password: 'hunter2' }, '/spec/ssh additionalProperties'],
    [
      'ssh passphrase',
      'Config',
      ['spec', 'ssh'],
      { passphrase: 'hunter2' },
      '/spec/ssh additionalProperties',
    ],
    [
      'winrm password',
      'Config',
      ['spec', 'winrm'],
      { password: 'hunter2' },
      '/spec/winrm additionalProperties',
    ],
    [
      'env var name in lower case',
      'Config',
      ['spec', 'winrm'],
      { passwordEnv: 'winrm_password' },
      '/spec/winrm/passwordEnv pattern',
    ],
    [
      'env var holding a value',
      'Config',
      ['spec', 'ssh'],
      { passphraseEnv: 'hunter2 secret' },
      '/spec/ssh/passphraseEnv pattern',
    ],
    ['unknown winrm scheme', 'Config', ['spec', 'winrm'], { scheme: 'ftp' }, '/spec/winrm/scheme enum'],
    ['unknown sla severity', 'Config', ['spec', 'sla'], { urgent: '1d' }, '/spec/sla additionalProperties'],
    [
      'bad author e-mail',
      'Config',
      ['spec', 'git'],
      { authorEmail: 'not an address' },
      '/spec/git/authorEmail format',
    ],
  ];

  it.each(cases)('%s', (_label, kind, path, value, expected) => {
    const doc = withValue(minimal[kind], path, value);
    expect(problems(validatorOfKind(kind), doc)).toContain(expected);
    expect(problems(anyDocument, doc)).toContain(expected);
  });
});

describe('the any-document schema', () => {
  it('validates each document of a mixed file by its own kind', () => {
    const window = minimal.MaintenanceWindow;
    const freeze = { ...(minimal.Blackout as JsonObject), spec: { start: '2026-12-20', end: '2027-01-04' } };
    expect(problems(anyDocument, window)).toEqual([]);
    expect(problems(anyDocument, freeze)).toEqual([]);
    // A Blackout field in a MaintenanceWindow is caught by the MaintenanceWindow schema.
    expect(problems(anyDocument, withValue(window, ['spec', 'reason'], 'x'))).toContain(
      '/spec additionalProperties',
    );
  });

  it('rejects an unknown kind and a document without spec', () => {
    expect(problems(anyDocument, { ...(minimal.Group as JsonObject), kind: 'Host' })).toContain('/kind enum');
    expect(problems(anyDocument, withValue(minimal.Group, ['spec'], undefined))).toContain(' required');
  });
});

describe('patterns keep shell metacharacters out', () => {
  // Characters no pattern accepts (the rrule pattern needs ';', so it is checked without it).
  const metachars = [
    ';',
    '|',
    '&',
    '$',
    '`',
    '\\',
    '"',
    "'",
    '(',
    ')',
    '{',
    '}',
    '[',
    ']',
    '#',
    '\n',
    '\r',
    '\t',
    '\0',
  ];
  const common = schemas.get('common.schema.json')!.$defs as JsonObject;
  const patterned = Object.entries(common).filter(
    (e): e is [string, JsonObject] => isObject(e[1]) && typeof e[1].pattern === 'string',
  );

  it.each(patterned.map(([name]) => name))('%s rejects every metacharacter anywhere', (name) => {
    const validate = ajv.compile({ $ref: `${BASE_ID}common.schema.json#/$defs/${name}` });
    const def = common[name] as JsonObject;
    const examples = (def.examples as string[]).filter((e) => typeof e === 'string');
    expect(examples.length).toBeGreaterThan(0);
    const accepted: string[] = [];
    for (const example of examples) {
      expect(validate(example)).toBe(true);
      for (const c of metachars) {
        if (name === 'rrule' && c === ';') continue;
        const mid = Math.floor(example.length / 2);
        for (const bad of [c + example, example.slice(0, mid) + c + example.slice(mid), example + c]) {
          if (validate(bad)) accepted.push(JSON.stringify(bad));
        }
      }
    }
    expect(accepted).toEqual([]);
  });

  it('names, hosts, labels, addresses and packages reject spaces too', () => {
    for (const name of [
      'name',
      'hostName',
      'address',
      'labelKey',
      'labelValue',
      'packageGlob',
      'advisoryId',
      'duration',
    ]) {
      const validate = ajv.compile({ $ref: `${BASE_ID}common.schema.json#/$defs/${name}` });
      expect([name, validate('a b')]).toEqual([name, false]);
      expect([name, validate('a\u00a0b')]).toEqual([name, false]);
    }
  });

  it('accepts the documented forms', () => {
    const ok = (def: string, values: string[]): void => {
      const validate = ajv.compile({ $ref: `${BASE_ID}common.schema.json#/$defs/${def}` });
      for (const v of values) expect([def, v, validate(v)]).toEqual([def, v, true]);
    };
    const notOk = (def: string, values: string[]): void => {
      const validate = ajv.compile({ $ref: `${BASE_ID}common.schema.json#/$defs/${def}` });
      for (const v of values) expect([def, v, validate(v)]).toEqual([def, v, false]);
    };
    ok('duration', ['90m', '24h', '7d', '1d12h', '2w', '30s']);
    notOk('duration', ['', '7 days', '1.5h', '-1d', 'd', '7D', '1h 30m']);
    ok('versionConstraint', [
      '<3.1',
      '>=1.2 <2',
      '=3.0.15-1~deb12u1',
      '!=2.0',
      '1:2.39.*',
      '2.0+git20240101',
      '1.0^post',
    ]);
    notOk('versionConstraint', ['', ' <3', '<3 ', '<>3', '<=', '=>1', '1.0 || 2.0', '~1.2']);
    ok('advisoryId', [
      'CVE-2024-1234',
      'DSA-5939-1',
      'ALSA-2025:11533',
      'RHSA-2022:0216',
      'USN-5252-1',
      'KB5034441',
    ]);
    notOk('advisoryId', ['KB12', 'CVE', 'CVE-', '-2024-1', 'C-1']);
    ok('dateOrInstant', [
      '2026-12-31',
      '2026-12-31T23:59',
      '2026-12-31T23:59:59.999Z',
      '2026-12-31T23:59:59-05:00',
    ]);
    notOk('dateOrInstant', ['2026-12-31 23:59', '2026/12/31', '20261231', '2026-12-31T23']);
    ok('jumpHost', ['bastion', 'jump@bastion.example.com:2222', '10.0.0.1', 'fd00::1']);
    notOk('jumpHost', ['Root@bastion', 'a@b@c', 'jump@', 'jump@bastion extra']);
    ok('timezone', ['UTC', 'Europe/Berlin', 'America/Argentina/Buenos_Aires', 'Etc/GMT+5']);
    ok('labelValue', ['', 'prod', 'team@example.com', 'a/b:c+d']);
    notOk('labelValue', ['-prod', 'x'.repeat(64)]);
    ok('labelKey', ['env', 'example.com/owner', 'kubernetes.io_x']);
    notOk('labelKey', ['/env', 'a/b/c', '.env']);
    ok('countOrPercent', ['1%', '25%', '100%']);
    notOk('countOrPercent', ['0%', '101%', '25', '25 %', '05%']);
  });
});
