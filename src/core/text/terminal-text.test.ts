import { describe, expect, it } from '@jest/globals';
import { Chalk } from 'chalk';
import { TerminalOutput, terminalLine, terminalText } from './terminal-text.js';

const HOSTILE =
  'E: x\u001b[2J\u001b[1;1H\u001b[8mconcealed\u001b[0m\r\n::add-mask::x\n##[error]fake \u202eevil';

describe('terminalText and terminalLine', () => {
  it('escape controls and defuse workflow commands, keeping the information', () => {
    expect(terminalText(HOSTILE)).toBe(
      'E: x\\x1b[2J\\x1b[1;1H\\x1b[8mconcealed\\x1b[0m\\r\n:\\u003aadd-mask::x\n##\\u005berror]fake \\u202eevil',
    );
    expect(terminalLine(HOSTILE)).toBe(
      'E: x\\x1b[2J\\x1b[1;1H\\x1b[8mconcealed\\x1b[0m\\r\\n::add-mask::x\\n##\\u005berror]fake \\u202eevil',
    );
    expect(terminalLine('::error::at the start')).toBe(':\\u003aerror::at the start');
  });
});

describe('TerminalOutput', () => {
  const colours = new Chalk({ level: 1 });
  const own = `${colours.green('✓')} ${colours.red.bold('failed')} ${colours.dim('-')} ${colours.yellow('~')} ${colours.cyan('…')} ${colours.magenta('!')}`;

  it('with colour, passes patchctl’s own SGR codes and escapes every other sequence', () => {
    const out = new TerminalOutput({ colour: true });
    expect(out.push(own)).toBe(own);
    expect(
      out.push(
        `${own} \u001b[8mhidden\u001b[0m \u001b[2J \u001b]0;title\u0007 \u001b[38;5;1mx \u001b[30mblack\n`,
      ),
    ).toBe(
      `${own} \\u001b[8mhidden\\u001b[0m \\u001b[2J \\u001b]0;title\\u0007 \\u001b[38;5;1mx \\u001b[30mblack\n`,
    );
  });

  it('without colour (NO_COLOR, a pipe, --no-color), lets nothing but tab and newline through', () => {
    const out = new TerminalOutput({ colour: false });
    const written = out.push(`${own}\t${HOSTILE}\n`);
    // eslint-disable-next-line no-control-regex
    expect(written).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    expect(written).toContain('\\u001b[8mconcealed');
    expect(written).toContain(':\\u003aadd-mask::x');
    expect(written).toContain('##\\u005berror]fake');
  });

  it('keeps JSON output valid and lossless', () => {
    const value = { error: `a\u007fb\u009b\u202e::c ##[error]d`, lines: ['::add-mask::x'] };
    const out = new TerminalOutput().push(`${JSON.stringify(value, null, 2)}\n`);
    expect(out).not.toMatch(/[\u007f\u009b\u202e]|##\[/);
    expect(JSON.parse(out)).toEqual(value);
  });

  it('writes intended workflow commands as they are, and still knows where lines start', () => {
    const out = new TerminalOutput();
    expect(out.pushCommand('::error file=a.yaml,line=1::bad\n')).toBe('::error file=a.yaml,line=1::bad\n');
    expect(out.push('::error::fake\n')).toBe(':\\u003aerror::fake\n');
  });
});
