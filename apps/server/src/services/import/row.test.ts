import { describe, expect, it } from 'vitest';
import { resolveMapping } from './mapping.js';
import { fastNanp, normaliseCountry, normaliseRow, toE164 } from './row.js';

const mapping = resolveMapping(['phone', 'first_name', 'zip', 'country', 'alt', 'Notes'], {});

describe('normaliseRow', () => {
  it('normalises the phone to E.164, derives the zone and keeps other columns as custom', () => {
    const r = normaliseRow(['(212) 555-0100', ' Ann ', '', '', '', 'vip'], 2, mapping, 'US');
    expect(r).toEqual({
      ok: true,
      warnings: [],
      lead: expect.objectContaining({
        row: 2,
        phone: '+12125550100',
        firstName: 'Ann',
        postalCode: null,
        country: 'US',
        timeZone: 'America/New_York',
        tzKey: 'America/New_York',
        tzSource: 'area_code',
        custom: { Notes: 'vip' },
      }),
    });
  });

  it('reads a number in the row country when the row has one', () => {
    const r = normaliseRow(['020 7183 8750', '', '', 'United Kingdom', '', ''], 3, mapping, 'US');
    expect(r.ok).toBe(false);
    const gb = normaliseRow(['020 7183 8750', '', '', 'GB', '', ''], 3, mapping, 'US');
    expect(gb.ok && gb.lead.phone).toBe('+442071838750');
  });

  it('reports every problem of a bad row with its column', () => {
    const r = normaliseRow(['12', 'x'.repeat(201), '', 'Narnia', '', ''], 7, mapping, 'US');
    expect(r).toEqual({
      ok: false,
      errors: [
        { row: 7, column: 'country', reason: 'not a country code' },
        { row: 7, column: 'phone', reason: 'not a valid phone number (country US)' },
        { row: 7, column: 'first_name', reason: 'longer than 200 characters' },
      ],
    });
  });

  it('drops an invalid alternate with a warning and keeps the row', () => {
    const r = normaliseRow(['2125550100', '', '', '', '415 555 2671; nope', ''], 4, mapping, 'US');
    expect(r.ok && r.lead.altPhones).toEqual(['+14155552671']);
    expect(r.ok && r.warnings).toEqual([
      { row: 4, column: 'alt', reason: 'alternate number is not valid; dropped' },
    ]);
  });

  it('refuses a row whose column count differs from the header', () => {
    expect(normaliseRow(['2125550100'], 5, mapping, 'US')).toEqual({
      ok: false,
      errors: [{ row: 5, column: '', reason: 'has 1 columns, the header has 6' }],
    });
  });
});

describe('helpers', () => {
  it('turns country names and codes into ISO alpha-2', () => {
    expect(normaliseCountry('usa')).toBe('US');
    expect(normaliseCountry('Canada')).toBe('CA');
    expect(normaliseCountry('de')).toBe('DE');
    expect(normaliseCountry('Germany')).toBeNull();
  });

  it('accepts only valid numbers', () => {
    expect(toE164('+1 415 555 2671', 'US')).toBe('+14155552671');
    expect(toE164('212-123-4567', 'US')).toBeNull();
    expect(toE164('555-1234', 'US')).toBeNull();
  });
});

describe('fastNanp', () => {
  it('agrees with libphonenumber on every number it answers (property)', async () => {
    const fc = await import('fast-check');
    const { parsePhoneNumberFromString } = await import('libphonenumber-js');
    const { AREA_CODE_ZONES } = await import('../../domain/timezone/index.js');
    const codes = [...AREA_CODE_ZONES.keys(), '800', '555', '123', '911'];
    const formats = [
      (a: string, e: string, l: string) => `(${a}) ${e}-${l}`,
      (a: string, e: string, l: string) => `${a}.${e}.${l}`,
      (a: string, e: string, l: string) => `+1 ${a} ${e} ${l}`,
      (a: string, e: string, l: string) => `1${a}${e}${l}`,
      (a: string, e: string, l: string) => `+${a}${e}${l}`,
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...codes),
        fc.integer({ min: 0, max: 999 }),
        fc.integer({ min: 0, max: 9999 }),
        fc.constantFrom(...formats),
        fc.constantFrom('US', 'CA', 'GB'),
        (ac, ex, line, format, country) => {
          const value = format(ac, String(ex).padStart(3, '0'), String(line).padStart(4, '0'));
          const fast = fastNanp(value, country);
          if (fast === undefined) return;
          const slow = parsePhoneNumberFromString(value, country as 'US');
          expect(fast).toBe(slow?.isValid() ? slow.number : null);
        },
      ),
      { numRuns: 5000 },
    );
  });

  it('leaves numbers it cannot be sure of to libphonenumber', () => {
    expect(fastNanp('+2125550100', 'US')).toBeUndefined();
    expect(fastNanp('212-555-0100 x12', 'US')).toBeUndefined();
    expect(fastNanp('212-555-0100', 'GB')).toBeUndefined();
    expect(fastNanp('212-155-0100', 'US')).toBeUndefined();
    expect(fastNanp('(212) 555-0100', 'US')).toBe('+12125550100');
  });
});
