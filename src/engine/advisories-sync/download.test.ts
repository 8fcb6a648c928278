import { describe, expect, it } from '@jest/globals';
import { isLoopbackHost, pickSha256, urlProblem } from './download.js';

const A = 'a'.repeat(64);
const B = 'b'.repeat(64);

describe('urlProblem: https, or plain http to loopback only (docs/vulnerabilities.md)', () => {
  it.each([
    'https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json',
    'http://127.0.0.1:8080/kev.json',
    'http://127.1.2.3/kev.json',
    'http://localhost/kev.json',
    'http://[::1]:9000/kev.json',
  ])('accepts %s', (url) => expect(urlProblem(url)).toBeUndefined());

  it.each([
    ['http://feeds.example.org/kev.json', /plain http is allowed only to a loopback address/],
    ['http://10.0.0.5/kev.json', /plain http/],
    ['http://127.0.0.1.example.org/kev.json', /plain http/],
    ['ftp://example.org/kev.json', /ftp: URLs are not supported/],
    ['file:///etc/passwd', /file: URLs are not supported/],
    ['https://user:secret@example.org/kev.json', /user name or password is refused/],
    ['not a url', /is not a URL/],
  ])('refuses %s', (url, why) => expect(urlProblem(url)).toMatch(why));

  it('knows loopback names', () => {
    expect(isLoopbackHost('LOCALHOST')).toBe(true);
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
  });
});

describe('pickSha256', () => {
  const url = 'https://osv-vulnerabilities.storage.googleapis.com/Debian/all.zip';
  it('takes the line naming the file (sha256sum text or binary mode), or the only hash', () => {
    expect(pickSha256(`${A}  other.zip\n${B} *all.zip\n`, url, 'SHA256SUMS')).toBe(B);
    expect(pickSha256(`${A.toUpperCase()}\n`, url, 'SHA256SUMS')).toBe(A);
    expect(pickSha256(`${A}  Debian/all.zip\n`, url, 'SHA256SUMS')).toBe(A);
  });

  it('refuses a file without a hash for the feed', () => {
    expect(() => pickSha256('nothing here\n', url, 'SHA256SUMS')).toThrow(/SHA256SUMS: holds no sha256/);
    expect(() => pickSha256(`${A}  a.zip\n${B}  b.zip\n`, url, 'SHA256SUMS')).toThrow(
      /names no file "all.zip" among its 2 hashes/,
    );
  });
});
