import { describe, expect, it } from '@jest/globals';
import { argumentProblem, argvProblems, envNameProblem, programProblem } from './argv.js';

describe('argument vectors a command line can carry', () => {
  it('accepts anything else: quotes, `$`, spaces, newlines, a leading "-" or "=" after the program', () => {
    expect(argvProblems(['printf', '%s', "it's", '$(x)', '', ' ', '\n', '-rf', 'a=b', '😀'])).toEqual([]);
  });

  it('refuses NUL bytes and unpaired surrogates in any argument', () => {
    expect(argumentProblem('a\0b')).toMatch(/NUL byte/);
    expect(argumentProblem('\uD800')).toMatch(/unpaired UTF-16 surrogate/);
    expect(argumentProblem('x\uDC00')).toMatch(/unpaired/);
    expect(argumentProblem('\uD83D\uDE00')).toBeUndefined();
    expect(argumentProblem(3)).toMatch(/is a number/);
  });

  it('refuses a program that is missing, empty, starts with "-" or holds "="', () => {
    expect(programProblem(undefined)).toMatch(/argv is empty/);
    expect(programProblem('')).toMatch(/empty/);
    expect(programProblem('-i')).toMatch(/starts with "-"/);
    expect(programProblem('A=b')).toMatch(/variable assignment/);
    expect(programProblem('/usr/bin/env')).toBeUndefined();
  });

  it('lists every problem with the index of the argument at fault', () => {
    expect(argvProblems([])).toEqual([
      { index: undefined, part: 'argv', message: expect.stringMatching(/empty/) },
    ]);
    expect(argvProblems(['-x\0', 'ok', '\uDFFF']).map((p) => [p.index, p.part])).toEqual([
      [0, 'program'],
      [0, 'argument'],
      [2, 'argument'],
    ]);
  });

  it('refuses environment names that are not shell names, or that the scrubbed environment fixes', () => {
    expect(envNameProblem('DEBIAN_FRONTEND')).toBeUndefined();
    expect(envNameProblem('lower')).toMatch(/does not match/);
    expect(envNameProblem('X;touch')).toMatch(/does not match/);
    expect(envNameProblem('PATH')).toMatch(/fixed/);
  });
});
