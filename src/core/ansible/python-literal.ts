import type { AnsibleValue } from './types.js';

/**
 * Python's `ast.literal_eval` as Ansible's INI inventory applies it to every `key=value`
 * (host lines and `[group:vars]` alike, in ansible-core 2.14): numbers, strings, True, False,
 * None, lists, tuples (as lists) and dicts. Anything else (a bare word, `a b`, a set, a complex
 * number) is not a literal and Ansible keeps the text as a string: `undefined` here.
 * See docs/import-ansible.md ("INI values").
 */
export function pythonLiteral(text: string): AnsibleValue | undefined {
  const p = new LiteralParser(text.replace(/^[ \t]+/, ''));
  try {
    const value = p.expression(true);
    p.skipSpace();
    if (!p.atEnd()) return undefined;
    return value;
  } catch (err) {
    if (err instanceof NotLiteral) return undefined;
    throw err;
  }
}

class NotLiteral extends Error {}

const STRING_START = /^([rRbBuU]|[rR][bB]|[bB][rR])?('''|"""|'|")/;
const NUMBER =
  /^(0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:[0-9](?:_?[0-9])*)?\.(?:[0-9](?:_?[0-9])*)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?|[0-9](?:_?[0-9])*(?:[eE][+-]?[0-9](?:_?[0-9])*)?)/;

class LiteralParser {
  private i = 0;
  constructor(private readonly s: string) {}

  atEnd(): boolean {
    return this.i >= this.s.length;
  }

  skipSpace(): void {
    for (;;) {
      while (this.i < this.s.length && ' \t\f\r\n'.includes(this.s[this.i]!)) this.i++;
      if (this.s[this.i] === '#') {
        while (this.i < this.s.length && this.s[this.i] !== '\n') this.i++;
        continue;
      }
      return;
    }
  }

  private peek(): string | undefined {
    this.skipSpace();
    return this.s[this.i];
  }

  private expect(c: string): void {
    if (this.peek() !== c) throw new NotLiteral();
    this.i++;
  }

  /** One value; at the top level `1, 2` is a tuple, as in Python. */
  expression(top = false): AnsibleValue {
    const first = this.atom();
    if (!top || this.peek() !== ',') return first;
    const items = [first];
    while (this.peek() === ',') {
      this.i++;
      const c = this.peek();
      if (c === undefined) break;
      items.push(this.atom());
    }
    return items;
  }

  private atom(): AnsibleValue {
    const c = this.peek();
    if (c === undefined) throw new NotLiteral();
    if (c === '[') return this.sequence('[', ']');
    if (c === '(') {
      this.i++;
      if (this.peek() === ')') {
        this.i++;
        return [];
      }
      const first = this.atom();
      if (this.peek() === ')') {
        this.i++;
        return first; // (x) is x; a tuple needs a comma
      }
      const items = [first];
      while (this.peek() === ',') {
        this.i++;
        if (this.peek() === ')') break;
        items.push(this.atom());
      }
      this.expect(')');
      return items;
    }
    if (c === '{') return this.dict();
    if (c === '-' || c === '+') {
      this.i++;
      this.skipSpace();
      const n = this.number();
      if (n === undefined) throw new NotLiteral();
      return c === '-' ? -n : n;
    }
    const n = this.number();
    if (n !== undefined) return n;
    const rest = this.s.slice(this.i);
    if (STRING_START.test(rest)) return this.strings();
    const word = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest);
    if (word) {
      this.i += word[0].length;
      if (word[0] === 'True') return true;
      if (word[0] === 'False') return false;
      if (word[0] === 'None') return null;
    }
    throw new NotLiteral();
  }

  private number(): number | undefined {
    const m = NUMBER.exec(this.s.slice(this.i));
    if (!m || m[0] === '.') return undefined;
    const after = this.s[this.i + m[0].length];
    if (after !== undefined && /[A-Za-z0-9_]/.test(after)) throw new NotLiteral(); // 1j, 12abc, 0x1g
    const t = m[0].replace(/_/g, '');
    this.i += m[0].length;
    if (/^0[xX]/.test(t)) return parseInt(t.slice(2), 16);
    if (/^0[oO]/.test(t)) return parseInt(t.slice(2), 8);
    if (/^0[bB]/.test(t)) return parseInt(t.slice(2), 2);
    if (/^[0-9]+$/.test(t) && t.length > 1 && t.startsWith('0') && /[1-9]/.test(t)) throw new NotLiteral(); // 010
    return Number(t);
  }

  private sequence(open: string, close: string): AnsibleValue[] {
    this.expect(open);
    const items: AnsibleValue[] = [];
    while (this.peek() !== close) {
      items.push(this.atom());
      if (this.peek() === ',') this.i++;
      else break;
    }
    this.expect(close);
    return items;
  }

  private dict(): AnsibleValue {
    this.expect('{');
    const out: Record<string, AnsibleValue> = {};
    if (this.peek() === '}') {
      this.i++;
      return out;
    }
    for (;;) {
      const key = this.atom();
      if (this.peek() !== ':') throw new NotLiteral(); // a set: not JSON, kept as text
      this.i++;
      const value = this.atom();
      if (key !== null && typeof key === 'object') throw new NotLiteral(); // unhashable
      out[keyText(key)] = value;
      if (this.peek() === ',') {
        this.i++;
        if (this.peek() === '}') break;
        continue;
      }
      break;
    }
    this.expect('}');
    return out;
  }

  /** Adjacent string literals are one string, as in Python (`'a' "b"` is `'ab'`). */
  private strings(): string {
    let out = '';
    let kind: 'str' | 'bytes' | undefined;
    for (;;) {
      this.skipSpace();
      const m = STRING_START.exec(this.s.slice(this.i));
      if (!m) break;
      const prefix = (m[1] ?? '').toLowerCase();
      const bytes = prefix.includes('b');
      const k = bytes ? 'bytes' : 'str';
      if (kind !== undefined && kind !== k) throw new NotLiteral(); // b'' 'x' is a SyntaxError
      kind = k;
      this.i += m[0].length;
      out += this.stringBody(m[2]!, prefix.includes('r'), bytes);
    }
    return out;
  }

  private stringBody(quote: string, raw: boolean, bytes: boolean): string {
    let out = '';
    for (;;) {
      if (this.i >= this.s.length) throw new NotLiteral();
      if (this.s.startsWith(quote, this.i)) {
        this.i += quote.length;
        return out;
      }
      const ch = this.s[this.i]!;
      if (ch === '\n' && quote.length === 1) throw new NotLiteral();
      if (ch !== '\\') {
        out += ch;
        this.i++;
        continue;
      }
      const next = this.s[this.i + 1];
      if (next === undefined) throw new NotLiteral();
      if (raw) {
        out += ch + next;
        this.i += 2;
        continue;
      }
      this.i += 2;
      out += this.escape(next, bytes);
    }
  }

  private escape(c: string, bytes: boolean): string {
    const simple: Record<string, string> = {
      '\n': '',
      '\\': '\\',
      "'": "'",
      '"': '"',
      a: '\x07',
      b: '\b',
      f: '\f',
      n: '\n',
      r: '\r',
      t: '\t',
      v: '\v',
    };
    if (c in simple) return simple[c]!;
    if (/[0-7]/.test(c)) {
      const m = /^[0-7]{0,2}/.exec(this.s.slice(this.i))![0];
      this.i += m.length;
      return String.fromCodePoint(parseInt(c + m, 8));
    }
    const hex = (n: number): string => {
      const h = this.s.slice(this.i, this.i + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) throw new NotLiteral();
      this.i += n;
      const cp = parseInt(h, 16);
      if (cp > 0x10ffff) throw new NotLiteral();
      return String.fromCodePoint(cp);
    };
    if (c === 'x') return hex(2);
    if (!bytes && c === 'u') return hex(4);
    if (!bytes && c === 'U') return hex(8);
    if (!bytes && c === 'N') throw new NotLiteral(); // \N{name}: not worth a Unicode name table
    return `\\${c}`; // Python keeps unknown escapes as written
  }
}

/** A dict key as JSON writes it: Python's json turns True into "true", None into "null". */
function keyText(key: AnsibleValue): string {
  if (key === null) return 'null';
  if (typeof key === 'boolean') return key ? 'true' : 'false';
  if (typeof key === 'number') return pythonNumberText(key);
  return String(key);
}

/** How Python's json writes a number used as a key (ints as digits, floats with a point). */
export function pythonNumberText(n: number): string {
  return String(n);
}
