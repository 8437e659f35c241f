import { describe, expect, it } from 'vitest';
import {
  formatByCode,
  formatCount,
  formatDay,
  formatDurationMs,
  formatFreshness,
  formatHour,
  formatInstant,
  formatPct,
  formatSeconds,
} from './format.js';

describe('report formatting', () => {
  it('shows durations as h:mm:ss, or mm:ss under an hour', () => {
    expect(formatDurationMs(3_725_000)).toBe('1:02:05');
    expect(formatDurationMs(125_999)).toBe('02:05');
    expect(formatDurationMs(-5)).toBe('00:00');
  });
  it('shows "-" for a KPI without a base, never 0 or NaN', () => {
    expect(formatDurationMs(null)).toBe('-');
    expect(formatPct(null)).toBe('-');
    expect(formatSeconds(null)).toBe('-');
    expect(formatInstant(null)).toBe('-');
  });
  it('shows percents with two decimals and short waits in seconds', () => {
    expect(formatPct(3)).toBe('3.00 %');
    expect(formatPct(1 / 3)).toBe('0.33 %');
    expect(formatSeconds(1_530)).toBe('1.5 s');
  });
  it('shows instants, hours and days in UTC', () => {
    const t = Date.UTC(2026, 4, 10, 9, 0, 10, 500);
    expect(formatInstant(t)).toBe('2026-05-10 09:00:10');
    expect(formatHour(t)).toBe('2026-05-10 09:00');
    expect(formatDay(t)).toBe('2026-05-10');
  });
  it('groups thousands without depending on the locale', () => {
    expect(formatCount(0)).toBe('0');
    expect(formatCount(1234567)).toBe('1,234,567');
  });
  it('lists values by code, largest first, naming the empty code', () => {
    expect(formatByCode({ LUNCH: 300, '': 60, BREAK: 900 }, String)).toBe(
      'BREAK 900, LUNCH 300, (none) 60',
    );
    expect(formatByCode({}, String)).toBe('-');
  });
});

describe('formatFreshness', () => {
  const f = { source: 'replica' as const, replayedAtMs: null, lagMs: null, fellBack: false };
  it('says nothing for the primary and names the replica and its lag otherwise', () => {
    expect(formatFreshness(undefined)).toBeNull();
    expect(formatFreshness({ ...f, source: 'primary' })).toBeNull();
    expect(formatFreshness({ ...f, source: 'primary', fellBack: true })).toMatch(/unavailable/);
    expect(formatFreshness(f)).toMatch(/not a streaming standby/);
    const at = Date.UTC(2026, 4, 10, 9, 0, 0);
    expect(formatFreshness({ ...f, replayedAtMs: at, lagMs: 0 })).toBe(
      'From the reports replica, up to date (replayed up to 2026-05-10 09:00:00 UTC).',
    );
    expect(formatFreshness({ ...f, replayedAtMs: at, lagMs: 12_400 })).toBe(
      'From the reports replica, about 12 s behind the primary (replayed up to 2026-05-10 09:00:00 UTC).',
    );
  });
});
