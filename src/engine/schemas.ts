// The JSON Schemas shipped in the package's schemas/ folder, compiled once per process.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FeedSchemas } from '../core/model/advisories.js';
import type { SchemaSet } from '../core/model/validate.js';
import { compileFeedSchemas, compileSchemas } from '../core/model/validate.js';

/** schemas/ sits two levels above both src/engine and dist/engine. */
export const SCHEMAS_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

let compiled: SchemaSet | undefined;

export function bundledSchemas(): SchemaSet {
  compiled ??= compileSchemas(
    readdirSync(SCHEMAS_DIR)
      .filter((f) => f.endsWith('.schema.json'))
      .sort()
      .map((f) => JSON.parse(readFileSync(`${SCHEMAS_DIR}/${f}`, 'utf8')) as object),
  );
  return compiled;
}

let feeds: FeedSchemas | undefined;

export function bundledFeedSchemas(): FeedSchemas {
  const read = (f: string) => JSON.parse(readFileSync(`${SCHEMAS_DIR}/vendor/${f}`, 'utf8')) as object;
  feeds ??= compileFeedSchemas(read('osv.json'), read('kev.json'));
  return feeds;
}
