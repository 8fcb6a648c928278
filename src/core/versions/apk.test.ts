import { describe, expect, it } from '@jest/globals';
import {
  checkApkVersion,
  compareApkVersions,
  compareApkVersionsUnchecked,
  isValidApkVersion,
} from './apk.js';
import { InvalidVersionError } from './version-error.js';

// Rows from apk-tools' own table (test/unit/version.data), "a op b".
const APK_TOOLS_ROWS = `
2.34 > 0.1.0_alpha
0.1.0_alpha = 0.1.0_alpha
0.1.0_alpha < 0.1.3_alpha
0.1.0_alpha2 > 0.1.0_alpha
0.1.0_alpha < 2.2.39-r1
1.0.4-r3 < 1.0.4-r4
1.0.2 > 0.7-r1
1.1 > 1.1_alpha1
1.2.1 > 1.2
1.2 < 1.3_alpha
1.3_alpha < 1.3_alpha2
0.7.0 < 0.8_beta1
0.8_beta4 < 4.8-r1
3.10.18-r1 > 2.3.0b-r1
2.3.0b-r1 < 2.3.0b-r2
0.12.3 > 0.12
0.12 < 0.13_beta1
1.2.11 < 1.2.12.1
0.2.0-r1 < 3.1_p16
3.1_p16 < 3.1_p17
1.06-r6 < 006
006 > 1.0.0
1.2.2-r1 > 1.2.2
9.3.4-r2 > 9.3.4
2.59 < 20050718-r1
3.9.8-r5 > 2.01.01_alpha10
1.0 > 0.99.3.20040818
1.39 > 1.00_beta2
4.2.52_p2-r1 < 4.2.52_p4-r2
4.2.52_p4-r2 > 1.02.07
1.0.5 < 8
2.18.3-r10 > 1.05-r18
1.05-r18 < 1.05-r19
2.8 < 2.20.1
10-r1 > 4
20060720 > 3.0.20060720
2.5.1-r8 < 2.5.1a-r1
1.3.5-r10 > 1.3.5-r8
2.0.0_rc3-r1 > 1.5
3.0.0-r2 < 021109-r3
0.9.16-r1 < 3.9_pre20060124
3.9_pre20060124 > 0.01
1.1.7 < 6b-r7
0.10.0 < 0.10.1_rc1
2.0.2 > 1.1a
1.1a < 1.3a
1.0-r1 > 0.15.1b
0.15.1b-r2 > 0.15.1b
22.7-r1 < 22.7.3-r1
22.7.3-r1 > 22.7
2.1_pre20 < 2.1_pre26
2.10.1 > 02.08.01b
1.2.07.8 < 1.2.12.04
1.2.12.04 < 1.2.12.05
1.07-r1 < 1.07.5
1.07.5 > 1.07
0.1_pre20060810 < 0.1_pre20060817
0.59s-r11 < 0.65
4.01 < 4.20
4.20 > 0.20070118
0.20070118 < 0.20070207_rc1
4.3_p2-r5 < 4.4_p1-r6
4.5_p1-r1 > 4.5_p1
0.9.8c-r1 < 0.9.8d
1.7 < 1.7b
1.8.5 < 1.8.5_p2
2.9.11_pre20051101-r3 > 2.9.11_pre20051101
1.6.8_p12-r1 > 1.6.8_p9-r2
0.9.28.1 < 087-r1
104-r11 > 104-r9
2.12r-r4 < 2.12r-r5
7.0.17 < 7.0.174
1.3-r0 < 1.3.1-r0
1.3_pre1-r1 < 1.3.2
1.0_p10-r0 > 1.0_p9-r0
0.1.0_alpha_pre2 < 0.1.0_alpha
1.0.0_pre20191002222144-r0 < 1.0.0_pre20210530193627-r0
6.0_pre1 < 6.0
6.0_p1 > 6.0
8.2.0 < 8.2.001
8.2.0015 < 8.2.002
1.0~1234 < 1.0~2345
1.0~1234-r1 < 1.0~2345-r0
1.0~1234-r1 > 1.0~1234-r0
`;

const rows = APK_TOOLS_ROWS.trim()
  .split('\n')
  .map((line) => {
    const [a = '', op = '', b = ''] = line.split(' ');
    return [a, op, b] as const;
  });
const expected = { '<': -1, '=': 0, '>': 1 } as const;

