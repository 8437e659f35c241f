import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../errors.js';
import { assertStorableText, findUnstorableText, hasUnstorableText } from './text-guard.js';

describe('text PostgreSQL cannot store', () => {
  it('is a NUL or a lone surrogate; paired surrogates (emoji) are fine', () => {
    expect(hasUnstorableText('a\u0000b')).toBe(true);
    expect(hasUnstorableText('x\uD800')).toBe(true);
    expect(hasUnstorableText('\uDC00x')).toBe(true);
    expect(hasUnstorableText('\uDC00\uD800')).toBe(true);
    expect(hasUnstorableText('Zoë 😀 ok')).toBe(false);
  });

  it('is found by path in nested values and keys, whatever the object prototype', () => {
    function Empty() {}
    Empty.prototype = Object.create(null) as object;
    const query = new (Empty as unknown as new () => Record<string, unknown>)();
    query.q = 'a\u0000';
    expect(findUnstorableText(query, ['query'])).toBe('query.q');
    expect(findUnstorableText({ a: [{ b: 'ok' }, { b: 'x\uD800' }] })).toBe('a.1.b');
    expect(findUnstorableText({ a: { ['k\u0000']: 1 } })).toBe('a.(key)');
    expect(findUnstorableText('\u0000')).toBe('(root)');
    expect(findUnstorableText({ a: 'fine', n: 1, z: null })).toBeNull();
  });

  it('does not read streams (the CSV upload checks its own rows)', () => {
    expect(findUnstorableText(Readable.from(['\u0000']))).toBeNull();
  });

  it('throws a ValidationError naming the field', () => {
    expect(() => assertStorableText({ name: 'a\u0000' })).toThrow(ValidationError);
    expect(() => assertStorableText({ name: 'a\u0000' })).toThrow(/^name: contains a NUL/);
    expect(() => assertStorableText({ id: '1\u0000' }, 'params')).toThrow(/^params\.id: /);
  });
});
