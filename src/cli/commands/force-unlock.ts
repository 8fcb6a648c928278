import { Command } from 'commander';
import { loadRepository } from '../../engine/load-repo.js';
import { describeRepoLockHolder, forceUnlock, stateDirOf } from '../../engine/repo-lock.js';
import type { RawCommon } from '../common-options.js';
import { addCommonOptions, commonOptions } from '../common-options.js';
import { EXIT_OK } from '../exit-codes.js';
import type { Io } from '../io.js';

export function forceUnlockCommand(io: Io, setExit: (code: number) => void): Command {
  const cmd = new Command('force-unlock')
    .description('remove the repository lock left by an apply that is gone')
    .argument('<id>', 'the id of the lock, as the refused apply printed it')
    .addHelpText(
      'after',
      `
Examples:
  $ patchctl force-unlock 1b2c3d4e-5f60-4a7b-8c9d-0e1f2a3b4c5d -C ops/patching

apply takes <paths.state>/apply.lock so that two applies never run on one repository, and
removes it when it ends. A lock whose process is gone on the same machine is taken over by
the next apply; one taken on another machine stays until it is removed here. Check that the
run named in the lock has really stopped first. Only the lock with this id is removed.
Exit status: 0 removed, 1 no lock or another id holds it, 3 invalid configuration.`,
    );
  addCommonOptions(cmd, ['text', 'json']);
  cmd.action((id: string, raw: RawCommon) => {
    const opts = commonOptions(raw, io);
    const { repository } = loadRepository(opts.dir, { at: io.now() });
    const removed = forceUnlock(stateDirOf(opts.dir, repository), id);
    if (opts.format === 'json') io.stdout(`${JSON.stringify({ removed }, null, 2)}\n`);
    else io.stdout(`Lock ${id} removed (it was held by ${describeRepoLockHolder(removed)}).\n`);
    setExit(EXIT_OK);
  });
  return cmd;
}
