// A small, strict, bounded XML reader for zypper's `--xmlout` output (readme.md, "Why not an XML
// library"). It reads elements, attributes, text, the five predefined entities and numeric character
// references, comments, processing instructions and CDATA. It refuses what zypper never prints and
// what would make a reader expensive or unsafe: DOCTYPE (so no entity expansion), unknown entities,
// duplicate attributes, unclosed or mismatched tags, text or a second element after the root, more
// than MAX_DEPTH levels or MAX_NODES elements, input longer than MAX_XML_CHARS. Errors carry the
// line and column of the offending character.

/** zypper's XML for a whole SLES repository set stays far below this (captured: 40 KB for 200 patches). */
export const MAX_XML_CHARS = 32 * 1024 * 1024;
const MAX_DEPTH = 64;
const MAX_NODES = 1_000_000;

export interface XmlElement {
  name: string;
  /** Attribute values, entities resolved. A Map: attribute names such as `__proto__` stay data. */
  attrs: ReadonlyMap<string, string>;
  children: XmlElement[];
  /** The element's own text (CDATA included), entities resolved, concatenated; children's text excluded. */
  text: string;
  line: number;
  col: number;
}

export class XmlSyntaxError extends Error {
  constructor(
    readonly detail: string,
    readonly line: number,
    readonly col: number,
  ) {
    super(`${detail} at line ${line}, column ${col}`);
    this.name = 'XmlSyntaxError';
  }
}

const NAME = /[A-Za-z_:][A-Za-z0-9_.:-]*/y;
const SPACE = /[ \t\r\n]*/y;
const ATTR_VALUE = /"([^"<]*)"|'([^'<]*)'/y;
const PREDEFINED: Readonly<Record<string, string>> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

/** Line and column (1-based) of offset `at` in `text`. */
function position(text: string, at: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < at; i = text.indexOf('\n', i + 1)) {
    line++;
    start = i + 1;
  }
  return { line, col: at - start + 1 };
}

/** Resolves entity and character references in text or an attribute value. */
function decode(raw: string, text: string, offset: number): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&([^;&\s]{0,12});?/g, (whole, ref: string, at: number) => {
    const err = (what: string) => {
      const p = position(text, offset + at);
      return new XmlSyntaxError(what, p.line, p.col);
    };
    if (!whole.endsWith(';')) throw err(`"&" not followed by an entity reference`);
    const named = PREDEFINED[ref];
    if (named !== undefined && Object.hasOwn(PREDEFINED, ref)) return named;
    const m = /^#(?:x([0-9A-Fa-f]{1,6})|([0-9]{1,7}))$/.exec(ref);
    if (m === null) throw err(`unknown entity &${ref};`);
    const code = m[1] !== undefined ? parseInt(m[1], 16) : Number(m[2]);
    const allowed =
      code === 0x9 ||
      code === 0xa ||
      code === 0xd ||
      (code >= 0x20 && code <= 0xd7ff) ||
      (code >= 0xe000 && code <= 0xfffd) ||
      (code >= 0x10000 && code <= 0x10ffff);
    if (!allowed) throw err(`character reference &${ref}; is not an XML character`);
    return String.fromCodePoint(code);
  });
}

