// YAML with positions kept. The YAML 1.2 core schema only: no custom tags, duplicate keys
// rejected, alias expansion bounded (a "billion laughs" file is refused, not expanded).
import type { Document, Node, YAMLError } from 'yaml';
import {
  Parser,
  Scalar,
  isAlias,
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  isSeq,
  parseAllDocuments,
  visit,
} from 'yaml';
import type { Diagnostic, SourcePos } from './diagnostics.js';

/** Aliases a document may use before it is treated as a resource-exhaustion attack. */
export const MAX_ALIAS_COUNT = 50;
/** Larger files are refused before parsing: no hand-kept inventory is this big. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** One YAML document of a file, with what is needed to point back into the source. */
export interface ParsedDocument {
  file: string;
  /** 0-based position of the document in its file. */
  index: number;
  /** The plain value (`undefined` when the document could not be turned into data). */
  value: unknown;
  /**
   * For a document with YAML errors (whose `value` is undefined): its kind, name and host names
   * as far as they can be read from what did parse, so that one broken document does not also
   * make every reference to it an "unknown" error elsewhere. Never validated.
   */
  names?: DocumentNames;
  /** Where a node is: the value at `path`, or with `part: 'key'` the key that names it. */
  locate(path: Path, part?: 'key' | 'value'): SourcePos;
}

export interface DocumentNames {
  kind: string | undefined;
  name: string | undefined;
  /** `spec.hosts[].name` (an Inventory's hosts). */
  hosts: string[];
}

export interface ParseResult {
  documents: ParsedDocument[];
  diagnostics: Diagnostic[];
}

