import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.js';
import { checkMapping, resolveMapping } from './mapping.js';

describe('resolveMapping', () => {
  it('detects usual header names without a mapping and sends the other columns to custom', () => {
    const m = resolveMapping(['Phone Number', 'First Name', 'ZIP', 'Alt Phone', 'Account'], {});
    expect(m.fields).toEqual({ phone: 0, first_name: 1, postal_code: 2 });
    expect(m.altPhones).toEqual([3]);
    expect(m.custom).toEqual([[4, 'Account']]);
    expect(m.used).toEqual({
      phone: 'Phone Number',
      first_name: 'First Name',
      postal_code: 'ZIP',
      alt_phones: ['Alt Phone'],
    });
  });

  it('lets an explicit mapping win and still detects the fields it does not name', () => {
    const m = resolveMapping(['phone', 'Cell', 'city'], { phone: 'Cell' });
    expect(m.fields).toEqual({ phone: 1, city: 2 });
    // The column called "phone" is not the phone any more: it is kept as a custom field.
    expect(m.custom).toEqual([[0, 'phone']]);
  });

  it('matches mapped headers ignoring case and spacing, and names empty headers by position', () => {
    const m = resolveMapping(['TEL', ''], { phone: 'tel' });
    expect(m.fields.phone).toBe(0);
    expect(m.custom).toEqual([[1, 'column_2']]);
  });

  it.each([
    [['name', 'city'], {}, /no phone column/],
    [['phone'], { phone: 'Mobile' }, /no column "Mobile"/],
    [['phone', 'phone'], {}, /appears twice/],
    [['a', 'b'], { phone: 'a', first_name: 'a' }, /mapped to two fields/],
  ])('refuses header %j with mapping %j', (header, mapping, message) => {
    expect(() => resolveMapping(header, mapping)).toThrow(message);
  });
});

describe('checkMapping', () => {
  it('accepts lead fields with one header (several for alt_phones)', () => {
    expect(checkMapping({ phone: 'P', alt_phones: ['A', 'B'] })).toEqual({
      phone: 'P',
      alt_phones: ['A', 'B'],
    });
    expect(checkMapping(undefined)).toEqual({});
  });

  it.each([[{ phon: 'P' }], [{ phone: '' }], [{ phone: ['A', 'B'] }], [['phone']], [{ phone: 3 }]])(
    'refuses %j with a ValidationError',
    (mapping) => {
      expect(() => checkMapping(mapping)).toThrow(ValidationError);
    },
  );
});
