import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import type { ValidateFunction } from 'ajv';
import { parseAllDocuments } from 'yaml';
import type { Kind } from '../core/model/types.js';
import { SCHEMA_FILES, compileFeedSchemas, compileSchemas } from '../core/model/validate.js';
import { validatorsModule } from './precompile-schemas.js';
import { readSchemaTexts, schemaDigest } from './schemas.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Module {
  sources: Record<string, string>;
  documents: Record<string, ValidateFunction>;
  osv: ValidateFunction;
  kev: ValidateFunction;
}

/** The module the build writes, evaluated here as Node would load it. */
function load(text: string): Module {
  const module = { exports: {} as Module };
  new Function('module', 'exports', 'require', text)(module, module.exports, createRequire(import.meta.url));
  return module.exports;
}

const texts = readSchemaTexts();
const pre = load(validatorsModule(texts));
const compiled = compileSchemas(
  [...texts].filter(([f]) => f.endsWith('.schema.json')).map(([, t]) => JSON.parse(t) as object),
);
const feeds = compileFeedSchemas(
  JSON.parse(texts.get('vendor/osv.json') ?? '') as object,
  JSON.parse(texts.get('vendor/kev.json') ?? '') as object,
);

function filesUnder(dir: string, ext: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ext))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** The value, and variants with one leaf replaced or one key dropped (what users get wrong). */
function variants(value: unknown, limit = 40): unknown[] {
  const out: unknown[] = [value];
  const walk = (node: unknown, edit: (replace: (v: unknown) => unknown) => void): void => {
    if (out.length >= limit) return;
    if (Array.isArray(node)) {
      node.forEach((item, i) =>
        walk(item, (replace) =>
          edit((copy) => {
            const list = [...(copy as unknown[])];
            list[i] = replace(list[i]);
            return list;
          }),
        ),
      );
    } else if (node !== null && typeof node === 'object') {
      for (const key of Object.keys(node)) {
        edit((copy) => {
          const rest = { ...(copy as Record<string, unknown>) };
          delete rest[key];
          return rest;
        });
        walk((node as Record<string, unknown>)[key], (replace) =>
          edit((copy) => ({ ...(copy as object), [key]: replace((copy as Record<string, unknown>)[key]) })),
        );
      }
    } else {
      for (const wrong of [typeof node === 'number' ? 'x y' : 7, true, '', ' not valid!']) edit(() => wrong);
    }
  };
  walk(value, (replace) => {
    if (out.length < limit) out.push(replace(value));
  });
  return out;
}

function expectSame(a: ValidateFunction, b: ValidateFunction, values: readonly unknown[]): number {
  let invalid = 0;
  for (const v of values) {
    const ok = a(v);
    expect(b(v)).toBe(ok);
    if (!ok) invalid++;
    expect(JSON.stringify(b.errors ?? null)).toBe(JSON.stringify(a.errors ?? null));
  }
  return invalid;
}

describe('precompiled schema validators', () => {
  it('record the digest of every schema file they were made from', () => {
    expect(Object.keys(pre.sources).sort()).toEqual([...texts.keys()].sort());
    for (const [file, text] of texts) expect(pre.sources[file]).toBe(schemaDigest(text));
  });

  it('judge documents as the compiled schemas do, errors and all', () => {
    let checked = 0;
    let invalid = 0;
    for (const file of [
      ...filesUnder(path.join(ROOT, 'examples'), '.yaml'),
      ...filesUnder(path.join(ROOT, 'test', 'bad-inputs', 'base'), '.yaml'),
    ]) {
      for (const doc of parseAllDocuments(readFileSync(file, 'utf8')) as { toJS(): unknown }[]) {
        const value = doc.toJS() as { apiVersion?: unknown; kind?: unknown } | null;
        if (value?.apiVersion !== 'patchctl/v1' || typeof value.kind !== 'string') continue;
        if (!Object.prototype.hasOwnProperty.call(SCHEMA_FILES, value.kind)) continue;
        const file = SCHEMA_FILES[value.kind as Kind];
        const values = variants(value);
        invalid += expectSame(compiled.validatorForFile(file), byFile(file), values);
        checked += values.length;
      }
    }
    expect(checked).toBeGreaterThan(500);
    expect(invalid).toBeGreaterThan(100);
  });

  it('judge state files as the compiled schemas do', () => {
    let checked = 0;
    for (const [schema, dir] of [
      ['host-state.schema.json', 'state/hosts'],
      ['rollout-state.schema.json', 'state/rollouts'],
    ] as const) {
      for (const example of ['starter', 'enterprise']) {
        const files = filesUnder(path.join(ROOT, 'examples', example, dir), '.json').slice(0, 15);
        for (const file of files) {
          const values = variants(JSON.parse(readFileSync(file, 'utf8')), 60);
          expectSame(compiled.validatorForFile(schema), byFile(schema), values);
          checked += values.length;
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });

  it('judge advisory feeds as the compiled schemas do', () => {
    const dir = path.join(ROOT, 'src', 'core', 'model', '__fixtures__', 'advisories');
    for (const file of filesUnder(dir, '.json')) {
      const values = variants(JSON.parse(readFileSync(file, 'utf8')), 60);
      expectSame(feeds.osv, pre.osv, values);
      expectSame(feeds.kev, pre.kev, values);
    }
  });
});

function byFile(file: string): ValidateFunction {
  const fn = pre.documents[`https://patchctl.dev/schemas/v1/${file}`];
  if (!fn) throw new Error(`no precompiled ${file}`);
  return fn;
}
