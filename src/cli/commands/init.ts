import path from 'node:path';
import { Command } from 'commander';
import { initRepository } from '../../engine/init-repo.js';
import { EXIT_OK } from '../exit-codes.js';
import type { Io } from '../io.js';

export function initCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command('init')
    .description('write a complete, commented example repository to start from')
    .argument('[dir]', 'folder to create the repository in', '.')
    .option('-q, --quiet', 'print nothing on success')
    .addHelpText(
      'after',
      `
Examples:
  $ patchctl init ops/patching && patchctl validate -C ops/patching

Existing files are never overwritten: init refuses and writes nothing.`,
    )
    .action((dir: string, raw: { quiet?: boolean }) => {
      const target = path.resolve(io.cwd, dir);
      const written = initRepository(target, io.now());
      if (!raw.quiet) {
        const relative = path.relative(io.cwd, target);
        const shown = relative === '' ? '.' : relative.startsWith('..') ? target : relative;
        io.stdout(
          `wrote ${written.length} files to ${shown}\n` +
            `next: edit inventory/ for your hosts, then\n` +
            `  patchctl validate -C ${shown}\n`,
        );
      }
      setExit(EXIT_OK);
    });
}
