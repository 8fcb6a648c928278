// What zypper's install, update, patch and needs-rebooting runs mean (readme.md, "Install"): never
// throws on a failed run (a failure is a result), reads stdout and stderr together.
import { failureReason as reason } from '../errors.js';
import type { CommandResult, FailureReason, InstallOutcome, LockHolder, PackageChange } from '../types.js';
import { zypperExit, type ZypperExit } from './exit-codes.js';
import { evrOf, parseNevra } from '../rpm/nevra.js';
import { fail } from './stream.js';

/** libzypp's lock file (zypp/ZYppFactory.cc): holds the pid of the process using the package manager. */
export const ZYPP_LOCK_FILE = '/run/zypp.pid';

export interface ZypperInstallOutcome extends InstallOutcome {
  exit: ZypperExit | null;
  /** Exit 102, or zypper said a reboot is required: the plan's reboot step applies. */
  rebootRequired: boolean;
  /** Exit 103: the package-manager stack was updated; the same command must run again for the rest. */
  packageManagerRestart: boolean;
  /** Patches `zypper patch` skipped as interactive (`Warning: Patch 'NAME-EDITION' is interactive, skipping.`). */
  skippedInteractive: string[];
}

const lines = (out: CommandResult): string[] =>
  `${out.stdout}\n${out.stderr}`.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));

const sortedUnique = (xs: Iterable<string>): string[] => [...new Set(xs)].sort();
const nameOf = (nevraOrName: string): string => parseNevra(nevraOrName)?.name ?? nevraOrName;

const LOCKED = /System management is locked by the application with pid (\d+) \(([^)]*)\)/;
const NOT_FOUND = /^(?:No provider of '([^']+)' found\.|Package '([^']+)' not found\.)$/;
const NOT_INSTALLED = /^Package '([^']+)' is not installed\.$/;
const LOWER =
  /^The selected package '([^']+)' from repository '[^']*' has lower version than the installed one\./;
const SCRIPTLET =
  /%(prein|pre|post|postin|preun|postun|pretrans|posttrans|triggerin|triggerun|triggerpostun|verify)\(([^)]+)\) scriptlet failed, (?:exit status (\d+)|signal (\d+))/;
const REMOVE_LOCK = /remove lock to allow installation of (\S+?)(?:\[[^\]]*\])?$/;
const NO_SPACE =
  /No space left on device|needs [\d.]+[KMG]?B? (?:more space )?on the (\S+) filesystem|Not enough (?:disk )?space/i;
// libzypp's file-conflict report spans lines ("File PATH\n  from install of\n     NEVRA (repo)\n  conflicts
// with file from package\n     NEVRA (@System)"): matched on the output with whitespace folded.
const FILE_CONFLICT =
  /File (\S+) from install of (\S+)(?: \([^)]*\))? conflicts with file from (?:install of|package) (\S+)/g;
const UNAUTHENTICATED =
  /Signature verification failed|is not signed|has no signature|NOKEY|Unknown GPG key|GPG check failed|digest verification failed|not trusted/i;
const REPO_ERROR =
  /Valid metadata not found|Repository '[^']*' is invalid|Download \(curl\) error|Problem retrieving files from|Failed to provide Package|Could not refresh the repositories|Some of the repositories have not been refreshed|Error building the cache/;

function holderFrom(all: readonly string[]): LockHolder | undefined {
  for (const l of all) {
    const m = LOCKED.exec(l);
    if (m !== null) {
      const holder: LockHolder = { path: ZYPP_LOCK_FILE, pid: Number(m[1]) };
      if ((m[2] ?? '') !== '') holder.command = m[2];
      return holder;
    }
  }
  return undefined;
}

