import { describe, expect, it } from 'vitest';
import { formatReport, parseMapArg } from './import-cli.js';

describe('import CLI', () => {
  it('parses --map pairs, collecting several alt_phones headers', () => {
    expect(
      parseMapArg(['phone=Cell,first_name=Given Name', 'alt_phones=Home,alt_phones=Work']),
    ).toEqual({
      phone: 'Cell',
      first_name: 'Given Name',
      alt_phones: ['Home', 'Work'],
    });
  });

  it('refuses a pair without =', () => {
    expect(() => parseMapArg(['phone'])).toThrow(/not field=Header/);
  });

  it('prints the counts and each rejected row', () => {
    const text = formatReport({
      jobId: '7',
      listId: '3',
      fileName: 'a.csv',
      rowsTotal: 3,
      imported: 1,
      rejected: 1,
      duplicates: 1,
      dnc: 0,
      errors: [{ row: 3, column: 'phone', reason: 'phone is empty' }],
      errorsTruncated: false,
      warnings: [],
      skipped: [{ row: 4, reason: 'duplicate' }],
      timeZones: { postal_code: 0, area_code: 1, country: 0, manual: 0, unknown: 0 },
      mapping: { phone: 'phone' },
      durationMs: 1234,
    });
    expect(text).toContain('imported    1');
    expect(text).toContain('row 3, column phone: phone is empty');
    expect(text).toContain('seconds     1.23');
  });
});
