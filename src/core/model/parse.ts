// YAML with positions kept. The YAML 1.2 core schema only: no custom tags, duplicate keys
// rejected, alias expansion bounded (a "billion laughs" file is refused, not expanded).
import type { Document, Node } from 'yaml';
import {
  LineCounter,
  isAlias,
  isCollection,
  isMap,
  isNode,
  isPair,
  isScalar,
  parseAllDocuments,
  visit,
} from 'yaml';
import type { Diagnostic, SourcePos } from './diagnostics.js';

/** Aliases a document may use before it is treated as a resource-exhaustion attack. */
export const MAX_ALIAS_COUNT = 50;
/** Larger files are refused before parsing: no hand-kept inventory is this big. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/** Tags of the core schema that may be written explicitly (`!!str 1.10`). */
const CORE_TAGS = new Set([
  'tag:yaml.org,2002:str',
  'tag:yaml.org,2002:int',
  'tag:yaml.org,2002:float',
  'tag:yaml.org,2002:bool',
  'tag:yaml.org,2002:null',
  'tag:yaml.org,2002:map',
  'tag:yaml.org,2002:seq',
]);

export type PathSegment = string | number;
export type Path = readonly PathSegment[];

/** One YAML document of a file, with what is needed to point back into the source. */
export interface ParsedDocument {
  file: string;
  /** 0-based position of the document in its file. */
  index: number;
  /** The plain value (`undefined` when the document could not be turned into data). */
  value: unknown;
  /** Where a node is: the value at `path`, or with `part: 'key'` the key that names it. */
  locate(path: Path, part?: 'key' | 'value'): SourcePos;
}

export interface ParseResult {
  documents: ParsedDocument[];
  diagnostics: Diagnostic[];
}

export function parseYamlFile(file: string, text: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const lineCounter = new LineCounter();
  const at = (offset: number): SourcePos => {
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, col };
  };
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
  const docs = parseAllDocuments(text, {
    lineCounter,
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
  const documents: ParsedDocument[] = [];
  list.forEach((doc, index) => {
    const before = diagnostics.length;
    for (const e of doc.errors) {
      diagnostics.push({
        severity: 'error',
        code: yamlErrorCode(e.code),
        message: cleanYamlMessage(e.message),
        at: at(e.pos[0]),
      });
    }
    for (const w of doc.warnings) {
      // The core schema warns on unresolved tags; those are reported below as errors.
      if (w.code === 'TAG_RESOLVE_FAILED') continue;
      diagnostics.push({
        severity: 'warning',
        code: 'yaml-warning',
        message: cleanYamlMessage(w.message),
        at: at(w.pos[0]),
      });
    }
    diagnostics.push(...checkTags(doc, at));
    const hasErrors =
      diagnostics.length > before && diagnostics.slice(before).some((d) => d.severity === 'error');
    if (isEmptyDocument(doc)) return; // a file of comments, a trailing `---`
    let value: unknown = undefined;
    if (!hasErrors) {
      try {
        value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
      } catch (err) {
        diagnostics.push({
          severity: 'error',
          code: 'yaml-alias-limit',
          message: `aliases expand too far (more than ${MAX_ALIAS_COUNT} times); write the values out instead`,
          at: at(firstAliasOffset(doc) ?? 0),
        });
        void err;
      }
    }
    documents.push({ file, index, value, locate: makeLocator(doc, at) });
  });
  return { documents, diagnostics };
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

function checkTags(doc: Document.Parsed, at: (offset: number) => SourcePos): Diagnostic[] {
  const found: Diagnostic[] = [];
  visit(doc, (_key, node) => {
    if (!isNode(node)) return;
    const tag = (node as Node).tag;
    const explicit = isScalar(node) || isCollection(node) ? tagWasWritten(node) : false;
    if (explicit && tag && !CORE_TAGS.has(tag)) {
      found.push({
        severity: 'error',
        code: 'yaml-custom-tag',
        message: `tag ${shortTag(tag)} is not allowed: patchctl reads plain YAML (core schema) only`,
        at: at(node.range?.[0] ?? 0),
      });
    }
  });
  return found;
}

function tagWasWritten(node: Node): boolean {
  // The parser sets `tag` only for explicitly written tags (resolved ones stay undefined).
  return typeof node.tag === 'string' && node.tag.length > 0;
}

function shortTag(tag: string): string {
  return tag.startsWith('tag:yaml.org,2002:') ? `!!${tag.slice('tag:yaml.org,2002:'.length)}` : tag;
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
