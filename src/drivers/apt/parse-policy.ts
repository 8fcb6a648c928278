// `apt-cache policy`: the versions of packages and the repositories that carry them (with PKG…), and
// the package files with their Release metadata (without arguments); the repository origins the
// classification rule (classify.ts) reads. Throws DriverOutputError on output it cannot read.
import type { RepositoryOrigin } from './classify.js';
import { fail, PKG_NAME, splitLines, splitQualified } from './common.js';
import type { ReleaseRef } from './parse-simulation.js';

export interface PolicySource {
  priority: number;
  uri: string;
  /** The distribution as written in sources.list (bookworm-security, jammy-updates...). */
  dist?: string;
  component?: string;
  indexArch?: string;
  /** The line for /var/lib/dpkg/status (the installed version). */
  status?: true;
}

export interface PolicyVersion {
  version: string;
  priority: number;
  /** Marked *** (the installed version). */
  current: boolean;
  sources: PolicySource[];
}

export interface PolicyEntry {
  name: string;
  arch?: string;
  installed: string | null;
  candidate: string | null;
  versions: PolicyVersion[];
}

function parsePolicySource(priority: number, rest: string): PolicySource {
  const tokens = rest.trim().split(/\s+/);
  const uri = tokens[0] ?? '';
  if (uri === '/var/lib/dpkg/status' && tokens.length === 1) return { priority, uri, status: true };
  const source: PolicySource = { priority, uri };
  if (tokens.length === 4 && tokens[3] === 'Packages') {
    const distComp = tokens[1] ?? '';
    const slash = distComp.indexOf('/');
    source.dist = slash === -1 ? distComp : distComp.slice(0, slash);
    if (slash !== -1) source.component = distComp.slice(slash + 1);
    source.indexArch = tokens[2] ?? '';
  }
  return source;
}

const versionOrNull = (v: string): string | null => (v === '(none)' ? null : v);

/** `apt-cache policy PKG…`. */
export function parseAptCachePolicy(text: string): PolicyEntry[] {
  const entries: PolicyEntry[] = [];
  let entry:
    | {
        name: string;
        arch?: string;
        installed?: string | null;
        candidate?: string | null;
        versions: PolicyVersion[];
      }
    | undefined;
  let version: PolicyVersion | undefined;
  const close = () => {
    if (entry === undefined) return;
    if (entry.installed === undefined || entry.candidate === undefined) {
      throw fail(`apt-cache policy: no Installed/Candidate lines for ${entry.name}`, text);
    }
    const e: PolicyEntry = {
      name: entry.name,
      installed: entry.installed,
      candidate: entry.candidate,
      versions: entry.versions,
    };
    if (entry.arch !== undefined) e.arch = entry.arch;
    entries.push(e);
  };
  for (const line of splitLines(text)) {
    if (line.trim() === '') continue;
    let m: RegExpExecArray | null;
    if ((m = /^(\S+):$/.exec(line)) !== null) {
      close();
      const q = splitQualified(m[1] ?? '');
      if (!PKG_NAME.test(q.name))
        throw fail(`apt-cache policy: unexpected package line ${JSON.stringify(line)}`, text);
      entry = { name: q.name, versions: [] };
      if (q.arch !== undefined) entry.arch = q.arch;
      version = undefined;
    } else if (entry === undefined) {
      throw fail(`apt-cache policy: unexpected line ${JSON.stringify(line.slice(0, 200))}`, text);
    } else if ((m = /^ {2}Installed: (\S+)$/.exec(line)) !== null) {
      entry.installed = versionOrNull(m[1] ?? '');
    } else if ((m = /^ {2}Candidate: (\S+)$/.exec(line)) !== null) {
      entry.candidate = versionOrNull(m[1] ?? '');
    } else if ((m = /^ (\*\*\*| {3}) (\S+) (-?\d+)$/.exec(line)) !== null) {
      version = { version: m[2] ?? '', priority: Number(m[3]), current: m[1] === '***', sources: [] };
      entry.versions.push(version);
    } else if ((m = /^ {8}(-?\d+) (.+)$/.exec(line)) !== null && version !== undefined) {
      version.sources.push(parsePolicySource(Number(m[1]), m[2] ?? ''));
    }
    // Other lines ("  Version table:", "  Package pin: …") carry nothing the driver uses.
  }
  close();
  return entries;
}

export interface PackageFile {
  priority: number;
  uri: string;
  dist?: string;
  component?: string;
  indexArch?: string;
  status?: true;
  /** The Release fields apt shows: v (version), o (origin), a (suite), n (codename), l (label), c, b. */
  release: Record<string, string>;
  /** The host the index came from (`origin` line). */
  site?: string;
}

/** `apt-cache policy` without arguments: the "Package files:" list with each file's Release fields. */
export function parsePackageFiles(text: string): PackageFile[] {
  const files: PackageFile[] = [];
  let inFiles = false;
  let current: PackageFile | undefined;
  for (const line of splitLines(text)) {
    if (line === 'Package files:') {
      inFiles = true;
      continue;
    }
    if (line.startsWith('Pinned packages:')) break;
    if (!inFiles || line.trim() === '') continue;
    let m: RegExpExecArray | null;
    if ((m = /^ (-?\d+) (.+)$/.exec(line)) !== null) {
      const s = parsePolicySource(Number(m[1]), m[2] ?? '');
      current = { ...s, release: {} };
      files.push(current);
    } else if ((m = /^ {5}release (.*)$/.exec(line)) !== null && current !== undefined) {
      for (const kv of (m[1] ?? '').split(',')) {
        const eq = kv.indexOf('=');
        if (eq > 0) current.release[kv.slice(0, eq)] = kv.slice(eq + 1);
      }
    } else if ((m = /^ {5}origin (\S+)$/.exec(line)) !== null && current !== undefined) {
      current.site = m[1] ?? '';
    }
  }
  if (!inFiles) throw fail('apt-cache policy: no "Package files:" list', text);
  return files;
}

function originOfFile(f: PackageFile): RepositoryOrigin {
  const o: RepositoryOrigin = {};
  const r = f.release;
  if (r.l !== undefined) o.label = r.l;
  if (r.o !== undefined) o.origin = r.o;
  if (r.a !== undefined) o.suite = r.a;
  if (r.n !== undefined) o.codename = r.n;
  if (r.v !== undefined) o.version = r.v;
  if (f.site !== undefined) o.site = f.site;
  return o;
}

/** The repository an Inst line's `Label:Version/Archive` names, with its Release metadata when known. */
export function originsOfRelease(ref: ReleaseRef, files: readonly PackageFile[]): RepositoryOrigin {
  const match = files.find((f) => {
    if (f.status === true) return false;
    const r = f.release;
    if (r.l !== ref.label || r.v !== ref.version) return false;
    return r.a !== undefined ? r.a === ref.archive : (f.site ?? 'localhost') === ref.archive;
  });
  if (match !== undefined) return originOfFile(match);
  const o: RepositoryOrigin = { suite: ref.archive };
  if (ref.label !== undefined) o.label = ref.label;
  if (ref.version !== undefined) o.version = ref.version;
  return o;
}

/** The repository an `apt-cache policy` source line names, with its Release metadata when known. */
export function originsOfPolicySource(src: PolicySource, files: readonly PackageFile[]): RepositoryOrigin {
  const match = files.find(
    (f) =>
      f.uri === src.uri &&
      f.dist === src.dist &&
      f.component === src.component &&
      f.indexArch === src.indexArch,
  );
  if (match !== undefined) return originOfFile(match);
  return src.dist !== undefined && src.dist !== '' ? { codename: src.dist } : { site: src.uri };
}
