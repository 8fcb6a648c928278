// Why an apt-get command (install, update) failed: apt's and dpkg's own messages read into a
// FailureReason (the table in readme.md). Never throws: a failure it cannot explain is `unknown`.
import { failureReason as reason } from '../errors.js';
import type { CommandResult, FailureReason, LockHolder } from '../types.js';
import { sortedUnique, splitLines, splitQualified } from './common.js';
import { parseAptLists } from './parse-simulation.js';

const LOCK_HELD = /Could not get lock (\S+?)\.? It is held by process (\d+)(?: \(([^)]*)\))?/g;
const LOCK_OLD = /Could not get lock (\S+?)(?: - open \(\d+: [^)]*\))?$/;
const LOCK_UNABLE =
  /Unable to (?:acquire the dpkg frontend lock|lock the administration directory) \(([^)]+)\), (is another process using it|are you root)\?/;
const LOCK_DIR = /Unable to lock directory (\S+)/;

/** The lines after a "The following …:" heading. */
function listAfter(lines: readonly string[], heading: string): string[] {
  return (parseAptLists(lines).get(heading) ?? []).map((n) => splitQualified(n).name);
}

/** The indented package list after dpkg's "Errors were encountered while processing:". */
function dpkgErrorList(lines: readonly string[]): string[] {
  const i = lines.indexOf('Errors were encountered while processing:');
  if (i === -1) return [];
  const names: string[] = [];
  for (const line of lines.slice(i + 1)) {
    if (!line.startsWith(' ')) break;
    names.push(debPackageName(line.trim()));
  }
  return names;
}

/** A package name from a name, `name:arch`, or a .deb path (`…/name_version_arch.deb`). */
function debPackageName(s: string): string {
  if (s.endsWith('.deb')) {
    const base = s.slice(s.lastIndexOf('/') + 1);
    return base.slice(0, base.indexOf('_') === -1 ? undefined : base.indexOf('_'));
  }
  return splitQualified(s).name;
}

function lockHolderIn(lines: readonly string[]): LockHolder | undefined {
  let holder: LockHolder | undefined;
  for (const line of lines) {
    for (const m of line.matchAll(LOCK_HELD)) {
      holder = { path: m[1] ?? '', pid: Number(m[2]) };
      if (m[3] !== undefined) holder.command = m[3];
    }
  }
  if (holder !== undefined) return holder;
  for (const line of lines) {
    const old = line.startsWith('E: ') ? LOCK_OLD.exec(line.slice(3)) : null;
    if (old !== null) return { path: old[1] ?? '', pid: null };
    const unable = LOCK_UNABLE.exec(line);
    if (unable !== null && unable[2] === 'is another process using it') {
      const dir = unable[1] ?? '';
      return { path: dir.endsWith('/') ? `${dir}lock` : dir, pid: null };
    }
    const dir = LOCK_DIR.exec(line);
    if (dir !== null) return { path: `${(dir[1] ?? '').replace(/\/$/, '')}/lock`, pid: null };
  }
  return undefined;
}

const holderText = (h: LockHolder): string =>
  h.pid === null ? 'another process' : `process ${h.pid}${h.command === undefined ? '' : ` (${h.command})`}`;

/**
 * Why an apt-get command failed, or undefined when it did not: exit status 0 and no `E:` line.
 * Reads stdout and stderr together (apt writes E: to stderr, the lists and dpkg's progress to stdout).
 */
