import { describe, expect, it } from 'vitest';
import { copyLine, copyValue } from './copy-text.js';

describe('COPY text encoding', () => {
  it('escapes backslash, tab, newline and carriage return, and writes NULL as \\N', () => {
    expect(copyValue('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(copyValue(null)).toBe('\\N');
    expect(copyValue('plain')).toBe('plain');
  });

  it('joins a row with tabs and ends it with a newline', () => {
    expect(copyLine(['1', null, 'x\ty'])).toBe('1\t\\N\tx\\ty\n');
  });
});
