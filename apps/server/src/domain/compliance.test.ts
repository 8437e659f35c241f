import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  checkDial,
  dropBudgetAt,
  holdBudgetMs,
  ledgerCounts,
  ledgerDay,
  MAX_DROP_WAIT_MS,
  ringTimeoutS,
} from './compliance.js';

const NY = 'America/New_York';
// 2026-11-24 17:00 UTC = 12:00 in New York, 02:00 in Tokyo.
const NOON_NY = Date.UTC(2026, 10, 24, 17, 0, 0);
const window = { startMinute: 9 * 60, endMinute: 20 * 60 };
const ok = {
  onDnc: false,
  timeZones: [NY],
  window,
  atMs: NOON_NY,
  readyAgents: 1,
};

describe('checkDial', () => {
  it('allows a lead inside its window with a ready agent and no DNC entry', () => {
    expect(checkDial(ok)).toEqual({ ok: true });
  });

  it('refuses a number on DNC before any other rule', () => {
    const v = checkDial({ ...ok, onDnc: true, timeZones: [], readyAgents: 0 });
    expect(v).toMatchObject({ ok: false, rule: 'DNC' });
  });

  it('refuses a lead whose local time is outside the window', () => {
    expect(checkDial({ ...ok, timeZones: ['Asia/Tokyo'] })).toMatchObject({
      ok: false,
      rule: 'CALLING_WINDOW',
    });
  });

  it('refuses a lead when any one of its candidate zones is outside the window', () => {
    expect(checkDial({ ...ok, timeZones: [NY, 'Asia/Tokyo'] })).toMatchObject({
      rule: 'CALLING_WINDOW',
    });
  });

  it('refuses a lead with an unknown time zone', () => {
    expect(checkDial({ ...ok, timeZones: [] })).toMatchObject({ rule: 'CALLING_WINDOW' });
  });

  it('refuses before 08:00 local even when the campaign window opens earlier', () => {
    const at = Date.UTC(2026, 10, 24, 12, 30); // 07:30 in New York
    const early = { startMinute: 0, endMinute: 24 * 60 };
    expect(checkDial({ ...ok, window: early, atMs: at })).toMatchObject({
      rule: 'CALLING_WINDOW',
    });
  });

  it('refuses at 21:00 local even when the campaign window closes later', () => {
    const at = Date.UTC(2026, 10, 25, 2, 0); // 21:00 in New York
    const late = { startMinute: 0, endMinute: 24 * 60 };
    expect(checkDial({ ...ok, window: late, atMs: at })).toMatchObject({
      rule: 'CALLING_WINDOW',
    });
  });

  it('refuses an automatic dial when the campaign has no ready agent', () => {
    expect(checkDial({ ...ok, readyAgents: 0 })).toMatchObject({ rule: 'NO_READY_AGENT' });
  });

  it('lets a manual dial through without a ready agent', () => {
    expect(checkDial({ ...ok, readyAgents: null })).toEqual({ ok: true });
  });

  it('refuses a lead whose attempts are used up', () => {
    expect(checkDial({ ...ok, attempts: { made: 6, max: 6 } })).toMatchObject({
      rule: 'MAX_ATTEMPTS',
    });
  });

  it('never allows a dial outside 08:00-21:00 local, whatever the campaign window', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 366 * 24 * 60 }),
        fc.integer({ min: 0, max: 1440 }),
        fc.integer({ min: 0, max: 1440 }),
        (minuteOfYear, a, b) => {
          const at = Date.UTC(2026, 0, 1) + minuteOfYear * 60_000;
          const v = checkDial({
            ...ok,
            atMs: at,
            window: { startMinute: Math.min(a, b), endMinute: Math.max(a, b) },
          });
          const local = new Date(at - 5 * 3600_000); // EST; EDT shifts by one hour
          const hour = local.getUTCHours();
          if (hour < 7 || hour >= 21) expect(v.ok).toBe(false);
        },
      ),
    );
  });
});

describe('ringTimeoutS', () => {
  it('never rings less than 15 s', () => {
    expect(ringTimeoutS(5)).toBe(15);
    expect(ringTimeoutS(15)).toBe(15);
    expect(ringTimeoutS(25)).toBe(25);
  });
});

describe('holdBudgetMs', () => {
  it('leaves room to start the safe-harbor message within 2 s', () => {
    expect(holdBudgetMs(2_000, 300)).toBe(1_700);
    expect(holdBudgetMs(1_000, 300)).toBe(1_000);
    expect(holdBudgetMs(5_000, 0)).toBe(MAX_DROP_WAIT_MS);
    expect(holdBudgetMs(2_000, 2_500)).toBe(0);
  });
});

describe('drop budget', () => {
  const today = ledgerDay(NOON_NY);

  it('counts a drop as a human answer too', () => {
    expect(ledgerCounts('DROPPED')).toEqual({ drops: 1, humans: 1 });
    expect(ledgerCounts('HUMAN')).toEqual({ drops: 0, humans: 1 });
    expect(ledgerCounts('MACHINE')).toEqual({ drops: 0, humans: 0 });
  });

  it('allows 3 drops per 100 human answers at a 3% cap', () => {
    const b = dropBudgetAt([{ day: today, drops: 1, humans: 100 }], NOON_NY, 3);
    expect(b.remainingDrops).toBeCloseTo(2);
    expect(b.ratePct).toBeCloseTo(1);
    expect(b.forcesProgressive).toBe(false);
  });

  it('forces progressive when less than one drop is left', () => {
    const b = dropBudgetAt([{ day: today, drops: 3, humans: 110 }], NOON_NY, 3);
    expect(b.remainingDrops).toBeCloseTo(0.3);
    expect(b.forcesProgressive).toBe(true);
    expect(b.humansToRecover).toBe(0);
  });

  it('forgets days older than the rolling 30 days', () => {
    const b = dropBudgetAt(
      [
        { day: today - 30, drops: 50, humans: 100 },
        { day: today - 29, drops: 0, humans: 100 },
      ],
      NOON_NY,
      3,
    );
    expect(b.drops).toBe(0);
    expect(b.humanAnswers).toBe(100);
  });

  it('says how many answers it takes to recover when over the cap', () => {
    const b = dropBudgetAt([{ day: today, drops: 6, humans: 100 }], NOON_NY, 3);
    expect(b.remainingDrops).toBeCloseTo(-3);
    expect(b.humansToRecover).toBe(100);
  });
});
