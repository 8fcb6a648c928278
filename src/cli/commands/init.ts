import path from 'node:path';
import { Command } from 'commander';
import { initRepository, insideGitWorkTree } from '../../engine/init-repo.js';
import { EXIT_OK } from '../exit-codes.js';
import type { Io } from '../io.js';

export function initCommand(io: Io, setExit: (code: number) => void): Command {
  return new Command('init')
    .description('write a complete, commented example repository to start from')
    .argument('[dir]', 'folder to create the repository in', '.')
    .option(
      '--minimal',
      'only what is needed to plan one host: Config, an Inventory with a commented example host, one Rollout, one PatchPolicy',
    )
    .option('-q, --quiet', 'print nothing on success')
    .addHelpText(
      'after',
      `
Examples:
  $ patchctl init ops/patching && patchctl validate -C ops/patching
  $ patchctl init --minimal ops/patching     # a bare repository: add your hosts and go

Existing files are never overwritten: init refuses and writes nothing.`,
    )
    .action((dir: string, raw: { quiet?: boolean; minimal?: boolean }) => {
      const target = path.resolve(io.cwd, dir);
      // Asked before writing: the repository is meant to live in git (its history is the audit trail).
      const inGit = insideGitWorkTree(target);
      const written = initRepository(target, io.now(), raw.minimal === true ? 'minimal' : 'starter');
      if (!raw.quiet) {
        const relative = path.relative(io.cwd, target);
        const shown = relative === '' ? '.' : relative.startsWith('..') ? target : relative;
        const quoted = /^[\w@%+=:,./-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`;
        const gitSteps = inGit
          ? ''
          : `${shown} is not inside a git repository; patchctl keeps its history in git:\n` +
            `  git -C ${quoted} init && git -C ${quoted} add -A && git -C ${quoted} commit -m "patchctl repository"\n`;
        io.stdout(
          `wrote ${written.length} files to ${shown}\n` +
            gitSteps +
            `next: edit inventory/ for your hosts, then\n` +
            `  patchctl validate -C ${quoted}\n`,
        );
      }
      setExit(EXIT_OK);
    });
}
