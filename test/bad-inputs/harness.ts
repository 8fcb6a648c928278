// Shared by catalogue.test.ts and mutations.test.ts: copy base/ to a scratch directory, edit
// it, run `patchctl validate` on it, and check what came back.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/cli/main.js';
import { captureIo } from '../../src/test-support/capture-io.js';
import type { BadInputCase, Edit, Expectation } from './cases.js';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const BASE_DIR = path.join(HERE, 'base');
export const ROOT = path.resolve(HERE, '..', '..');
export const DEFAULT_AT = '2026-12-01T00:00:00Z';

/** One line of `validate --format json`. */
export interface JsonDiagnostic {
  file: string | null;
  line: number | null;
  col: number | null;
  severity: 'error' | 'warning';
  code: string;
  message: string;
}

export interface Scratch {
  /** The temporary directory; the repository is its `repo/` folder (edits may write next to it). */
  dir: string;
  repo: string;
  remove(): void;
}

/** A fresh copy of base/ under the system's temp folder. */
export function scratchCopy(): Scratch {
  const dir = mkdtempSync(path.join(tmpdir(), 'patchctl-bad-'));
  const repo = path.join(dir, 'repo');
  cpSync(BASE_DIR, repo, { recursive: true });
  return { dir, repo, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Number of times `needle` occurs in `hay` (overlapping occurrences counted). */
export function occurrences(hay: string, needle: string): number {
  if (needle === '') return Infinity;
  let n = 0;
  for (let i = hay.indexOf(needle); i >= 0; i = hay.indexOf(needle, i + 1)) n++;
  return n;
}

export function applyEdits(repo: string, edits: readonly Edit[]): void {
  for (const edit of edits) {
    const target = path.join(repo, edit.file);
    if ('remove' in edit) {
      if (!existsSync(target)) throw new Error(`edit: cannot remove ${edit.file}, it does not exist`);
      rmSync(target, { recursive: true });
    } else if ('content' in edit) {
      mkdirSync(path.dirname(target), { recursive: true });
      writeFileSync(target, edit.content);
    } else if ('symlink' in edit) {
      mkdirSync(path.dirname(target), { recursive: true });
      symlinkSync(edit.symlink, target);
    } else if ('mkdir' in edit) {
      mkdirSync(target, { recursive: true });
    } else if ('fifo' in edit) {
      // Node has no mkfifo; the command exists on Linux and macOS.
      mkdirSync(path.dirname(target), { recursive: true });
      const r = spawnSync('mkfifo', [target], { encoding: 'utf8' });
      if (r.status !== 0)
        throw new Error(`edit: mkfifo ${edit.file} failed: ${r.stderr || r.error?.message}`);
    } else {
      const text = readFileSync(target, 'utf8');
      const n = occurrences(text, edit.find);
      if (n !== 1) {
        throw new Error(`edit: ${JSON.stringify(edit.find)} occurs ${n} times in ${edit.file}, not once`);
      }
      writeFileSync(
        target,
        text.replace(edit.find, () => edit.replace),
      );
    }
  }
}

export interface TreeEntry {
  type: 'file' | 'dir' | 'symlink' | 'other';
  size: number;
  mtimeMs: number;
  link?: string;
}

/** Every path under `dir` (symlinks not followed) with its type, size and modification time. */
export function snapshotTree(dir: string): Record<string, TreeEntry> {
  const out: Record<string, TreeEntry> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(path.join(dir, rel)).sort()) {
      const relPath = rel === '' ? name : `${rel}/${name}`;
      const st = lstatSync(path.join(dir, relPath));
      const type = st.isSymbolicLink()
        ? 'symlink'
        : st.isDirectory()
          ? 'dir'
          : st.isFile()
            ? 'file'
            : 'other';
      out[relPath] = {
        type,
        size: type === 'dir' ? 0 : st.size,
        mtimeMs: st.mtimeMs,
        ...(type === 'symlink' ? { link: readlinkSync(path.join(dir, relPath)) } : {}),
      };
      if (type === 'dir') walk(relPath);
    }
  };
  walk('');
  return out;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** The parsed JSON output, or undefined when stdout was not a JSON list. */
  diagnostics: JsonDiagnostic[] | undefined;
}

function parseJsonOutput(stdout: string): JsonDiagnostic[] | undefined {
  try {
    const value = JSON.parse(stdout) as unknown;
    return Array.isArray(value) ? (value as JsonDiagnostic[]) : undefined;
  } catch {
    return undefined;
  }
}

function validateArgs(dir: string, at: string, strict: boolean): string[] {
  return ['validate', '-C', dir, '--at', at, '--format', 'json', ...(strict ? ['--strict'] : [])];
}

/** `patchctl validate --format json` in this process, through the real command line parser. */
export async function validateInProcess(dir: string, at = DEFAULT_AT, strict = false): Promise<RunResult> {
  const io = captureIo({ cwd: path.dirname(dir) });
  let exitCode: number;
  try {
    exitCode = await main(validateArgs(dir, at, strict), io);
  } catch (err) {
    // main() must never throw; report it the way a crash would look.
    const detail = err instanceof Error ? (err.stack ?? err.message) : String(err);
    return {
      exitCode: -1,
      stdout: io.text().stdout,
      stderr: `main() threw:\n${detail}`,
      diagnostics: undefined,
    };
  }
  const { stdout, stderr } = io.text();
  return { exitCode, stdout, stderr, diagnostics: parseJsonOutput(stdout) };
}

