import { describe, expect, it } from '@jest/globals';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { checkJsonText } from './check-json.js';

const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true });
ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
const validate = ajv.compile({
  type: 'object',
  additionalProperties: false,
  required: ['name', 'count'],
  properties: {
    name: { type: 'string', pattern: '^[a-z]+$', patternErrorMessage: 'must be lower-case letters' },
    count: { type: 'integer' },
    kind: { enum: ['a', 'b'] },
  },
});
const check = (text: string, line?: number) =>
  checkJsonText('f.json', text, validate, { code: 'invalid-thing', ...(line ? { line } : {}) });
const where = (text: string, line?: number) =>
  check(text, line).diagnostics.map((d) => `${d.at?.line}:${d.at?.col} ${d.code}: ${d.message}`);

describe('checkJsonText', () => {
  it('returns the value when it parses and passes the schema', () => {
    expect(check('{"name": "x", "count": 1}')).toEqual({ value: { name: 'x', count: 1 }, diagnostics: [] });
  });

  it('puts syntax errors, repeated keys and schema errors at their line and column', () => {
    expect(where('{"name": "x",\n "count": }')).toEqual(['2:11 json-syntax: invalid JSON: unexpected "}"']);
    expect(where('{"name": "x",\n "name": "y", "count": 1}')).toEqual([
      '2:2 json-duplicate-key: duplicate key "name": JSON readers disagree on which value counts, so patchctl refuses the file',
    ]);
    expect(where('{"name": "X1",\n "count": "1", "kind": "c", "extra": 0}')).toEqual([
      '1:10 invalid-thing: name "X1" must be lower-case letters',
      '2:11 invalid-thing: count must be of type integer',
      '2:24 invalid-thing: kind "c" must be one of a, b',
      '2:29 invalid-thing: unknown field "extra" in the document',
    ]);
    expect(where('{}')).toEqual([
      '1:1 invalid-thing: the document is missing required field "name"',
      '1:1 invalid-thing: the document is missing required field "count"',
    ]);
  });

  it('moves every position to the line the text starts on (a journal line)', () => {
    expect(where('{"name": "x", "count": true}', 7)).toEqual([
      '7:24 invalid-thing: count must be of type integer',
    ]);
    expect(where('{"name": ', 7)).toEqual(['7:10 json-syntax: invalid JSON: unexpected end of file']);
  });
});
