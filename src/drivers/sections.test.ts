import { describe, expect, it } from '@jest/globals';
import { DriverOutputError } from './errors.js';
import { readSections, splitSections } from './sections.js';

const ok = (stdout: string, exitCode: number | null = 0) => ({ exitCode, stdout, stderr: '', durationMs: 1 });

describe('script sections', () => {
  it('splits named sections, trims blank lines, keeps recorded exit statuses', () => {
    const { sections, complete } = splitSections(
      '\n@@patchctl:a@@\n\n  one\ntwo\n\n@@patchctl:rc=3@@\n\n@@patchctl:b@@\n\n@@patchctl:end@@\nafter\n',
    );
    expect(complete).toBe(true);
    expect([...sections]).toEqual([
      ['a', { text: '  one\ntwo', rc: 3 }],
      ['b', { text: '' }],
    ]);
  });

  it('says when the end marker is missing', () => {
    const { sections, complete } = splitSections('@@patchctl:a@@\r\nx\r\n');
    expect(complete).toBe(false);
    expect(sections.get('a')).toEqual({ text: 'x' });
  });

  it('checks completeness, exit status and required sections', () => {
    expect(readSections('apt', 'x', ok('@@patchctl:a@@\n1\n@@patchctl:end@@\n'), ['a']).get('a')?.text).toBe(
      '1',
    );
    const error = (stdout: string, exitCode: number | null = 0, required = ['a']) => {
      try {
        readSections('apt', 'x', { ...ok(stdout, exitCode), signal: 'SIGTERM' }, required);
      } catch (e) {
        expect(e).toBeInstanceOf(DriverOutputError);
        return (e as DriverOutputError).message;
      }
      return 'no error';
    };
    expect(error('@@patchctl:a@@\n')).toBe('apt: x: the script did not run to its end (exit status 0)');
    expect(error('@@patchctl:a@@\n@@patchctl:end@@', null)).toBe(
      'apt: x: the script did not run to its end (ended by SIGTERM)',
    );
    expect(error('@@patchctl:end@@', 0, ['a', 'b'])).toBe('apt: x: the output lacks the sections a, b');
  });

  it('names the host when the engine knows it', () => {
    const e = new DriverOutputError('apt', 'facts: bad', 'excerpt').forHost('web-01');
    expect(e.message).toBe('web-01: apt: facts: bad');
    expect([e.host, e.driver, e.excerpt, e.code]).toEqual(['web-01', 'apt', 'excerpt', 'driver-output']);
  });
});
