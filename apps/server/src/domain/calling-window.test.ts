import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dialableTzKeys,
  effectiveWindow,
  eligibility,
  isDialable,
  localTime,
  localToUtcMs,
  maxAttemptsFor,
  nextEligibleAtMs,
  parseTimeOfDay,
  recycleDelayMs,
  windowClosesAtMs,
  type CallingWindow,
  type RecycleRule,
} from './calling-window.js';

const utc = (s: string) => Date.parse(s);
const H = 3_600_000;
const OPEN: CallingWindow = { startMinute: 0, endMinute: 24 * 60 }; // clipped to 08:00-21:00
const NY = 'America/New_York';
const CHI = 'America/Chicago';
const DEN = 'America/Denver';
const PHX = 'America/Phoenix';
const LA = 'America/Los_Angeles';

describe('effective window and times of day', () => {
  it('parses HH:MM and HH:MM:SS and rejects nonsense', () => {
    expect(parseTimeOfDay('09:00')).toBe(540);
    expect(parseTimeOfDay('20:30:00')).toBe(1230);
    expect(() => parseTimeOfDay('25:00')).toThrow(RangeError);
    expect(() => parseTimeOfDay('nine')).toThrow(RangeError);
  });

  it('clips a campaign window to the legal 08:00-21:00', () => {
    expect(effectiveWindow({ startMinute: 420, endMinute: 1320 })).toEqual({
      startMinute: 480,
      endMinute: 1260,
    });
    expect(effectiveWindow({ startMinute: 540, endMinute: 1200 })).toEqual({
      startMinute: 540,
      endMinute: 1200,
    });
  });
});

describe('single zone', () => {
  it('opens at 08:00 and closes at 21:00 local, whatever the campaign says beyond', () => {
    // 2026-01-15, New York is UTC-5.
    expect(isDialable([NY], OPEN, utc('2026-01-15T12:59:59Z'))).toBe(false);
    expect(isDialable([NY], OPEN, utc('2026-01-15T13:00:00Z'))).toBe(true);
    expect(isDialable([NY], OPEN, utc('2026-01-16T01:59:59Z'))).toBe(true);
    expect(isDialable([NY], OPEN, utc('2026-01-16T02:00:00Z'))).toBe(false);
  });

  it('applies the campaign window when narrower', () => {
    const w = { startMinute: parseTimeOfDay('09:00'), endMinute: parseTimeOfDay('17:00') };
    expect(isDialable([NY], w, utc('2026-01-15T13:30:00Z'))).toBe(false);
    expect(isDialable([NY], w, utc('2026-01-15T14:00:00Z'))).toBe(true);
    expect(isDialable([NY], w, utc('2026-01-15T22:00:00Z'))).toBe(false);
  });
});

describe('DST changes (US 2026: spring forward March 8, fall back November 1)', () => {
  it('opens at 08:00 EDT on the spring-forward day (one hour earlier in UTC than the day before)', () => {
    expect(isDialable([NY], OPEN, utc('2026-03-07T12:30:00Z'))).toBe(false); // 07:30 EST
    expect(isDialable([NY], OPEN, utc('2026-03-07T13:00:00Z'))).toBe(true); // 08:00 EST
    expect(isDialable([NY], OPEN, utc('2026-03-08T11:59:00Z'))).toBe(false); // 07:59 EDT
    expect(isDialable([NY], OPEN, utc('2026-03-08T12:00:00Z'))).toBe(true); // 08:00 EDT
  });

  it('closes at 21:00 EDT on the spring-forward day and 21:00 EST on the fall-back day', () => {
    expect(windowClosesAtMs([NY], OPEN, utc('2026-03-08T15:00:00Z'))).toBe(
      utc('2026-03-09T01:00:00Z'),
    );
    expect(windowClosesAtMs([NY], OPEN, utc('2026-11-01T15:00:00Z'))).toBe(
      utc('2026-11-02T02:00:00Z'),
    );
    expect(windowClosesAtMs([NY], OPEN, utc('2026-10-31T15:00:00Z'))).toBe(
      utc('2026-11-01T01:00:00Z'),
    );
  });

  it('opens at 08:00 EST on the fall-back day', () => {
    expect(isDialable([NY], OPEN, utc('2026-11-01T12:30:00Z'))).toBe(false); // 07:30 EST
    expect(isDialable([NY], OPEN, utc('2026-11-01T13:00:00Z'))).toBe(true);
  });

  it('keeps Arizona (no DST) apart from Denver across the change', () => {
    // Winter: both UTC-7. Summer: Denver UTC-6, Phoenix UTC-7.
    expect(isDialable([PHX, DEN], OPEN, utc('2026-03-07T15:00:00Z'))).toBe(true);
    expect(isDialable([PHX, DEN], OPEN, utc('2026-03-09T14:30:00Z'))).toBe(false); // 07:30 PHX
    expect(isDialable([DEN], OPEN, utc('2026-03-09T14:30:00Z'))).toBe(true); // 08:30 MDT
    expect(windowClosesAtMs([PHX, DEN], OPEN, utc('2026-03-09T20:00:00Z'))).toBe(
      utc('2026-03-10T03:00:00Z'), // 21:00 MDT comes before 21:00 MST
    );
  });

  it('maps a nonexistent local time forward and an ambiguous one to its first occurrence', () => {
    expect(localToUtcMs(NY, 2026, 3, 8, 150)).toBe(utc('2026-03-08T07:30:00Z')); // 02:30 -> 03:30 EDT
    expect(localToUtcMs(NY, 2026, 11, 1, 90)).toBe(utc('2026-11-01T05:30:00Z')); // 01:30 EDT
    expect(localToUtcMs('Europe/Berlin', 2026, 10, 25, 150)).toBe(utc('2026-10-25T00:30:00Z'));
  });
});

