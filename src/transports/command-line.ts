// Reading back the command lines that quote.ts commandLine() builds (the simulated hosts and the
// fake transport read them):
// `exec [sudo -n --] env LC_ALL=C LANG=C PATH=… [NAME='v'…] 'argv0' …`. Only the words are split
// here; the simulated host then rebuilds the command with the driver's own builders and compares
// the whole line, so anything but the exact line the driver sends is unknown to it.

export interface ParsedLine {
  sudo: boolean;
  env: Record<string, string>;
  argv: string[];
}

/** POSIX shell words of `line` (single quotes, backslash escapes); undefined on anything else. */
export function shellWords(line: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i] ?? '';
    if (c === ' ') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = line.indexOf("'", i + 1);
      if (end === -1) return undefined;
      word = (word ?? '') + line.slice(i + 1, end);
      i = end;
    } else if (c === '\\') {
      if (i + 1 >= line.length) return undefined;
      word = (word ?? '') + line.charAt(i + 1);
      i++;
    } else if (/[|&;<>()$`"\t\n*?[#~]/.test(c)) {
      return undefined; // never produced by commandLine(): an operator, an expansion or a glob
    } else {
      word = (word ?? '') + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

const ASSIGNMENT = /^([A-Z_][A-Z0-9_]*)=([\s\S]*)$/;

export function parseCommandLine(line: string): ParsedLine | undefined {
  const words = shellWords(line);
  if (words === undefined || words[0] !== 'exec') return undefined;
  let i = 1;
  let sudo = false;
  if (words[1] === 'sudo' && words[2] === '-n' && words[3] === '--') {
    sudo = true;
    i = 4;
  }
  if (words[i] !== 'env') return undefined;
  i++;
  const env: Record<string, string> = {};
  for (; i < words.length; i++) {
    const m = ASSIGNMENT.exec(words[i] ?? '');
    if (m === null) break;
    env[m[1] ?? ''] = m[2] ?? '';
  }
  const argv = words.slice(i);
  if (argv.length === 0) return undefined;
  return { sudo, env, argv };
}
