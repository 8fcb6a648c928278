// Why an apk command failed, from apk's own messages (apk-tools 2.14 and 3.0: `ERROR: …` and
// `WARNING: …` lines on stderr, which the scripts merge with 2>&1). The messages are apk-tools'
// (src/commit.c, src/database.c, src/print.c apk_error_str); the readme says which ones were read
// from the source rather than captured.
import { excerptOf } from '../errors.js';
import type { CommandResult, FailureKind, FailureReason, LockHolder } from '../types.js';
import { sortedUnique, splitLines, splitNameVersion } from './common.js';
import { APK_LOCK_FILE, UPGRADE_VIRTUAL } from './scripts.js';

const reason = (
  kind: FailureKind,
  message: string,
  excerptLines: readonly string[],
  extra: Partial<FailureReason> = {},
): FailureReason => ({ kind, message, ...extra, excerpt: excerptOf(excerptLines.join('\n')) });

/** `name-version` → name; a bare name stays as is. */
const nameOf = (id: string): string => splitNameVersion(id)?.name ?? id;

const LOCK = /^ERROR: Unable to lock database: (.+)$/;
/** EWOULDBLOCK as apk 2.x words it (apk_error_str EAGAIN) and as musl's strerror does (apk 3). */
const LOCK_BUSY = /^(temporary error \(try again later\)|Resource temporarily unavailable)$/;
/** `--wait N` ran out: the SIGALRM interrupted flock (musl strerror EINTR). */
const LOCK_WAIT_EXPIRED = /^Interrupted system call$/;
const NOT_ROOT =
  /^ERROR: (?:Unable to lock database|Failed to open apk database|Unable to create database): (?:Permission denied|Read-only file system)$/;
const NO_SPACE = /No space left on device/;
const UNTRUSTED = /UNTRUSTED signature|BAD signature/;
const SELECT = /^ERROR: unable to select packages:$/;
const SCRIPT_FAILED = /^ERROR: (\S+): (?:script )?(exited with error \d+|killed by signal \d+)$/;
const EXECUTING =
  /^(?:\s*)Executing (\S+)\.(pre-install|post-install|pre-upgrade|post-upgrade|pre-deinstall|post-deinstall|trigger)$/;
const OVERWRITE = /^ERROR: (\S+): trying to overwrite (\S+) owned by (\S+?)\.$/;
/** apk_error_str's network texts (apk 2.x and 3.0) and libfetch's. */
const NETWORK =
  /network error|network connection aborted|DNS lookup error|DNS: |could not connect to server|operation timed out|remote server returned error|HTTP \d{3}|TLS: |temporary error \(try again later\)|could not find a repo which provides this package|package mentioned in index not found/;
const REPO_LINE =
  /^(?:WARNING|ERROR): (?:opening from cache|opening|fetching|updating and opening|updating) (\S+): (.+)$/;
const STALE_REPOS = /Not continuing due to stale\/unavailable repositories/;
const BAD_OPTION = /unrecognized option|invalid option|is not an apk command/;

/** One `unable to select packages` entry: a package (or `name (no such package)`) and its reasons. */
interface SelectProblem {
  header: string;
  /** `breaks:`, `conflicts:`, `satisfies:`, `masked in:`, `required by:`... → their items. */
  labels: Map<string, string[]>;
}

/** The indented report after `ERROR: unable to select packages:` (commit.c print_broken_deps). */
export function parseSelectProblems(lines: readonly string[]): SelectProblem[] {
  const start = lines.findIndex((l) => SELECT.test(l));
  if (start === -1) return [];
  const problems: SelectProblem[] = [];
  let current: SelectProblem | undefined;
  let label: string[] | undefined;
  for (const line of lines.slice(start + 1)) {
    let m: RegExpExecArray | null;
    if ((m = /^ {2}(\S.*):$/.exec(line)) !== null) {
      current = { header: m[1] ?? '', labels: new Map() };
      problems.push(current);
      label = undefined;
    } else if (current !== undefined && (m = /^ {4}([a-z][a-z ]*):(?: (.*))?$/.exec(line)) !== null) {
      label = [];
      current.labels.set(m[1] ?? '', label);
      label.push(
        ...(m[2] ?? '')
          .trim()
          .split(/\s+/)
          .filter((w) => w !== ''),
      );
    } else if (current !== undefined && label !== undefined && /^ {5,}\S/.test(line)) {
      label.push(...line.trim().split(/\s+/));
    } else {
      break;
    }
  }
  return problems;
}

