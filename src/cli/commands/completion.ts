// `patchctl completion bash|zsh|fish`: a completion script written from commander's command
// tree (so it stays true as commands are added), and the hidden `completion names KIND` the
// scripts call for host, group and ring names from the repository.
import type { Option } from 'commander';
import { Command } from 'commander';
import { ringNames } from '../../core/plan/ring-names.js';
import { validateRepository } from '../../engine/load-repo.js';
import type {
  CompletionCommand,
  CompletionOption,
  NameKind,
  ValueKind,
} from '../../render/completion-scripts.js';
import { completionScript, NAME_KINDS, SHELLS } from '../../render/completion-scripts.js';
import { REPOSITORY_OPTION_HELP, repositoryDir } from '../common-options.js';
import { EXIT_OK } from '../exit-codes.js';
import type { Io } from '../io.js';

export function completionCommand(io: Io, setExit: (code: number) => void, version: string): Command {
  const cmd = new Command('completion').description(
    'print a shell completion script: commands, options, and host, group and ring names',
  );
  cmd.addHelpText(
    'after',
    `
Examples:
  $ source <(patchctl completion bash)          # in ~/.bashrc
  $ source <(patchctl completion zsh)           # in ~/.zshrc, after compinit
  $ patchctl completion fish > ~/.config/fish/completions/patchctl.fish

--hosts, --host and --ring complete to the names in the repository (-C DIR on the command
line, else the one found from the working directory up).`,
  );
  for (const shell of SHELLS) {
    const sub = new Command(shell)
      .description(`the ${shell} completion script (install: see \`patchctl completion --help\`)`)
      .action(() => {
        const root = rootOf(cmd);
        io.stdout(completionScript(shell, root.name(), version, completionTree(root)));
        setExit(EXIT_OK);
      });
    cmd.addCommand(inherit(sub, io));
  }
  const names = new Command('names')
    .description('host, group or ring names of the repository, one a line (for the completion scripts)')
    .argument('<kind>', NAME_KINDS.join(', '))
    .option('-C, --directory <dir>', REPOSITORY_OPTION_HELP)
    .action((kind: string, raw: { directory?: string }) => {
      // Never an error: a half-written repository still offers what it can read.
      if ((NAME_KINDS as readonly string[]).includes(kind)) {
        const found = completionNames(kind as NameKind, repositoryDir(raw.directory, io, true));
        if (found.length > 0) io.stdout(`${found.join('\n')}\n`);
      }
      setExit(EXIT_OK);
    });
  cmd.addCommand(inherit(names, io), { hidden: true });
  return cmd;
}

/** The names of a kind in the repository at `dir`; none when it cannot be read. */
export function completionNames(kind: NameKind, dir: string): string[] {
  const repository = validateRepository(dir, { purpose: 'act' }).repository;
  if (repository === undefined) return [];
  if (kind === 'hosts') return repository.hosts.map((h) => h.name);
  if (kind === 'groups') return [...new Set(repository.groups.map((g) => g.doc.metadata.name))].sort();
  return [...ringNames(repository)].sort();
}

/** What the completion scripts know of a command tree: every visible command and option. */
export function completionTree(root: Command): CompletionCommand[] {
  const out: CompletionCommand[] = [];
  const visit = (c: Command, path: string[]): void => {
    const help = c.createHelp();
    const subs = help.visibleCommands(c).filter((s) => s.name() !== 'help');
    out.push({
      path,
      subcommands: subs.map((s) => ({ name: s.name(), description: s.summary() || s.description() })),
      options: help.visibleOptions(c).map(optionOf),
      args: argsKind(c),
    });
    for (const s of subs) visit(s, [...path, s.name()]);
  };
  visit(root, []);
  return out;
}

function optionOf(o: Option): CompletionOption {
  const flags = [o.short, o.long].filter((f): f is string => f !== undefined);
  const base = { flags, description: o.description };
  if (!o.required && !o.optional) return base;
  if (o.argChoices !== undefined) return { ...base, value: 'choices', choices: [...o.argChoices] };
  return { ...base, value: optionValueKind(o) };
}

/** By the option's name and placeholder: -C DIR, --hosts LIST, --out FILE… */
function optionValueKind(o: Option): ValueKind {
  const special: Record<string, ValueKind> = {
    '--directory': 'dirs',
    '--hosts': 'targets',
    '--host': 'hosts',
    '--ring': 'rings',
    '--group': 'groups',
  };
  const known = o.long !== undefined ? special[o.long] : undefined;
  if (known !== undefined) return known;
  if (/<dir/.test(o.flags)) return 'dirs';
  if (/<(file|path|inventory|plan)/.test(o.flags)) return 'files';
  return 'none';
}

function argsKind(c: Command): ValueKind {
  const names = c.registeredArguments.map((a) => a.name());
  if (names.some((n) => /dir/.test(n))) return 'dirs';
  if (names.some((n) => /file|plan|inventory|path/.test(n))) return 'files';
  return 'none';
}

function rootOf(c: Command): Command {
  let r = c;
  while (r.parent) r = r.parent;
  return r;
}

/** Subcommands print through the Io and never exit the process (main.ts does that for commands). */
function inherit(sub: Command, io: Io): Command {
  return sub.exitOverride().configureOutput({ writeOut: io.stdout, writeErr: io.stderr });
}
