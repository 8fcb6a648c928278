import { describe, expect, it } from '@jest/globals';
import { csvField, markdownText, mermaidLabel, xmlAttr, xmlText } from './report-cells.js';

describe('markdownText', () => {
  it('makes Markdown, HTML and control characters inert, on one line', () => {
    expect(markdownText('a|b `c` <img src=x> [l](u) @team\n::error::x\u001b[8m')).toBe(
      'a&#124;b &#96;c&#96; &lt;img src=x&gt; &#91;l&#93;(u) &#64;team&#92;n::error::x&#92;x1b&#91;8m',
    );
  });
});

describe('mermaidLabel', () => {
  it('cannot end the string or the block', () => {
    expect(mermaidLabel('12-01"]\n```')).toBe("12-01']\\n'''");
  });
});

describe('csvField', () => {
  it.each([
    ['=HYPERLINK("http://x","y")', `"'=HYPERLINK(""http://x"",""y"")"`],
    ['+1', "'+1"],
    ['-1', "'-1"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\t=1', "'\t=1"],
    ['\r=1', `"'\r=1"`],
    ['  =1', "'  =1"],
    ['＝1', "'＝1"],
  ])('guards %j against formula injection', (value, field) => {
    expect(csvField(value)).toBe(field);
  });

  it('quotes per RFC 4180 and shows other control characters escaped', () => {
    expect(csvField('a,"b"\r\nc')).toBe('"a,""b""\r\nc"');
    expect(csvField('x\u001b[2Jy')).toBe('x\\x1b[2Jy');
    expect(csvField('plain')).toBe('plain');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(null)).toBe('');
  });
});

describe('xmlText and xmlAttr', () => {
  it('escape markup and show what XML 1.0 cannot carry', () => {
    expect(xmlText('a<b>&c\u0000\u001b[2J\ufffe\ud800')).toBe('a&lt;b&gt;&amp;c\\x00\\x1b[2J\\ufffe\\ud800');
    expect(xmlAttr('"q"\n\tx')).toBe('&quot;q&quot;&#10;&#9;x');
  });
});
