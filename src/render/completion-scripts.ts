// Shell completion scripts for bash, zsh and fish, written from a description of patchctl's
// commands (cli/commands/completion.ts reads it off commander's command tree, so the scripts
// stay true as commands are added). Host, group and ring names are asked of the repository at
// completion time: `patchctl completion names hosts|groups|rings [-C DIR]`.

/** What an option's value (or a command's arguments) completes to; `none`: nothing to offer. */
export type ValueKind = 'none' | 'files' | 'dirs' | 'hosts' | 'groups' | 'rings' | 'targets' | 'choices';

export interface CompletionOption {
  /** `-C`, `--directory`. */
  flags: string[];
  description: string;
  /** Absent: the option takes no value. */
  value?: ValueKind;
  choices?: string[];
}

export interface CompletionCommand {
  /** Words from the program name: [] the program itself, ['import', 'ansible']. */
  path: string[];
  subcommands: { name: string; description: string }[];
  options: CompletionOption[];
  /** What the positional arguments complete to. */
  args: ValueKind;
}

export type Shell = 'bash' | 'zsh' | 'fish';
export const SHELLS: readonly Shell[] = ['bash', 'zsh', 'fish'];

/** The names `completion names` answers. */
export type NameKind = 'hosts' | 'groups' | 'rings';
export const NAME_KINDS: readonly NameKind[] = ['hosts', 'groups', 'rings'];

export function completionScript(
  shell: Shell,
  program: string,
  version: string,
  tree: CompletionCommand[],
): string {
  if (shell === 'bash') return bashScript(program, version, tree);
  if (shell === 'zsh') return zshScript(program, version, tree);
  return fishScript(program, version, tree);
}

const fn = (program: string, name: string) => `_${program.replace(/[^A-Za-z0-9]/g, '_')}_${name}`;

/** A shell word in single quotes (the same in bash, zsh and fish for what is quoted here). */
function q(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** fish: a backslash and a quote are escaped inside single quotes; `'\''` does not work there. */
function qFish(text: string): string {
  return `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

const pathKey = (c: CompletionCommand) => c.path.join(' ');
const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

function valueWord(o: CompletionOption): string {
  return o.value === 'choices' ? `choices ${(o.choices ?? []).join(' ')}` : (o.value ?? '');
}

/** `case` arms shared by bash and zsh (the same syntax in both). */
function shCaseTables(program: string, tree: CompletionCommand[], described: boolean): string {
  const subs = tree
    .map((c) => {
      if (c.subcommands.length === 0) return '';
      const items = c.subcommands.map((s) =>
        described ? q(`${s.name}:${oneLine(s.description)}`) : q(s.name),
      );
      return `    ${q(pathKey(c))}) printf '%s\\n' ${items.join(' ')} ;;\n`;
    })
    .join('');
  const opts = tree
    .map((c) => {
      const items = c.options.flatMap((o) =>
        o.flags.map((f) => (described ? q(`${f.replace(/:/g, '\\:')}:${oneLine(o.description)}`) : q(f))),
      );
      return items.length === 0 ? '' : `    ${q(pathKey(c))}) printf '%s\\n' ${items.join(' ')} ;;\n`;
    })
    .join('');
  const values = tree
    .flatMap((c) =>
      c.options
        .filter((o) => o.value !== undefined)
        .map(
          (o) =>
            `    ${o.flags.map((f) => q(`${pathKey(c)}|${f}`)).join(' | ')}) echo ${q(valueWord(o))} ;;\n`,
        ),
    )
    .join('');
  const args = tree
    .filter((c) => c.subcommands.length === 0 && c.args !== 'none')
    .map((c) => `    ${q(pathKey(c))}) echo ${c.args} ;;\n`)
    .join('');
  return `# The commands under each command (by the words that lead to it).
