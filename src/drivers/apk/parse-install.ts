// The outcomes of INSTALL_SCRIPT (install and its simulation) and of `apk update` (refresh). They
// never throw: a failed command is a result.
import { splitSections } from '../sections.js';
import type {
  CommandResult,
  FailureReason,
  InstallOutcome,
  PackageChange,
  RefreshOutcome,
} from '../types.js';
import { excerptOf } from '../errors.js';
import { splitLines } from './common.js';
import { parseApkFailure } from './parse-failure.js';

/**
 * commit.c print_change: `(i/n) Upgrading name (old -> new)`, `(i/n) Installing name (version)`;
 * apk 3 pads the counter (`( 1/12)`); a repository tag follows the name (`name@testing`).
 */
const CHANGE =
  /^\(\s*\d+\/\d+\) (Installing|Upgrading|Downgrading|Replacing|Reinstalling|Purging|Updating pinning) ([^\s@]+)(?:@\S+)? \(([^)\s]+)(?: -> ([^)\s]+))?\)$/;

export interface ApkChange {
  action: string;
  name: string;
  from?: string;
  to: string;
}

/** The change lines of an apk transaction (also its --simulate), in order. */
export function parseChanges(text: string): ApkChange[] {
  const changes: ApkChange[] = [];
  for (const line of splitLines(text)) {
    const m = CHANGE.exec(line.trim());
    if (m === null) continue;
    const [, action = '', name = '', first = '', second] = m;
    changes.push(
      second === undefined ? { action, name, to: first } : { action, name, from: first, to: second },
    );
  }
  return changes;
}

const warningsOf = (text: string): string[] =>
  splitLines(text)
    .filter((l) => l.startsWith('WARNING: '))
    .map((l) => l.slice('WARNING: '.length));

const reason = (
  kind: FailureReason['kind'],
  message: string,
  lines: readonly string[],
  packages: string[],
) => ({
  kind,
  message,
  packages,
  excerpt: excerptOf(lines.join('\n')),
});

/** The script's own refusals (`refuse not-installed NAME - VERSION`, `refuse downgrade NAME FROM TO`). */
function refusal(check: string): FailureReason | undefined {
  const refused = splitLines(check)
    .map((l) => /^refuse (not-installed|downgrade) (\S+) (\S+) (\S+)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null);
  const missing = refused.filter((m) => m[1] === 'not-installed');
  if (missing.length > 0) {
    const names = missing.map((m) => m[2] ?? '');
    return reason(
      'not-installed',
      `not installed on the host, so not upgraded: ${names.join(', ')}`,
      missing.map((m) => m[0]),
      names,
    );
  }
  const down = refused.filter((m) => m[1] === 'downgrade');
  if (down.length > 0) {
    const names = down.map((m) => m[2] ?? '');
    return reason(
      'downgrade',
      `the requested versions are not newer than the installed ones: ${down.map((m) => `${m[2]} ${m[3]} → ${m[4]}`).join(', ')} (patchctl never downgrades)`,
      down.map((m) => m[0]),
      names,
    );
  }
  return undefined;
}

/** What the simulation would do that patchctl refuses (INSTALL_SCRIPT stops before `add`). */
function refusedChanges(changes: readonly ApkChange[], lines: readonly string[]): FailureReason | undefined {
  const purged = changes.filter((c) => c.action === 'Purging').map((c) => c.name);
  if (purged.length > 0) {
    return reason(
      'removal-required',
      `the transaction would remove ${purged.join(', ')} (patchctl never removes)`,
      lines.filter((l) => / Purging /.test(l)),
      purged,
    );
  }
  const down = changes.filter((c) => c.action === 'Downgrading').map((c) => c.name);
  if (down.length > 0) {
    return reason(
      'downgrade',
      `the transaction would downgrade ${down.join(', ')} (patchctl never downgrades)`,
      lines.filter((l) => / Downgrading /.test(l)),
      down,
    );
  }
  return undefined;
}

const isVirtual = (name: string): boolean => name.startsWith('.');

/** INSTALL_SCRIPT's output: install (sections pre, check, simulate, add, del) or simulation. */
export function parseInstall(out: CommandResult): InstallOutcome {
  const { sections, complete } = splitSections(out.stdout);
  const check = sections.get('check');
  const simulate = sections.get('simulate');
  const add = sections.get('add');
  const del = sections.get('del');
  const pre = sections.get('pre');
  const warnings = [pre, simulate, add, del].flatMap((s) => (s === undefined ? [] : warningsOf(s.text)));
  // The transaction that counts: the real one, else the simulation.
  const main = add ?? simulate;
  const changes = parseChanges(main?.text ?? '').filter((c) => !isVirtual(c.name));
  const changed: PackageChange[] = changes
    .filter((c) => c.action !== 'Purging')
    .map((c) =>
      c.from === undefined ? { name: c.name, to: c.to } : { name: c.name, from: c.from, to: c.to },
    );
  const outcome = (failure?: FailureReason): InstallOutcome =>
    failure === undefined ? { ok: true, changed, warnings } : { ok: false, changed, warnings, failure };

  if (out.timedOut === true || out.exitCode === null) {
    return outcome(parseApkFailure(out, main?.text ?? `${out.stdout}\n${out.stderr}`));
  }
  if (!complete || out.exitCode !== 0 || check === undefined) {
    const failure = parseApkFailure({ ...out, exitCode: out.exitCode === 0 ? 1 : out.exitCode });
    return outcome(
      failure?.kind === 'unknown'
        ? { ...failure, message: `the install script did not run to its end: ${failure.message}` }
        : failure,
    );
  }
  const refused = refusal(check.text);
  if (refused !== undefined) return outcome(refused);
  if (simulate === undefined) return outcome(); // every version was already installed: nothing to do
  const simFailure = parseApkFailure({ ...out, exitCode: simulate.rc ?? 1 }, simulate.text);
  if (simFailure !== undefined) return outcome(simFailure);
  const simLines = splitLines(simulate.text);
  const refusedChange = refusedChanges(
    parseChanges(simulate.text).filter((c) => !isVirtual(c.name)),
    simLines,
  );
  if (refusedChange !== undefined) return outcome(refusedChange);
  if (add === undefined) return outcome(); // a simulation
  const addFailure = parseApkFailure({ ...out, exitCode: add.rc ?? 1 }, add.text);
  if (addFailure !== undefined) return outcome(addFailure);
  if (del !== undefined && del.rc !== undefined && del.rc !== 0) {
    warnings.push(
      `apk del .patchctl-upgrade failed (exit status ${del.rc}): the virtual package still pins the installed versions until the next install removes it`,
    );
  }
  return outcome();
}

/** `apk update`'s result. apk exits with the number of unavailable and stale repositories. */
export function parseRefresh(out: CommandResult): RefreshOutcome {
  const text = `${out.stdout}\n${out.stderr}`;
  const warnings = warningsOf(text);
  const failure = parseApkFailure(out, text);
  return failure === undefined ? { ok: true, warnings } : { ok: false, warnings, failure };
}
