import { describe, expect, it } from 'vitest';
import { fieldBreaks } from './import-leads.js';

describe('fieldBreaks', () => {
  it('counts a CR LF inside a field once and reports the pairs separately', () => {
    expect(fieldBreaks(['a\r\nb', 'c\nd\ne', 'f\rg', 'plain'])).toEqual({ breaks: 4, crlf: 1 });
    expect(fieldBreaks(['none'])).toEqual({ breaks: 0, crlf: 0 });
  });
});
