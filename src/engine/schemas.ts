// The JSON Schemas shipped in the package's schemas/ folder, compiled once per process: ahead of
// time by `npm run build` (dist/engine/validators.cjs, see scripts/build-validators.mjs) while
// the schema files are the ones it was built from, otherwise here.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { ValidateFunction } from 'ajv';
import type { FeedSchemas } from '../core/model/advisories.js';
import type { SchemaSet } from '../core/model/validate.js';
import { compileFeedSchemas, compileSchemas, schemaSet } from '../core/model/validate.js';

/** schemas/ sits two levels above both src/engine and dist/engine. */
export const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

/** What scripts/build-validators.mjs writes. */
interface Precompiled {
  /** Path under schemas/ → sha256 of the file the validators were made from. */
  sources: Record<string, string>;
  /** `$id` → validator, for schemas/*.schema.json. */
  documents: Record<string, ValidateFunction>;
  osv: ValidateFunction;
  kev: ValidateFunction;
}

/** The schema files' text, read once, by path under schemas/ (with vendor/osv.json and vendor/kev.json). */
let texts: Map<string, string> | undefined;

export function readSchemaTexts(): ReadonlyMap<string, string> {
  if (!texts) {
    texts = new Map();
    for (const f of readdirSync(SCHEMAS_DIR)
      .filter((f) => f.endsWith('.schema.json'))
      .sort()) {
      texts.set(f, readFileSync(`${SCHEMAS_DIR}/${f}`, 'utf8'));
    }
    for (const f of ['vendor/osv.json', 'vendor/kev.json'])
      texts.set(f, readFileSync(`${SCHEMAS_DIR}/${f}`, 'utf8'));
  }
  return texts;
}

/** sha256 of a schema file's text, as the precompiled module records it. */
export function schemaDigest(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

let precompiled: Precompiled | null | undefined;

/** The build's validators when every schema file is the one they were made from; else null. */
function loadPrecompiled(): Precompiled | null {
  if (precompiled !== undefined) return precompiled;
  precompiled = null;
  let mod: Precompiled;
  try {
    mod = createRequire(import.meta.url)('./validators.cjs') as Precompiled;
  } catch {
    return null; // running from src/, or not built with scripts/build-validators.mjs
  }
  const files = readSchemaTexts();
  const recorded = Object.keys(mod.sources ?? {});
  if (recorded.length !== files.size) return null;
  for (const [file, text] of files) if (mod.sources[file] !== schemaDigest(text)) return null;
  precompiled = mod;
  return mod;
}

let compiled: SchemaSet | undefined;

export function bundledSchemas(): SchemaSet {
  if (!compiled) {
    const pre = loadPrecompiled();
    compiled = pre
      ? schemaSet((id) =>
          Object.prototype.hasOwnProperty.call(pre.documents, id) ? pre.documents[id] : undefined,
        )
      : compileSchemas(
          [...readSchemaTexts()]
            .filter(([file]) => file.endsWith('.schema.json'))
            .map(([, text]) => JSON.parse(text) as object),
        );
  }
  return compiled;
}

let feeds: FeedSchemas | undefined;

export function bundledFeedSchemas(): FeedSchemas {
  if (!feeds) {
    const pre = loadPrecompiled();
    const read = (f: string) => JSON.parse(readSchemaTexts().get(`vendor/${f}`) ?? '') as object;
    feeds = pre ? { osv: pre.osv, kev: pre.kev } : compileFeedSchemas(read('osv.json'), read('kev.json'));
    // patchctl's own files under advisories/ (findings, the sync manifest) use its own schemas.
    const own = bundledSchemas();
    feeds.findings = own.validatorForFile('findings.schema.json');
    feeds.sync = own.validatorForFile('advisories-sync.schema.json');
  }
  return feeds;
}