describe('split-zone area codes and unknown zones', () => {
  const split = [CHI, NY];

  it('dials a lead that may be in two zones only when both are inside', () => {
    expect(isDialable(split, OPEN, utc('2026-01-15T13:30:00Z'))).toBe(false); // 08:30 ET, 07:30 CT
    expect(isDialable(split, OPEN, utc('2026-01-15T14:00:00Z'))).toBe(true); // 09:00 ET, 08:00 CT
    expect(isDialable(split, OPEN, utc('2026-01-16T02:30:00Z'))).toBe(false); // 21:30 ET, 20:30 CT
  });

  it('closes a split-zone lead when its first zone closes', () => {
    expect(windowClosesAtMs(split, OPEN, utc('2026-01-15T18:00:00Z'))).toBe(
      utc('2026-01-16T02:00:00Z'),
    );
  });

  it('never dials a lead with no candidate zone, nor one with a zone the runtime does not know', () => {
    for (let h = 0; h < 24; h++) {
      const t = utc('2026-06-01T00:00:00Z') + h * H;
      expect(isDialable([], OPEN, t)).toBe(false);
      expect(isDialable(['Mars/Olympus_Mons'], OPEN, t)).toBe(false);
      expect(isDialable([NY, 'Mars/Olympus_Mons'], OPEN, t)).toBe(false);
    }
    expect(windowClosesAtMs([], OPEN, utc('2026-06-01T16:00:00Z'))).toBeNull();
  });

  it('selects the dialable tz_keys, never the unknown key', () => {
    const keys = ['', NY, `${CHI},${NY}`, LA, 'Pacific/Honolulu'];
    // 13:30Z in January: 08:30 ET, 07:30 CT, 05:30 PT, 03:30 HST.
    expect(dialableTzKeys(keys, OPEN, utc('2026-01-15T13:30:00Z'))).toEqual([NY]);
    // 19:00Z: 14:00 ET, 13:00 CT, 11:00 PT, 09:00 HST.
    expect(dialableTzKeys(keys, OPEN, utc('2026-01-15T19:00:00Z'))).toEqual(keys.slice(1));
  });
});

describe('recycling and attempts', () => {
  const rules: Record<string, RecycleRule> = {
    BUSY: { delayS: 600, maxAttempts: 3 },
    NI: { delayS: 86_400 * 7, maxAttempts: 10 },
  };
  const at = utc('2026-01-15T15:00:00Z');

  it('uses the campaign rule, then the system default, then a day', () => {
    expect(recycleDelayMs('BUSY', rules)).toBe(600_000);
    expect(recycleDelayMs('NO_ANSWER', rules)).toBe(3_600_000);
    expect(recycleDelayMs('CALLBK_LATER', rules)).toBe(86_400_000);
  });

  it('caps attempts at the lower of the rule and the campaign', () => {
    expect(maxAttemptsFor('BUSY', rules, 6)).toBe(3);
    expect(maxAttemptsFor('NI', rules, 6)).toBe(6);
    expect(maxAttemptsFor('NO_ANSWER', rules, 6)).toBe(6);
  });

  it('makes a new lead eligible at once and a busy one ten minutes after its call', () => {
    expect(
      nextEligibleAtMs(
        { status: 'NEW', final: false, attempts: 0, lastCalledAtMs: null },
        rules,
        6,
      ),
    ).toBe(Number.NEGATIVE_INFINITY);
    expect(
      nextEligibleAtMs({ status: 'BUSY', final: false, attempts: 1, lastCalledAtMs: at }, rules, 6),
    ).toBe(at + 600_000);
  });

  it('never recycles a final lead or one that used its attempts', () => {
    expect(
      nextEligibleAtMs({ status: 'SALE', final: true, attempts: 1, lastCalledAtMs: at }, rules, 6),
    ).toBeNull();
    expect(
      nextEligibleAtMs({ status: 'BUSY', final: false, attempts: 3, lastCalledAtMs: at }, rules, 6),
    ).toBeNull();
    expect(
      nextEligibleAtMs({ status: 'NA', final: false, attempts: 6, lastCalledAtMs: at }, {}, 6),
    ).toBeNull();
  });

  it('explains why a lead is not eligible', () => {
    const campaign = { window: OPEN, maxAttempts: 6, rules };
    const lead = {
      status: 'BUSY',
      final: false,
      attempts: 1,
      lastCalledAtMs: at,
      candidates: [NY],
    };
    expect(eligibility(lead, campaign, at + 60_000)).toEqual({
      eligible: false,
      reason: 'RECYCLE_DELAY',
    });
    expect(eligibility(lead, campaign, at + 600_000)).toEqual({ eligible: true });
    expect(eligibility({ ...lead, attempts: 3 }, campaign, at + 600_000)).toEqual({
      eligible: false,
      reason: 'MAX_ATTEMPTS',
    });
    expect(eligibility({ ...lead, final: true }, campaign, at)).toEqual({
      eligible: false,
      reason: 'FINAL',
    });
    expect(eligibility({ ...lead, candidates: [] }, campaign, at + 600_000)).toEqual({
      eligible: false,
      reason: 'CALLING_WINDOW',
    });
  });
});