/** `world[foo~1.2]` → `foo~1.2`; `pkg-1.0-r0[foo=2]` → undefined. */
const worldItem = (item: string): string | undefined => /^world\[(.+)\]$/.exec(item)?.[1];
/** `.patchctl-upgrade-VERSION[foo=1.2-r0]` → `foo=1.2-r0`. */
const requestItem = (item: string): string | undefined =>
  item.startsWith(`${UPGRADE_VIRTUAL}-`) ? /\[(.+)\]$/.exec(item)?.[1] : undefined;
const constraintName = (c: string): string => /^!?([^@<>=~!]+)/.exec(c)?.[1] ?? c;

function selectFailure(lines: readonly string[]): FailureReason | undefined {
  const problems = parseSelectProblems(lines);
  const start = lines.findIndex((l) => SELECT.test(l));
  if (start === -1) return undefined;
  const block = lines.slice(start, start + 1 + 30);
  const missing = problems
    .map((p) => /^(\S+) \(no such package\)$/.exec(p.header)?.[1])
    .filter((x): x is string => x !== undefined);
  if (missing.length > 0) {
    return reason(
      'package-not-found',
      `package not known to the host's repositories: ${missing.join(', ')}`,
      block,
      { packages: missing },
    );
  }
  const worldBreaks = problems.flatMap((p) =>
    [...(p.labels.get('breaks') ?? []), ...(p.labels.get('conflicts') ?? [])]
      .map(worldItem)
      .filter((x): x is string => x !== undefined),
  );
  if (worldBreaks.length > 0) {
    const packages = sortedUnique(worldBreaks.map(constraintName));
    return reason(
      'held',
      `the world file pins ${worldBreaks.join(', ')} (patchctl never overrides a pin in /etc/apk/world)`,
      block,
      { packages },
    );
  }
  // A candidate that is not the requested version breaking the request: that version is not there.
  const notFound = problems.flatMap((p) => {
    const id = splitNameVersion(p.header);
    if (id === undefined) return [];
    return (p.labels.get('breaks') ?? [])
      .map(requestItem)
      .filter((x): x is string => x !== undefined)
      .filter((req) => constraintName(req) === id.name);
  });
  if (notFound.length > 0) {
    return reason(
      'version-not-found',
      `version not available from the host's repositories: ${notFound.join(', ')}`,
      block,
      { packages: sortedUnique(notFound.map(constraintName)) },
    );
  }
  const masked = problems.filter((p) => p.labels.has('masked in'));
  const packages = sortedUnique(problems.map((p) => nameOf(p.header.replace(/ \(.*\)$/, ''))));
  const why = masked.length > 0 ? ' (some are only in repositories not enabled for them)' : '';
  return reason(
    'unresolvable',
    `apk cannot select a consistent set of packages${packages.length > 0 ? ` for ${packages.join(', ')}` : ''}${why}`,
    block,
    { packages },
  );
}

/**
 * Why an apk command failed, or undefined when it did not: exit status 0 and no `ERROR:` line.
 * `text` is its output (stdout and stderr together, in order when the script merged them).
 */