export function parseYamlFile(file: string, original: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  // Old Mac line ends (a lone CR) are line breaks for YAML 1.2 too, but the parser reads them as
  // ordinary characters: a file saved that way was one comment line, its documents silently gone.
  const text = normaliseLineEnds(original);
  const at = positionsIn(file, text);
  if (text.length > MAX_FILE_BYTES) {
    return {
      documents: [],
      diagnostics: [
        {
          severity: 'error',
          code: 'file-too-large',
          message: `file is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB`,
          at: { file, line: 1, col: 1 },
        },
      ],
    };
  }
  // No LineCounter: after some syntax errors it misses line breaks, and every later position
  // drifts. Offsets are right, so positions are computed from them (see positionsIn).
  const docs = parseAllDocuments(text, {
    schema: 'core',
    version: '1.2',
    uniqueKeys: true,
    merge: false,
    strict: true,
    prettyErrors: false,
    keepSourceTokens: false,
  });
  // parseAllDocuments returns an EmptyStream (no documents) for an empty file.
  const list = Array.isArray(docs) ? docs : [];
  const tags = lazyTagOffsets(text);
  const mayHaveTags = text.includes('!');
  const mayHaveAliases = text.includes('*');
  const documents: ParsedDocument[] = [];
  list.forEach((doc, index) => {
    const found: Diagnostic[] = [];
    for (const e of doc.errors) {
      found.push({
        severity: 'error',
        code: yamlErrorCode(e.code),
        message: cleanYamlMessage(e.message),
        at: at(errorOffset(doc, e)),
      });
    }
    for (const w of doc.warnings) {
      // The core schema warns when a tag cannot be applied; checkTags reports those as errors.
      if (w.code === 'TAG_RESOLVE_FAILED') continue;
      found.push({
        severity: 'warning',
        code: 'yaml-warning',
        message: cleanYamlMessage(w.message),
        at: at(w.pos[0]),
      });
    }
    // A tag is written with '!' and an alias with '*': without them there is nothing to check.
    if (mayHaveTags) found.push(...checkTags(doc, at, tags));
    if (mayHaveAliases) found.push(...checkAliases(doc, at));
    diagnostics.push(...found);
    if (isEmptyDocument(doc)) return; // a file of comments, a trailing `---`
    const hasErrors = found.some((d) => d.severity === 'error');
    let value: unknown = undefined;
    if (!hasErrors) {
      try {
        value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (err) {
        diagnostics.push(conversionError(err, at(firstAliasOffset(doc) ?? 0)));
      }
    }
    documents.push({
      file,
      index,
      value,
      ...(value === undefined ? { names: namesOf(doc) } : {}),
      locate: makeLocator(doc, at),
    });
  });
  return { documents, diagnostics };
}

/**
 * `text` with every lone CR (old Mac line end) turned into LF; CRLF and LF stay as they are. One
 * character for one, so offsets, lines and columns are those of the file: a file with CR, CRLF
 * or LF line ends, or a mix, parses and is located the same. YAML 1.2 (5.4) makes each of them a
 * line break, inside scalars too, so no value changes meaning.
 */
export function normaliseLineEnds(text: string): string {
  return text.includes('\r') ? text.replace(/\r(?!\n)/g, '\n') : text;
}

/**
 * Names read from the syntax tree, without converting the document (which its errors may make
 * impossible): only plain scalars count, an alias or a broken node is no name.
 */
function namesOf(doc: Document.Parsed): DocumentNames {
  const text = (node: unknown): string | undefined =>
    isScalar(node) && typeof node.value === 'string' ? node.value : undefined;
  const hosts = doc.getIn(['spec', 'hosts'], true);
  return {
    kind: text(doc.getIn(['kind'], true)),
    name: text(doc.getIn(['metadata', 'name'], true)),
    hosts: isSeq(hosts)
      ? hosts.items.flatMap((h) => {
          const name = isMap(h) ? text(h.get('name', true)) : undefined;
          return name === undefined ? [] : [name];
        })
      : [],
  };
}

/**
 * Turns offsets into 1-based lines and columns. The line starts are found once per text, then
 * each offset is a binary search. A line break is `\n` (so `\r\n` counts once); columns count
 * UTF-16 code units from 1, as JavaScript strings index them (a character outside the Basic
 * Multilingual Plane, such as an emoji, counts as two).
 */
export function positionsIn(file: string, text: string): (offset: number) => SourcePos {
  const starts = lineStarts(text);
  return (offset) => ({ file, ...lineAndColumn(starts, text, offset) });
}

/** Offsets at which each line begins (the first is 0). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

export function lineAndColumn(
  starts: readonly number[],
  text: string,
  offset: number,
): { line: number; col: number } {
  let o = Math.max(0, Math.min(Math.trunc(offset), text.length));
  // The `\n` of a `\r\n` pair: the same place as its `\r`, the end of the line.
  if (o > 0 && text.charCodeAt(o) === 0x0a && text.charCodeAt(o - 1) === 0x0d) o--;
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= o) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: o - (starts[lo] ?? 0) + 1 };
}

function isEmptyDocument(doc: Document.Parsed): boolean {
  const c = doc.contents;
  if (c === null) return true;
  return isScalar(c) && c.value === null && (c.range?.[0] ?? 0) === (c.range?.[1] ?? 0) && !c.tag;
}

function yamlErrorCode(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'yaml-duplicate-key';
    case 'BAD_ALIAS':
    case 'ALIAS_PROPS':
      return 'yaml-bad-alias';
    default:
      return 'yaml-syntax';
  }
}

function cleanYamlMessage(message: string): string {
  // yaml appends " at line L, column C" and a code excerpt; our diagnostic carries the position.
  return message.replace(/ at line \d+, column \d+[\s\S]*$/, '').trim();
}

/**
 * Where an error is, as an offset. yaml's own offset is right for most errors; two point
 * elsewhere: a duplicate key is reported where the space before it starts (the end of the
 * previous line when the earlier key's value is on the following lines), and a missing closing
 * quote at the end of the text the quote swallowed, which is far from where the quote opens.
 */
function errorOffset(doc: Document.Parsed, e: YAMLError): number {
  const pos = e.pos[0];
  if (e.code === 'DUPLICATE_KEY') return duplicateKeyAt(doc, pos) ?? pos;
  if (e.code === 'MISSING_CHAR' && /quote/.test(e.message)) return openingQuoteAt(doc, e.pos[0]) ?? pos;
  return pos;
}

/** The first key at or after `from` that repeats an earlier key of its mapping. */
function duplicateKeyAt(doc: Document.Parsed, from: number): number | undefined {
  let best: number | undefined;
  visit(doc, {
    Map(_key, map) {
      // Keys are equal as yaml's uniqueKeys compares them: scalars by value, others by identity.
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key: unknown = isScalar(pair.key) ? pair.key.value : pair.key;
        const start = isNode(pair.key) ? pair.key.range?.[0] : undefined;
        const repeated = seen.has(key);
        seen.add(key);
        if (!repeated || start === undefined || start < from) continue;
        if (best === undefined || start < best) best = start;
      }
    },
  });
  return best;
}

