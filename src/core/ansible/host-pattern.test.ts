import { describe, expect, it } from '@jest/globals';
import { expandHostPattern } from './host-pattern.js';
import { shlexSplit } from './shlex.js';

// [pattern, hosts, port] or [pattern, null, Ansible's error]: what ansible-core 2.14's
// BaseInventoryPlugin._expand_hostpattern gives for each (generated with it).
const ANSIBLE: [string, string[] | null, number | string | null][] = [
  [
    'web-[01:20]',
    [
      'web-01',
      'web-02',
      'web-03',
      'web-04',
      'web-05',
      'web-06',
      'web-07',
      'web-08',
      'web-09',
      'web-10',
      'web-11',
      'web-12',
      'web-13',
      'web-14',
      'web-15',
      'web-16',
      'web-17',
      'web-18',
      'web-19',
      'web-20',
    ],
    null,
  ],
  ['db-[a:f]', ['db-a', 'db-b', 'db-c', 'db-d', 'db-e', 'db-f'], null],
  ['x[1:10:2]', ['x1', 'x3', 'x5', 'x7', 'x9'], null],
  ['n[01:03]-r[a:b]', ['n01-ra', 'n01-rb', 'n02-ra', 'n02-rb', 'n03-ra', 'n03-rb'], null],
  ['192.0.2.[10:16:3]:2222', ['192.0.2.10', '192.0.2.13', '192.0.2.16'], 2222],
  ['[2001:db8::1]:2222', ['2001:db8::1'], 2222],
  ['2001:db8::1', ['2001:db8::1'], null],
  ['host:22', ['host'], 22],
  ['web-[1:3].example.com', ['web-1.example.com', 'web-2.example.com', 'web-3.example.com'], null],
  ['[a:c]x', ['ax', 'bx', 'cx'], null],
  ['c[0:2:0]', null, 'range() arg 3 must not be zero'],
  ['e[01:3]', null, 'host range must specify equal-length begin and end formats'],
  ['plain', ['plain'], null],
  ['h[:2]', ['h0', 'h1', 'h2'], null],
  ['t[Y:b]', null, 'host range must have begin <= end'],
];

describe('expandHostPattern (Ansible host ranges)', () => {
  it.each(ANSIBLE)('%s', (pattern, hosts, port) => {
    if (hosts === null) {
      expect(() => expandHostPattern(pattern)).toThrow();
      return;
    }
    expect(expandHostPattern(pattern)).toEqual({ hosts, port: port ?? undefined });
  });
});

describe('shlexSplit (Python shlex.split(comments=True))', () => {
  it('splits words, keeps quoted spaces, drops quotes and comments, with columns', () => {
    expect(shlexSplit(`h1 a="x y" b='c"d' e=f#g # tail`)).toEqual([
      { text: 'h1', col: 1 },
      { text: 'a=x y', col: 4 },
      { text: 'b=c"d', col: 12 },
      { text: 'e=f', col: 20 },
    ]);
    expect(shlexSplit(String.raw`x=a\ b y="q\"r\n"`).map((t) => t.text)).toEqual(['x=a b', 'y=q"r\\n']);
    expect(shlexSplit(`x=""`).map((t) => t.text)).toEqual(['x=']);
  });

  it('refuses an unclosed quote as Python does', () => {
    expect(() => shlexSplit(`h a="b`)).toThrow('No closing quotation');
  });
});
