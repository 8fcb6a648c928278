import { Command } from 'commander';
import { loadRepository } from '../../engine/load-repo.js';
import { describeRepoLockHolder, forceUnlock, stateDirOf } from '../../engine/repo-lock.js';
import type { RawCommon } from '../common-options.js';
import { addCommonOptions, commonOptions } from '../common-options.js';
import { EXIT_OK } from '../exit-codes.js';
import type { Io } from '../io.js';

interface RawForceUnlock extends RawCommon {
  force?: boolean;
}

export function forceUnlockCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('force-unlock')
    .description('remove the repository lock left by an apply that is gone (--force: one still running here)')
    .argument('<id>', 'the id of the lock, as the refused apply printed it')
    .option('--force', 'remove the lock even though its process is still running on this machine')
    .addHelpText(
      'after',
      `
Examples:
  $ patchctl force-unlock 1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d -C ops/patching

apply takes <paths.state>/apply.lock (a shard, apply.shard-I-of-N.lock) so that two applies
never run on one repository, and removes it when it ends. A lock whose process is gone on the
same machine is taken over by the next apply; one taken on another machine stays until it is
removed here. Check that the run named in the lock has really stopped first. Only the lock
with this id is removed.

A lock whose process is still running on this machine (same pid, same start time) is not
removed: stop that apply instead (its lock goes with it). --force removes it anyway; that
apply then runs on without a lock, and another apply may start beside it.
Exit status: 0 removed, 1 no lock, another id holds it, or its process is running here
(without --force), 3 invalid configuration.`,
    );
  addCommonOptions(cmd, ['text', 'json']);
  cmd.action((id: string, raw: RawForceUnlock) => {
    const opts = commonOptions(raw, io);
    const { repository } = loadRepository(opts.dir, { at: io.now() });
    const removed = forceUnlock(stateDirOf(opts.dir, repository), id, { force: raw.force === true });
    if (opts.format === 'json') io.stdout(`${JSON.stringify({ removed }, null, 2)}\n`);
    else io.stdout(`Lock ${id} removed (it was held by ${describeRepoLockHolder(removed)}).\n`);
    setExit(EXIT_OK);
  });
  return cmd;
}
