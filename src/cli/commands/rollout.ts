import { Command } from 'commander';
import { releaseRollout } from '../../engine/rollout-release.js';
import { terminalLine } from '../../core/text/terminal-text.js';
import { UsageError } from '../../errors.js';
import type { RawCommon } from '../common-options.js';
import { addCommonOptions, commonOptions } from '../common-options.js';
import { EXIT_OK } from '../exit-codes.js';
import type { Io } from '../io.js';

interface RawRelease extends RawCommon {
  ring?: string;
  reason?: string;
}

/** `patchctl rollout release ROLLOUT [--ring RING] --reason TEXT` (README "Apply"). */
export function rolloutCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('rollout').description('act on a rollout: release a halted ring');
  const release = new Command('release')
    .description('clear the halt of a ring, recording who released it and why in state/rollouts/')
    .argument('<rollout>', 'the Rollout, by name')
    .option('--ring <ring>', 'the halted ring (default: the rollout’s halted ring)')
    .option('--reason <text>', 'why the halt may be released (required; recorded with who and when)')
    .addHelpText(
      'after',
      `
Examples:
  $ patchctl rollout release servers --ring canary --reason "web-07 excepted until the vendor fix (CHG-1234)"
  $ patchctl status                                # shows the release: who, when, why

A ring halts when its hosts fail beyond its failure budget: no other ring of the rollout starts
until it is resolved. Retrying is apply's job (the halted ring's hosts run again with the next
apply); a ring whose failed hosts are taken out of it (an exception, an exclusion) and that has
no work left is recorded completed by the next apply. When a person has checked a failure that
apply cannot see as resolved (a host that was patched and then failed its health check), this
command clears the halt: the ring is in progress again, its remaining work runs with the next
apply, and it completes when nothing is left. The release (who: user@machine, when, why, and the
halt it cleared) is written to state/rollouts/<rollout>.json, under the repository lock.
Exit status: 0 released, 1 no such rollout or ring, or the ring is not halted; 3 invalid
configuration or state.`,
    );
  addCommonOptions(release, ['text', 'json']);
  release.action((rollout: string, raw: RawRelease) => {
    const opts = commonOptions(raw, io);
    if (raw.reason === undefined)
      throw new UsageError(
        'rollout release needs --reason TEXT: why the halt may be released (it is recorded)',
      );
    const result = releaseRollout(opts.dir, {
      rollout,
      ...(raw.ring === undefined ? {} : { ring: raw.ring }),
      reason: raw.reason,
      now: () => io.now(),
    });
    if (opts.format === 'json') io.stdout(`${JSON.stringify(result, null, 2)}\n`);
    else
      for (const { ring, release: r } of result.released)
        io.stdout(
          `${terminalLine(
            `Released ring ${ring} of rollout ${result.rollout} (${r.haltedReason ? `halted: ${r.haltedReason}` : 'halted'}) at ${r.at} by ${r.by}: ${r.reason}.`,
          )}\n${opts.quiet ? '' : `It is in progress again: the next apply runs its remaining work, and records it completed when nothing is left. Recorded in ${result.file}.\n`}`,
        );
    setExit(EXIT_OK);
  });
  release.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
  cmd.addCommand(release);
  return cmd;
}