/** The start of the quoted scalar that runs to `end` without its closing quote. */
function openingQuoteAt(doc: Document.Parsed, end: number): number | undefined {
  let start: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
      if (quoted && node.range?.[1] === end) {
        start = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return start;
}

/** What a core tag may be written on. */
const TAG_FITS: Readonly<Record<string, { what: string; fits: (node: Node) => boolean }>> = {
  'tag:yaml.org,2002:str': { what: 'a string', fits: (n) => isScalar(n) && typeof n.value === 'string' },
  'tag:yaml.org,2002:int': {
    what: 'an integer',
    fits: (n) =>
      isScalar(n) &&
      ((typeof n.value === 'number' && Number.isInteger(n.value)) || typeof n.value === 'bigint'),
  },
  // yaml reads `!!float 1` as the string "1": a float needs its point or exponent written.
  'tag:yaml.org,2002:float': {
    what: 'a number with a decimal point or an exponent (1.0, 1e3)',
    fits: (n) => isScalar(n) && typeof n.value === 'number',
  },
  'tag:yaml.org,2002:bool': {
    what: 'true or false',
    fits: (n) => isScalar(n) && typeof n.value === 'boolean',
  },
  'tag:yaml.org,2002:null': { what: 'null', fits: (n) => isScalar(n) && n.value === null },
  'tag:yaml.org,2002:map': { what: 'a mapping', fits: (n) => isMap(n) },
  'tag:yaml.org,2002:seq': { what: 'a sequence', fits: (n) => isSeq(n) },
};

/**
 * Explicit tags: only the core schema's, and only on what they can read. yaml keeps `!!int abc`
 * as the string "abc" with a warning; a value that silently changes type is refused instead.
 * Both are reported at the tag.
 */
function checkTags(
  doc: Document.Parsed,
  at: (offset: number) => SourcePos,
  tagBefore: (offset: number) => number | undefined,
): Diagnostic[] {
  const found: Diagnostic[] = [];
  visit(doc, (_key, node) => {
    if (!(isScalar(node) || isCollection(node))) return;
    const tag = node.tag;
    // The parser sets `tag` only for explicitly written tags (resolved ones stay undefined).
    if (typeof tag !== 'string' || tag.length === 0) return;
    const start = node.range?.[0] ?? 0;
    const where = () => at(tagBefore(start) ?? start); // only for a tag to report
    const core = TAG_FITS[tag];
    if (!core) {
      found.push({
        severity: 'error',
        code: 'yaml-custom-tag',
        message: `tag ${shortTag(tag)} is not allowed: patchctl reads plain YAML (core schema) only`,
        at: where(),
      });
    } else if (!core.fits(node)) {
      const written = isScalar(node)
        ? JSON.stringify(node.source ?? node.value)
        : isMap(node)
          ? 'a mapping'
          : 'a sequence';
      found.push({
        severity: 'error',
        code: 'yaml-tag-mismatch',
        message: `${shortTag(tag)} cannot read ${written}: it must be ${core.what} (fix the value or remove the tag)`,
        at: where(),
      });
    }
  });
  return found;
}

function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
}

