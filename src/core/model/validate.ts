// Schema validation: ajv over the plain value, each error mapped back to the node it is about.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { Ajv } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Diagnostic } from './diagnostics.js';
import type { ParsedDocument, Path, PathSegment } from './parse.js';
import type { Kind } from './types.js';
import { API_VERSION, KINDS } from './types.js';
import type { FeedSchemas } from './advisories.js';
import { closest } from './suggest.js';

// ajv-formats is CommonJS with a default export; under ESM the function may sit on `.default`.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ??
  addFormatsModule) as unknown as (ajv: Ajv2020 | Ajv) => void;

/** File name (in schemas/) of each kind's schema. */
export const SCHEMA_FILES: Readonly<Record<Kind, string>> = {
  Config: 'config.schema.json',
  Inventory: 'inventory.schema.json',
  Group: 'group.schema.json',
  Rollout: 'rollout.schema.json',
  MaintenanceWindow: 'maintenance-window.schema.json',
  Blackout: 'blackout.schema.json',
  PatchPolicy: 'patch-policy.schema.json',
  PatchException: 'patch-exception.schema.json',
};

export interface SchemaSet {
  validatorFor(kind: Kind): ValidateFunction;
  /** Any other schema of schemas/, by file name (plan.schema.json, host-state.schema.json...). */
  validatorForFile(file: string): ValidateFunction;
}

/** Where the schemas of schemas/ say they are (their `$id`), by file name. */
export const SCHEMA_ID_PREFIX = 'https://patchctl.dev/schemas/v1/';

/**
 * The ajv of patchctl's own schemas, configured once for both uses: compiling them at run time,
 * and (with `source`) generating their standalone code at build time (scripts/build-validators.mjs).
 */
export function schemaAjv(options: { source?: boolean } = {}): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    allowUnionTypes: true,
    verbose: true,
    ...(options.source ? { code: { source: true } } : {}),
  });
  addFormats(ajv);
  // Understood by VS Code and yaml-language-server; ajv only carries it for our messages.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  return ajv;
}

/** A SchemaSet over validators found by `$id` (compiled, or loaded precompiled). */
export function schemaSet(byId: (id: string) => ValidateFunction | undefined): SchemaSet {
  const byFile = new Map<string, ValidateFunction>();
  const validatorForFile = (file: string): ValidateFunction => {
    let fn = byFile.get(file);
    if (!fn) {
      fn = byId(`${SCHEMA_ID_PREFIX}${file}`);
      if (!fn) throw new Error(`schema ${file} is missing`);
      byFile.set(file, fn);
    }
    return fn;
  };
  return { validatorFor: (kind) => validatorForFile(SCHEMA_FILES[kind]), validatorForFile };
}

/** Compiles the schemas (objects read from schemas/*.json by the caller). */
export function compileSchemas(schemas: readonly object[]): SchemaSet {
  const ajv = schemaAjv();
  for (const schema of schemas) ajv.addSchema(schema);
  return schemaSet((id) => ajv.getSchema(id));
}

/** The ajvs of third-party feeds (OSV is draft 2020-12, CISA's KEV schema draft-07), as for the schemas. */
export function feedAjvs(options: { source?: boolean } = {}): { osv: Ajv2020; kev: Ajv } {
  const code = options.source ? { code: { source: true } } : {};
  const osv = new Ajv2020({ allErrors: true, strict: false, ...code });
  addFormats(osv);
  const kev = new Ajv({ allErrors: true, strict: false, ...code });
  addFormats(kev);
  return { osv, kev };
}

/** Validators for third-party feeds. */
export function compileFeedSchemas(osv: object, kev: object): FeedSchemas {
  const ajvs = feedAjvs();
  return { osv: ajvs.osv.compile(osv), kev: ajvs.kev.compile(kev) };
}

export interface ValidatedDocument {
  parsed: ParsedDocument;
  kind: Kind;
  name: string | undefined;
  /** True when the document matched its schema. */
  valid: boolean;
}

