// The whole of `validate`, without I/O: file texts in, typed repository and diagnostics out.
import type { Driven } from './driven.js';
import type { DateTime } from 'luxon';
import type { CheckedFeed, FeedSchemas } from './advisories.js';
import { checkAdvisoryFile } from './advisories.js';
import type { Diagnostic } from './diagnostics.js';
import { dedupeDiagnostics, hasErrors, sortDiagnostics } from './diagnostics.js';
import { resolveGroups } from './groups.js';
import type { ParsedDocument } from './parse.js';
import { parseYamlFile } from './parse.js';
import type { Repository } from './repository.js';
import { buildRepository } from './repository.js';
import { RULES } from './rules/index.js';
import type { CheckPurpose } from './rules/rule.js';
import type { SchemaSet, ValidatedDocument } from './validate.js';
import { validateDocument } from './validate.js';
import type { Kind } from './types.js';
import { KINDS } from './types.js';

export const CONFIG_FILE = 'patchctl.yaml';

export interface SourceFile {
  /** Relative to the repository root, forward slashes. */
  path: string;
  text: string;
  /** sha256 of the file's bytes, when read from disk (advisory feeds keep it: rules/feed-age.ts). */
  sha256?: string;
}

export interface CheckInput {
  /** patchctl.yaml and every document file, in a stable order. */
  files: readonly SourceFile[];
  schemas: SchemaSet;
  at: DateTime;
  advisoryFiles?: ReadonlySet<string>;
  /**
   * Files that exist but could not be read (a directory, a broken link...), already reported
   * by the caller: a patchctl.yaml among them is not also "not found".
   */
  unreadable?: ReadonlySet<string>;
  /** JSON feeds under advisories/ (paths relative to the repository), checked when given. */
  advisories?: readonly SourceFile[];
  feedSchemas?: FeedSchemas;
  /** Who asks (default `validate`): an expired exception is an error only then (rules/rule.ts). */
  purpose?: CheckPurpose;
  /** What this version's transport and driver registries drive (model/driven.ts). */
  driven: Driven;
}

export interface CheckResult {
  repository: Repository;
  feeds: CheckedFeed[];
  diagnostics: Diagnostic[];
}

export function checkRepository(input: CheckInput): CheckResult {
  const diagnostics: Diagnostic[] = [];
  const validated: ValidatedDocument[] = [];
  if (!input.files.some((f) => f.path === CONFIG_FILE) && !input.unreadable?.has(CONFIG_FILE)) {
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
    const isConfigFile = file.path === CONFIG_FILE;
    if (isConfigFile && parsed.documents.length === 0 && !hasErrors(parsed.diagnostics)) {
      diagnostics.push({
        severity: 'error',
        code: 'missing-config',
        message: `${CONFIG_FILE} holds no Config document (it is empty or only comments): write one, or create it with \`patchctl init\``,
        at: { file: CONFIG_FILE, line: 1, col: 1 },
      });
    }
    for (const doc of parsed.documents) {
      if (doc.value === undefined) {
        // YAML errors (reported): keep what names can be read, so that references to this
        // document do not fail everywhere else too.
        const named = namesOnly(doc);
        if (named && !isConfigFile && named.kind !== 'Config') validated.push(named);
        continue;
      }
      const { result, diagnostics: found } = validateDocument(doc, input.schemas);
      diagnostics.push(...found);
      if (!result) continue;
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
      const r = checkAdvisoryFile(f.path, f.text, input.feedSchemas, f.sha256);
      diagnostics.push(...r.diagnostics);
      if (r.feed) feeds.push(r.feed);
    }
  }
  const repository = buildRepository(validated, input.driven);
  const ctx = {
    at: input.at,
    members: resolveGroups(repository),
    advisoryFiles: input.advisoryFiles ?? new Set<string>(),
    feeds,
    purpose: input.purpose ?? 'validate',
  };
  for (const rule of RULES) diagnostics.push(...rule(repository, ctx));
  return { repository, feeds, diagnostics: sortDiagnostics(dedupeDiagnostics(diagnostics)) };
}

/** A document that did not parse, as far as its kind and names can be read (never valid). */
function namesOnly(doc: ParsedDocument): ValidatedDocument | undefined {
  const names = doc.names;
  if (names?.kind === undefined || !(KINDS as readonly string[]).includes(names.kind)) return undefined;
  // The shape buildRepository reads names from; nothing else looks at an invalid document.
  const skeleton = {
    kind: names.kind,
    metadata: { name: names.name },
    spec: { hosts: names.hosts.map((name) => ({ name })) },
  };
  return { parsed: { ...doc, value: skeleton }, kind: names.kind as Kind, name: names.name, valid: false };
}
