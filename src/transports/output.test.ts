import { describe, expect, it } from '@jest/globals';

import { CappedOutput } from './output.js';

describe('CappedOutput', () => {
  it('decodes UTF-8 split across chunks', () => {
    const out = new CappedOutput('stdout');
    const bytes = Buffer.from('héllo 😀', 'utf8');
    for (const byte of bytes) out.push(Buffer.from([byte]));
    expect(out.text()).toBe('héllo 😀');
    expect(out.truncated).toBe(false);
  });

  it('keeps the first bytes, cut at a character boundary, then a marker', () => {
    const out = new CappedOutput('stderr', 6);
    out.push('abcd');
    out.push('é😀xyz'); // é is 2 bytes: the cap falls right after it
    expect(out.truncated).toBe(true);
    expect(out.text()).toBe('abcdé\n[patchctl: stderr truncated: kept the first 6 of 13 bytes]\n');
    const cut = new CappedOutput('stdout', 5);
    cut.push('abcd😀');
    expect(cut.text()).toBe('abcd\n[patchctl: stdout truncated: kept the first 4 of 8 bytes]\n');
  });
});