export function parseAptFailure(out: CommandResult): FailureReason | undefined {
  const lines = splitLines(`${out.stdout}\n${out.stderr}`);
  const errors = lines.filter((l) => l.startsWith('E: '));
  const holder = lockHolderIn(lines);
  if (out.timedOut === true) {
    const waiting =
      holder === undefined ? '' : ` while waiting for ${holder.path}, held by ${holderText(holder)}`;
    return reason(
      'timeout',
      `the package manager did not finish in time${waiting}`,
      [...errors, ...lines.slice(-3)],
      holder === undefined ? {} : { holder },
    );
  }
  if (out.exitCode === null) {
    return reason('killed', `the package manager was ended by ${out.signal ?? 'a signal'}`, lines.slice(-5));
  }
  if (out.exitCode === 0 && errors.length === 0) return undefined;
  const find = (re: RegExp) => lines.find((l) => re.test(l));
  let line: string | undefined;
  let m: RegExpExecArray | null;

  const unable = find(LOCK_UNABLE);
  if (unable !== undefined && / are you root\?/.test(unable)) {
    return reason(
      'package-manager-error',
      `apt could not take its lock: not running as root (is sudo configured?)`,
      [unable],
    );
  }
  if (holder !== undefined && errors.some((e) => /lock/i.test(e))) {
    const lockLines = lines.filter((l) => /lock/i.test(l));
    return reason('lock-held', `${holder.path} is held by ${holderText(holder)}`, lockLines.slice(-3), {
      holder,
    });
  }
  if ((line = find(/dpkg was interrupted, you must manually run '[^']+'/)) !== undefined) {
    const cmd = /run '([^']+)'/.exec(line)?.[1] ?? 'dpkg --configure -a';
    return reason(
      'interrupted',
      `dpkg was interrupted by an earlier run: '${cmd}' must be run on the host first`,
      [line],
    );
  }
  if ((line = find(/You don't have enough free space in /)) !== undefined) {
    const dir = /free space in (\S+?)\.?$/.exec(line)?.[1] ?? '';
    return reason('no-space', `not enough free space in ${dir} to download the packages`, [line]);
  }
  if ((line = find(/No space left on device/)) !== undefined) {
    const i = lines.indexOf(line);
    const processing = lines
      .slice(0, i + 1)
      .reverse()
      .find((l) => /error processing (?:archive|package) /.test(l));
    const pkg =
      processing === undefined
        ? undefined
        : /error processing (?:archive|package) (\S+)/.exec(processing)?.[1];
    const packages = pkg === undefined ? [] : [debPackageName(pkg)];
    const where = packages.length > 0 ? ` while installing ${packages.join(', ')}` : '';
    return reason(
      'no-space',
      `no space left on device${where}`,
      [processing ?? '', line].filter((l) => l !== ''),
      { packages },
    );
  }
  const scripts = lines
    .map((l) =>
      /(?:installed|new|old) (\S+) package (pre|post)-(installation|removal) script subprocess returned error exit status (\d+)/.exec(
        l,
      ),
    )
    .filter((x): x is RegExpExecArray => x !== null);
  if (scripts.length > 0) {
    const packages = sortedUnique(scripts.map((s) => debPackageName(s[1] ?? '')));
    const first = scripts[0];
    const what =
      first === undefined
        ? ''
        : `the ${first[2]}-${first[3]} script of ${debPackageName(first[1] ?? '')} failed with exit status ${first[4]}`;
    const more = packages.length > 1 ? ` (failing packages: ${packages.join(', ')})` : '';
    const excerptLines = lines.filter((l) => /error processing|subprocess returned|^E: /.test(l));
    return reason('maintainer-script', `${what}${more}`, excerptLines, { packages });
  }
  const overwrite = lines
    .map((l) => /trying to overwrite '([^']+)', which is also in package (\S+)/.exec(l))
    .find((x) => x !== null);
  if (overwrite !== undefined && overwrite !== null) {
    const i = lines.indexOf(overwrite.input);
    const archive = lines
      .slice(0, i)
      .reverse()
      .find((l) => /error processing (?:archive|package) /.test(l));
    const pkg =
      archive === undefined ? undefined : /error processing (?:archive|package) (\S+)/.exec(archive)?.[1];
    const owner = splitQualified(overwrite[2] ?? '').name;
    const packages = pkg === undefined ? [owner] : [debPackageName(pkg), owner];
    const who = pkg === undefined ? 'a package' : debPackageName(pkg);
    return reason(
      'file-conflict',
      `${who} would overwrite ${overwrite[1]}, which belongs to ${owner}`,
      [archive ?? '', overwrite.input].filter((l) => l !== ''),
      { packages },
    );
  }
  if (
    (line = find(/^E: Held packages were changed and -y was used without --allow-change-held-packages/)) !==
    undefined
  ) {
    const packages = listAfter(lines, 'The following held packages will be changed');
    return reason(
      'held',
      `held packages would change: ${packages.join(', ') || 'unknown'} (patchctl never overrides a hold)`,
      [line],
      { packages },
    );
  }
  if (
    (line = find(/^E: Packages were downgraded and -y was used without --allow-downgrades/)) !== undefined
  ) {
    const packages = listAfter(lines, 'The following packages will be DOWNGRADED');
    return reason(
      'downgrade',
      `the transaction would downgrade ${packages.join(', ') || 'packages'} (patchctl never downgrades)`,
      [line],
      { packages },
    );
  }
  if ((line = find(/^E: Packages need to be removed but remove is disabled/)) !== undefined) {
    const packages = listAfter(lines, 'The following packages will be REMOVED');
    return reason(
      'removal-required',
      `the transaction would remove ${packages.join(', ') || 'packages'} (patchctl never removes)`,
      [line],
      { packages },
    );
  }
  const versions = lines
    .map((l) => /Version '([^']+)' for '([^']+)' was not found/.exec(l))
    .filter((x): x is RegExpExecArray => x !== null);
  if (versions.length > 0) {
    const packages = versions.map((v) => splitQualified(v[2] ?? '').name);
    const which = versions.map((v) => `${v[2]}=${v[1]}`).join(', ');
    return reason(
      'version-not-found',
      `version not available from the host's repositories: ${which}`,
      versions.map((v) => v[0]),
      { packages },
    );
  }
  const unknown = lines
    .map((l) => /Unable to locate package (\S+)/.exec(l))
    .filter((x): x is RegExpExecArray => x !== null);
  if (unknown.length > 0) {
    const packages = unknown.map((u) => splitQualified(u[1] ?? '').name);
    return reason(
      'package-not-found',
      `package not known to the host's package index: ${packages.join(', ')}`,
      unknown.map((u) => u[0]),
      { packages },
    );
  }
  if (
    (line = find(/unauthenticated packages|cannot be authenticated|is not signed|NO_PUBKEY|EXPKEYSIG/)) !==
    undefined
  ) {
    return reason(
      'unauthenticated',
      `a repository or package is not authenticated (patchctl never allows unauthenticated packages)`,
      [line],
    );
  }
  if (
    find(/^E: Failed to fetch |^E: Unable to fetch some archives|^E: Some index files failed to download/) !==
    undefined
  ) {
    const url = lines.map((l) => /^E: Failed to fetch (\S+)/.exec(l)?.[1]).find((u) => u !== undefined);
    const fetchLines = lines.filter((l) => /^(E: (Failed to fetch|Unable to fetch|Some index)|Err:)/.test(l));
    return reason(
      'fetch-failed',
      url === undefined ? 'downloads from the repositories failed' : `could not download ${url}`,
      fetchLines,
    );
  }
  if (find(/Unable to correct problems|unmet dependencies|Unmet dependencies/) !== undefined) {
    const packages = lines
      .map((l) => /^ {1}(\S+) : (?:Pre)?Depends:/.exec(l)?.[1])
      .filter((x): x is string => x !== undefined)
      .map((n) => splitQualified(n).name);
    return reason(
      'unresolvable',
      `the package manager cannot resolve the dependencies${packages.length > 0 ? ` of ${packages.join(', ')}` : ''}`,
      errors,
      { packages },
    );
  }
  if ((m = /Sub-process (\S+) returned an error code \((\d+)\)/.exec(errors.join('\n'))) !== null) {
    const packages = dpkgErrorList(lines);
    const about = packages.length > 0 ? ` while processing ${packages.join(', ')}` : '';
    return reason('package-manager-error', `${m[1]} failed with exit status ${m[2]}${about}`, errors, {
      packages,
    });
  }
  const first = errors[0];
  if (first !== undefined) return reason('unknown', first.slice(3), errors);
  return reason(
    'unknown',
    `apt-get exited with status ${out.exitCode}`,
    lines.filter((l) => l.trim() !== '').slice(-5),
  );
}