/** Checks one document: its envelope (apiVersion, kind) first, then the kind's schema. */
export function validateDocument(
  parsed: ParsedDocument,
  schemas: SchemaSet,
): { result?: ValidatedDocument; diagnostics: Diagnostic[] } {
  const v = parsed.value;
  const error = (code: string, message: string, path: Path, part: 'key' | 'value' = 'value'): Diagnostic => ({
    severity: 'error',
    code,
    message,
    at: parsed.locate(path, part),
  });
  if (v === undefined) return { diagnostics: [] }; // parse errors were reported already
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    return {
      diagnostics: [
        error('not-a-document', 'expected a mapping with apiVersion, kind, metadata and spec', []),
      ],
    };
  }
  const obj = v as Record<string, unknown>;
  const diagnostics: Diagnostic[] = [];
  if (obj.apiVersion === undefined) {
    diagnostics.push(error('missing-api-version', `add "apiVersion: ${API_VERSION}"`, []));
  } else if (obj.apiVersion !== API_VERSION) {
    diagnostics.push(
      error(
        'unknown-api-version',
        `apiVersion ${JSON.stringify(obj.apiVersion)} is not supported; this patchctl reads ${API_VERSION}`,
        ['apiVersion'],
      ),
    );
  }
  const kind = obj.kind;
  if (kind === undefined) {
    diagnostics.push(error('missing-kind', `add "kind:", one of ${KINDS.join(', ')}`, []));
    return { diagnostics };
  }
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
    const hint = typeof kind === 'string' ? closest(kind, KINDS) : undefined;
    diagnostics.push(
      error(
        'unknown-kind',
        `unknown kind ${JSON.stringify(kind)}${hint ? ` (did you mean ${hint}?)` : ''}; expected one of ${KINDS.join(', ')}`,
        ['kind'],
      ),
    );
    return { diagnostics };
  }
  const validate = schemas.validatorFor(kind as Kind);
  const ok = validate(v) as boolean;
  if (!ok) {
    const errors = [...(validate.errors ?? [])];
    const quotingHelps = quotingCheck(validate, v);
    for (const e of relevantErrors(errors)) {
      // The envelope was checked above, more clearly.
      if (e.instancePath === '/apiVersion') continue;
      if (e.instancePath === '' && e.keyword === 'required' && missingProperty(e) === 'apiVersion') continue;
      diagnostics.push(toDiagnostic(e, parsed, quotingHelps));
    }
  }
  const metadata = obj.metadata as Record<string, unknown> | undefined;
  const name = typeof metadata?.name === 'string' ? metadata.name : undefined;
  return {
    result: { parsed, kind: kind as Kind, name, valid: diagnostics.length === 0 },
    diagnostics,
  };
}

/**
 * Drops the wrappers (`if`, `allOf`...) whose causes are reported on their own, and folds the
 * branch errors of an `anyOf` into the `anyOf` itself ("must be a number or a percentage"
 * reads better than one error per branch).
 */