${fn(program, 'subcommands')}() {
  case "$1" in
${subs}  esac
}
# Each command's options.
${fn(program, 'options')}() {
  case "$1" in
${opts}  esac
}
# What the value of option $2 of command $1 completes to; nothing when it takes no value.
${fn(program, 'value')}() {
  case "$1|$2" in
${values}  esac
}
# What a command's arguments complete to.
${fn(program, 'args')}() {
  case "$1" in
${args}  esac
}
# Host, group or ring names ($2) from the repository (-C $3, else found from here up).
${fn(program, 'names')}() {
  if [[ -n $3 ]]; then
    "$1" completion names "$2" -C "$3" 2>/dev/null
  else
    "$1" completion names "$2" 2>/dev/null
  fi
}
`;
}

/**
 * The loop both bash and zsh run over the words before the cursor: the command they lead to
 * (`cmdpath`), the repository named with -C (`dir`), and whether the cursor is on an option's
 * value (`value`). `words`/`first`/`end`: the arrays and bounds of each shell.
 */
function shWalk(program: string, word: (i: string) => string, first: number, end: string): string {
  return `  local cmdpath="" dir="" value="" w i
  for ((i = ${first}; i < ${end}; i++)); do
    w="${word('i')}"
    if [[ -n $value ]]; then
      value=""
      continue
    fi
    case "$w" in
      -C | --directory) dir="${word('i + 1')}" ;;
      --directory=*) dir="\${w#--directory=}" ;;
    esac
    if [[ $w == -* ]]; then
      [[ $w == *=* ]] || value="$(${fn(program, 'value')} "$cmdpath" "$w")"
      continue
    fi
    if [[ $'\\n'"$(${fn(program, 'subcommands')} "$cmdpath" | sed 's/:.*//')"$'\\n' == *$'\\n'"$w"$'\\n'* ]]; then
      cmdpath="\${cmdpath:+$cmdpath }$w"
    fi
  done
  dir="\${dir/#\\~/$HOME}"
`;
}

function bashScript(program: string, version: string, tree: CompletionCommand[]): string {
  const main = fn(program, 'complete');
  return `# bash completion for ${program} ${version}, written by \`${program} completion bash\` from its commands.
# Load it in ~/.bashrc:   source <(${program} completion bash)
# or install it:          ${program} completion bash > ~/.local/share/bash-completion/completions/${program}

${shCaseTables(program, tree, false)}
${main}() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" cmd="\${COMP_WORDS[0]}" kind IFS=$'\\n'
${shWalk(program, (i) => `\${COMP_WORDS[${i}]}`, 1, 'COMP_CWORD')}  kind="$value"
  if [[ -z $kind ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=($(compgen -W "$(${fn(program, 'options')} "$cmdpath")" -- "$cur"))
      return 0
    fi
    local subs
    subs="$(${fn(program, 'subcommands')} "$cmdpath")"
    if [[ -n $subs ]]; then
      COMPREPLY=($(compgen -W "$subs" -- "$cur"))
      return 0
    fi
    kind="$(${fn(program, 'args')} "$cmdpath")"
  fi
  case "$kind" in
    dirs)
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -d -- "$cur"))
      ;;
    files)
      compopt -o filenames 2>/dev/null
      COMPREPLY=($(compgen -f -- "$cur"))
      ;;
    'choices '*)
      local choices="\${kind#choices }"
      COMPREPLY=($(compgen -W "\${choices// /$'\\n'}" -- "$cur"))
      ;;
    hosts | groups | rings) COMPREPLY=($(compgen -W "$(${fn(program, 'names')} "$cmd" "$kind" "$dir")" -- "$cur")) ;;
    targets)
      # --hosts takes a comma-separated list; !NAME leaves out: complete the last name.
      local last="\${cur##*[,!]}"
      local before="\${cur:0:\${#cur}-\${#last}}"
      COMPREPLY=($(compgen -P "$before" -W "$(${fn(program, 'names')} "$cmd" hosts "$dir")
$(${fn(program, 'names')} "$cmd" groups "$dir")" -- "$last"))
      ;;
    *) COMPREPLY=() ;;
  esac
  return 0
}
complete -F ${main} ${program}
`;
}

function zshScript(program: string, version: string, tree: CompletionCommand[]): string {
  const main = `_${program.replace(/[^A-Za-z0-9]/g, '_')}`;
  return `#compdef ${program}
# zsh completion for ${program} ${version}, written by \`${program} completion zsh\` from its commands.
# Load it in ~/.zshrc (after compinit):   source <(${program} completion zsh)
# or install it on $fpath:                ${program} completion zsh > "\${fpath[1]}/_${program}"

${shCaseTables(program, tree, true)}
${main}() {
  local cmd="\${words[1]}" kind
  local -a specs
${shWalk(program, (i) => `\${words[${i} + 1]}`, 1, 'CURRENT - 1')}  kind="$value"
  if [[ -z $kind ]]; then
    if [[ \${words[CURRENT]} == -* ]]; then
      specs=(\${(f)"$(${fn(program, 'options')} "$cmdpath")"})
      _describe -t options 'option' specs
      return
    fi
    specs=(\${(f)"$(${fn(program, 'subcommands')} "$cmdpath")"})
    if (( \${#specs} )); then
      _describe -t commands '${program} command' specs
      return
    fi
    kind="$(${fn(program, 'args')} "$cmdpath")"
  fi
  case "$kind" in
    dirs) _files -/ ;;
    files) _files ;;
    'choices '*) compadd -- \${=\${kind#choices }} ;;
    hosts | groups | rings) compadd -- \${(f)"$(${fn(program, 'names')} "$cmd" "$kind" "$dir")"} ;;
    targets)
      # --hosts takes a comma-separated list; !NAME leaves out: complete the last name.
      compset -P '*[,!]'
      compadd -S '' -- \${(f)"$(${fn(program, 'names')} "$cmd" hosts "$dir")"} \${(f)"$(${fn(program, 'names')} "$cmd" groups "$dir")"}
      ;;
  esac
}

