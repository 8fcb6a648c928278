import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import { bundledFeedSchemas } from '../../engine/schemas.js';
import { checkAdvisoryFile, underContains } from './advisories.js';
import { jsonErrorOffset } from './json-syntax.js';

const fixtures = new URL('./__fixtures__/advisories/', import.meta.url);
const read = (name: string) => readFileSync(new URL(name, fixtures), 'utf8');
const check = (name: string, text = read(name)) =>
  checkAdvisoryFile(`advisories/${name}`, text, bundledFeedSchemas());

describe('advisory feeds', () => {
  it('accepts real KEV and OSV files and lists their ids', () => {
    const kev = check('kev-slice.json');
    expect(kev.diagnostics).toEqual([]);
    expect(kev.feed?.kind).toBe('kev');
    expect(kev.feed?.ids).toHaveLength(3);
    for (const f of readdirSync(fixtures).filter(
      (n) => n.endsWith('.json') && !n.startsWith('nointroduced') && n !== 'kev-slice.json',
    )) {
      const r = check(f);
      expect({ f, d: r.diagnostics }).toEqual({ f, d: [] });
      expect(r.feed?.kind).toBe('osv');
    }
    expect(check('DSA-3029-1.json').feed?.ids[0]).toBe('DSA-3029-1');
  });

  it("catches the OSV linter's record without an introduced event, at the events", () => {
    const r = check('nointroduced-CVE-2023-41045.json');
    expect(r.diagnostics.map((d) => `${d.at?.line}:${d.at?.col} ${d.code}`)).toContain(
      '16:21 osv-no-introduced',
    );
    expect(r.diagnostics.every((d) => d.severity === 'error')).toBe(true);
    // Only that: not also the per-event errors of the schema's `contains` check.
    expect(r.diagnostics.map((d) => d.code)).toEqual(['osv-no-introduced']);
  });

  it('leaves out the errors of items a `contains` check tried, but not a property named contains', () => {
    const e = (schemaPath: string) =>
      ({ schemaPath, instancePath: '', keyword: 'required', params: {} }) as Parameters<
        typeof underContains
      >[0];
    expect(underContains(e('#/properties/events/contains/required'))).toBe(true);
    expect(underContains(e('#/properties/events/contains'))).toBe(false);
    expect(underContains(e('#/properties/contains/required'))).toBe(false);
  });

  it('points at schema violations', () => {
    const text = read('kev-slice.json').replace('"cveID": "', '"cveId": "');
    const r = check('kev-slice.json', text);
    expect(r.diagnostics[0]?.code).toBe('invalid-kev');
    expect(r.diagnostics.some((d) => /must have required property 'cveID'/.test(d.message))).toBe(true);
    expect(r.diagnostics[0]?.at?.line).toBeGreaterThan(5);
  });

  it('reports JSON syntax errors with their line and column', () => {
    expect(check('x.json', '{\n  "id": "A",\n  "modified": }\n').diagnostics[0]).toEqual({
      severity: 'error',
      code: 'json-syntax',
      message: 'invalid JSON: unexpected "}"',
      at: { file: 'advisories/x.json', line: 3, col: 15 },
    });
    expect(check('x.json', '{"a": 1').diagnostics[0]?.at).toEqual({
      file: 'advisories/x.json',
      line: 1,
      col: 8,
    });
    expect(jsonErrorOffset('[1, 2,]')).toBe(6);
  });

  it('warns about JSON it does not recognise', () => {
    expect(check('x.json', '{"hello": 1}').diagnostics.map((d) => d.code)).toEqual([
      'unknown-advisory-format',
    ]);
  });
});
