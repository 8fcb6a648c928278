import { describe, expect, it } from '@jest/globals';
import { iniValue } from './ini.js';
import { pythonLiteral } from './python-literal.js';

// [text, is a literal, value]: what Python 3.11's ast.literal_eval gives (tuples as lists, bytes
// decoded), as Ansible's INI plugin uses it; a text that is no literal stays the text.
// Generated with python3 from the same texts; sets and complex numbers (not JSON) left out.
const PYTHON: [string, boolean, unknown][] = [
  ['5', true, 5],
  ['-5', true, -5],
  ['+5', true, 5],
  ['- 5', true, -5],
  ['--5', false, '--5'],
  ['0x10', true, 16],
  ['0o17', true, 15],
  ['0b101', true, 5],
  ['1_000', true, 1000],
  ['010', false, '010'],
  ['00', true, 0],
  ['1.5', true, 1.5],
  ['1.', true, 1.0],
  ['.5', true, 0.5],
  ['1e3', true, 1000.0],
  ['1.5e-3', true, 0.0015],
  ['True', true, true],
  ['False', true, false],
  ['None', true, null],
  ['true', false, 'true'],
  ['yes', false, 'yes'],
  ["'q'", true, 'q'],
  ['"q"', true, 'q'],
  ['\'a\' "b"', true, 'ab'],
  ["b'x'", true, 'x'],
  ["r'\\n'", true, '\\n'],
  ["'\\n'", true, '\n'],
  ["'\\x41\\u00e9'", true, 'Aé'],
  ["[1, 'two']", true, [1, 'two']],
  ['(1,)', true, [1]],
  ['(1)', true, 1],
  ['()', true, []],
  ['1, 2', true, [1, 2]],
  ['1,', true, [1]],
  ["{'k': 1}", true, { k: 1 }],
  ['{1: 2}', true, { '1': 2 }],
  ['{True: 1}', true, { true: 1 }],
  ['{k:1}', false, '{k:1}'],
  ['a b', false, 'a b'],
  ['x y # c', false, 'x y # c'],
  ['5 # c', true, 5],
  ['  7', true, 7],
  ['7  ', true, 7],
  ['[1, [2, (3, 4)]]', true, [1, [2, [3, 4]]]],
  ["'unterminated", false, "'unterminated"],
  ['"x\\"y"', true, 'x"y'],
  ['inf', false, 'inf'],
  ['nan', false, 'nan'],
  ['0x', false, '0x'],
  ['1__0', false, '1__0'],
  ['12abc', false, '12abc'],
  ["'\\101'", true, 'A'],
  ["'\\q'", true, '\\q'],
  ['[1,]', true, [1]],
  ['{}', true, {}],
  ['[]', true, []],
  ["'a' 'b' 'c'", true, 'abc'],
  ['-0x10', true, -16],
  ['-1.5e3', true, -1500.0],
  ['"{{ x }}"', true, '{{ x }}'],
  ['{{ ansible_playbook_python }}', false, '{{ ansible_playbook_python }}'],
  ['/usr/bin/python3', false, '/usr/bin/python3'],
  ['192.168.1.1', false, '192.168.1.1'],
  ['~/.ssh/key', false, '~/.ssh/key'],
  ['a=b', false, 'a=b'],
  ["' '", true, ' '],
  ['', false, ''],
];

describe('pythonLiteral (ast.literal_eval as Ansible INI values use it)', () => {
  it.each(PYTHON)('%j', (text, literal, value) => {
    expect(pythonLiteral(text)).toEqual(literal ? value : undefined);
    expect(iniValue(text)).toEqual(value);
  });

  it('keeps sets and complex numbers as text (not JSON values)', () => {
    expect(iniValue('{1, 2}')).toBe('{1, 2}');
    expect(iniValue('1j')).toBe('1j');
  });
});
