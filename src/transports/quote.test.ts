import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';

import { argvProblems } from '../core/command/argv.js';
import { InvalidCommandError } from './errors.js';
import { commandLine, shellQuote } from './quote.js';

const SHELLS = ['/bin/sh', '/bin/bash'].filter((shell) => existsSync(shell));

let dir = '';
let marker = '';

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'patchctl-quote-'));
  marker = join(dir, 'pwned');
  // Files a glob would expand to, were one ever expanded.
  for (const name of ['a', 'b', 'ab', '-rf', 'x y']) writeFileSync(join(dir, name), '');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `line` with `shell -c` in the glob directory; returns stdout split at NUL bytes. */
function runShell(shell: string, line: string): string[] {
  const out = spawnSync(shell, ['-c', line], {
    cwd: dir,
    encoding: 'buffer',
    env: { PATH: '/usr/bin:/bin' },
    // A socket on stdin makes bash think sshd started it, and read ~/.bashrc.
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  expect(out.error).toBeUndefined();
  expect(out.stderr.toString('utf8')).toBe('');
  expect(out.status).toBe(0);
  const parts = out.stdout.toString('utf8').split('\0');
  expect(parts.pop()).toBe('');
  return parts;
}

function nastyFragments(): string[] {
  return [
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    `'; touch ${marker}; '`,
    `"; touch ${marker}; "`,
    `\\'$(touch ${marker})\\'`,
    `'"$(touch ${marker})"'`,
    `\n touch ${marker}\n`,
    `>${marker}`,
    `;touch ${marker}`,
    `&& touch ${marker}`,
    `| touch ${marker}`,
    '$((1+1))',
    '${HOME}',
    '$HOME',
    "$'\\n'",
    '~',
    '~root',
    '*',
    '?',
    '[a-z]*',
    '{a,b}',
    '!',
    '!!',
    '-n',
    '-e',
    '--',
    '-',
    '',
    "'",
    "''",
    '"',
    '\\',
    '\\\\',
    '\n',
    '\r\n',
    '\t',
    ' ',
    '%s',
    '%%',
    '\\0',
    '\\x41',
    '=cmd',
    'a=b',
    '#comment',
    'é',
    '😀',
    '\u2028',
    '\u00a0',
    '\u0085',
    '\uFEFF',
    '\x7f',
    '\x1b[31m',
  ];
}

const SPECIAL = [...'\'"\\$`(){}[]*?~!#&;|<> \n\t\r-=%^'];

function argArbitrary(): fc.Arbitrary<string> {
  return fc.oneof(
    fc.string({ unit: 'binary', maxLength: 24 }).map((s) => s.replaceAll('\0', '')),
    fc.string({ unit: fc.constantFrom(...SPECIAL), maxLength: 24 }),
    fc.constantFrom(...nastyFragments()),
    fc.array(fc.constantFrom(...nastyFragments()), { maxLength: 4 }).map((parts) => parts.join('')),
  );
}

describe('shellQuote', () => {
  it('single-quotes, writes a quote as an escaped quote between quoted parts, and quotes the empty string', () => {
    expect(shellQuote('')).toBe("''");
    expect(shellQuote('abc')).toBe("'abc'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote("'")).toBe("''\\'''");
    expect(shellQuote('$(x) `y` *')).toBe("'$(x) `y` *'");
  });

  it('refuses what no command line can carry', () => {
    expect(() => shellQuote('a\0b')).toThrow(InvalidCommandError);
    expect(() => shellQuote('\uD800')).toThrow(/unpaired UTF-16 surrogate/);
    expect(() => shellQuote('x\uDC00')).toThrow(InvalidCommandError);
    // A well-formed pair is fine.
    expect(shellQuote('\uD83D\uDE00')).toBe("'😀'");
  });

  it.each(SHELLS)(
    'round-trips exactly through %s (printf %%s\\0), globs unexpanded, nothing executed',
    (shell) => {
      fc.assert(
        fc.property(fc.array(argArbitrary(), { maxLength: 40 }), (args) => {
          const all = ['START', ...args];
          expect(runShell(shell, `printf '%s\\0' ${all.map(shellQuote).join(' ')}`)).toEqual(all);
        }),
        { numRuns: 100 },
      );
      expect(existsSync(marker)).toBe(false);
    },
  );

  it.each(SHELLS)('keeps every nasty fragment literal in %s', (shell) => {
    const all = ['START', ...nastyFragments()];
    expect(runShell(shell, `printf '%s\\0' ${all.map(shellQuote).join(' ')}`)).toEqual(all);
    expect(existsSync(marker)).toBe(false);
  });
});

describe('commandLine', () => {
  it('is exec, the scrubbed env, then the quoted argv', () => {
    expect(commandLine({ argv: ['apt-get', '-y', 'install', 'openssl=3.0.17-1~deb12u1'] })).toBe(
      "exec env LC_ALL=C LANG=C PATH=/usr/sbin:/usr/bin:/sbin:/bin 'apt-get' '-y' 'install' 'openssl=3.0.17-1~deb12u1'",
    );
  });

  it('puts sudo -n -- before env, and sorts and quotes extra variables', () => {
    expect(
      commandLine({
        argv: ['apt-get', 'update'],
        sudo: true,
        env: { NEEDRESTART_MODE: 'a', DEBIAN_FRONTEND: "non'interactive" },
      }),
    ).toBe(
      "exec sudo -n -- env LC_ALL=C LANG=C PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND='non'\\''interactive' NEEDRESTART_MODE='a' 'apt-get' 'update'",
    );
    expect(commandLine({ argv: ['true'], sudo: false })).not.toContain('sudo');
  });

  it('refuses commands it cannot build safely', () => {
    expect(() => commandLine({ argv: [] })).toThrow(InvalidCommandError);
    expect(() => commandLine({ argv: [''] })).toThrow(/empty/);
    expect(() => commandLine({ argv: ['A=b', 'x'] })).toThrow(/assignment/);
    expect(() => commandLine({ argv: ['-i'] })).toThrow(/starts with "-"/);
    expect(() => commandLine({ argv: ['ls', 'a\0'] })).toThrow(/NUL/);
    expect(() => commandLine({ argv: ['ls'], env: { lower: 'x' } })).toThrow(/does not match/);
    expect(() => commandLine({ argv: ['ls'], env: { 'A B': 'x' } })).toThrow(InvalidCommandError);
    expect(() => commandLine({ argv: ['ls'], env: { 'X;touch': 'x' } })).toThrow(InvalidCommandError);
    expect(() => commandLine({ argv: ['ls'], env: { PATH: '/tmp' } })).toThrow(/fixed/);
    expect(() => commandLine({ argv: ['ls'], env: { LC_ALL: 'en_US.UTF-8' } })).toThrow(/fixed/);
    expect(() => commandLine({ argv: ['ls'], env: { X: 'a\0' } })).toThrow(/NUL/);
  });

  it('refuses exactly the argument vectors that validate reports (one set of checks, core/command/argv.ts)', () => {
    const item = fc.oneof(
      argArbitrary(),
      fc.constantFrom('', '-', '-x', 'A=b', '=', 'a\0', '\uD800', 'x\uDFFF', '\uD83D\uDE00'),
      fc.string({ unit: 'binary', maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 5 }), fc.boolean(), (argv, sudo) => {
        const problems = argvProblems(argv);
        let refused: unknown;
        try {
          commandLine({ argv, sudo });
        } catch (e) {
          refused = e;
        }
        if (problems.length === 0) expect(refused).toBeUndefined();
        else expect(refused).toBeInstanceOf(InvalidCommandError);
      }),
      { numRuns: 2000 },
    );
  });

  it.each(SHELLS)('runs the real argv with exactly the scrubbed and extra environment under %s', (shell) => {
    fc.assert(
      fc.property(fc.array(argArbitrary(), { maxLength: 20 }), argArbitrary(), (args, value) => {
        const all = ['START', ...args];
        const line = commandLine({ argv: ['printf', '%s\\0', ...all], env: { PATCHCTL_V: value } });
        expect(runShell(shell, line)).toEqual(all);
        const env = runShell(shell, commandLine({ argv: ['env', '-0'], env: { PATCHCTL_V: value } }));
        expect(env).toContain('LC_ALL=C');
        expect(env).toContain('LANG=C');
        expect(env).toContain('PATH=/usr/sbin:/usr/bin:/sbin:/bin');
        expect(env).toContain(`PATCHCTL_V=${value}`);
      }),
      { numRuns: 40 },
    );
    expect(existsSync(marker)).toBe(false);
  });
});
