import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { listOutput } from './inventory-data.js';
import { readAnsibleInventory } from './read-inventory.js';

const read = (path: string, text: string) => readAnsibleInventory([{ path, text }]);

describe('readAnsibleInventory', () => {
  it('never throws on any text, INI or YAML: it reads it or says where it is wrong', () => {
    const pieces = fc.constantFrom(
      '[web]',
      '[web:vars]',
      '[web:children]',
      'h[1:3]',
      'a=1',
      "b='x",
      '"',
      '#',
      ';',
      '\n',
      ' ',
      ':',
      '-',
      'all:',
      '  hosts:',
      '    h1:',
      '  children:',
      '  vars:',
      '{',
      '}',
      '[',
      ']',
      '*a',
      '&a',
      '<<:',
      '7.2: x',
      '1234: {}',
    );
    fc.assert(
      fc.property(
        fc.array(fc.oneof(pieces, fc.string({ maxLength: 4 })), { maxLength: 30 }),
        fc.constantFrom('inv', 'inv.ini', 'inv.yml'),
        (parts, name) => {
          const r = read(name, parts.join(''));
          if (r.ok) expect(() => listOutput(r.inventory)).not.toThrow();
          else for (const d of r.diagnostics) expect(d.at?.line).toBeGreaterThan(0);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('refuses a host range of more than 100000 hosts', () => {
    const r = read('hosts', '[web]\nweb-[0:99999999]\n');
    expect(r).toEqual({
      ok: false,
      diagnostics: [
        expect.objectContaining({
          message: 'Ansible cannot read this inventory: host range expands to more than 100000 hosts',
          at: { file: 'hosts', line: 2, col: 1 },
        }),
      ],
    });
  });

  it('reports an INI [group:children] naming an undefined group, as Ansible does', () => {
    const r = read('hosts.ini', '[a]\nh1\n[b:children]\na\nmissing\n');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.diagnostics[0]).toMatchObject({
      message: 'Ansible cannot read this inventory: section [b:children] includes undefined group: missing',
      at: { file: 'hosts.ini', line: 5, col: 1 },
    });
  });

  it('refuses a group that contains itself through its children', () => {
    const r = read('loop.yml', 'a:\n  children:\n    b:\n      children:\n        a:\n');
    expect(r.ok).toBe(false);
    expect(!r.ok && r.diagnostics[0]!.message).toMatch(/recursive dependency loop/);
  });
});