/** The same through the real launcher in a child process (needs `npm run build`). */
export function validateSubprocess(dir: string, at = DEFAULT_AT, strict = false): RunResult {
  const r = spawnSync(
    process.execPath,
    [path.join(ROOT, 'bin', 'patchctl'), ...validateArgs(dir, at, strict)],
    {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
      timeout: 60_000,
    },
  );
  return {
    exitCode: r.status ?? -1,
    stdout: r.stdout,
    stderr: r.stderr,
    diagnostics: parseJsonOutput(r.stdout),
  };
}

/** A Node stack frame line ("    at fn (file:1:2)"), as printed with an internal error. */
export const STACK_TRACE = /\n\s+at /;

/** The text of a repository file as the validator sees it (a leading BOM is dropped). */
export function repoText(repo: string, file: string): string {
  const text = readFileSync(path.join(repo, file)).toString('utf8');
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * 1-based line and column (in UTF-16 code units, as the validator counts) of an offset. A line
 * ends with LF, CRLF or a lone CR (old Mac), as in YAML 1.2 and in editors.
 */
export function lineColOf(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let lineStart = 0;
  for (const m of text.slice(0, offset).matchAll(/\r\n|\r|\n/g)) {
    line++;
    lineStart = (m.index ?? 0) + m[0].length;
  }
  return { line, col: offset - lineStart + 1 };
}

export interface ResolvedExpectation {
  code: string;
  file: string;
  line: number;
  col: number;
  severity: 'error' | 'warning';
}

/** Turns a marker into line and column in the edited file; throws when the marker is not unique. */
export function resolveExpectation(repo: string, e: Expectation): ResolvedExpectation {
  const severity = e.severity ?? 'error';
  if (e.marker === undefined) {
    if (e.line === undefined || e.col === undefined)
      throw new Error(`expectation ${e.code} in ${e.file} needs a marker or line and col`);
    return { code: e.code, file: e.file, line: e.line, col: e.col, severity };
  }
  const text = repoText(repo, e.file);
  const n = occurrences(text, e.marker);
  if (n !== 1) throw new Error(`marker ${JSON.stringify(e.marker)} occurs ${n} times in ${e.file}, not once`);
  let offset = text.indexOf(e.marker);
  if (e.focus !== undefined) {
    const inner = e.marker.indexOf(e.focus);
    if (inner < 0)
      throw new Error(`focus ${JSON.stringify(e.focus)} is not in marker ${JSON.stringify(e.marker)}`);
    offset += inner;
  }
  return { code: e.code, file: e.file, severity, ...lineColOf(text, offset) };
}

/** Diagnostics whose position does not exist in the repository (empty when all are fine). */
export function misplacedDiagnostics(repo: string, list: readonly JsonDiagnostic[]): string[] {
  const problems: string[] = [];
  for (const d of list) {
    const where = `${d.file}:${d.line}:${d.col} ${d.code}`;
    if (typeof d.file !== 'string' || typeof d.line !== 'number' || typeof d.col !== 'number') {
      problems.push(`${where}: no position`);
      continue;
    }
    if (d.file.startsWith('/') || d.file.split('/').includes('..')) {
      problems.push(`${where}: file is not a path inside the repository`);
      continue;
    }
    const abs = path.join(repo, d.file);
    // A file, or a symbolic link to one (followed: the diagnostic is about what was read).
    let isFile: boolean;
    try {
      isFile = statSync(abs).isFile();
    } catch {
      isFile = false;
    }
    if (!isFile) {
      // Only "there is no repository / no patchctl.yaml here" may point at a file that is not
      // there, and a problem with a path that is not a regular file (a directory, a FIFO, a
      // broken link or one out of the repository) at the path itself.
      const fileLevel = ['missing-config', 'repository-not-found'].includes(d.code);
      const pathLevel = PATH_CODES.includes(d.code) && existsAsLink(abs);
      if (!((fileLevel || pathLevel) && d.line === 1 && d.col === 1)) problems.push(`${where}: no such file`);
      continue;
    }
    // latin1 keeps one character per byte, so a file that is not UTF-8 still has lines.
    const raw = readFileSync(abs);
    let text = raw.toString('utf8');
    if (text.includes('\ufffd')) text = raw.toString('latin1');
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const lines = text.split(/\r\n|\r|\n/);
    if (d.line < 1 || d.line > lines.length) {
      problems.push(`${where}: line ${d.line} is not in the file (${lines.length} lines)`);
      continue;
    }
    const lineText = (lines[d.line - 1] ?? '').replace(/\r$/, '');
    if (d.col < 1 || d.col > lineText.length + 1)
      problems.push(`${where}: column ${d.col} is not in line ${d.line} (${lineText.length} characters)`);
  }
  return problems;
}

/** Codes about a path itself rather than its content: they point at 1:1 of whatever is there. */
const PATH_CODES = ['unreadable-file', 'not-a-folder', 'path-outside-repository'];

/** Something is at `abs`, even a broken symbolic link. */
function existsAsLink(abs: string): boolean {
  try {
    lstatSync(abs);
    return true;
  } catch {
    return false;
  }
}

/** `file:line:col severity code` of each diagnostic, to show in failure messages. */
export function brief(list: readonly JsonDiagnostic[] | undefined): string[] {
  return (list ?? []).map((d) => `${d.file}:${d.line}:${d.col} ${d.severity} ${d.code}: ${d.message}`);
}

export function materialise(c: Pick<BadInputCase, 'edits'>): Scratch {
  const scratch = scratchCopy();
  try {
    applyEdits(scratch.repo, c.edits);
  } catch (err) {
    scratch.remove();
    throw err;
  }
  return scratch;
}
