// dnf install outcomes and failures (read from stdout and stderr together). dnf's exit statuses:
// 0 done (or "Nothing to do"), 1 error, 200 a lock is held (with exit_on_lock=True; INSTALL_SCRIPT
// also exits 200 when its bounded wait ends), 100 only from check-update.
import { failureReason as reason } from '../errors.js';
import type {
  CommandResult,
  FailureReason,
  InstallOutcome,
  LockHolder,
  PackageChange,
  RefreshOutcome,
} from '../types.js';
import { compareEvr, evrOf, parseNevra } from '../rpm/nevra.js';
import { parseRpmQueryLine, type RpmPackage } from '../rpm/parse-installed.js';
import { heldNames, parseExcludes, parseVersionlockList, type Holds } from './parse-holds.js';
import { LOCK_FILES, LOCK_TIMEOUT_MESSAGE } from './scripts.js';
import { readSections, splitSections } from '../sections.js';
import { DRIVER, sortedUnique, splitLines } from './text.js';

/** The lock file of each lock dnf names in "<description> already locked by PID" (dnf/lock.py). */
const LOCK_PATH: Readonly<Record<string, string>> = {
  RPMDB: '/var/lib/dnf/rpmdb_lock.pid',
  metadata: '/var/cache/dnf/metadata_lock.pid',
  cachedir: '/var/cache/dnf/download_lock.pid',
  log: '/var/log/log_lock.pid',
};

/** The lock holder dnf (or yum) named, if any. */
export function lockHolderIn(lines: readonly string[]): LockHolder | undefined {
  let holder: LockHolder | undefined;
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if ((m = /^(RPMDB|metadata|cachedir|log) already locked by (\d+)/.exec(line)) !== null) {
      holder = { path: LOCK_PATH[m[1] ?? ''] ?? '', pid: Number(m[2]) };
    } else if ((m = /^Waiting for process with pid (\d+) to finish\./.exec(line)) !== null) {
      holder = { path: LOCK_PATH.RPMDB ?? '', pid: Number(m[1]) };
    } else if ((m = /^Existing lock (\S+): another copy is running as pid (\d+)/.exec(line)) !== null) {
      holder = { path: m[1] ?? '', pid: Number(m[2]) };
    } else if (
      (m = /^\s*The (?:application with PID (\d+)|other application) is: (.+)$/.exec(line)) !== null
    ) {
      if (holder !== undefined && (m[1] === undefined || Number(m[1]) === holder.pid))
        holder.command = (m[2] ?? '').trim();
    }
  }
  return holder;
}

const holderText = (h: LockHolder): string =>
  h.pid === null ? 'another process' : `process ${h.pid}${h.command === undefined ? '' : ` (${h.command})`}`;

/** `PATH\tPID\tCOMM` lines of LOCK_HOLDERS_SCRIPT, in LOCK_FILES order. */
export function parseLockHolders(out: CommandResult): LockHolder[] {
  const s = readSections(DRIVER, 'lock-holders', out, ['lock-holders']);
  const holders: LockHolder[] = [];
  for (const line of splitLines(s.get('lock-holders')?.text ?? '')) {
    const m = /^(\/\S+)\t(\d{1,10})\t(.*)$/.exec(line);
    if (m === null || !LOCK_FILES.includes(m[1] ?? '')) continue;
    const h: LockHolder = { path: m[1] ?? '', pid: Number(m[2]) };
    if ((m[3] ?? '') !== '') h.command = m[3] ?? '';
    holders.push(h);
  }
  return holders.sort((a, b) => LOCK_FILES.indexOf(a.path) - LOCK_FILES.indexOf(b.path));
}

/** A package name from `name`, a NEVRA, or `name-version-release.arch` in rpm's messages. */
const nameOf = (s: string): string => parseNevra(s)?.name ?? s;

/**
 * Why a dnf command failed, or undefined when it did not. A failing %post/%postun scriptlet leaves
 * dnf's exit status 0 (the package is installed, "Error in POSTIN scriptlet" on stderr): it is a
 * failure all the same (`maintainer-script`), as with apt: the package's setup did not finish.
 */
