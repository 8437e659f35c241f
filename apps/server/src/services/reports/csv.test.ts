import { describe, expect, it } from 'vitest';
import { csvField, csvLine, csvLines, pctOrEmpty } from './csv.js';

describe('csv', () => {
  it('quotes fields holding commas, quotes and line breaks, doubling quotes', () => {
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('x\ny')).toBe('"x\ny"');
    expect(csvField('plain')).toBe('plain');
  });

  it('neutralises text a spreadsheet would run as a formula, but not negative numbers', () => {
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField(-3)).toBe('-3');
  });

  it('writes null as empty and ends lines with CRLF', () => {
    expect(csvLine(['a', null, 2, true])).toBe('a,,2,true\r\n');
    expect(pctOrEmpty(null)).toBe('');
    expect(pctOrEmpty(2.5)).toBe('2.5000');
  });

  it('streams a header then one line per row of an async source', async () => {
    async function* rows() {
      yield { n: 1 };
      yield { n: 2 };
    }
    const out: string[] = [];
    for await (const l of csvLines(['n'], rows(), (r) => [r.n])) out.push(l);
    expect(out.join('')).toBe('n\r\n1\r\n2\r\n');
  });
});