if [[ "\${funcstack[1]}" == "${main}" ]]; then
  ${main} "$@"
else
  compdef ${main} ${program}
fi
`;
}

function fishScript(program: string, version: string, tree: CompletionCommand[]): string {
  const f = (name: string) => `__${program.replace(/[^A-Za-z0-9]/g, '_')}_${name}`;
  const subs = tree
    .filter((c) => c.subcommands.length > 0)
    .map(
      (c) =>
        `    case ${qFish(pathKey(c))}\n${c.subcommands.map((s) => `        printf '%s\\t%s\\n' ${qFish(s.name)} ${qFish(oneLine(s.description))}\n`).join('')}`,
    )
    .join('');
  const opts = tree
    .filter((c) => c.options.length > 0)
    .map(
      (c) =>
        `    case ${qFish(pathKey(c))}\n${c.options
          .flatMap((o) =>
            o.flags.map(
              (fl) => `        printf '%s\\t%s\\n' ${qFish(fl)} ${qFish(oneLine(o.description))}\n`,
            ),
          )
          .join('')}`,
    )
    .join('');
  const values = tree
    .flatMap((c) =>
      c.options
        .filter((o) => o.value !== undefined)
        .map(
          (o) =>
            `    case ${o.flags.map((fl) => qFish(`${pathKey(c)}|${fl}`)).join(' ')}\n        echo ${qFish(valueWord(o))}\n`,
        ),
    )
    .join('');
  const args = tree
    .filter((c) => c.subcommands.length === 0 && c.args !== 'none')
    .map((c) => `    case ${qFish(pathKey(c))}\n        echo ${c.args}\n`)
    .join('');
  return `# fish completion for ${program} ${version}, written by \`${program} completion fish\` from its commands.
# Load it:      ${program} completion fish | source
# or install:   ${program} completion fish > ~/.config/fish/completions/${program}.fish

function ${f('subcommands')} --argument-names cmdpath
    switch "$cmdpath"
${subs}    end
end

function ${f('options')} --argument-names cmdpath
    switch "$cmdpath"
${opts}    end
end

function ${f('value')} --argument-names cmdpath option
    switch "$cmdpath|$option"
${values}    end
end

function ${f('args')} --argument-names cmdpath
    switch "$cmdpath"
${args}    end
end

function ${f('names')} --argument-names cmd kind dir
    if test -n "$dir"
        $cmd completion names $kind -C $dir 2>/dev/null
    else
        $cmd completion names $kind 2>/dev/null
    end
end

function ${f('complete')}
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    set -l cmd $words[1]
    set -e words[1]
    set -l cmdpath ''
    set -l dir ''
    set -l value ''
    set -l next_is_dir 0
    for w in $words
        if test -n "$value"
            test $next_is_dir = 1; and set dir $w
            set value ''
            set next_is_dir 0
            continue
        end
        if string match -q -- '--directory=*' $w
            set dir (string replace -- '--directory=' '' $w)
            continue
        end
        if string match -q -- '-*' $w
            if not string match -q -- '*=*' $w
                set value (${f('value')} "$cmdpath" $w)
                contains -- $w -C --directory; and set next_is_dir 1
            end
            continue
        end
        if contains -- $w (${f('subcommands')} "$cmdpath" | string replace -r '\\t.*' '')
            set cmdpath (string trim -- "$cmdpath $w")
        end
    end
    set dir (string replace -r '^~' $HOME -- $dir)
    set -l kind $value
    if test -z "$kind"
        if string match -q -- '-*' "$cur"
            ${f('options')} "$cmdpath"
            return
        end
        set -l subs (${f('subcommands')} "$cmdpath")
        if test (count $subs) -gt 0
            printf '%s\\n' $subs
            return
        end
        set kind (${f('args')} "$cmdpath")
    end
    switch "$kind"
        case dirs
            __fish_complete_directories $cur
        case files
            __fish_complete_path $cur
        case 'choices *'
            string split ' ' -- (string replace 'choices ' '' -- $kind)
        case hosts groups rings
            ${f('names')} $cmd $kind $dir
        case targets
            # --hosts takes a comma-separated list; !NAME leaves out: complete the last name.
            set -l before (string match -r -- '^.*[,!]' "$cur")
            for name in (${f('names')} $cmd hosts $dir) (${f('names')} $cmd groups $dir)
                echo "$before$name"
            end
    end
end

complete -c ${program} -f -a '(${f('complete')})'
`;
}