/**
 * Offset of the tag written before a node: the last tag token before the node's first character
 * (only spaces, comments and an anchor can come between a tag and its node). The tokens are
 * read again, and only when a tag has something to report.
 */
function lazyTagOffsets(text: string): (nodeStart: number) => number | undefined {
  let offsets: number[] | undefined;
  return (nodeStart) => {
    offsets ??= tagTokenOffsets(text);
    let lo = 0;
    let hi = offsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((offsets[mid] ?? 0) < nodeStart) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? offsets[lo - 1] : undefined;
  };
}

function tagTokenOffsets(text: string): number[] {
  const offsets: number[] = [];
  const walk = (token: unknown): void => {
    if (Array.isArray(token)) {
      for (const t of token) walk(t);
    } else if (token !== null && typeof token === 'object') {
      const t = token as { type?: unknown; offset?: unknown };
      if (t.type === 'tag' && typeof t.offset === 'number') offsets.push(t.offset);
      for (const v of Object.values(token)) if (v !== null && typeof v === 'object') walk(v);
    }
  };
  for (const token of new Parser().parse(text)) walk(token);
  return offsets.sort((a, b) => a - b);
}

/**
 * Aliases must name an anchor set before them, outside themselves. yaml only finds out when
 * the document is converted, and throws the same ReferenceError type as for the alias limit.
 */
function checkAliases(doc: Document.Parsed, at: (offset: number) => SourcePos): Diagnostic[] {
  const found: Diagnostic[] = [];
  const anchors = new Map<string, Node>();
  visit(doc, (_key, node, path) => {
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      const where = at(node.range?.[0] ?? 0);
      if (!target) {
        found.push({
          severity: 'error',
          code: 'yaml-bad-alias',
          message: `alias *${node.source} refers to no anchor: &${node.source} must be set before the alias, in the same document`,
          at: where,
        });
      } else if (path.includes(target)) {
        found.push({
          severity: 'error',
          code: 'yaml-bad-alias',
          message: `alias *${node.source} is inside the node it refers to (&${node.source}): that would be an endless value`,
          at: where,
        });
      }
    } else if (isNode(node) && node.anchor) {
      anchors.set(node.anchor, node);
    }
  });
  return found;
}

/** An error of toJS: aliases that expand too far, or (should checkAliases miss one) a bad alias. */
function conversionError(err: unknown, where: SourcePos): Diagnostic {
  const message = err instanceof Error ? err.message : String(err);
  if (/excessive alias count/i.test(message)) {
    return {
      severity: 'error',
      code: 'yaml-alias-limit',
      message: `aliases expand too far (more than ${MAX_ALIAS_COUNT} times); write the values out instead`,
      at: where,
    };
  }
  return { severity: 'error', code: 'yaml-bad-alias', message: cleanYamlMessage(message), at: where };
}

function firstAliasOffset(doc: Document.Parsed): number | undefined {
  let offset: number | undefined;
  visit(doc, {
    Alias(_key, node) {
      offset = node.range?.[0];
      return visit.BREAK;
    },
  });
  return offset;
}

function makeLocator(
  doc: Document.Parsed,
  at: (offset: number) => SourcePos,
): (path: Path, part?: 'key' | 'value') => SourcePos {
  return (path, part = 'value') => {
    // Walk down as far as the path exists; point at the deepest node found.
    let node: unknown = doc.contents;
    let keyNode: unknown = undefined;
    for (const segment of path) {
      if (isAlias(node)) node = node.resolve(doc);
      if (!isCollection(node)) break;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment),
        );
        if (!pair) break;
        keyNode = pair.key;
        node = pair.value ?? pair.key;
      } else {
        const item = typeof segment === 'number' ? node.items[segment] : undefined;
        if (item === undefined) break;
        keyNode = item;
        node = item;
      }
    }
    const target = part === 'key' && keyNode ? keyNode : node;
    const offset = isNode(target) ? target.range?.[0] : undefined;
    return at(offset ?? 0);
  };
}