describe('compareApkVersions', () => {
  it.each(rows)('%s %s %s (apk-tools test table)', (a, op, b) => {
    const want = expected[op as keyof typeof expected];
    expect(compareApkVersions(a, b)).toBe(want);
    expect(compareApkVersions(b, a)).toBe(-want || 0);
  });

  it.each([
    // pre-release suffixes before the release, post-release ones after it
    ['1.2.3_rc1-r0', '1.2.3-r0'],
    ['1.2.3_alpha', '1.2.3_beta'],
    ['1.2.3_beta', '1.2.3_pre'],
    ['1.2.3_pre', '1.2.3_rc'],
    ['1.2.3_rc', '1.2.3'],
    ['1.2.3', '1.2.3_cvs'],
    ['1.2.3_cvs', '1.2.3_svn'],
    ['1.2.3_svn', '1.2.3_git'],
    ['1.2.3_git', '1.2.3_hg'],
    ['1.2.3_hg', '1.2.3_p'],
    ['1.2.3_p1', '1.2.3_p2'],
    ['1.2.3_rc9', '1.2.3_rc10'],
    ['1.2.3_git20240101', '1.2.4'],
    // revisions are numeric; no revision sorts first
    ['1.2.3', '1.2.3-r0'],
    ['1.2.3-r9', '1.2.3-r10'],
    // letters after a number, and before a further dot-number
    ['1.2', '1.2a'],
    ['1.2a', '1.2b'],
    ['1.2z', '1.2.1'],
    // dot-numbers with a leading zero compare as strings
    ['1.01', '1.1'],
    ['1.001', '1.01'],
    ['1.0', '1.00'],
    ['3.0.9-r0', '3.0.10-r0'],
    // security updates
    ['3.3.0-r2', '3.3.2-r0'],
    ['1.36.1-r28', '1.36.1-r29'],
    ['1.0.1q-r0', '1.0.2m-r0'],
    ['20240226-r0', '20240705-r0'],
  ])('%s < %s', (a, b) => {
    expect(compareApkVersions(a, b)).toBe(-1);
    expect(compareApkVersions(b, a)).toBe(1);
  });

  it('compares the first number numerically, even with leading zeros', () => {
    expect(compareApkVersions('01.2', '1.2')).toBe(0);
    expect(compareApkVersions('12345678901234567890123', '12345678901234567890124')).toBe(-1);
  });

  it('throws InvalidVersionError for versions apk rejects', () => {
    expect(() => compareApkVersions('1.0-1', '1.0')).toThrow(InvalidVersionError);
    expect(() => compareApkVersions('1.0', '1.0_foo')).toThrow('invalid apk version "1.0_foo"');
  });
});

describe('compareApkVersionsUnchecked', () => {
  it('orders invalid versions as apk-tools does: by the valid prefix, an invalid tail lowest', () => {
    expect(compareApkVersionsUnchecked('1.0', '1.0bc')).toBe(-1);
    expect(compareApkVersionsUnchecked('23_foo', '4_beta')).toBe(1);
    expect(compareApkVersionsUnchecked('1.0-1', '1.0')).toBe(-1);
    expect(compareApkVersionsUnchecked('', 'x')).toBe(0);
  });
});

describe('isValidApkVersion (apk_version_validate)', () => {
  it.each([
    '1.2',
    '0.1_pre2',
    '0.1_pre2~1234abcd',
    '0.1_p1_pre2',
    '0.1_alpha1_pre2',
    '0.1_git20240101_pre1',
    '1.2.3-r0',
    '1.0~1234-r1',
    '20240226-r0',
  ])('accepts %j', (v) => expect(isValidApkVersion(v)).toBe(true));

  it.each([
    '',
    '0.1bc',
    '0.1bc1',
    '0.1a1',
    '0.1a.1',
    '0.1_pre2~',
    '0.1_pre2~1234xbcd',
    '0.1_pre2~1234abcd_pre1',
    '0.1_pre2-r1~1234xbcd',
    '0.1_foobar',
    '0.1_foobar1',
    '0.1-pre1.1',
    '0.1-r',
    '0.1-r2_pre1',
    '0.1-r2_p3_pre1',
    '0.1-r2-r3',
    '0.1-r2.1',
    '.1',
    'a',
    '_pre1',
    '-r1',
    '0.1_',
    '0.1_-r0',
    '0.1__alpha',
    '0.1_1_alpha',
    '1.0-1',
    '1.0.',
    '1.0A',
  ])('refuses %j', (v) => expect(isValidApkVersion(v)).toBe(false));

  it('says where the version goes wrong', () => {
    expect(checkApkVersion('')).toEqual({ ok: false, message: 'the version is empty' });
    expect(checkApkVersion('v1.0')).toEqual({ ok: false, message: 'it must start with a digit' });
    expect(checkApkVersion('1.0-1')).toEqual({
      ok: false,
      message: 'unexpected "-1": expected digit{.digit}...{letter}{_suffix{N}}...{~hash}{-rN}',
    });
  });
});
