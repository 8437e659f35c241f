import { describe, expect, it } from 'vitest';
import { parseRange } from './range.js';

describe('parseRange', () => {
  it('answers the whole file without a Range header', () => {
    expect(parseRange(undefined, 1000)).toEqual({ kind: 'full' });
  });
  it('reads the first bytes, a middle range, an open end and a suffix', () => {
    expect(parseRange('bytes=0-99', 1000)).toEqual({ kind: 'partial', start: 0, endInclusive: 99 });
    expect(parseRange('bytes=400-599', 1000)).toEqual({
      kind: 'partial',
      start: 400,
      endInclusive: 599,
    });
    expect(parseRange('bytes=900-', 1000)).toEqual({
      kind: 'partial',
      start: 900,
      endInclusive: 999,
    });
    expect(parseRange('bytes=-100', 1000)).toEqual({
      kind: 'partial',
      start: 900,
      endInclusive: 999,
    });
  });
  it('clips an end or a suffix past the file to the file', () => {
    expect(parseRange('bytes=990-5000', 1000)).toMatchObject({ start: 990, endInclusive: 999 });
    expect(parseRange('bytes=0-99999999999999999999', 1000)).toMatchObject({ endInclusive: 999 });
    expect(parseRange('bytes=-5000', 1000)).toMatchObject({ start: 0, endInclusive: 999 });
  });
  it('refuses ranges past the end, backwards, empty, several, or not in bytes', () => {
    for (const h of [
      'bytes=1000-',
      'bytes=1000-1001',
      'bytes=5-4',
      'bytes=-0',
      'bytes=-',
      'bytes=0-1,5-6',
      'items=0-1',
      'bytes=a-b',
      'bytes=1.5-2',
    ])
      expect(parseRange(h, 1000).kind, h).toBe('unsatisfiable');
    expect(parseRange('bytes=0-0', 0).kind).toBe('unsatisfiable');
  });
});