export function parseDnfFailure(out: CommandResult): FailureReason | undefined {
  const lines = splitLines(`${out.stdout}\n${out.stderr}`);
  const errors = lines.filter((l) => /^Error:/.test(l));
  const holder = lockHolderIn(lines);
  if (out.timedOut === true) {
    const waiting =
      holder === undefined ? '' : ` while waiting for ${holder.path}, held by ${holderText(holder)}`;
    return reason(
      'timeout',
      `the package manager did not finish in time${waiting}`,
      [...errors, ...lines.filter((l) => l.trim() !== '').slice(-3)],
      holder === undefined ? {} : { holder },
    );
  }
  if (out.exitCode === null) {
    return reason('killed', `the package manager was ended by ${out.signal ?? 'a signal'}`, lines.slice(-5));
  }
  const find = (re: RegExp) => lines.find((l) => re.test(l));
  let line: string | undefined;

  const scriptlets = lines
    .map((l) =>
      /^Error in (PRETRANS|PREIN|POSTIN|PREUN|POSTUN|POSTTRANS|TRIGGER\w*) scriptlet in rpm package (\S+)/.exec(
        l,
      ),
    )
    .filter((x): x is RegExpExecArray => x !== null);
  const rpmScriptlets = lines
    .map((l) => /^(?:warning|error): %(\w+)\((\S+)\) scriptlet failed, (exit status \d+|signal \d+)/.exec(l))
    .filter((x): x is RegExpExecArray => x !== null);
  if (scriptlets.length > 0 || rpmScriptlets.length > 0) {
    const packages = sortedUnique([
      ...scriptlets.map((s) => nameOf(s[2] ?? '')),
      ...rpmScriptlets.map((s) => nameOf(s[2] ?? '')),
    ]);
    const r = rpmScriptlets[0];
    const s = scriptlets[0];
    const what =
      r !== undefined
        ? `the %${r[1]} scriptlet of ${nameOf(r[2] ?? '')} failed (${r[3]})`
        : `the ${(s?.[1] ?? '').toLowerCase()} scriptlet of ${nameOf(s?.[2] ?? '')} failed`;
    const more = packages.length > 1 ? ` (failing packages: ${packages.join(', ')})` : '';
    const installed = out.exitCode === 0 ? '; the package was installed, its setup did not finish' : '';
    return reason(
      'maintainer-script',
      `${what}${more}${installed}`,
      lines.filter((l) => /scriptlet|^Error/.test(l)),
      { packages },
    );
  }
  if (out.exitCode === 0 && errors.length === 0) return undefined;

  if (
    (line = find(/has to be run with superuser privileges|Permission denied: '\/var\/(lib|cache)\//)) !==
    undefined
  ) {
    return reason('package-manager-error', 'dnf must run as root (is sudo configured?)', [line]);
  }
  if (holder !== undefined || find(new RegExp(LOCK_TIMEOUT_MESSAGE)) !== undefined || out.exitCode === 200) {
    const h = holder ?? { path: LOCK_PATH.RPMDB ?? '', pid: null };
    const lockLines = lines.filter((l) => /lock|PID|pid/.test(l));
    return reason('lock-held', `${h.path} is held by ${holderText(h)}`, lockLines.slice(-4), { holder: h });
  }
  if (
    (line = find(
      /needs \S+ more space on the \S+ filesystem|more space needed on the|No space left on device/,
    )) !== undefined
  ) {
    const pkg = /installing package (\S+) needs/.exec(line)?.[1];
    const packages = pkg === undefined ? [] : [nameOf(pkg)];
    return reason('no-space', `not enough disk space: ${line.trim()}`, [line], { packages });
  }
  if ((line = find(/^All matches were filtered out by exclude filtering for argument: /)) !== undefined) {
    const packages = lines
      .map((l) => /^All matches were filtered out by exclude filtering for argument: (\S+)/.exec(l)?.[1])
      .filter((x): x is string => x !== undefined)
      .map(nameOf);
    return reason(
      'held',
      `excluded or version-locked on the host: ${packages.join(', ')} (patchctl never overrides a hold)`,
      [line],
      { packages },
    );
  }
  if (
    (line = find(
      /GPG check FAILED|Public key for \S+ is not installed|is not signed|You have enabled checking of packages via GPG keys|Didn't install any keys|GPG keys listed for the .* are already installed but they are not correct/,
    )) !== undefined
  ) {
    return reason(
      'unauthenticated',
      'a repository or package is not authenticated (patchctl never installs without a GPG check)',
      [line, ...lines.filter((l) => /^Problem repository:|^Error:/.test(l))],
    );
  }
  const noMatch = lines
    .map((l) => /^No match for argument: (\S+)/.exec(l))
    .filter((x): x is RegExpExecArray => x !== null);
  if (noMatch.length > 0) {
    const packages = sortedUnique(noMatch.map((m) => nameOf(m[1] ?? '')));
    return reason(
      'version-not-found',
      `not available from the host's repositories: ${noMatch.map((m) => m[1]).join(', ')}`,
      noMatch.map((m) => m[0]),
      { packages },
    );
  }
  if (find(/try to add '--allowerasing'/) !== undefined) {
    return reason(
      'removal-required',
      'the transaction would remove or replace installed packages (patchctl never removes)',
      lines.filter((l) => /Problem|^\s+- /.test(l)).slice(0, 6),
    );
  }
  if (
    find(
      /^\s*Problem( \d+)?: |nothing provides |conflicting requests|Depsolve Error|cannot install the best candidate/,
    ) !== undefined
  ) {
    const packages = sortedUnique(
      lines
        .map((l) => /needed by (\S+)/.exec(l)?.[1] ?? /^\s+- package (\S+) requires/.exec(l)?.[1])
        .filter((x): x is string => x !== undefined)
        .map(nameOf),
    );
    return reason(
      'unresolvable',
      `the package manager cannot resolve the dependencies${packages.length > 0 ? ` of ${packages.join(', ')}` : ''}`,
      lines.filter((l) => /Problem|^\s+- /.test(l)).slice(0, 6),
      { packages },
    );
  }
  if (
    (line = find(
      /Failed to download metadata for repo|Cannot download|Error downloading packages|Curl error|All mirrors were tried/,
    )) !== undefined
  ) {
    return reason(
      'fetch-failed',
      `downloads from the repositories failed: ${line.replace(/^Error: /, '').trim()}`,
      [line],
    );
  }
  if ((line = find(/^Error: Transaction (test )?(failed|check error)/)) !== undefined) {
    return reason(
      'package-manager-error',
      `rpm refused the transaction (${line.slice(7)})`,
      lines.filter((l) => /error|Error/.test(l)).slice(-6),
    );
  }
  const first = errors[0];
  if (first !== undefined && first.trim() !== 'Error:')
    return reason('unknown', first.slice(6).trim(), errors);
  return reason(
    'unknown',
    `dnf exited with status ${out.exitCode}`,
    lines.filter((l) => l.trim() !== '').slice(-5),
  );
}

/** The result sections dnf prints after a transaction (and the plan's, for a simulation). */
const DONE = /^(Upgraded|Installed|Downgraded|Reinstalled|Removed|Obsoleted|Failed):$/;
const PLAN =
  /^(Upgrading|Installing|Installing dependencies|Installing weak dependencies|Downgrading|Reinstalling|Removing):$/;

/**
 * An install's outcome: dnf's output (sections, failures: parseDnfFailure), then UPGRADE_SCRIPT's
 * check that each requested NEVRA is installed (verifyRequested).
 */
export function parseInstall(out: CommandResult): InstallOutcome {
  const at = out.stdout.search(/(^|\n)@@patchctl:requested@@\n/);
  if (at === -1) return parseDnfInstall(out);
  const dnfOut: CommandResult = { ...out, stdout: out.stdout.slice(0, at) };
  const outcome = parseDnfInstall(dnfOut);
  const { sections, complete } = splitSections(out.stdout.slice(at));
  if (!complete || out.timedOut === true) return outcome;
  const misses = verifyRequested(
    sections.get('requested')?.text ?? '',
    sections.get('installed-after')?.text ?? '',
    {
      locked: parseVersionlockList(sections.get('versionlock')?.text ?? ''),
      excludes: parseExcludes(sections.get('excludes')?.text ?? ''),
    },
  );
  const first = misses[0];
  if (first === undefined) return outcome;
  if (outcome.failure !== undefined && !REFINED.has(outcome.failure.kind)) return outcome;
  const dnfLines = splitLines(`${dnfOut.stdout}\n${out.stderr}`).filter((l) =>
    /^No match for argument|^Nothing to do|^Error:|filtered out/.test(l),
  );
  const failure = reason(first.kind, misses.map((m) => m.message).join('; '), dnfLines, {
    packages: sortedUnique(misses.map((m) => m.name)),
  });
  return { ...outcome, ok: false, failure };
}

/** dnf failures that the requested/installed-after check explains better. */
const REFINED: ReadonlySet<FailureReason['kind']> = new Set(['version-not-found', 'unknown']);

export interface RequestMiss {
  name: string;
  kind: 'downgrade' | 'not-installed' | 'held' | 'version-not-found';
  message: string;
}

const MISS_ORDER: readonly RequestMiss['kind'][] = [
  'downgrade',
  'not-installed',
  'held',
  'version-not-found',
];

/**
 * The requested NEVRAs that are not installed after the transaction, and why: nothing of that name is
 * installed (`dnf upgrade` never installs a new package), a newer version is (it never downgrades),
 * the name is held (versionlock, excludes), or the version is not in the repositories. Compares
 * versions with rpmvercmp. Sorted by kind (MISS_ORDER), then as requested.
 */
export function verifyRequested(requestedText: string, installedText: string, holds: Holds): RequestMiss[] {
  const installed = splitLines(installedText)
    .map(parseRpmQueryLine)
    .filter((p): p is RpmPackage => p !== null && p !== undefined);
  const misses: RequestMiss[] = [];
  for (const line of splitLines(requestedText)) {
    const r = parseNevra(line.trim());
    if (r === undefined) continue;
    const want = evrOf(r);
    const same = installed.filter((p) => p.name === r.name);
    if (same.some((p) => p.arch === r.arch && compareEvr(evrOf(p), want) === 0)) continue;
    const label = `${r.name} ${want}`;
    if (same.length === 0) {
      misses.push({
        name: r.name,
        kind: 'not-installed',
        message: `${label}: ${r.name} is not installed (patchctl only upgrades installed packages)`,
      });
      continue;
    }
    const sameArch = same.filter((p) => p.arch === r.arch);
    const newest = (sameArch.length > 0 ? sameArch : same).map(evrOf).sort(compareEvr).at(-1) as string;
    if (compareEvr(newest, want) > 0) {
      misses.push({
        name: r.name,
        kind: 'downgrade',
        message: `${label}: ${newest} is installed, newer than the version asked for (patchctl never downgrades)`,
      });
    } else if (heldNames(holds, [r.name]).length > 0) {
      misses.push({
        name: r.name,
        kind: 'held',
        message: `${label}: ${r.name} is version-locked or excluded on the host (patchctl never overrides a hold)`,
      });
    } else {
      misses.push({
        name: r.name,
        kind: 'version-not-found',
        message: `${label}: not available from the host's repositories (${newest} stays installed)`,
      });
    }
  }
  return misses
    .map((m, i) => ({ m, i }))
    .sort((a, b) => MISS_ORDER.indexOf(a.m.kind) - MISS_ORDER.indexOf(b.m.kind) || a.i - b.i)
    .map(({ m }) => m);
}

/** A refresh (`dnf makecache`): failures as an install's (parseDnfFailure). */
export function parseRefresh(out: CommandResult): RefreshOutcome {
  const lines = splitLines(`${out.stdout}\n${out.stderr}`);
  const failure = parseDnfFailure(out);
  const outcome: RefreshOutcome = {
    ok: failure === undefined,
    warnings: lines.filter((l) => l.startsWith('warning: ')).map((l) => l.slice(9)),
  };
  if (failure !== undefined) outcome.failure = failure;
  return outcome;
}

/** dnf's own output of an install (or of a simulation: the plan's table). */
function parseDnfInstall(out: CommandResult): InstallOutcome {
  const lines = splitLines(`${out.stdout}\n${out.stderr}`);
  const done = new Map<string, PackageChange>();
  const plan = new Map<string, PackageChange>();
  const unexpected: string[] = [];
  let section: string | undefined;
  let target: Map<string, PackageChange> | undefined;
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if ((m = DONE.exec(line)) !== null) {
      [section, target] = [m[1], done];
      continue;
    }
    if ((m = PLAN.exec(line)) !== null) {
      [section, target] = [m[1], plan];
      continue;
    }
    if (target === undefined || !line.startsWith(' ')) {
      target = undefined;
      continue;
    }
    if (section === 'Removed' || section === 'Obsoleted' || section === 'Removing' || section === 'Failed') {
      if (section !== 'Failed') unexpected.push(...line.trim().split(/\s+/));
      continue;
    }
    if (target === done) {
      for (const token of line.trim().split(/\s+/)) {
        const n = parseNevra(token);
        if (n !== undefined) done.set(`${n.name}.${n.arch}@${evrOf(n)}`, { name: n.name, to: evrOf(n) });
      }
    } else {
      // The plan's table: " name  arch  [epoch:]version-release  repo  size"
      const t = line.trim().split(/\s+/);
      if (t.length >= 4 && /^[A-Za-z0-9_]+$/.test(t[1] ?? '')) {
        plan.set(`${t[0]}.${t[1]}@${t[2]}`, { name: t[0] ?? '', to: t[2] ?? '' });
      }
    }
  }
  const warnings = lines.filter((l) => l.startsWith('warning: ')).map((l) => l.slice(9));
  const failure = parseDnfFailure(out);
  const changed = [...(done.size > 0 ? done : plan).values()];
  const outcome: InstallOutcome = { ok: failure === undefined, changed, warnings };
  if (failure !== undefined) outcome.failure = failure;
  if (unexpected.length > 0) outcome.warnings.push(`removed by the transaction: ${unexpected.join(', ')}`);
  return outcome;
}
