import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { checkText, guessDelimiter, sniff } from './sniff.js';

describe('checkText', () => {
  it('accepts ordinary CSV text, including a few stray control characters', () => {
    expect(() =>
      checkText(Buffer.from('phone,name\n' + '2125550100,Ann\n'.repeat(20) + 'x\x0b\n')),
    ).not.toThrow();
  });

  it.each([
    ['an empty file', Buffer.alloc(0), /empty/],
    ['NUL bytes', Buffer.from('ph\0one\0na\0me\n'), /binary/],
    ['a zip/xlsx signature', Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x41]), /Excel or ZIP/],
    ['a PDF', Buffer.from('%PDF-1.7\n'), /PDF/],
    ['UTF-16 text', Buffer.from('\ufeffphone', 'utf16le'), /UTF-16/],
    ['many control characters', Buffer.from('\x01\x02\x03\x04abc'), /binary/],
  ])('refuses %s as not CSV', (_what, head, message) => {
    expect(() => checkText(head)).toThrow(message);
  });
});

describe('guessDelimiter', () => {
  it.each([
    ['phone,name,city\n1;2;3;4\n', ','],
    ['phone;name;"a,b,c"\n', ';'],
    ['phone\tname\n', '\t'],
    ['phone|name\n', '|'],
    ['phone\n', ','],
  ])('reads %j as delimited by %j', (text, delimiter) => {
    expect(guessDelimiter(Buffer.from(text))).toBe(delimiter);
  });
});

describe('sniff', () => {
  it('gives back the whole input, the sniffed head first, chunk by chunk', async () => {
    const chunks = ['phone;name\n', 'x'.repeat(70_000), '\nend\n'];
    const { stream, delimiter } = await sniff(Readable.from(chunks));
    const out: Buffer[] = [];
    for await (const c of stream) out.push(c as Buffer);
    expect(delimiter).toBe(';');
    expect(Buffer.concat(out).toString()).toBe(chunks.join(''));
  });
});
