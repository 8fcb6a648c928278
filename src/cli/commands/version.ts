// `patchctl version`: what to paste into a bug report — patchctl's version, the commit it was
// built from (engine/build-info.ts: `unknown` rather than a wrong one), Node.js and the platform.
import { Command, Option } from 'commander';
import { runningCommit } from '../../engine/build-info.js';
import { EXIT_OK } from '../exit-codes.js';
import type { Io } from '../io.js';

export interface VersionFacts {
  version: string;
  commit: string;
  /** Where the package folder's own git checkout is now, when that differs from `commit`. */
  checkout?: string;
  node: string;
  platform: string;
  arch: string;
}

export function versionCommand(
  io: Io,
  setExit: (code: number) => void,
  version: string,
  facts: () => Omit<VersionFacts, 'version'> = runtimeFacts(io),
): Command {
  return new Command('version')
    .description('print the version, the commit it was built from, Node.js and the platform')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .addHelpText(
      'after',
      `
The commit comes from dist/build-info.json, written by \`npm run build\`; "-dirty" means files
tracked by git differed from that commit when it was built, "unknown" that it cannot be known
(built without \`npm run build\`, or outside a git checkout). \`patchctl --version\` prints the
version alone.`,
    )
    .action((raw: { format?: string }) => {
      const all: VersionFacts = { version, ...facts() };
      if (raw.format === 'json') io.stdout(`${JSON.stringify(all, null, 2)}\n`);
      else io.stdout(versionText(all));
      setExit(EXIT_OK);
    });
}

export function versionText(f: VersionFacts): string {
  const lines = [
    `patchctl ${f.version}`,
    `commit:   ${f.commit}`,
    ...(f.checkout !== undefined
      ? [`checkout: ${f.checkout} (the code was built from another commit: run \`npm run build\`)`]
      : []),
    `node:     ${f.node}`,
    `platform: ${f.platform} ${f.arch}`,
  ];
  return `${lines.join('\n')}\n`;
}

function runtimeFacts(io: Io): () => Omit<VersionFacts, 'version'> {
  return () => {
    const running = runningCommit();
    if (running.problem !== undefined) io.stderr(`patchctl: commit unknown: ${running.problem}\n`);
    return {
      commit: running.commit,
      ...(running.checkout !== undefined ? { checkout: running.checkout } : {}),
      node: process.version,
      platform: process.platform,
      arch: process.arch,
    };
  };
}
