// Which commit this patchctl was built from (`patchctl version`). `npm run build` records it in
// dist/build-info.json (scripts/build-info.mjs), so an installed tarball or a global install,
// which has no .git, still knows it. Never a wrong commit: when patchctl cannot know, it says
// `unknown`.
import { spawnSync } from 'node:child_process';
import { realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatDiagnostic } from '../core/model/diagnostics.js';
import { parseJsonStrict } from '../core/model/strict-json.js';
import { InputFileError, PatchctlError } from '../errors.js';
import { readTextSafeIfExists } from '../platform/safe-fs.js';

export const BUILD_INFO_FILE = 'build-info.json';
export const UNKNOWN_COMMIT = 'unknown';

export interface BuildInfo {
  formatVersion: 1;
  /** A full commit id, with `-dirty` when tracked files differed from it; or `unknown`. */
  commit: string;
}

export interface RunningCommit {
  commit: string;
  /** Where `commit` comes from. */
  source: 'build-info' | 'checkout' | 'none';
  /** The commit the package folder's own git checkout is at now, when it is one (may differ from a stale dist/). */
  checkout?: string;
  /** Why build-info.json could not be used, when it could not. */
  problem?: string;
}

/** The package folder: two levels above both src/engine and dist/engine. */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The commit `root`'s own git checkout is at (`-dirty` when tracked files differ from it), or
 * undefined when `root` is not the top of a git work tree: a package installed into
 * node_modules of someone's project sits inside THEIR checkout, whose commit is not ours.
 */
export function checkoutCommit(root: string): string | undefined {
  const git = (...args: string[]) =>
    spawnSync('git', ['-C', root, ...args], { encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } });
  const top = git('rev-parse', '--show-toplevel');
  if (top.status !== 0 || !top.stdout) return undefined;
  if (!samePath(top.stdout.trim(), root)) return undefined;
  const head = git('rev-parse', '--verify', '--quiet', 'HEAD');
  if (head.status !== 0 || !/^[0-9a-f]{40,64}\s*$/.test(head.stdout)) return undefined;
  const commit = head.stdout.trim();
  const status = git('status', '--porcelain', '--untracked-files=no');
  if (status.status !== 0) return undefined;
  return status.stdout.trim() === '' ? commit : `${commit}-dirty`;
}

/** The build-info document `npm run build` writes for a package folder. */
export function buildInfoFor(root: string): BuildInfo {
  return { formatVersion: 1, commit: checkoutCommit(root) ?? UNKNOWN_COMMIT };
}

/**
 * Reads a build-info.json: undefined when there is none, an error naming the file (and
 * line:col) when it is not one patchctl wrote.
 */
export function readBuildInfo(file: string): BuildInfo | undefined {
  const text = readTextSafeIfExists(file, { maxBytes: 64 * 1024 });
  if (text === undefined) return undefined;
  const parsed = parseJsonStrict(file, text);
  if (!parsed.ok) throw new InputFileError(formatDiagnostic(parsed.diagnostic));
  const value = parsed.value as Partial<BuildInfo> | null;
  if (
    typeof value !== 'object' ||
    value === null ||
    value.formatVersion !== 1 ||
    typeof value.commit !== 'string' ||
    !/^([0-9a-f]{40,64}(-dirty)?|unknown)$/.test(value.commit)
  )
    throw new InputFileError(`${file}: not a patchctl build-info file ({"formatVersion": 1, "commit": "…"})`);
  return { formatVersion: 1, commit: value.commit };
}

/**
 * The commit the running code was built from:
 * - compiled code (dist/) trusts dist/build-info.json, written by the same build: a checkout
 *   that moved on since is reported beside it (`checkout`), never in its place;
 * - TypeScript run from src/ (tests, ts runners) is the checkout itself;
 * - compiled code without build-info.json (built by a bare `tsc`) cannot know: `unknown`.
 */
export function runningCommit(moduleDir = path.dirname(fileURLToPath(import.meta.url))): RunningCommit {
  const codeRoot = path.dirname(moduleDir); // dist/ or src/
  const packageRoot = path.dirname(codeRoot);
  const checkout = checkoutCommit(packageRoot);
  const withCheckout = (r: RunningCommit): RunningCommit =>
    checkout !== undefined && checkout !== r.commit ? { ...r, checkout } : r;
  if (path.basename(codeRoot) === 'src')
    return checkout !== undefined
      ? { commit: checkout, source: 'checkout' }
      : { commit: UNKNOWN_COMMIT, source: 'none' };
  try {
    const info = readBuildInfo(path.join(codeRoot, BUILD_INFO_FILE));
    if (info !== undefined) return withCheckout({ commit: info.commit, source: 'build-info' });
    return withCheckout({
      commit: UNKNOWN_COMMIT,
      source: 'none',
      problem: `${path.join(codeRoot, BUILD_INFO_FILE)} is missing (built without \`npm run build\`?)`,
    });
  } catch (err) {
    if (!(err instanceof PatchctlError)) throw err;
    return withCheckout({ commit: UNKNOWN_COMMIT, source: 'none', problem: err.message });
  }
}

function samePath(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}