/** Parses one XML document and returns its root element; throws XmlSyntaxError. */
export function parseXml(text: string): XmlElement {
  if (text.length > MAX_XML_CHARS) {
    throw new XmlSyntaxError(`document longer than ${MAX_XML_CHARS} characters`, 1, 1);
  }
  let i = 0;
  let nodes = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const fail = (detail: string, at = i): never => {
    const p = position(text, at);
    throw new XmlSyntaxError(detail, p.line, p.col);
  };
  const skipSpace = () => {
    SPACE.lastIndex = i;
    SPACE.exec(text);
    i = SPACE.lastIndex;
  };
  const readName = (): string => {
    NAME.lastIndex = i;
    const m = NAME.exec(text);
    if (m === null) return fail('expected a name');
    i = NAME.lastIndex;
    return m[0];
  };
  const skipPast = (end: string, what: string) => {
    const j = text.indexOf(end, i);
    if (j === -1) fail(`unterminated ${what}`);
    i = j + end.length;
  };

  if (text.charCodeAt(0) === 0xfeff) i = 1;
  while (i < text.length) {
    const lt = text.indexOf('<', i);
    const end = lt === -1 ? text.length : lt;
    if (end > i) {
      const raw = text.slice(i, end);
      const parent = stack[stack.length - 1];
      if (parent === undefined) {
        if (raw.trim() !== '')
          fail(root === undefined ? 'text before the root element' : 'text after the root element');
      } else {
        if (raw.includes(']]>')) fail('"]]>" in text', i + raw.indexOf(']]>'));
        parent.text += decode(raw, text, i);
      }
      i = end;
      continue;
    }
    if (text.startsWith('<!--', i)) {
      const start = i;
      skipPast('-->', 'comment');
      if (text.slice(start + 4, i - 3).includes('--')) fail('"--" inside a comment', start);
      continue;
    }
    if (text.startsWith('<![CDATA[', i)) {
      const parent = stack[stack.length - 1];
      if (parent === undefined) fail('CDATA outside the root element');
      const start = i + 9;
      skipPast(']]>', 'CDATA section');
      if (parent !== undefined) parent.text += text.slice(start, i - 3);
      continue;
    }
    if (text.startsWith('<!', i)) fail('DOCTYPE and other declarations are not accepted');
    if (text.startsWith('<?', i)) {
      if (stack.length === 0 && root !== undefined) fail('processing instruction after the root element');
      skipPast('?>', 'processing instruction');
      continue;
    }
    if (text.startsWith('</', i)) {
      const at = i;
      i += 2;
      const name = readName();
      skipSpace();
      if (text[i] !== '>') fail(`expected ">" to close </${name}`);
      i++;
      const open = stack.pop();
      if (open === undefined) fail(`closing tag </${name}> without an open element`, at);
      else if (open.name !== name) fail(`closing tag </${name}> does not match <${open.name}>`, at);
      continue;
    }
    // A start tag.
    const at = i;
    i++;
    if (stack.length === 0 && root !== undefined) fail('a second root element', at);
    const name = readName();
    const { line, col } = position(text, at);
    const attrs = new Map<string, string>();
    for (;;) {
      const before = i;
      skipSpace();
      if (text.startsWith('/>', i) || text[i] === '>') break;
      if (i === before) fail(`expected a space, ">" or "/>" in <${name}>`);
      const attr = readName();
      skipSpace();
      if (text[i] !== '=') fail(`attribute ${attr} of <${name}> has no value`);
      i++;
      skipSpace();
      ATTR_VALUE.lastIndex = i;
      const m = ATTR_VALUE.exec(text);
      if (m === null) fail(`attribute ${attr} of <${name}>: expected a quoted value without "<"`);
      const valueAt = i + 1;
      i = ATTR_VALUE.lastIndex;
      if (attrs.has(attr)) fail(`attribute ${attr} appears twice in <${name}>`, at);
      const raw = m?.[1] ?? m?.[2] ?? '';
      // XML attribute-value normalisation: each whitespace character becomes a space.
      attrs.set(attr, decode(raw, text, valueAt).replace(/[\t\n\r]/g, ' '));
    }
    if (++nodes > MAX_NODES) fail(`more than ${MAX_NODES} elements`, at);
    const el: XmlElement = { name, attrs, children: [], text: '', line, col };
    const parent = stack[stack.length - 1];
    if (parent === undefined) root = el;
    else parent.children.push(el);
    if (text.startsWith('/>', i)) {
      i += 2;
    } else {
      i++;
      if (stack.length >= MAX_DEPTH) fail(`elements nested deeper than ${MAX_DEPTH}`, at);
      stack.push(el);
    }
  }
  const open = stack[stack.length - 1];
  if (open !== undefined) fail(`<${open.name}> (line ${open.line}) is not closed`, text.length);
  if (root === undefined) return fail('no root element', text.length);
  return root;
}

/** The child elements named `name`. */
export const childrenNamed = (el: XmlElement, name: string): XmlElement[] =>
  el.children.filter((c) => c.name === name);

/** The first child element named `name`. */
export const childNamed = (el: XmlElement, name: string): XmlElement | undefined =>
  el.children.find((c) => c.name === name);