function relevantErrors(errors: readonly ErrorObject[]): ErrorObject[] {
  // `propertyNames` only says "property name must be valid"; the error of its subschema (with
  // `propertyName` set) says what is wrong, and is reported at the key.
  const wrappers = new Set(['if', 'oneOf', 'allOf', 'not', 'then', 'else', 'propertyNames']);
  const anyOfs = errors.filter((e) => e.keyword === 'anyOf');
  const isBranchOf = (e: ErrorObject) =>
    anyOfs.some(
      (a) => a !== e && e.instancePath === a.instancePath && e.schemaPath.startsWith(`${a.schemaPath}/`),
    );
  const seen = new Set<string>();
  return errors.filter((e) => {
    if (wrappers.has(e.keyword) || isBranchOf(e)) return false;
    const key = `${e.instancePath}|${e.keyword}|${JSON.stringify(e.params)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function pointerToPath(pointer: string): PathSegment[] {
  if (pointer === '') return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

/** `spec.hosts[3].name`: how a path reads in a message. */
export function describePath(path: Path): string {
  let out = '';
  for (const s of path) {
    if (typeof s === 'number') out += `[${s}]`;
    else out += out === '' ? s : `.${s}`;
  }
  return out === '' ? 'the document' : out;
}

function missingProperty(e: ErrorObject): string | undefined {
  return e.keyword === 'required'
    ? String((e.params as { missingProperty: string }).missingProperty)
    : undefined;
}

/**
 * Whether the string `text` would be valid where a type error is: the document is validated
 * again with that one value replaced. Answers are cached by schema location and text, so a
 * thousand hosts with `tier: 1` cost one extra validation.
 */
function quotingCheck(validate: ValidateFunction, value: unknown): (e: ErrorObject, text: string) => boolean {
  const cache = new Map<string, boolean>();
  return (e, text) => {
    const key = `${e.schemaPath}\u0000${text}`;
    const known = cache.get(key);
    if (known !== undefined) return known;
    const copy = structuredClone(value);
    const path = pointerToPath(e.instancePath);
    let parent: unknown = copy;
    for (const segment of path.slice(0, -1)) parent = (parent as Record<string, unknown>)[segment];
    const last = path[path.length - 1];
    if (last === undefined || parent === null || typeof parent !== 'object') return false;
    (parent as Record<string, unknown>)[last] = text;
    validate(copy);
    const at = e.instancePath;
    const ok = !(validate.errors ?? []).some(
      (x) => x.instancePath === at || x.instancePath.startsWith(`${at}/`),
    );
    cache.set(key, ok);
    return ok;
  };
}

function toDiagnostic(
  e: ErrorObject,
  parsed: ParsedDocument,
  quotingHelps: (e: ErrorObject, text: string) => boolean,
): Diagnostic {
  const path = pointerToPath(e.instancePath);
  const d = (code: string, message: string, at = parsed.locate(path)): Diagnostic => ({
    severity: 'error',
    code,
    message,
    at,
  });
  const parentSchema = (e.parentSchema ?? {}) as Record<string, unknown>;
  // An error of a `propertyNames` subschema is about a key of the mapping at `path`.
  const propertyName = (e as ErrorObject & { propertyName?: string }).propertyName;
  if (propertyName !== undefined) {
    const explain =
      typeof parentSchema.patternErrorMessage === 'string'
        ? parentSchema.patternErrorMessage
        : (e.message ?? 'is not valid');
    return d(
      'invalid-value',
      `${describePath(path)}: key ${JSON.stringify(propertyName)} ${explain}`,
      parsed.locate([...path, propertyName], 'key'),
    );
  }
  const where = describePath(path);
  switch (e.keyword) {
    case 'additionalProperties': {
      const field = String((e.params as { additionalProperty: string }).additionalProperty);
      const known = Object.keys((parentSchema.properties as Record<string, unknown> | undefined) ?? {});
      const hint = closest(field, known);
      const secret = /pass(word|phrase)?|secret|token|private.?key/i.test(field)
        ? '; secrets never live in the repository: name an environment variable instead (e.g. passwordEnv)'
        : '';
      const suffix = hint
        ? ` (did you mean "${hint}"?)`
        : known.length
          ? `; known fields: ${known.join(', ')}`
          : '';
      return d(
        'unknown-field',
        `unknown field "${field}" in ${where}${secret || suffix}`,
        parsed.locate([...path, field], 'key'),
      );
    }
    case 'required': {
      const field = String((e.params as { missingProperty: string }).missingProperty);
      return d('missing-field', `${where} is missing required field "${field}"`);
    }
    case 'pattern': {
      const explain =
        typeof parentSchema.patternErrorMessage === 'string' ? parentSchema.patternErrorMessage : e.message;
      // A `*Env` field holds the NAME of a variable: a value that is not one may be the secret
      // itself (a password, a webhook URL with its token), never echoed (docs/notifications.md).
      if (/Env$/.test(String(path[path.length - 1] ?? '')))
        return d('invalid-value', `${where} (value not shown: it may be a secret) ${explain}`);
      return d('invalid-value', `${where} ${JSON.stringify(e.data)} ${explain}`);
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      const hint = typeof e.data === 'string' ? closest(e.data, allowed.map(String)) : undefined;
      return d(
        'invalid-value',
        `${where} ${JSON.stringify(e.data)} must be one of ${allowed.map(String).join(', ')}${hint ? ` (did you mean ${hint}?)` : ''}`,
      );
    }
    case 'const':
      return d(
        'invalid-value',
        `${where} must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`,
      );
    case 'type': {
      const expected = String((e.params as { type: string }).type);
      return d(
        'wrong-type',
        `${where} must be ${article(expected)} ${expected}${readAs(e, expected, quotingHelps)}`,
      );
    }
    case 'anyOf': {
      const what = typeof parentSchema.description === 'string' ? `: ${parentSchema.description}` : '';
      return d('invalid-value', `${where} ${JSON.stringify(e.data)} is not valid${what}`);
    }
    default:
      return d('invalid-value', `${where} ${e.message ?? 'is invalid'}`);
  }
}

/**
 * For a number or boolean where a string belongs: suggest quotes only when the quoted value
 * would be valid; otherwise say what the string must look like.
 */
function readAs(
  e: ErrorObject,
  expected: string,
  quotingHelps: (e: ErrorObject, text: string) => boolean,
): string {
  if (expected !== 'string' || (typeof e.data !== 'number' && typeof e.data !== 'boolean')) return '';
  const text = String(e.data);
  const read = `YAML read ${text} as a ${typeof e.data}`;
  if (quotingHelps(e, text)) return ` (${read}: put the value in quotes)`;
  const schema = (e.parentSchema ?? {}) as Record<string, unknown>;
  const examples = Array.isArray(schema.examples)
    ? schema.examples.filter((x): x is string => typeof x === 'string').slice(0, 3)
    : [];
  if (typeof schema.patternErrorMessage === 'string')
    return ` (${read}; as a string it ${schema.patternErrorMessage})`;
  if (examples.length > 0)
    return ` (${read}; write a string such as ${examples.map((x) => JSON.stringify(x)).join(', ')})`;
  return ` (${read})`;
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? 'an' : 'a';
}
