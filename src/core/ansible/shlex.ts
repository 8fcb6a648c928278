/**
 * Python's `shlex.split(line, comments=True)` (POSIX mode), which Ansible's INI plugin uses to
 * split a host line: whitespace separates words, quotes group, a backslash escapes, `#` starts
 * a comment where a word could start or end. Each word comes with its 1-based column.
 * Throws an Error with Python's message for an unclosed quote or a trailing backslash.
 */
export function shlexSplit(line: string): { text: string; col: number }[] {
  const out: { text: string; col: number }[] = [];
  let token = '';
  let quoted = false;
  let start = -1;
  let i = 0;
  const end = () => {
    if (token !== '' || quoted) out.push({ text: token, col: start + 1 });
    token = '';
    quoted = false;
    start = -1;
  };
  while (i < line.length) {
    const c = line[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      if (start >= 0) end();
      i++;
      continue;
    }
    if (c === '#') {
      if (start >= 0) end();
      break; // the rest of the line is a comment
    }
    if (start < 0) start = i;
    if (c === '\\') {
      if (i + 1 >= line.length) throw new Error('No escaped character');
      token += line[i + 1];
      i += 2;
      continue;
    }
    if (c === "'" || c === '"') {
      quoted = true;
      i++;
      for (;;) {
        if (i >= line.length) throw new Error('No closing quotation');
        const d = line[i]!;
        if (d === c) {
          i++;
          break;
        }
        if (c === '"' && d === '\\') {
          if (i + 1 >= line.length) throw new Error('No closing quotation');
          const next = line[i + 1]!;
          token += next === '"' || next === '\\' ? next : `\\${next}`;
          i += 2;
          continue;
        }
        token += d;
        i++;
      }
      continue;
    }
    token += c;
    i++;
  }
  if (start >= 0) end();
  return out;
}
