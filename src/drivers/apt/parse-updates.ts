// The update script's output (UPDATES_SCRIPT): the simulation (parse-simulation.ts) joined with the
// holds and `apt-cache policy` (parse-policy.ts), each update classified by the repositories that
// carry its candidate (classify.ts, the rule in readme.md). Throws DriverOutputError on output it
// cannot read.
import { byNameThenArch } from '../../core/state/order.js';
import type { PendingUpdate } from '../../core/state/types.js';
import { readSections } from '../sections.js';
import type { CommandResult, UpdateScan } from '../types.js';
import { classifyOrigins } from './classify.js';
import { DRIVER, fail, pkgsList, sortedUnique, splitQualified } from './common.js';
import { parseAptFailure } from './parse-failure.js';
import {
  originsOfPolicySource,
  originsOfRelease,
  parseAptCachePolicy,
  parsePackageFiles,
  type PackageFile,
  type PolicyEntry,
} from './parse-policy.js';
import { checkedSimulation } from './parse-simulation.js';

/** Classification and source of a candidate from `apt-cache policy` (held packages). */
export function classifyPolicyCandidate(
  entry: PolicyEntry,
  files: readonly PackageFile[] = [],
): { classification: PendingUpdate['classification']; source?: string } {
  const candidate = entry.versions.find((v) => v.version === entry.candidate);
  const sources = (candidate?.sources ?? []).filter((s) => s.status !== true);
  return classifyOrigins(sources.map((s) => originsOfPolicySource(s, files)));
}

/** The update script's output (UPDATES_SCRIPT): pending updates with classification and source. */
export function parseUpdateScan(out: CommandResult): UpdateScan {
  const s = readSections(DRIVER, 'updates', out, ['simulate', 'held', 'package-files']);
  const simulate = s.get('simulate');
  if (simulate?.rc !== 0) {
    const reason = parseAptFailure({
      ...out,
      exitCode: simulate?.rc ?? 1,
      stdout: simulate?.text ?? '',
      stderr: '',
    });
    throw fail(
      `apt-get -s dist-upgrade failed: ${reason?.message ?? 'no reason given'}`,
      simulate?.text ?? out.stdout,
    );
  }
  const sim = checkedSimulation(simulate.text);
  const heldSection = s.get('held');
  if (heldSection?.rc !== 0) throw fail('apt-mark showhold failed', heldSection?.text ?? out.stdout);
  const held = pkgsList(heldSection.text);
  const filesSection = s.get('package-files');
  const files = filesSection?.rc === 0 ? parsePackageFiles(filesSection.text) : [];

  const updates: PendingUpdate[] = [];
  for (const inst of sim.insts) {
    if (inst.from === undefined) continue; // a new dependency, not an update of an installed package
    const { classification, source } = classifyOrigins(inst.releases.map((r) => originsOfRelease(r, files)));
    const u: PendingUpdate = {
      name: inst.name,
      from: inst.from,
      to: inst.to,
      arch: inst.arch,
      classification,
    };
    if (source !== undefined) u.source = source;
    updates.push(u);
  }
  const heldPolicy = s.get('held-policy');
  if (held.length > 0 && heldPolicy !== undefined && heldPolicy.rc === 0) {
    for (const entry of parseAptCachePolicy(heldPolicy.text)) {
      if (entry.installed === null || entry.candidate === null || entry.installed === entry.candidate)
        continue;
      if (updates.some((u) => u.name === entry.name && (entry.arch === undefined || u.arch === entry.arch)))
        continue;
      const { classification, source } = classifyPolicyCandidate(entry, files);
      const u: PendingUpdate = {
        name: entry.name,
        from: entry.installed,
        to: entry.candidate,
        classification,
      };
      if (entry.arch !== undefined) u.arch = entry.arch;
      if (source !== undefined) u.source = source;
      updates.push(u);
    }
  }
  const keptBack = sim.lists.get('The following packages have been kept back') ?? [];
  return {
    updates: updates.sort(byNameThenArch),
    held,
    keptBack: sortedUnique(keptBack.map((n) => splitQualified(n).name)),
  };
}

export function parseUpdates(out: CommandResult): PendingUpdate[] {
  return parseUpdateScan(out).updates;
}