describe('properties', () => {
  const ZONES = [
    NY,
    CHI,
    DEN,
    PHX,
    LA,
    'America/Anchorage',
    'Pacific/Honolulu',
    'America/Puerto_Rico',
    'America/Indiana/Indianapolis',
    'America/Santiago',
    'Europe/London',
    'Europe/Berlin',
    'Australia/Lord_Howe',
    'Asia/Kolkata',
  ];
  // 2024-2030: covers many DST changes in both hemispheres.
  const instant = fc.integer({
    min: utc('2024-01-01T00:00:00Z'),
    max: utc('2030-12-31T00:00:00Z'),
  });
  const zones = fc.subarray(ZONES, { minLength: 1, maxLength: 4 });
  // Half the runs use the full legal window, so that enough instants are dialable to test.
  const window = fc.oneof(
    fc.constant(OPEN),
    fc
      .tuple(fc.integer({ min: 0, max: 1440 }), fc.integer({ min: 0, max: 1440 }))
      .map(([a, b]): CallingWindow => ({ startMinute: Math.min(a, b), endMinute: Math.max(a, b) })),
  );
  const runs = { numRuns: 400 };

  it('never dials outside 08:00-21:00 local in any candidate zone', () => {
    fc.assert(
      fc.property(zones, window, instant, (zs, w, t) => {
        if (!isDialable(zs, w, t)) return;
        for (const z of zs) {
          const m = localTime(z, t)?.minute ?? -1;
          expect(m).toBeGreaterThanOrEqual(Math.max(480, w.startMinute));
          expect(m).toBeLessThan(Math.min(1260, w.endMinute));
        }
      }),
      runs,
    );
  });

  it('a lead dialable with some candidates stays dialable with fewer of them', () => {
    fc.assert(
      fc.property(zones, window, instant, (zs, w, t) => {
        if (!isDialable(zs, w, t)) return;
        for (const z of zs) expect(isDialable([z], w, t)).toBe(true);
      }),
      runs,
    );
  });

  it('the window stays open until windowClosesAtMs and is shut at that instant', () => {
    fc.assert(
      fc.property(zones, window, instant, (zs, w, t) => {
        const c = windowClosesAtMs(zs, w, t);
        expect(c === null).toBe(!isDialable(zs, w, t));
        if (c === null) return;
        expect(c).toBeGreaterThan(t);
        expect(c - t).toBeLessThanOrEqual(13 * H);
        expect(isDialable(zs, w, c - 1)).toBe(true);
        expect(isDialable(zs, w, c)).toBe(false);
        expect(isDialable(zs, w, t + Math.floor((c - t) / 2))).toBe(true);
      }),
      runs,
    );
  });

  it('localToUtcMs inverts localTime to the minute', () => {
    fc.assert(
      fc.property(fc.constantFrom(...ZONES), instant, (z, t) => {
        const floor = t - (t % 60_000);
        const lt = localTime(z, floor);
        if (!lt) throw new Error('zone unknown');
        const u = localToUtcMs(z, lt.year, lt.month, lt.day, lt.minute);
        expect(u).not.toBeNull();
        expect(localTime(z, u ?? 0)?.minute).toBe(lt.minute);
        expect(u).toBeLessThanOrEqual(floor); // first occurrence in an overlap
      }),
    );
  });

  it('a later call never makes a lead eligible sooner; caps are never exceeded', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('BUSY', 'NO_ANSWER', 'MACHINE', 'NI', 'X'),
        fc.integer({ min: 0, max: 20 }),
        instant,
        fc.integer({ min: 0, max: 10 * 86_400_000 }),
        (status, attempts, t, later) => {
          const rules = { BUSY: { delayS: 300, maxAttempts: 4 } };
          const a = nextEligibleAtMs(
            { status, final: false, attempts, lastCalledAtMs: t },
            rules,
            8,
          );
          const b = nextEligibleAtMs(
            { status, final: false, attempts, lastCalledAtMs: t + later },
            rules,
            8,
          );
          expect(a === null).toBe(b === null);
          expect(a === null).toBe(attempts >= maxAttemptsFor(status, rules, 8));
          if (a !== null && b !== null) expect(b).toBeGreaterThanOrEqual(a);
        },
      ),
    );
  });
});
