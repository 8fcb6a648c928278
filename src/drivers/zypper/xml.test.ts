import { describe, expect, it } from '@jest/globals';
import { parseXml, XmlSyntaxError, MAX_XML_CHARS } from './xml.js';

const err = (text: string): XmlSyntaxError => {
  try {
    parseXml(text);
  } catch (e) {
    if (e instanceof XmlSyntaxError) return e;
    throw e;
  }
  throw new Error('no error');
};

describe('parseXml', () => {
  it('reads elements, attributes, text, entities and CDATA', () => {
    const root = parseXml(
      `<?xml version='1.0'?>\n<!-- c --><a x="1 &lt; 2" y='&apos;&#65;&#x42;'>t&amp;u<b/><![CDATA[<raw>]]></a>\n`,
    );
    expect(root.name).toBe('a');
    expect(root.attrs.get('x')).toBe('1 < 2');
    expect(root.attrs.get('y')).toBe("'AB");
    expect(root.text).toBe('t&u<raw>');
    expect(root.children.map((c) => c.name)).toEqual(['b']);
  });

  it('keeps attribute names such as __proto__ as data', () => {
    expect(parseXml('<a __proto__="x"/>').attrs.get('__proto__')).toBe('x');
  });

  it.each([
    ['<a><b></a>', 'does not match', 1, 7],
    ['<a>', 'is not closed', 1, 4],
    ['<a x="1" x="2"/>', 'appears twice', 1, 1],
    ['<a>&foo;</a>', 'unknown entity', 1, 4],
    ['<a>&#0;</a>', 'not an XML character', 1, 4],
    ['<a>& b</a>', 'not followed by an entity', 1, 4],
    ['<!DOCTYPE a [<!ENTITY x "y">]><a/>', 'DOCTYPE', 1, 1],
    ['<a/><b/>', 'second root', 1, 5],
    ['<a/>text', 'after the root', 1, 5],
    ['junk<a/>', 'before the root', 1, 1],
    ['', 'no root element', 1, 1],
    ['<a x=1/>', 'quoted value', 1, 6],
    ['<a>\n  <b x="<"/></a>', 'quoted value', 2, 8],
  ])('refuses %j (%s) at line:col', (text, detail, line, col) => {
    const e = err(text);
    expect(e.message).toContain(detail);
    expect([e.line, e.col]).toEqual([line, col]);
  });

  it('is bounded: depth, size', () => {
    expect(err('<a>'.repeat(100) + '</a>'.repeat(100)).message).toContain('deeper than 64');
    expect(err(' '.repeat(MAX_XML_CHARS + 1)).message).toContain('longer than');
  });
});
