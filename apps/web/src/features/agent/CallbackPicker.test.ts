import { describe, expect, it } from 'vitest';
import { callbackRefusal, firstCallable } from './CallbackPicker.js';
import { zonedToEpochMs } from '../../core/timezone.js';

const ZONE = 'America/Chicago';
const HOURS = { start: '09:00', end: '20:00' };
// 2026-12-07 14:05 in Chicago (UTC-6).
const NOW = Date.UTC(2026, 11, 7, 20, 5);

describe('callback picker', () => {
  it("accepts a future time inside the lead's callable hours", () => {
    expect(callbackRefusal('2026-12-08T10:30', ZONE, HOURS, NOW)).toBeNull();
    expect(callbackRefusal('2026-12-07T19:59', ZONE, HOURS, NOW)).toBeNull();
  });

  it("refuses a time outside the hours, naming them and the lead's zone", () => {
    expect(callbackRefusal('2026-12-08T20:00', ZONE, HOURS, NOW)).toBe(
      'The lead can be called 09:00-20:00 their time (America/Chicago): choose a time in that window.',
    );
    expect(callbackRefusal('2026-12-08T08:59', ZONE, HOURS, NOW)).toMatch(/09:00-20:00/);
  });

  it('refuses the past, more than a year ahead, and an incomplete value', () => {
    expect(callbackRefusal('2026-12-07T14:00', ZONE, HOURS, NOW)).toMatch(/future/);
    expect(callbackRefusal('2028-01-10T10:00', ZONE, HOURS, NOW)).toMatch(/within a year/);
    expect(callbackRefusal('2026-12-08T', ZONE, HOURS, NOW)).toMatch(/date and time/);
  });

  it('suggests the first callable time: later today, or the next opening', () => {
    expect(firstCallable(NOW, ZONE, HOURS)).toBe('2026-12-07T14:15');
    const late = zonedToEpochMs('2026-12-07T20:30', ZONE) ?? 0;
    expect(firstCallable(late, ZONE, HOURS)).toBe('2026-12-08T09:00');
    const early = zonedToEpochMs('2026-12-07T06:10', ZONE) ?? 0;
    expect(firstCallable(early, ZONE, HOURS)).toBe('2026-12-07T09:00');
  });
});
