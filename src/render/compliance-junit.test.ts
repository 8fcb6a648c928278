// compliance.xml through xmlbuilder2 (compliance-junit.ts): hostile host text gives a well-formed
// JUnit file whose values read back, through xmlbuilder2's own parser, as the text the report
// shows (visible escapes for what XML 1.0 cannot carry), never as markup or references.
import { describe, expect, it } from '@jest/globals';
import { create } from 'xmlbuilder2';
import { riskInputs } from '../core/report/__fixtures__/risk-fleet.js';
import { buildComplianceReport } from '../core/report/compliance.js';
import type { ComplianceReport } from '../core/report/types.js';
import { renderComplianceJunit } from './compliance-junit.js';

/**
 * Text a host, a package repository or a pull request could put into a report. (Numeric
 * references, `&#60;`, are checked on the file's text: xmlbuilder2 4's parser decodes
 * `&amp;#60;` twice, to `<`, so it cannot tell a right file from a wrong one there.)
 */
const HOSTILE =
  'x &lt;script&gt; &amp; &undefined; & <i>"q"</i> \'s\' ]]> <![CDATA[c]]> ' +
  '\u0000\u0001\u0008\u000b\u000c\u001b[31m\u007f\u0085 \ud800 \udfff \ufffe\uffff \r\n\t end';

/** What the report shows for HOSTILE on one line: controls and non-characters as escapes. */
const SHOWN =
  'x &lt;script&gt; &amp; &undefined; & <i>"q"</i> \'s\' ]]> <![CDATA[c]]> ' +
  '\\x00\\x01\\x08\\x0b\\x0c\\x1b[31m\\x7f\\x85 \\ud800 \\udfff \\ufffe\\uffff \\r\\n\\t end';

function isXmlChar(c: number): boolean {
  return (
    c === 0x9 ||
    c === 0xa ||
    c === 0xd ||
    (c >= 0x20 && c <= 0xd7ff) ||
    (c >= 0xe000 && c <= 0xfffd) ||
    (c >= 0x10000 && c <= 0x10ffff)
  );
}

interface Read {
  name: string;
  attrs: Record<string, string>;
  text: string;
  children: Read[];
}

/** The part of the DOM that xmlbuilder2's parser returns which this test reads. */
interface DomNode {
  nodeType: number;
  nodeName: string;
  nodeValue: string | null;
  childNodes: ArrayLike<DomNode>;
  attributes?: ArrayLike<{ name: string; value: string }>;
}

/** The document as xmlbuilder2's parser reads it (attribute values and text decoded). */
function read(xml: string): Read {
  const walk = (el: DomNode): Read => ({
    name: el.nodeName,
    attrs: Object.fromEntries(Array.from(el.attributes ?? [], (a) => [a.name, a.value])),
    // Text and CDATA children; element children by node type (xmlbuilder2's `children` lists
    // more than the children).
    text: Array.from(el.childNodes)
      .filter((n) => n.nodeType === 3 || n.nodeType === 4)
      .map((n) => n.nodeValue ?? '')
      .join(''),
    children: Array.from(el.childNodes)
      .filter((n) => n.nodeType === 1)
      .map(walk),
  });
  return walk(create(xml).root().node as unknown as DomNode);
}

function hostile(text = HOSTILE): ComplianceReport {
  const report = structuredClone(buildComplianceReport(riskInputs()));
  for (const h of report.hosts) {
    h.host = `${h.host} ${text}`;
    h.ring = `${h.ring} ${text}`;
    h.reason = text;
    for (const m of h.missing) m.detail = text;
  }
  return report;
}

describe('compliance.xml with hostile text', () => {
  const report = hostile();
  const xml = renderComplianceJunit(report);

  it('holds only characters XML 1.0 allows, and no raw line break, tab or CR inside an attribute', () => {
    const bad = [...xml].map((ch) => ch.codePointAt(0)!).filter((c) => !isXmlChar(c));
    expect(bad.map((c) => `U+${c.toString(16)}`)).toEqual([]);
    for (const [, value] of xml.matchAll(/="([^"]*)"/g)) expect(value).not.toMatch(/[\t\n\r]/);
  });

  it('has no reference other than the five predefined entities (a reader knows no other)', () => {
    for (const [ref] of xml.matchAll(/&[^;\s]*;?/g)) expect(ref).toMatch(/^&(amp|lt|gt|quot|apos);$/);
  });

  it('reads back, through xmlbuilder2, as the text the report shows: no markup, no reference decoded twice', () => {
    const root = read(xml);
    expect(root.name).toBe('testsuites');
    for (const suite of root.children) expect(suite.attrs.name?.endsWith(SHOWN)).toBe(true);
    const cases = root.children.flatMap((s) => s.children);
    expect(cases).toHaveLength(report.hosts.length);
    for (const tc of cases) {
      expect(tc.attrs.name).toMatch(/ x &lt;script&gt; &amp; /);
      expect(tc.attrs.name?.endsWith(SHOWN)).toBe(true);
      expect(tc.children).toHaveLength(1);
      const [child] = tc.children;
      expect(child!.children).toEqual([]);
      const carried = [child!.text, ...Object.values(child!.attrs)].join('\n');
      expect([child!.name, carried]).toEqual([child!.name, expect.stringContaining(SHOWN)]);
    }
    const failure = cases.flatMap((c) => c.children).find((c) => c.name === 'failure')!;
    expect(failure.text).toContain(`why: ${SHOWN}`);
    expect(failure.attrs.message).toMatch(
      new RegExp(`^[a-z-]+: ${SHOWN.replace(/[\\[\](){}.*+?^$|]/g, '\\$&')}$`),
    );
  });

  it('writes a numeric reference in host text as text, in attributes and elements alike', () => {
    const refs = renderComplianceJunit(hostile('&#60;b&#x3e;'));
    expect(refs).not.toMatch(/&#/);
    expect(refs).toContain('name="done-1 &amp;#60;b&amp;#x3e;"');
    expect(refs).toContain('<system-out>compliant: &amp;#60;b&amp;#x3e;</system-out>');
  });

  it('is the same file every time for the same report', () => {
    expect(renderComplianceJunit(report)).toBe(xml);
  });
});
