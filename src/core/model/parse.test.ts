import { describe, expect, it } from '@jest/globals';
import { MAX_ALIAS_COUNT, lineAndColumn, lineStarts, parseYamlFile, positionsIn } from './parse.js';

const codesAt = (text: string) =>
  parseYamlFile('f.yaml', text).diagnostics.map((d) => `${d.at?.line}:${d.at?.col} ${d.severity} ${d.code}`);

describe('parseYamlFile', () => {
  it('reads several documents and keeps positions', () => {
    const r = parseYamlFile('inv.yaml', 'a: 1\n---\nb:\n  c: [x, y]\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.documents.map((d) => d.value)).toEqual([{ a: 1 }, { b: { c: ['x', 'y'] } }]);
    expect(r.documents[1]?.locate(['b', 'c', 1])).toEqual({ file: 'inv.yaml', line: 4, col: 10 });
    expect(r.documents[1]?.locate(['b', 'c'], 'key')).toEqual({ file: 'inv.yaml', line: 4, col: 3 });
  });

  it('points at the deepest existing node for a path that does not exist', () => {
    const r = parseYamlFile('f.yaml', 'spec:\n  hosts:\n    - name: a\n');
    expect(r.documents[0]?.locate(['spec', 'hosts', 0, 'address'])).toEqual({
      file: 'f.yaml',
      line: 3,
      col: 7,
    });
  });

  it('rejects duplicate keys at the second key', () => {
    expect(codesAt('a: 1\nb: 2\na: 3\n')).toEqual(['3:1 error yaml-duplicate-key']);
  });

  it('rejects custom and non-core tags, at the tag', () => {
    expect(codesAt('a: !foo x\n')).toEqual(['1:4 error yaml-custom-tag']);
    expect(codesAt('a: !!binary aGVsbG8=\n')).toEqual(['1:4 error yaml-custom-tag']);
    expect(codesAt('a: !!python/object:os.system x\n')).toHaveLength(1);
    // On a block mapping whose first key is on the next line, and after an anchor.
    expect(codesAt('a: !Ref\n  b: 1\n')).toEqual(['1:4 error yaml-custom-tag']);
    expect(codesAt('a: !foo &x\n  - 1\nb: [!bar 2]\n')).toEqual([
      '1:4 error yaml-custom-tag',
      '3:5 error yaml-custom-tag',
    ]);
  });

  it('refuses a core tag on what it cannot read, rather than keeping a string', () => {
    const r = parseYamlFile('f.yaml', 'a: !!int abc\nb: !!bool yes\nc: !!seq {x: 1}\nd: !!str [1]\n');
    expect(r.diagnostics.map((d) => `${d.at?.line}:${d.at?.col} ${d.code}: ${d.message}`)).toEqual([
      '1:4 yaml-tag-mismatch: !!int cannot read "abc": it must be an integer (fix the value or remove the tag)',
      '2:4 yaml-tag-mismatch: !!bool cannot read "yes": it must be true or false (fix the value or remove the tag)',
      '3:4 yaml-tag-mismatch: !!seq cannot read a mapping: it must be a sequence (fix the value or remove the tag)',
      '4:4 yaml-tag-mismatch: !!str cannot read a sequence: it must be a string (fix the value or remove the tag)',
    ]);
    expect(r.documents[0]?.value).toBeUndefined();
    expect(codesAt('a: !!int 0x1F\nb: !!float 1.5\nc: !!bool false\nd: !!null\ne: !!str 12\n')).toEqual([]);
    expect(parseYamlFile('f.yaml', 'b: !!float 1\n').diagnostics[0]?.message).toBe(
      '!!float cannot read "1": it must be a number with a decimal point or an exponent (1.0, 1e3) (fix the value or remove the tag)',
    );
  });

  it('accepts explicit core tags such as !!str', () => {
    const r = parseYamlFile('f.yaml', 'v: !!str 1.10\n');
    expect(r.diagnostics).toEqual([]);
    expect(r.documents[0]?.value).toEqual({ v: '1.10' });
  });

  it('reads YAML 1.2: yes/on stay strings, 1.10 is a number', () => {
    const r = parseYamlFile('f.yaml', 'a: yes\nb: on\nc: 1.10\nd: 2026-12-01\n');
    expect(r.documents[0]?.value).toEqual({ a: 'yes', b: 'on', c: 1.1, d: '2026-12-01' });
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 0; i < 8; i++) {
      const prev = String.fromCharCode(97 + i);
      const next = String.fromCharCode(98 + i);
      lines.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const r = parseYamlFile('bomb.yaml', `${lines.join('\n')}\n`);
    expect(r.diagnostics.map((d) => d.code)).toEqual(['yaml-alias-limit']);
    expect(r.diagnostics[0]?.at?.line).toBe(2);
    expect(r.documents[0]?.value).toBeUndefined();
  });

  it('names an alias without an anchor before it as a bad alias, at the alias', () => {
    const messages = (text: string) =>
      parseYamlFile('f.yaml', text).diagnostics.map(
        (d) => `${d.at?.line}:${d.at?.col} ${d.code}: ${d.message}`,
      );
    expect(messages('a: 1\nhosts: *nope\n')).toEqual([
      '2:8 yaml-bad-alias: alias *nope refers to no anchor: &nope must be set before the alias, in the same document',
    ]);
    expect(messages('a: *x\nb: &x 1\n')).toEqual([
      '1:4 yaml-bad-alias: alias *x refers to no anchor: &x must be set before the alias, in the same document',
    ]);
    expect(messages('a: &x [1, *x]\n')).toEqual([
      '1:11 yaml-bad-alias: alias *x is inside the node it refers to (&x): that would be an endless value',
    ]);
    // An anchor of another document does not count.
    expect(messages('a: &x 1\n---\nb: *x\n')).toEqual([
      '3:4 yaml-bad-alias: alias *x refers to no anchor: &x must be set before the alias, in the same document',
    ]);
  });

  it('allows a few aliases', () => {
    const r = parseYamlFile(
      'f.yaml',
      `a: &x [1]\n${Array.from({ length: MAX_ALIAS_COUNT - 1 }, (_, i) => `k${i}: *x`).join('\n')}\n`,
    );
    expect(r.diagnostics).toEqual([]);
  });

  it('reports syntax errors where they are and keeps going with the other documents', () => {
    const r = parseYamlFile('f.yaml', 'a: 1\n---\nb: [1, 2\nc: 3\n---\nd: 4\n');
    expect(r.diagnostics.every((d) => d.code === 'yaml-syntax')).toBe(true);
    expect(r.diagnostics[0]?.at?.line).toBeGreaterThanOrEqual(3);
    expect(r.documents.map((d) => d.value)).toEqual([{ a: 1 }, undefined, { d: 4 }]);
  });

  it("keeps positions right after a syntax error (yaml's LineCounter would drift)", () => {
    // A multi-line plain scalar at an error: LineCounter misses its line breaks.
    const text = '# Application servers\n[app]\n192.168.56.4\n192.168.56.5\n\n# Database server\n[db]\n';
    expect(codesAt(text)).toEqual([
      '3:1 error yaml-syntax',
      '7:1 error yaml-syntax',
      '7:2 error yaml-syntax',
      '7:4 error yaml-syntax',
    ]);
  });

  it('counts a CRLF line end as one line break', () => {
    const text = 'a: 1\r\nb:\r\n  c: [x, y]\r\nb: 2\r\n';
    expect(codesAt(text)).toEqual(['4:1 error yaml-duplicate-key']);
    const ok = parseYamlFile('f.yaml', 'a: 1\r\nb:\r\n  c: [x, y]\r\n');
    expect(ok.documents[0]?.locate(['b', 'c', 1])).toEqual({ file: 'f.yaml', line: 3, col: 10 });
  });

  it('reads a file saved with old Mac line ends (CR only): its documents, not one comment line', () => {
    // A year-end freeze saved on an old Mac: before, the whole file was the comment of line 1.
    const text =
      '# Year-end freeze\rapiVersion: patchctl/v1\rkind: Blackout\rmetadata:\r  name: year-end\rspec:\r  start: 2026-12-20\r  end: 2027-01-03\r';
    const r = parseYamlFile('windows/freeze.yaml', text);
    expect(r.diagnostics).toEqual([]);
    expect(r.documents.map((d) => d.value)).toEqual([
      {
        apiVersion: 'patchctl/v1',
        kind: 'Blackout',
        metadata: { name: 'year-end' },
        spec: { start: '2026-12-20', end: '2027-01-03' },
      },
    ]);
    expect(r.documents[0]?.locate(['spec', 'end'])).toEqual({ file: 'windows/freeze.yaml', line: 8, col: 8 });
    expect(codesAt('a: 1\rb:\r  c: [x, y]\rb: 2\r')).toEqual(['4:1 error yaml-duplicate-key']);
  });

  it('locates errors the same in a file of mixed line ends (LF, CRLF, CR)', () => {
    const text = 'a: 1\nb: 2\r\nc:\r  d: [x, y]\ne: 3\r\nb: 4\r';
    expect(codesAt(text)).toEqual(['6:1 error yaml-duplicate-key']);
    const ok = parseYamlFile('f.yaml', 'a: 1\nb: 2\r\nc:\r  d: [x, y]\n');
    expect(ok.documents[0]?.value).toEqual({ a: 1, b: 2, c: { d: ['x', 'y'] } });
    expect(ok.documents[0]?.locate(['c', 'd', 1])).toEqual({ file: 'f.yaml', line: 4, col: 10 });
  });

  it('reads a lone CR inside a scalar as the line break it is in YAML 1.2', () => {
    const r = parseYamlFile('f.yaml', 'a: |\r  one\r  two\rb: "x\r  y"\r');
    expect(r.documents[0]?.value).toEqual({ a: 'one\ntwo\n', b: 'x y' });
  });

  it('points at the repeated key, even when the first has its value on the next lines', () => {
    expect(codesAt('kind: X\nspec:\nspec:\n  a: 1\n')).toEqual(['3:1 error yaml-duplicate-key']);
    expect(codesAt('m: {a: 1, b: 2, a: 3}\n')).toEqual(['1:17 error yaml-duplicate-key']);
    expect(codesAt('a:\n  # a comment\n\na: 2\n')).toEqual(['4:1 error yaml-duplicate-key']);
  });

  it('points at the opening quote of a string that never closes', () => {
    expect(codesAt('a: 1\nreason: "Year-end freeze.\nb: 2\n')).toEqual(['2:9 error yaml-syntax']);
    expect(codesAt("a: 'it never ends\n")).toEqual(['1:4 error yaml-syntax']);
  });

  it('reads the names of a document it cannot convert, for references elsewhere', () => {
    const r = parseYamlFile(
      'f.yaml',
      'kind: Inventory\nmetadata:\n  name: fra\nspec:\n  hosts:\n    - name: a\n    - name: *nope\n    - name: b\n',
    );
    expect(r.documents[0]?.value).toBeUndefined();
    expect(r.documents[0]?.names).toEqual({ kind: 'Inventory', name: 'fra', hosts: ['a', 'b'] });
    expect(parseYamlFile('f.yaml', 'a: 1\n').documents[0]?.names).toBeUndefined();
  });

  it('skips empty documents and empty files', () => {
    expect(parseYamlFile('f.yaml', '').documents).toEqual([]);
    expect(parseYamlFile('f.yaml', '# only a comment\n').documents).toEqual([]);
    expect(parseYamlFile('f.yaml', 'a: 1\n---\n').documents).toHaveLength(1);
  });

  it('refuses merge keys (not part of YAML 1.2 core)', () => {
    const r = parseYamlFile('f.yaml', 'base: &b { x: 1 }\nother:\n  <<: *b\n');
    expect(r.documents[0]?.value).toEqual({ base: { x: 1 }, other: { '<<': { x: 1 } } });
  });
});

describe('positions', () => {
  it('turns offsets into lines and columns from 1, with a binary search over line starts', () => {
    const text = 'ab\ncd\r\n\nxyz';
    const starts = lineStarts(text);
    expect(starts).toEqual([0, 3, 7, 8]);
    const at = (o: number) => lineAndColumn(starts, text, o);
    expect(at(0)).toEqual({ line: 1, col: 1 });
    expect(at(2)).toEqual({ line: 1, col: 3 }); // the \n: end of line 1
    expect(at(3)).toEqual({ line: 2, col: 1 });
    expect(at(5)).toEqual({ line: 2, col: 3 }); // the \r
    expect(at(6)).toEqual({ line: 2, col: 3 }); // the \n of \r\n: the same place
    expect(at(7)).toEqual({ line: 3, col: 1 });
    expect(at(10)).toEqual({ line: 4, col: 3 });
    expect(at(99)).toEqual({ line: 4, col: 4 }); // past the end: the end
    expect(at(-5)).toEqual({ line: 1, col: 1 });
  });

  it('counts columns in UTF-16 code units', () => {
    expect(positionsIn('f', 'é😀x')(3)).toEqual({ file: 'f', line: 1, col: 4 });
  });
});
