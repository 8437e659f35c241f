import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.js';
import { decodeText, detectEncoding, guardFields, OVERSIZED_MARK } from './text-stream.js';

async function collect(gen: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const s of gen) out += s;
  return out;
}
async function* from<T>(parts: T[]): AsyncGenerator<T> {
  for (const p of parts) yield p;
}

describe('detectEncoding', () => {
  it('is UTF-8 for UTF-8 text, even with a character cut at the end of an incomplete head', () => {
    expect(detectEncoding(Buffer.from('phone,name\n1,Zoë\n'), true)).toBe('utf-8');
    const cut = Buffer.from('phone,name\n1,Zoë').subarray(0, -1);
    expect(detectEncoding(cut, false)).toBe('utf-8');
    expect(detectEncoding(cut, true)).toBe('windows-1252');
  });

  it('is Windows-1252 for Latin-1 bytes', () => {
    expect(detectEncoding(Buffer.from('1,Zo\xeb\n', 'latin1'), true)).toBe('windows-1252');
  });
});

describe('decodeText', () => {
  it('decodes Windows-1252 (0x93 is a curly quote, not a control character)', async () => {
    const text = await collect(
      decodeText(from([Buffer.from('\x93Zo\xeb\x94', 'latin1')]), 'windows-1252'),
    );
    expect(text).toBe('“Zoë”');
  });

  it('joins a UTF-8 character split across chunks, and refuses bad UTF-8', async () => {
    const b = Buffer.from('Zoë');
    expect(await collect(decodeText(from([b.subarray(0, 3), b.subarray(3)]), 'utf-8'))).toBe('Zoë');
    await expect(
      collect(decodeText(from([Buffer.from([0x41, 0xeb, 0x0a])]), 'utf-8')),
    ).rejects.toThrow(ValidationError);
  });
});

describe('guardFields', () => {
  it('cuts a long field, keeps the others, its line breaks and quotes, across chunks', async () => {
    const input = ['a,', 'x'.repeat(6), 'xx,b\nc,"y\n', 'yyyyyy""yy",d\n'];
    const out = await collect(guardFields(from(input), ',', 5));
    expect(out).toBe(`a,xxxxx${OVERSIZED_MARK},b\nc,"y\nyy${OVERSIZED_MARK}""",d\n`);
  });

  it('leaves a file without long fields unchanged', async () => {
    const csv = 'phone,"a, b"\n1,"x""y"\r\n';
    expect(await collect(guardFields(from([csv]), ',', 10))).toBe(csv);
  });
});
