import { describe, expect, it } from 'vitest';
import { epochToZoned, localTime, zonedToEpochMs } from './timezone.js';

describe('callback time in the lead time zone', () => {
  it('10:00 in Chicago in winter is 16:00 UTC', () => {
    expect(zonedToEpochMs('2026-12-01T10:00', 'America/Chicago')).toBe(
      Date.UTC(2026, 11, 1, 16, 0),
    );
  });

  it('10:00 in Chicago in summer is 15:00 UTC', () => {
    expect(zonedToEpochMs('2026-07-01T10:00', 'America/Chicago')).toBe(Date.UTC(2026, 6, 1, 15, 0));
  });

  it('round-trips through the wall-clock text', () => {
    const at = Date.UTC(2026, 2, 20, 18, 30);
    expect(zonedToEpochMs(epochToZoned(at, 'Pacific/Honolulu'), 'Pacific/Honolulu')).toBe(at);
  });

  it('refuses text that is not a date-time', () => {
    expect(zonedToEpochMs('tomorrow', 'UTC')).toBeNull();
  });
});

describe('lead local time', () => {
  it('shows the wall-clock time in the lead zone', () => {
    expect(localTime('America/Chicago', Date.UTC(2026, 11, 1, 16, 5))).toBe('10:05');
  });

  it('gives null for a missing or unknown zone', () => {
    expect(localTime(null, 0)).toBeNull();
    expect(localTime('Mars/Olympus', 0)).toBeNull();
  });
});
