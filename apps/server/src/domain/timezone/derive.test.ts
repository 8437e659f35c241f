import { describe, expect, it } from 'vitest';
import { AREA_CODE_ZONES } from './area-codes.js';
import { deriveTimeZone, tzKey, zonesForPhone } from './derive.js';
import { zonesForPostalCode } from './postal-codes.js';

describe('deriveTimeZone', () => {
  it("uses the US ZIP code's zones and cross-checks them with the area code's", () => {
    // A Los Angeles number whose owner lives in Beverly Hills: one zone.
    expect(deriveTimeZone({ phone: '+13105550100', postalCode: '90210', country: 'US' })).toEqual({
      timeZone: 'America/Los_Angeles',
      candidates: ['America/Los_Angeles'],
      key: 'America/Los_Angeles',
      source: 'postal_code',
    });
    // A New York number whose owner's address is in Beverly Hills may be in either place: both
    // zones are candidates, and the lead is called only when both are inside the window.
    expect(deriveTimeZone({ phone: '+12125550100', postalCode: '90210', country: 'US' })).toEqual({
      timeZone: null,
      candidates: ['America/Los_Angeles', 'America/New_York'],
      key: 'America/Los_Angeles,America/New_York',
      source: 'postal_code',
    });
  });

  it('accepts ZIP+4 and a ZIP whose leading zero a spreadsheet dropped', () => {
    expect(deriveTimeZone({ phone: '+12125550100', postalCode: '10001-1234' }).timeZone).toBe(
      'America/New_York',
    );
    expect(deriveTimeZone({ phone: '+13125550100', postalCode: '2134' }).source).toBe(
      'postal_code',
    );
  });

  it('falls back to the area code when the postal code is missing or unknown', () => {
    const chicago = {
      timeZone: 'America/Chicago',
      candidates: ['America/Chicago'],
      key: 'America/Chicago',
      source: 'area_code',
    };
    expect(deriveTimeZone({ phone: '+13125550100' })).toEqual(chicago);
    expect(deriveTimeZone({ phone: '+13125550100', postalCode: '00000' })).toEqual(chicago);
    expect(deriveTimeZone({ phone: '+13125550100', postalCode: 'not a zip' })).toEqual(chicago);
  });

  it('gives every zone of a split area code, sorted, and no single zone', () => {
    const panhandle = deriveTimeZone({ phone: '+18505550100' });
    expect(panhandle).toEqual({
      timeZone: null,
      candidates: ['America/Chicago', 'America/New_York'],
      key: 'America/Chicago,America/New_York',
      source: 'area_code',
    });
    expect(deriveTimeZone({ phone: '+12085550100' }).candidates).toEqual([
      'America/Boise',
      'America/Los_Angeles',
    ]);
    expect(deriveTimeZone({ phone: '+18675550100' }).candidates).toHaveLength(4);
  });

  it('gives toll-free and unassigned NANP numbers every zone of their country', () => {
    const us = deriveTimeZone({ phone: '+18005550100', country: 'US' });
    expect(us.source).toBe('country');
    expect(us.timeZone).toBeNull();
    expect(us.candidates).toHaveLength(7);
    expect(us.candidates).toContain('Pacific/Honolulu');
    expect(us.candidates).toContain('America/New_York');
    const anywhere = deriveTimeZone({ phone: '+15555550100' });
    expect(anywhere.source).toBe('country');
    expect(anywhere.candidates).toHaveLength(14);
    expect(anywhere.key).toBe([...anywhere.candidates].sort().join(','));
  });

  it('returns unknown for non-NANP numbers it cannot place', () => {
    const unknown = { timeZone: null, candidates: [], key: '', source: 'unknown' };
    expect(deriveTimeZone({ phone: '+442071838750' })).toEqual(unknown);
    expect(
      deriveTimeZone({ phone: '+442071838750', postalCode: 'SW1A 1AA', country: 'GB' }),
    ).toEqual(unknown);
  });

  it('resolves Canadian postal codes by province, split where a province spans zones', () => {
    expect(deriveTimeZone({ phone: '+14035550100', postalCode: 'T2P 1J9' }).timeZone).toBe(
      'America/Edmonton',
    );
    expect(zonesForPostalCode('P7B 5E1', 'CA')).toEqual(['America/Toronto', 'America/Winnipeg']);
    // A Canadian code is not read as a US ZIP when the lead is in the US.
    expect(zonesForPostalCode('T2P 1J9', 'US')).toEqual([]);
  });

  it('places Show Low, Arizona (off the Navajo Nation) on Arizona time', () => {
    // The old hand table said America/Shiprock (Denver) for 85901.
    expect(zonesForPostalCode('85901', 'US')).toEqual(['America/Phoenix']);
  });
});

describe('area code table', () => {
  it('covers every US state capital area code with a valid IANA zone', () => {
    for (const code of ['212', '202', '617', '404', '512', '303', '602', '916', '907', '808']) {
      expect(AREA_CODE_ZONES.get(code)?.length, code).toBeGreaterThan(0);
    }
    for (const zones of AREA_CODE_ZONES.values()) {
      for (const zone of zones) {
        expect(() => new Intl.DateTimeFormat('en-US', { timeZone: zone })).not.toThrow();
      }
    }
  });

  it('keeps the zones of each code sorted so the key is stable', () => {
    for (const zones of AREA_CODE_ZONES.values()) expect([...zones].sort()).toEqual(zones);
  });

  it('ignores numbers that are not +1 with ten digits', () => {
    expect(zonesForPhone('+1212555')).toEqual([]);
    expect(zonesForPhone('2125550100')).toEqual([]);
  });

  it('builds the key from sorted, distinct zones', () => {
    expect(tzKey(['B/x', 'A/y', 'B/x'])).toBe('A/y,B/x');
    expect(tzKey([])).toBe('');
  });
});
