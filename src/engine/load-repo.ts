// Reads a repository from disk and checks it: the I/O around core/model/check.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { parse as parseYaml } from 'yaml';
import type { CheckedFeed } from '../core/model/advisories.js';
import type { CheckResult, SourceFile } from '../core/model/check.js';
import { CONFIG_FILE, checkRepository } from '../core/model/check.js';
import type { Diagnostic } from '../core/model/diagnostics.js';
import { hasErrors } from '../core/model/diagnostics.js';
import type { Repository } from '../core/model/repository.js';
import { CONFIG_DEFAULTS } from '../core/model/repository.js';
import { pathProblem } from '../core/model/rules/repository-paths.js';
import { ConfigError } from '../errors.js';
import { bundledFeedSchemas, bundledSchemas } from './schemas.js';

export interface LoadOptions {
  /** When exceptions and windows are judged (default: now). */
  at?: DateTime;
}

export interface ValidationResult {
  ok: boolean;
  diagnostics: Diagnostic[];
  /** Present when the documents could be read (even with errors). */
  repository?: Repository;
  /** The offline feeds found under advisories/. */
  feeds?: CheckedFeed[];
  /** Every file read (documents and advisories), relative path → sha256 of its bytes. */
  inputs: Map<string, string>;
}

const DOCUMENT_DIRS = ['inventory', 'groups', 'rollouts', 'windows', 'policies', 'exceptions'] as const;

/** Checks a repository and returns every diagnostic; never throws for a user mistake. */
export function validateRepository(dir: string, options: LoadOptions = {}): ValidationResult {
  const at = options.at ?? DateTime.now();
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    return {
      ok: false,
      inputs: new Map(),
      diagnostics: [
        {
          severity: 'error',
          code: 'repository-not-found',
          message: `${dir} is not a directory`,
          at: { file: CONFIG_FILE, line: 1, col: 1 },
        },
      ],
    };
  }
  const { files, advisoryFiles, advisories, inputs, diagnostics: readProblems } = readSources(dir);
  const result: CheckResult = checkRepository({
    files,
    schemas: bundledSchemas(),
    at,
    advisoryFiles,
    advisories,
    feedSchemas: bundledFeedSchemas(),
  });
  const diagnostics = [...readProblems, ...result.diagnostics];
  return {
    ok: !hasErrors(diagnostics),
    diagnostics,
    repository: result.repository,
    feeds: result.feeds,
    inputs,
  };
}

/** Loads a repository for the commands that act on it: any error throws a ConfigError. */
export function loadRepository(
  dir: string,
  options: LoadOptions = {},
): { repository: Repository; warnings: Diagnostic[]; feeds: CheckedFeed[]; inputs: Map<string, string> } {
  const result = validateRepository(dir, options);
  if (!result.ok || !result.repository) {
    throw new ConfigError(result.diagnostics.filter((d) => d.severity === 'error'));
  }
  return {
    repository: result.repository,
    warnings: result.diagnostics,
    feeds: result.feeds ?? [],
    inputs: result.inputs,
  };
}

interface Sources {
  inputs: Map<string, string>;
  files: SourceFile[];
  advisoryFiles: Set<string>;
  advisories: SourceFile[];
  diagnostics: Diagnostic[];
}

function readSources(root: string): Sources {
  const diagnostics: Diagnostic[] = [];
  const inputs = new Map<string, string>();
  const readText = (base: string, rel: string, into: Diagnostic[]) => readTextHashed(base, rel, into, inputs);
  const files: SourceFile[] = [];
  const configPath = path.join(root, CONFIG_FILE);
  let paths: Record<string, unknown> = {};
  if (existsSync(configPath)) {
    const text = readText(root, CONFIG_FILE, diagnostics);
    if (text !== undefined) {
      files.push({ path: CONFIG_FILE, text });
      paths = configuredPaths(text);
    }
  }
  const dirs = new Map<string, string>(); // folder → the Config key that named it
  for (const key of DOCUMENT_DIRS) {
    const configured = paths[key];
    const rel = typeof configured === 'string' ? configured : CONFIG_DEFAULTS.paths[key];
    if (pathProblem(rel)) continue; // reported by the repositoryPaths rule, at the node
    if (!dirs.has(path.posix.normalize(rel))) dirs.set(path.posix.normalize(rel), key);
  }
  for (const rel of dirs.keys()) {
    for (const file of yamlFilesUnder(root, rel)) {
      const text = readText(root, file, diagnostics);
      if (text !== undefined) files.push({ path: file, text });
    }
  }
  const advisories =
    typeof paths.advisories === 'string' ? paths.advisories : CONFIG_DEFAULTS.paths.advisories;
  const advisoryFiles = new Set<string>();
  const feedFiles: SourceFile[] = [];
  if (!pathProblem(advisories)) {
    const base = path.posix.normalize(advisories);
    for (const file of filesUnder(root, advisories, (name) => name !== 'README.md')) {
      const rel = file.slice(base.length + 1);
      advisoryFiles.add(rel);
      if (!file.endsWith('.json')) continue;
      const text = readText(root, file, diagnostics);
      if (text !== undefined) feedFiles.push({ path: file, text });
    }
  }
  return { files, advisoryFiles, advisories: feedFiles, inputs, diagnostics };
}

/** The `spec.paths` of patchctl.yaml, read leniently: the real check happens in checkRepository. */
function configuredPaths(text: string): Record<string, unknown> {
  try {
    const value = parseYaml(text, { schema: 'core', maxAliasCount: 50 }) as unknown;
    const p = (value as { spec?: { paths?: unknown } } | null)?.spec?.paths;
    return p && typeof p === 'object' ? (p as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function yamlFilesUnder(root: string, rel: string): string[] {
  return filesUnder(root, rel, (name) => /\.ya?ml$/.test(name));
}

function filesUnder(root: string, rel: string, wanted: (name: string) => boolean): string[] {
  const abs = path.join(root, rel);
  if (!existsSync(abs) || !statSync(abs).isDirectory()) return [];
  const out: string[] = [];
  const walk = (relDir: string): void => {
    const entries = readdirSync(path.join(root, relDir), { withFileTypes: true }).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
    for (const e of entries) {
      if (e.name.startsWith('.')) continue;
      const child = path.posix.join(relDir, e.name);
      if (e.isDirectory()) walk(child);
      else if (wanted(e.name)) out.push(child);
    }
  };
  walk(path.posix.normalize(rel));
  return out;
}

function readTextHashed(
  root: string,
  rel: string,
  diagnostics: Diagnostic[],
  inputs: Map<string, string>,
): string | undefined {
  const buf = readFileSync(path.join(root, rel));
  inputs.set(rel, createHash('sha256').update(buf).digest('hex'));
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(buf);
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  } catch {
    diagnostics.push({
      severity: 'error',
      code: 'not-utf8',
      message: 'file is not valid UTF-8 text',
      at: { file: rel, line: 1, col: 1 },
    });
    return undefined;
  }
}
