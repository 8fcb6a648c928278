// The whole of `validate`, without I/O: file texts in, typed repository and diagnostics out.
import type { DateTime } from 'luxon';
import type { CheckedFeed, FeedSchemas } from './advisories.js';
import { checkAdvisoryFile } from './advisories.js';
import type { Diagnostic } from './diagnostics.js';
import { sortDiagnostics } from './diagnostics.js';
import { resolveGroups } from './groups.js';
import { parseYamlFile } from './parse.js';
import type { Repository } from './repository.js';
import { buildRepository } from './repository.js';
import { RULES } from './rules/index.js';
import type { SchemaSet, ValidatedDocument } from './validate.js';
import { validateDocument } from './validate.js';

export const CONFIG_FILE = 'patchctl.yaml';

export interface SourceFile {
  /** Relative to the repository root, forward slashes. */
  path: string;
  text: string;
}

export interface CheckInput {
  /** patchctl.yaml and every document file, in a stable order. */
  files: readonly SourceFile[];
  schemas: SchemaSet;
  at: DateTime;
  advisoryFiles?: ReadonlySet<string>;
  /** JSON feeds under advisories/ (paths relative to the repository), checked when given. */
  advisories?: readonly SourceFile[];
  feedSchemas?: FeedSchemas;
}

export interface CheckResult {
  repository: Repository;
  feeds: CheckedFeed[];
  diagnostics: Diagnostic[];
}

export function checkRepository(input: CheckInput): CheckResult {
  const diagnostics: Diagnostic[] = [];
  const validated: ValidatedDocument[] = [];
  if (!input.files.some((f) => f.path === CONFIG_FILE)) {
    diagnostics.push({
      severity: 'error',
      code: 'missing-config',
      message: `${CONFIG_FILE} not found: this is not a patchctl repository (create one with \`patchctl init\`)`,
      at: { file: CONFIG_FILE, line: 1, col: 1 },
    });
  }
  for (const file of input.files) {
    const parsed = parseYamlFile(file.path, file.text);
    diagnostics.push(...parsed.diagnostics);
    for (const doc of parsed.documents) {
      const { result, diagnostics: found } = validateDocument(doc, input.schemas);
      diagnostics.push(...found);
      if (!result) continue;
      const isConfigFile = file.path === CONFIG_FILE;
      if (result.kind === 'Config' && !isConfigFile) {
        diagnostics.push({
          severity: 'error',
          code: 'misplaced-config',
          message: `a Config document belongs in ${CONFIG_FILE}, not here`,
          at: doc.locate(['kind']),
        });
        continue;
      }
      if (isConfigFile && result.kind !== 'Config') {
        diagnostics.push({
          severity: 'error',
          code: 'misplaced-document',
          message: `${CONFIG_FILE} holds the Config only; put this ${result.kind} in its own folder`,
          at: doc.locate(['kind']),
        });
        continue;
      }
      if (isConfigFile && validated.some((v) => v.kind === 'Config')) {
        diagnostics.push({
          severity: 'error',
          code: 'duplicate-config',
          message: `${CONFIG_FILE} must hold exactly one Config document`,
          at: doc.locate(['kind']),
        });
        continue;
      }
      validated.push(result);
    }
  }
  const feeds: CheckedFeed[] = [];
  if (input.feedSchemas) {
    for (const f of input.advisories ?? []) {
      const r = checkAdvisoryFile(f.path, f.text, input.feedSchemas);
      diagnostics.push(...r.diagnostics);
      if (r.feed) feeds.push(r.feed);
    }
  }
  const repository = buildRepository(validated);
  const ctx = {
    at: input.at,
    members: resolveGroups(repository),
    advisoryFiles: input.advisoryFiles ?? new Set<string>(),
  };
  for (const rule of RULES) diagnostics.push(...rule(repository, ctx));
  return { repository, feeds, diagnostics: sortDiagnostics(dedupe(diagnostics)) };
}

function dedupe(list: readonly Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return list.filter((d) => {
    const key = `${d.at?.file}:${d.at?.line}:${d.at?.col}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
