// Reads a repository from disk and checks it: the I/O around core/model/check.
import { isUtf8 } from 'node:buffer';
import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { existsSync, lstatSync, readdirSync, readlinkSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { DateTime } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { ansibleInventoryHint, isAnsibleVarsPath, looksLikeAnsibleYaml } from '../core/ansible/detect.js';
import type { CheckedFeed } from '../core/model/advisories.js';
import type { CheckResult, SourceFile } from '../core/model/check.js';
import { CONFIG_FILE, checkRepository } from '../core/model/check.js';
import { whatIsDriven } from '../drivers/api.js';
import type { Diagnostic } from '../core/model/diagnostics.js';
import { hasErrors, sortDiagnostics } from '../core/model/diagnostics.js';
import { MAX_FILE_BYTES, normaliseLineEnds } from '../core/model/parse.js';
import type { Repository } from '../core/model/repository.js';
import { CONFIG_DEFAULTS } from '../core/model/repository.js';
import { pathProblem } from '../core/model/rules/repository-paths.js';
import type { CheckPurpose } from '../core/model/rules/rule.js';
import { ConfigError, InputFileError, LocalIoError } from '../errors.js';
import { FileTooLargeError, describeFileType, readRegularFile } from '../platform/safe-fs.js';
import { configSecretEnvNames, registerSecretEnvNames } from '../platform/redact.js';
import { bundledFeedSchemas, bundledSchemas } from './schemas.js';

export interface LoadOptions {
  /** When exceptions and windows are judged (default: now). */
  at?: DateTime;
  /**
   * Diagnostic codes that do not stop loading. `report` and `exceptions` pass
   * `exception-expired`: an expired exception waives nothing, and they must list it.
   */
  tolerate?: readonly string[];
  /**
   * Who reads (default `validate` for validateRepository, `act` for loadRepository): the
   * commands that act on the repository see an expired exception as a warning and treat it as
   * inactive (core/model/rules/rule.ts CheckPurpose).
   */
  purpose?: CheckPurpose;
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
  const {
    files,
    advisoryFiles,
    advisories,
    inputs,
    unreadable,
    diagnostics: readProblems,
  } = readSources(dir);
  const result: CheckResult = checkRepository({
    files,
    unreadable,
    schemas: bundledSchemas(),
    at,
    advisoryFiles,
    advisories,
    feedSchemas: bundledFeedSchemas(),
    purpose: options.purpose ?? 'validate',
    driven: whatIsDriven(),
  });
  const diagnostics = sortDiagnostics([...readProblems, ...result.diagnostics]);
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
  const result = validateRepository(dir, { purpose: 'act', ...options });
  const tolerated = new Set(options.tolerate ?? []);
  const errors = result.diagnostics.filter((d) => d.severity === 'error' && !tolerated.has(d.code));
  if (errors.length > 0 || !result.repository) throw new ConfigError(errors);
  registerSecretEnvNames(configSecretEnvNames(result.repository)); // redact.ts: Config-named secrets
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
  unreadable: Set<string>;
  diagnostics: Diagnostic[];
}

function readSources(root: string): Sources {
  const diagnostics: Diagnostic[] = [];
  const inputs = new Map<string, string>();
  const unreadable = new Set<string>();
  const reader = repositoryReader(root);
  const readText = (rel: string): string | undefined => {
    const r = reader.readText(rel);
    if (r.sha256 !== undefined) inputs.set(rel, r.sha256);
    if (r.diagnostic) {
      diagnostics.push(r.diagnostic);
      if (r.text === undefined) unreadable.add(rel);
    }
    return r.text;
  };
  const files: SourceFile[] = [];
  let paths: Record<string, unknown> = {};
  if (reader.exists(CONFIG_FILE)) {
    const text = readText(CONFIG_FILE);
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
    const normal = folderPath(rel);
    if (!dirs.has(normal)) dirs.set(normal, key);
  }
  for (const [rel, key] of dirs) {
    // `.yaml` and `.yml` in any case: `freeze.YAML` saved by an editor on another system is a
    // document like any other, never skipped without a word (docs/security.md).
    const listed = reader.listFiles(rel, isDocumentFileName);
    diagnostics.push(...listed.diagnostics);
    for (const file of listed.files) {
      const text = readText(file);
      // An Ansible YAML inventory: say so and how to import it (docs/import-ansible.md).
      const ansible =
        text === undefined || key !== 'inventory'
          ? undefined
          : isAnsibleVarsPath(file)
            ? 'vars'
            : looksLikeAnsibleYaml(text)
              ? 'yaml'
              : undefined;
      if (ansible) diagnostics.push(inventoryHint(file, 'error', ansibleInventoryHint(file, ansible)));
      else if (text !== undefined) files.push({ path: file, text });
    }
    // Other files under inventory/ (an INI inventory...) are not read: never without a word.
    if (key === 'inventory') {
      const others = reader.listFiles(rel, (n) => !isDocumentFileName(n) && !/^readme(\.|$)/i.test(n));
      for (const file of others.files)
        diagnostics.push(inventoryHint(file, 'warning', ansibleInventoryHint(file, 'other')));
    }
  }
  const advisories =
    typeof paths.advisories === 'string' ? paths.advisories : CONFIG_DEFAULTS.paths.advisories;
  const advisoryFiles = new Set<string>();
  const feedFiles: SourceFile[] = [];
  if (!pathProblem(advisories)) {
    const base = folderPath(advisories);
    const listed = reader.listFiles(base, (name) => name !== 'README.md');
    diagnostics.push(...listed.diagnostics);
    for (const file of listed.files) {
      advisoryFiles.add(base === '' ? file : file.slice(base.length + 1));
      // JSON feeds, and the CSV ones (CISA KEV's CSV form, EPSS): docs/vulnerabilities.md.
      if (!isFeedFileName(file)) continue;
      const text = readText(file);
      if (text !== undefined) feedFiles.push({ path: file, text, sha256: inputs.get(file) });
    }
  }
  return { files, advisoryFiles, advisories: feedFiles, inputs, unreadable, diagnostics };
}

function inventoryHint(file: string, severity: 'error' | 'warning', message: string): Diagnostic {
  return { severity, code: 'ansible-inventory-file', message, at: AT_START(file) };
}

/** Whether a file under advisories/ may be a feed patchctl reads: `.json` or `.csv`, in any case. */
export function isFeedFileName(name: string): boolean {
  return /\.(json|csv)$/i.test(name);
}

/** Whether a file of a document folder holds documents: `.yaml` or `.yml`, in any case. */
export function isDocumentFileName(name: string): boolean {
  return /\.ya?ml$/i.test(name);
}

/** The `spec.paths` of patchctl.yaml, read leniently: the real check happens in checkRepository. */
function configuredPaths(text: string): Record<string, unknown> {
  try {
    const value = parseYaml(normaliseLineEnds(text), { schema: 'core', maxAliasCount: 50 }) as unknown;
    const p = (value as { spec?: { paths?: unknown } } | null)?.spec?.paths;
    return p && typeof p === 'object' ? (p as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** A configured folder as a relative posix path without `./` or a trailing slash ('' for the root). */
export function folderPath(rel: string): string {
  const normal = path.posix.normalize(rel.replace(/\\/g, '/')).replace(/\/+$/, '');
  return normal === '.' ? '' : normal;
}

// ------------------------------------------------------------------------ reading files safely

export interface ReadResult {
  /** The text, without a leading byte order mark; undefined when the file could not be used. */
  text?: string;
  /** sha256 of the bytes, whenever they were read (even when they are not UTF-8). */
  sha256?: string;
  diagnostic?: Diagnostic;
}

export interface RepositoryReader {
  /** Whether something (anything, even a broken link) is at `rel`. */
  exists(rel: string): boolean;
  /**
   * Reads a file of the repository. Only a regular file inside the repository is opened: a
   * directory, a FIFO, a socket, a device or a broken link is reported and never opened (a FIFO
   * would block for ever), and a symbolic link that leads out of the repository is refused, as
   * paths.* outside it are: the repository is what git reviews.
   */
  readText(rel: string): ReadResult;
  /**
   * The files under folder `rel` whose names are `wanted` (sorted; names starting with '.'
   * skipped), in sub-folders too unless `recursive` is false. Symbolic links are followed inside
   * the repository; one that leads out of it, or nowhere, is reported instead. A missing folder
   * has no files; a folder that is not one is reported.
   */
  listFiles(
    rel: string,
    wanted: (name: string) => boolean,
    options?: { recursive?: boolean },
  ): { files: string[]; diagnostics: Diagnostic[] };
}

const AT_START = (file: string) => ({ file, line: 1, col: 1 });

export function repositoryReader(root: string): RepositoryReader {
  const realRoot = realpathSync.native(root);
  const abs = (rel: string) => path.join(root, rel);
  const inside = (real: string) => real === realRoot || real.startsWith(`${realRoot}${path.sep}`);
  const lstat = (rel: string): Stats | undefined => {
    try {
      return lstatSync(abs(rel));
    } catch {
      return undefined;
    }
  };
  /** Where `rel` really is, or why it cannot be followed. */
  const resolve = (rel: string): { real: string } | { problem: Diagnostic } => {
    try {
      const real = realpathSync.native(abs(rel));
      if (inside(real)) return { real };
      return {
        problem: {
          severity: 'error',
          code: 'path-outside-repository',
          message: `${rel} leads out of the repository (to ${path.relative(realRoot, real)}) through a symbolic link: patchctl reads only what is in the repository, where git reviews it`,
          at: AT_START(rel),
        },
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return {
        problem: {
          severity: 'error',
          code: 'unreadable-file',
          message:
            code === 'ENOENT' || code === 'ELOOP'
              ? `${rel} is a broken symbolic link${linkTarget(abs(rel))}`
              : `${rel} cannot be read (${code ?? String(err)})`,
          at: AT_START(rel),
        },
      };
    }
  };
  const unreadable = (rel: string, message: string): ReadResult => ({
    diagnostic: { severity: 'error', code: 'unreadable-file', message, at: AT_START(rel) },
  });
  const tooLarge = (rel: string): ReadResult => ({
    diagnostic: {
      severity: 'error',
      code: 'file-too-large',
      message: `file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`,
      at: AT_START(rel),
    },
  });
  // Real paths of the folders read from (undefined: not resolvable). A regular file, not a
  // link, is where its folder really is: one lstat instead of resolving every component.
  const realDirs = new Map<string, string | undefined>();
  const realDir = (dir: string): string | undefined => {
    if (!realDirs.has(dir)) {
      let real: string | undefined;
      try {
        real = realpathSync.native(dir);
      } catch {
        real = undefined;
      }
      realDirs.set(dir, real);
    }
    return realDirs.get(dir);
  };
  /** The real path and stat of a regular file in a folder inside the repository; else undefined. */
  const plainFile = (rel: string): { real: string; st: Stats } | undefined => {
    const file = abs(rel);
    let st: Stats;
    try {
      st = lstatSync(file);
    } catch {
      return undefined;
    }
    if (!st.isFile()) return undefined; // a link, or not a file: resolved and reported below
    const dir = realDir(path.dirname(file));
    if (dir === undefined || !inside(dir)) return undefined;
    return { real: path.join(dir, path.basename(file)), st };
  };

  const readText = (rel: string): ReadResult => {
    let real: string;
    let st: Stats;
    const plain = plainFile(rel);
    if (plain) ({ real, st } = plain);
    else {
      const resolved = resolve(rel);
      if ('problem' in resolved) return { diagnostic: resolved.problem };
      real = resolved.real;
      try {
        st = statSync(real);
      } catch (err) {
        return unreadable(
          rel,
          `${rel} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
        );
      }
    }
    if (!st.isFile()) return unreadable(rel, `${rel} is ${describeFileType(st)}, not a regular file`);
    if (st.size > MAX_FILE_BYTES) return tooLarge(rel);
    let bytes: Buffer;
    try {
      // Into the scratch buffer: the bytes are hashed and decoded before the next read.
      bytes = readRegularFile(real, { maxBytes: MAX_FILE_BYTES, label: rel, scratch: true });
    } catch (err) {
      if (err instanceof FileTooLargeError) return tooLarge(rel);
      if (err instanceof InputFileError) return unreadable(rel, err.message);
      const code = err instanceof LocalIoError ? err.errno : (err as NodeJS.ErrnoException).code;
      return unreadable(rel, `${rel} cannot be read (${code ?? String(err)})`);
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const decoded = decodeUtf8(bytes);
    if ('text' in decoded) return { text: decoded.text, sha256 };
    return {
      sha256,
      diagnostic: {
        severity: 'error',
        code: 'not-utf8',
        message: `file is not valid UTF-8 text (byte 0x${decoded.byte.toString(16).padStart(2, '0')} at offset ${decoded.offset}); save it as UTF-8`,
        at: { file: rel, line: decoded.line, col: decoded.col },
      },
    };
  };

  const listFiles: RepositoryReader['listFiles'] = (rel, wanted, options = {}) => {
    const recursive = options.recursive ?? true;
    const files: string[] = [];
    const diagnostics: Diagnostic[] = [];
    const start = lstat(rel);
    if (!start) return { files, diagnostics }; // a folder that is not there holds nothing
    const top = resolve(rel);
    if ('problem' in top) {
      const p = top.problem;
      diagnostics.push(
        p.code === 'unreadable-file'
          ? { ...p, code: 'not-a-folder', message: `${p.message}, not a folder` }
          : p,
      );
      return { files, diagnostics };
    }
    const topStat = statSync(top.real);
    if (!topStat.isDirectory()) {
      diagnostics.push({
        severity: 'error',
        code: 'not-a-folder',
        message: `${rel} is ${describeFileType(topStat)}, not a folder: its documents are read from the files inside a folder of that name`,
        at: AT_START(rel),
      });
      return { files, diagnostics };
    }
    // Real paths of the folders walked: a link to a folder already walked (or to one of its
    // ancestors, which would never end) is not walked again.
    const visited = new Set<string>();
    const walk = (relDir: string, realDir: string): void => {
      if (visited.has(realDir)) return;
      visited.add(realDir);
      const entries = readdirSync(abs(relDir), { withFileTypes: true })
        .map((e) => ({ name: e.name, link: e.isSymbolicLink(), dir: e.isDirectory() }))
        .sort((a, b) => byCodePoint(a.name, b.name));
      for (const e of entries) {
        if (e.name.startsWith('.')) continue;
        const child = relDir === '' ? e.name : `${relDir}/${e.name}`;
        if (e.link) {
          const target = resolve(child);
          if ('problem' in target) {
            // Links that would not be read anyway (a sub-folder when not recursive) do not matter.
            if (recursive || wanted(e.name)) diagnostics.push(target.problem);
            continue;
          }
          if (statSync(target.real).isDirectory()) {
            if (!recursive) continue;
            if (realDir === target.real || realDir.startsWith(`${target.real}${path.sep}`)) {
              diagnostics.push({
                severity: 'error',
                code: 'unreadable-file',
                message: `${child} is a symbolic link to a folder that contains it: following it would never end`,
                at: AT_START(child),
              });
              continue;
            }
            walk(child, target.real);
            continue;
          }
          if (wanted(e.name)) files.push(child);
        } else if (e.dir) {
          if (recursive) walk(child, path.join(realDir, e.name));
        } else if (wanted(e.name)) {
          files.push(child); // a regular file, or a FIFO, socket or device that readText reports
        }
      }
    };
    walk(rel, top.real);
    return { files, diagnostics };
  };

  return { exists: (rel) => lstat(rel) !== undefined, readText, listFiles };
}

function linkTarget(abs: string): string {
  try {
    return ` (to ${readlinkSync(abs)}, which does not exist)`;
  } catch {
    return '';
  }
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * UTF-8 text from bytes (a leading byte order mark dropped), or where the first byte that is not
 * UTF-8 is: its offset, and its line and column as the validator counts them (columns in UTF-16
 * code units of the valid text before it on its line).
 */
export function decodeUtf8(
  bytes: Uint8Array,
): { text: string } | { offset: number; byte: number; line: number; col: number } {
  if (isUtf8(bytes)) {
    // What the fatal decoder below gives for valid UTF-8: it drops one leading byte order mark,
    // then one more is dropped.
    let text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch {
    const offset = firstInvalidUtf8(bytes) ?? 0;
    let lineStart = 0;
    let line = 1;
    for (let i = 0; i < offset; i++) {
      if (bytes[i] === 0x0a) {
        line++;
        lineStart = i + 1;
      }
    }
    const bom = lineStart === 0 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    const before = new TextDecoder('utf-8').decode(bytes.subarray(lineStart + bom, offset));
    return { offset, byte: bytes[offset] ?? 0, line, col: before.length + 1 };
  }
}

/** Offset of the first byte that does not belong to a well-formed UTF-8 sequence (RFC 3629). */
export function firstInvalidUtf8(b: Uint8Array): number | undefined {
  let i = 0;
  while (i < b.length) {
    const c = b[i] ?? 0;
    if (c < 0x80) {
      i++;
      continue;
    }
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (c >= 0xc2 && c <= 0xdf) n = 1;
    else if (c >= 0xe0 && c <= 0xef) {
      n = 2;
      if (c === 0xe0) lo = 0xa0; // overlong
      if (c === 0xed) hi = 0x9f; // surrogates
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3;
      if (c === 0xf0) lo = 0x90; // overlong
      if (c === 0xf4) hi = 0x8f; // beyond U+10FFFF
    } else return i;
    const second = b[i + 1];
    if (second === undefined || second < lo || second > hi) return i;
    for (let k = 2; k <= n; k++) {
      const next = b[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
    }
    i += n + 1;
  }
  return undefined;
}
