import { describe, expect, it } from '@jest/globals';
import { gzipSync } from 'node:zlib';
import { zipSync } from 'fflate';
import { forEachZipEntry, isGzip, isZip, maybeGunzip } from './decode.js';

const LIMITS = { maxTotalBytes: 1024 * 1024, maxEntryBytes: 64 * 1024, maxEntries: 100 };

function entries(bytes: Uint8Array, limits = LIMITS): Record<string, string> {
  const out: Record<string, string> = {};
  forEachZipEntry(bytes, limits, 'all.zip', (name, data) => (out[name] = data.toString('utf8')));
  return out;
}

describe('forEachZipEntry', () => {
  it('gives every file, deflated or stored, and skips folders', () => {
    const z = zipSync({
      'a.json': [Buffer.from('{"a":1}'), { level: 9 }],
      'b.json': [Buffer.from('{"b":2}'), { level: 0 }],
      'sub/': new Uint8Array(0),
    });
    expect(entries(z)).toEqual({ 'a.json': '{"a":1}', 'b.json': '{"b":2}' });
  });

  it('stops a zip bomb at the cap while inflating, not after', () => {
    // 50 MiB of zeros compress to ~50 KiB; the entry cap is 64 KiB.
    const bomb = zipSync({ 'bomb.json': [new Uint8Array(50 * 1024 * 1024), { level: 9 }] });
    expect(bomb.length).toBeLessThan(1024 * 1024);
    expect(() => entries(bomb)).toThrow(/entry "bomb\.json" decompresses to more than 64 KiB; refused/);
  });

  it('caps the total of all entries and their number', () => {
    const many = zipSync(
      Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`r${i}.json`, new Uint8Array(60 * 1024)])),
    );
    expect(() => entries(many)).toThrow(/decompresses to more than 1 MiB/);
    expect(() => entries(many, { ...LIMITS, maxTotalBytes: 1 << 30, maxEntries: 5 })).toThrow(
      /more than 5 entries/,
    );
  });

  it('refuses an archive cut off before its end record', () => {
    const z = zipSync({ 'a.json': Buffer.from('{"a":1}'), 'b.json': Buffer.from('{"b":2}') });
    expect(() => entries(z.subarray(0, z.length - 10))).toThrow(/no end record; the download is incomplete/);
  });

  it('refuses an archive whose end record lists entries that are not there', () => {
    const z = zipSync({ 'a.json': Buffer.from('{"a":1}') });
    const eocd = Buffer.from(z).lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
    const forged = Buffer.from(z);
    forged.writeUInt16LE(7, eocd + 10);
    expect(() => entries(forged)).toThrow(/lists 7 entries but 1 could be read/);
  });
});

describe('maybeGunzip', () => {
  it('leaves plain bytes alone and gunzips gzip', () => {
    expect(maybeGunzip(Buffer.from('cve,epss'), 100, 'x').toString()).toBe('cve,epss');
    expect(maybeGunzip(gzipSync('cve,epss'), 100, 'x').toString()).toBe('cve,epss');
    expect(isGzip(gzipSync('x'))).toBe(true);
    expect(isZip(zipSync({ a: new Uint8Array(1) }))).toBe(true);
  });

  it('stops at the cap (a gzip bomb) and names a damaged file', () => {
    expect(() => maybeGunzip(gzipSync(Buffer.alloc(10 * 1024 * 1024)), 1024, 'epss.csv.gz')).toThrow(
      /epss\.csv\.gz: decompresses to more than 1 KiB; refused/,
    );
    const gz = gzipSync('cve,epss,percentile\n'.repeat(100));
    expect(() => maybeGunzip(gz.subarray(0, gz.length - 8), 1 << 20, 'epss.csv.gz')).toThrow(
      /epss\.csv\.gz: not a valid gzip file/,
    );
  });
});