/** Why a zypper run failed, or undefined when it did what it was asked. */
export function parseZypperFailure(out: CommandResult): FailureReason | undefined {
  const all = lines(out);
  const holder = holderFrom(all);
  if (out.timedOut === true) {
    return reason(
      'timeout',
      'zypper did not finish in time',
      all.filter((l) => l.trim() !== '').slice(-3),
      holder === undefined ? {} : { holder },
    );
  }
  if (out.exitCode === null)
    return reason('killed', `zypper was ended by ${out.signal ?? 'a signal'}`, all.slice(-5));
  const exit = zypperExit(out.exitCode);
  const find = (re: RegExp) => all.find((l) => re.test(l));
  let line: string | undefined;

  if (holder !== undefined) {
    const who = `process ${holder.pid}${holder.command === undefined ? '' : ` (${holder.command})`}`;
    return reason(
      'lock-held',
      `${ZYPP_LOCK_FILE} is held by ${who}`,
      all.filter((l) => LOCKED.test(l)),
      { holder },
    );
  }
  if (out.exitCode === 7) {
    return reason(
      'lock-held',
      'the package manager is locked by another process',
      all.filter((l) => l.trim() !== '').slice(-3),
      { holder: { path: ZYPP_LOCK_FILE, pid: null } },
    );
  }
  if (out.exitCode === 5 || (line = find(/Root privileges are required/)) !== undefined) {
    return reason(
      'package-manager-error',
      'zypper needs root privileges (is sudo configured?)',
      line === undefined ? all.slice(-3) : [line],
    );
  }
  const scripts = all.map((l) => SCRIPTLET.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  if (scripts.length > 0) {
    const packages = sortedUnique(scripts.map((s) => nameOf(s[2] ?? '')));
    const first = scripts[0];
    const status = first?.[3] !== undefined ? `exit status ${first[3]}` : `signal ${first?.[4] ?? '?'}`;
    const installed = out.exitCode === 107 ? ' (the package is installed, its script failed)' : '';
    return reason(
      'maintainer-script',
      `the %${first?.[1] ?? ''} scriptlet of ${nameOf(first?.[2] ?? '')} failed with ${status}${installed}`,
      all.filter((l) => SCRIPTLET.test(l) || /^Installation of \S+ failed/.test(l)),
      { packages },
    );
  }
  if ((line = find(NO_SPACE)) !== undefined) {
    return reason('no-space', `not enough disk space: ${line.trim()}`, [line]);
  }
  const conflicts = [...all.join(' ').replace(/\s+/g, ' ').matchAll(FILE_CONFLICT)];
  if (conflicts.length > 0) {
    const c = conflicts[0];
    const packages = sortedUnique(conflicts.flatMap((m) => [nameOf(m[2] ?? ''), nameOf(m[3] ?? '')]));
    return reason(
      'file-conflict',
      `${nameOf(c?.[2] ?? '')} would overwrite ${c?.[1] ?? ''}, which belongs to ${nameOf(c?.[3] ?? '')}`,
      conflicts.map((m) => m[0]).slice(0, 3),
      { packages },
    );
  }
  const locked = all.map((l) => REMOVE_LOCK.exec(l.trim())).filter((m): m is RegExpExecArray => m !== null);
  if (locked.length > 0) {
    const packages = sortedUnique(locked.map((m) => nameOf(m[1] ?? '')));
    return reason(
      'held',
      `locked by a zypper lock: ${packages.join(', ')} (patchctl never removes a lock)`,
      all.filter((l) => /^Problem:|remove lock/.test(l.trim())),
      { packages },
    );
  }
  const notFound = all.map((l) => NOT_FOUND.exec(l.trim())).filter((m): m is RegExpExecArray => m !== null);
  if (notFound.length > 0) {
    const args = notFound.map((m) => m[1] ?? m[2] ?? '');
    const exact = args.filter((a) => a.includes('='));
    if (exact.length > 0) {
      return reason(
        'version-not-found',
        `version not available from the host's repositories: ${exact.join(', ')}`,
        notFound.map((m) => m[0]),
        { packages: sortedUnique(exact.map((a) => a.slice(0, a.indexOf('=')))) },
      );
    }
    return reason(
      'package-not-found',
      `not known to the host's repositories: ${args.join(', ')}`,
      notFound.map((m) => m[0]),
      { packages: sortedUnique(args) },
    );
  }
  if ((line = find(UNAUTHENTICATED)) !== undefined) {
    return reason(
      'unauthenticated',
      'a repository or package failed its signature check (patchctl never disables GPG checks)',
      [line],
    );
  }
  if (out.exitCode === 106 || (line = find(REPO_ERROR)) !== undefined) {
    return reason(
      'fetch-failed',
      `a repository could not be read${line === undefined ? ' (some repositories were skipped)' : `: ${line.trim()}`}`,
      all.filter((l) => REPO_ERROR.test(l) || /Skipping repository/.test(l)).slice(0, 4),
    );
  }
  if (out.exitCode === 6)
    return reason('package-manager-error', 'no repositories are defined on the host', all.slice(-3));
  if ((line = find(/^Problem: /)) !== undefined) {
    return reason(
      'unresolvable',
      `the solver found a problem: ${line.slice('Problem: '.length)}`,
      all.filter((l) => /^Problem: |^ Solution \d+:/.test(l)),
    );
  }
  const lower = all.map((l) => LOWER.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  if (lower.length > 0) {
    const packages = sortedUnique(lower.map((m) => nameOf(m[1] ?? '')));
    return reason(
      'downgrade',
      `the requested version is older than the installed one: ${lower.map((m) => m[1]).join(', ')} (patchctl never downgrades)`,
      lower.map((m) => m[0]),
      { packages },
    );
  }
  const notInstalled = all
    .map((l) => NOT_INSTALLED.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null);
  if (notInstalled.length > 0) {
    const packages = sortedUnique(notInstalled.map((m) => (m[1] ?? '').split('=')[0] ?? ''));
    return reason(
      'not-installed',
      `not installed on the host, so not upgraded: ${packages.join(', ')}`,
      notInstalled.map((m) => m[0]),
      { packages },
    );
  }
  if (exit.success) return undefined;
  if (out.exitCode === 107) {
    // ZYPPER_EXIT_INF_RPM_SCRIPT_FAILED without rpm's own line (it went to a log): still a script.
    return reason(
      'maintainer-script',
      'a package script (%post…) failed; the package is installed (zypper exit 107)',
      all.filter((l) => l.trim() !== '').slice(-5),
    );
  }
  const errorLine = all.find((l) => /^(Error|ERROR): /.test(l.trim()));
  return reason(
    out.exitCode === 8 ? 'package-manager-error' : 'unknown',
    `zypper exited with status ${out.exitCode} (${exit.name})${errorLine === undefined ? '' : `: ${errorLine.trim()}`}`,
    all.filter((l) => l.trim() !== '').slice(-5),
  );
}

const INSTALLING = /^\(\d+\/\d+\) Installing: (\S+) \[\.*done\]$/;
const SKIP_INTERACTIVE = /^Warning: Patch '([^']+)' is interactive, skipping\.$/;

