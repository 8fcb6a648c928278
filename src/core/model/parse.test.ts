import { describe, expect, it } from '@jest/globals';
import { MAX_ALIAS_COUNT, parseYamlFile } from './parse.js';

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

  it('rejects custom and non-core tags', () => {
    expect(codesAt('a: !foo x\n')).toEqual(['1:9 error yaml-custom-tag']);
    expect(codesAt('a: !!binary aGVsbG8=\n')).toEqual(['1:13 error yaml-custom-tag']);
    expect(codesAt('a: !!python/object:os.system x\n')).toHaveLength(1);
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
