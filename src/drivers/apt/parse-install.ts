// Install and refresh outcomes (apt-get install, apt-get update, and install simulations): what
// changed, apt's warnings, and the failure (parse-failure.ts). They report, never throw.
import { failureReason as reason } from '../errors.js';
import type { CommandResult, InstallOutcome, PackageChange, RefreshOutcome } from '../types.js';
import { splitLines, splitQualified } from './common.js';
import { parseAptFailure } from './parse-failure.js';
import { INST } from './parse-simulation.js';

const UNPACKING = /^Unpacking (\S+) \(([^)]+)\)(?: over \(([^)]+)\))? \.\.\.$/;
const SETTING_UP = /^Setting up (\S+) \(([^)]+)\) \.\.\.$/;
const SKIPPING = /^Skipping (\S+), it is not installed and only upgrades are requested\.$/;

export function parseInstall(out: CommandResult): InstallOutcome {
  const lines = splitLines(`${out.stdout}\n${out.stderr}`);
  const changed = new Map<string, PackageChange>();
  const skipped: string[] = [];
  for (const line of lines) {
    let m: RegExpExecArray | null;
    if ((m = INST.exec(line)) !== null) {
      // A simulation (-s): what the transaction would change.
      const { name } = splitQualified(m[1] ?? '');
      const c: PackageChange = { name, to: m[3] ?? '' };
      if (m[2] !== undefined) c.from = m[2];
      changed.set(name, c);
    } else if ((m = UNPACKING.exec(line)) !== null) {
      const { name } = splitQualified(m[1] ?? '');
      const c: PackageChange = { name, to: m[2] ?? '' };
      if (m[3] !== undefined) c.from = m[3];
      changed.set(name, c);
    } else if ((m = SETTING_UP.exec(line)) !== null) {
      const { name } = splitQualified(m[1] ?? '');
      const prev = changed.get(name);
      changed.set(name, { ...prev, name, to: m[2] ?? '' });
    } else if ((m = SKIPPING.exec(line)) !== null) {
      skipped.push(splitQualified(m[1] ?? '').name);
    }
  }
  const warnings = lines.filter((l) => l.startsWith('W: ')).map((l) => l.slice(3));
  let failure = parseAptFailure(out);
  if (failure === undefined && skipped.length > 0) {
    failure = reason(
      'not-installed',
      `not installed on the host, so not upgraded: ${skipped.join(', ')}`,
      lines.filter((l) => SKIPPING.test(l)),
      { packages: skipped },
    );
  }
  const outcome: InstallOutcome = { ok: failure === undefined, changed: [...changed.values()], warnings };
  if (failure !== undefined) outcome.failure = failure;
  return outcome;
}

export function parseRefresh(out: CommandResult): RefreshOutcome {
  const lines = splitLines(`${out.stdout}\n${out.stderr}`);
  const warnings = lines.filter((l) => l.startsWith('W: ')).map((l) => l.slice(3));
  const failure = parseAptFailure(out);
  const outcome: RefreshOutcome = { ok: failure === undefined, warnings };
  if (failure !== undefined) outcome.failure = failure;
  return outcome;
}