export function parseApkFailure(
  out: CommandResult,
  text = `${out.stdout}\n${out.stderr}`,
): FailureReason | undefined {
  const lines = splitLines(text);
  const errors = lines.filter((l) => l.startsWith('ERROR: '));
  const waiting = lines.some((l) => /^Waiting for repository lock$/.test(l));
  const holder: LockHolder = { path: APK_LOCK_FILE, pid: null };
  if (out.timedOut === true) {
    return reason(
      'timeout',
      `apk did not finish in time${waiting ? ` while waiting for ${APK_LOCK_FILE}` : ''}`,
      [...errors, ...lines.slice(-3)],
      waiting ? { holder } : {},
    );
  }
  if (out.exitCode === null) {
    return reason('killed', `apk was ended by ${out.signal ?? 'a signal'}`, lines.slice(-5));
  }
  if (out.exitCode === 0 && errors.length === 0) return undefined;
  const find = (re: RegExp) => lines.find((l) => re.test(l));
  let line: string | undefined;

  if ((line = find(NOT_ROOT)) !== undefined) {
    return reason(
      'package-manager-error',
      'apk could not open its database for writing: not running as root (is sudo configured?)',
      [line],
    );
  }
  const lock = lines.map((l) => LOCK.exec(l)).find((m) => m !== null);
  if (lock !== undefined && lock !== null) {
    const why = lock[1] ?? '';
    if (LOCK_BUSY.test(why) || LOCK_WAIT_EXPIRED.test(why)) {
      const waited = LOCK_WAIT_EXPIRED.test(why) ? ' (the bounded wait ran out)' : '';
      return reason('lock-held', `${APK_LOCK_FILE} is held by another process${waited}`, [lock[0]], {
        holder,
      });
    }
    return reason('package-manager-error', `apk could not lock its database: ${why}`, [lock[0]]);
  }
  if ((line = find(NO_SPACE)) !== undefined) {
    const id = /^ERROR: (\S+): /.exec(line)?.[1];
    const packages = id === undefined || splitNameVersion(id) === undefined ? [] : [nameOf(id)];
    const where = packages.length > 0 ? ` while installing ${packages.join(', ')}` : '';
    return reason('no-space', `no space left on device${where}`, [line], { packages });
  }
  if (find(UNTRUSTED) !== undefined) {
    const untrusted = lines.filter((l) => UNTRUSTED.test(l));
    const packages = sortedUnique(
      untrusted
        .map((l) => /^ERROR: (\S+): (?:UNTRUSTED|BAD) signature$/.exec(l)?.[1])
        .filter((x): x is string => x !== undefined && splitNameVersion(x) !== undefined)
        .map(nameOf),
    );
    return reason(
      'unauthenticated',
      'a repository index or package has an untrusted or bad signature (patchctl never uses --allow-untrusted)',
      untrusted,
      { packages },
    );
  }
  const select = selectFailure(lines);
  if (select !== undefined) return select;
  const scripts = lines
    .map((l, i) => ({ m: SCRIPT_FAILED.exec(l), i }))
    .filter((x): x is { m: RegExpExecArray; i: number } => x.m !== null);
  if (scripts.length > 0) {
    const failed = scripts.map(({ m, i }) => {
      const executing = lines
        .slice(0, i)
        .reverse()
        .map((l) => EXECUTING.exec(l))
        .find((e) => e !== null);
      const id = executing?.[1] ?? (m[1] ?? '').replace(/\.[a-z-]+$/, '');
      return { pkg: nameOf(id), script: executing?.[2] ?? m[1] ?? '', status: m[2] ?? '' };
    });
    const first = failed[0];
    const packages = sortedUnique(failed.map((f) => f.pkg));
    const more = packages.length > 1 ? ` (failing packages: ${packages.join(', ')})` : '';
    return reason(
      'maintainer-script',
      `the ${first?.script ?? ''} script of ${first?.pkg ?? ''} ${first?.status ?? 'failed'}${more}`,
      scripts.map((s) => s.m[0]),
      { packages },
    );
  }
  const overwrite = lines.map((l) => OVERWRITE.exec(l)).find((m) => m !== null);
  if (overwrite !== undefined && overwrite !== null) {
    const pkg = nameOf(overwrite[1] ?? '');
    const owner = nameOf(overwrite[3] ?? '');
    return reason(
      'file-conflict',
      `${pkg} would overwrite ${overwrite[2]}, which belongs to ${owner}`,
      [overwrite[0]],
      {
        packages: [pkg, owner],
      },
    );
  }
  const network = lines.filter((l) => REPO_LINE.test(l) || (/^(ERROR|WARNING): /.test(l) && NETWORK.test(l)));
  if (network.length > 0 || find(STALE_REPOS) !== undefined) {
    const repo = network.map((l) => REPO_LINE.exec(l)?.[1]).find((u) => u !== undefined);
    return reason(
      'fetch-failed',
      repo === undefined
        ? 'downloads from the repositories failed'
        : `could not download the index of ${repo}`,
      [...network, ...lines.filter((l) => STALE_REPOS.test(l))],
    );
  }
  if ((line = find(BAD_OPTION)) !== undefined) {
    return reason(
      'package-manager-error',
      `apk refused its command line (apk-tools older than 2.14?): ${line}`,
      [line],
    );
  }
  const first = errors[0];
  if (first !== undefined) return reason('unknown', first.slice('ERROR: '.length), errors);
  return reason(
    'unknown',
    `apk exited with status ${out.exitCode}`,
    lines.filter((l) => l.trim() !== '').slice(-5),
  );
}
