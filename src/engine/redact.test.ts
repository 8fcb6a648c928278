import { describe, expect, it } from '@jest/globals';
import { REDACTED, redactorFor } from './redact.js';

describe('redactorFor', () => {
  it('removes the values of secret-looking variables and of the named ones', () => {
    const redact = redactorFor(
      {
        DB_PASSWORD: 'hunter22-canary',
        GITHUB_TOKEN: 'ghp_abcdef123456',
        LAB_KEY_PHRASE: 'open-sesame-1',
        HOME: '/root',
        SHORT_TOKEN: 'abc',
      },
      ['LAB_KEY_PHRASE'],
    );
    expect(redact('login hunter22-canary failed; ghp_abcdef123456; open-sesame-1; /root; abc')).toBe(
      `login ${REDACTED} failed; ${REDACTED}; ${REDACTED}; /root; abc`,
    );
  });

  it('replaces a secret that contains another one whole', () => {
    const redact = redactorFor({ A_TOKEN: 'secret-1', B_TOKEN: 'secret-1-longer' });
    expect(redact('x secret-1-longer y secret-1')).toBe(`x ${REDACTED} y ${REDACTED}`);
  });

  it('is the identity without secrets', () => {
    expect(redactorFor({ PATH: '/usr/bin' })('/usr/bin')).toBe('/usr/bin');
  });
});
