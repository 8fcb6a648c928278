import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  WorkflowCommandDefuser,
  defuseWorkflowCommands,
  escapeWorkflowData,
  escapeWorkflowProperty,
} from './workflow-commands.js';

/**
 * What the GitHub Actions runner would run, modelled on actions/runner's ActionCommand.TryParseV2
 * (`::name …::` after the line's leading white space is trimmed) and TryParse (`##[name …]`
 * anywhere), with every name registered; plus Azure's `##vso[`. Lines end at CR, LF or CRLF.
 */
function commandsIn(text: string): string[] {
  const found: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    const trimmed = line.replace(/^[\s\u0085]+/, '');
    if (trimmed.startsWith('::') && trimmed.indexOf('::', 2) > 2) found.push(trimmed);
    if (/##\[[^\]]*\]/.test(line) || /##vso\[/i.test(line)) found.push(line);
  }
  return found;
}

describe('defuseWorkflowCommands', () => {
  it('defuses `::` commands at a line start, after white space too, and `##[` anywhere', () => {
    const hostile = [
      '::add-mask::x',
      '  ::stop-commands::tok',
      '\t\u00a0::error file=a,line=1::fake',
      'apt says ##[error]fake failure and ##vso[task.setvariable variable=x]1',
    ].join('\n');
    expect(commandsIn(hostile)).toHaveLength(4);
    const out = defuseWorkflowCommands(hostile);
    expect(commandsIn(out)).toEqual([]);
    // Still readable: the completing character is written as its escape.
    expect(out).toBe(
      [
        ':\\u003aadd-mask::x',
        '  :\\u003astop-commands::tok',
        '\t\u00a0:\\u003aerror file=a,line=1::fake',
        'apt says ##\\u005berror]fake failure and ##vso\\u005btask.setvariable variable=x]1',
      ].join('\n'),
    );
  });

  it('leaves text without markers as it is', () => {
    for (const text of ['E: a: b', 'time 12:30::done', 'issue #12 [open]', '# [x]', 'a::b::c'])
      expect(defuseWorkflowCommands(text)).toBe(text);
  });

  it('catches markers split across writes', () => {
    const d = new WorkflowCommandDefuser();
    const out = ['ok\n  :', ':add-mask::x\nsee #', '#', '[error]x'].map((c) => d.push(c)).join('');
    expect(commandsIn(out)).toEqual([]);
    expect(out).toBe('ok\n  :\\u003aadd-mask::x\nsee ##\\u005berror]x');
  });

  it('leaves no command in any text (property)', () => {
    const piece = fc.constantFrom(
      '::',
      ':',
      '#',
      '##',
      '[',
      ']',
      'vso',
      'add-mask',
      ' ',
      '\t',
      '\n',
      '\r',
      'x',
      '\u00a0',
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.array(piece, { maxLength: 12 }).map((a) => a.join('')),
          { maxLength: 4 },
        ),
        (chunks) => {
          const d = new WorkflowCommandDefuser();
          const streamed = chunks.map((c) => d.push(c)).join('');
          expect(commandsIn(streamed)).toEqual([]);
          // However the text is cut into writes, the same text comes out.
          expect(streamed).toBe(defuseWorkflowCommands(chunks.join('')));
        },
      ),
    );
  });
});

describe('workflow command escapes', () => {
  it('escape data and properties as the runner unescapes them', () => {
    expect(escapeWorkflowData('100%\r\n::x')).toBe('100%25%0D%0A::x');
    expect(escapeWorkflowProperty('a:b,c%')).toBe('a%3Ab%2Cc%25');
  });
});

describe('defusing a large output', () => {
  // Speed belongs to `npm run bench` (shared machines make timed tests flaky); this keeps the result.
  it('defuses a marker after 100,000 ordinary lines', () => {
    const line = '  ~ openssl 3.0.15-1~deb12u1 → 3.0.17-1~deb12u1 (security, high, DSA-5939-1)\n';
    const text = `${line.repeat(100_000)}::add-mask::x\n`;
    const out = new WorkflowCommandDefuser().push(text);
    expect(out.endsWith(':\\u003aadd-mask::x\n')).toBe(true);
  });
});