/** A zypper install/update/patch run: what it installed, whether it wants a reboot, why it failed. */
export function parseZypperInstall(out: CommandResult): ZypperInstallOutcome {
  const all = lines(out);
  const changed: PackageChange[] = [];
  const skippedInteractive: string[] = [];
  for (const l of all) {
    let m: RegExpExecArray | null;
    if ((m = INSTALLING.exec(l.trim())) !== null) {
      const n = parseNevra(m[1] ?? '');
      if (n !== undefined) changed.push({ name: n.name, to: evrOf(n) });
    } else if ((m = SKIP_INTERACTIVE.exec(l.trim())) !== null) {
      skippedInteractive.push(m[1] ?? '');
    }
  }
  const exit = out.exitCode === null ? null : zypperExit(out.exitCode);
  const failure = parseZypperFailure(out);
  const warnings = all
    .filter((l) => l.startsWith('Warning: ') && !/had to be excluded from file conflicts check/.test(l))
    .map((l) => l.slice('Warning: '.length));
  const outcome: ZypperInstallOutcome = {
    ok: failure === undefined,
    changed,
    warnings,
    exit,
    rebootRequired:
      exit?.rebootNeeded === true ||
      all.some((l) => /requires a reboot of your machine|Note: System reboot required\./.test(l)),
    packageManagerRestart: exit?.packageManagerRestart === true,
    skippedInteractive,
  };
  if (failure !== undefined) outcome.failure = failure;
  return outcome;
}

/** `zypper needs-rebooting`: exit 102 = a reboot is needed, 0 = not; anything else cannot be read. */
export function parseNeedsRebooting(out: CommandResult): boolean {
  if (out.timedOut !== true && out.truncated !== true && out.exitCode === 102) return true;
  if (out.timedOut !== true && out.truncated !== true && out.exitCode === 0) return false;
  throw fail(
    `zypper needs-rebooting: exit status ${String(out.exitCode)}${out.timedOut === true ? ' (timed out)' : ''}`,
    `${out.stdout}\n${out.stderr}`,
  );
}

/** `zypper patch-check`: 0 none needed, 100 patches needed, 101 security patches needed. */
export function parsePatchCheck(out: CommandResult): 'none' | 'needed' | 'security' {
  if (out.timedOut !== true) {
    if (out.exitCode === 0) return 'none';
    if (out.exitCode === 100) return 'needed';
    if (out.exitCode === 101) return 'security';
  }
  throw fail(`zypper patch-check: exit status ${String(out.exitCode)}`, `${out.stdout}\n${out.stderr}`);
}

/** LOCK_HOLDER_SCRIPT's output: `free`, or `held PID COMM`. */
export function parseLockHolder(out: CommandResult): LockHolder | undefined {
  const text = out.stdout.trim();
  if (out.exitCode === 0 && text === 'free') return undefined;
  const m = /^held (\d{1,10})(?: (.{1,64}))?$/.exec(text);
  if (out.exitCode !== 0 || m === null)
    throw fail(`lock holder: unexpected output ${JSON.stringify(text.slice(0, 100))}`, text);
  const holder: LockHolder = { path: ZYPP_LOCK_FILE, pid: Number(m[1]) };
  if (m[2] !== undefined && m[2].trim() !== '') holder.command = m[2].trim();
  return holder;
}
