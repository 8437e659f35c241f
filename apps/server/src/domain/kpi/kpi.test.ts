import { describe, expect, it } from 'vitest';
import {
  agentTimeTotals,
  ahtMs,
  asaMs,
  contactsPerHour,
  conversionPct,
  dropRatePct,
  occupancyPct,
  timeBucket,
} from './kpi.js';

/*
 * Fixture: one agent's shift, computed by hand.
 *   08:00-08:10 READY 600 s        08:10-08:10:05 RESERVED 5 s
 *   08:10:05-08:14:05 INCALL 240 s 08:14:05-08:14:15 DEAD 10 s
 *   08:14:15-08:15:15 WRAPUP 60 s  08:15:15-08:30:15 PAUSED BREAK 900 s
 *   08:30:15-08:35:15 READY 300 s  08:35:15-08:37:15 INCALL 120 s
 *   08:37:15-08:37:45 WRAPUP 30 s  08:37:45-08:42:45 PAUSED LUNCH 300 s
 *   then LOGGED_OUT 3600 s (not login time).
 * wait = 600 + 5 + 300 = 905 s; talk = 240 + 120 = 360 s; dead = 10 s; wrap = 60 + 30 = 90 s;
 * pause = 900 + 300 = 1200 s; login = 905 + 360 + 10 + 90 + 1200 = 2565 s.
 * occupancy = (360 + 10 + 90) / (360 + 10 + 90 + 905) = 460 / 1365 = 33.699...%
 * 2 handled calls: contacts/hour = 2 / (2565 / 3600) = 2.80701...
 */
const SHIFT = [
  { state: 'READY', pauseCode: null, durationMs: 600_000 },
  { state: 'RESERVED', pauseCode: null, durationMs: 5_000 },
  { state: 'INCALL', pauseCode: null, durationMs: 240_000 },
  { state: 'DEAD', pauseCode: null, durationMs: 10_000 },
  { state: 'WRAPUP', pauseCode: null, durationMs: 60_000 },
  { state: 'PAUSED', pauseCode: 'BREAK', durationMs: 900_000 },
  { state: 'READY', pauseCode: null, durationMs: 300_000 },
  { state: 'INCALL', pauseCode: null, durationMs: 120_000 },
  { state: 'WRAPUP', pauseCode: null, durationMs: 30_000 },
  { state: 'PAUSED', pauseCode: 'LUNCH', durationMs: 300_000 },
  { state: 'LOGGED_OUT', pauseCode: null, durationMs: 3_600_000 },
];

describe('agentTimeTotals', () => {
  it('sums a hand-computed shift into login, wait, talk, dead, wrap-up and pause by code', () => {
    expect(agentTimeTotals(SHIFT)).toEqual({
      loginMs: 2_565_000,
      waitMs: 905_000,
      talkMs: 360_000,
      deadMs: 10_000,
      wrapMs: 90_000,
      pauseMs: 1_200_000,
      pauseByCodeMs: { BREAK: 900_000, LUNCH: 300_000 },
    });
  });

  it('counts a pause without a code under the empty code and skips unknown states', () => {
    const t = agentTimeTotals([
      { state: 'PAUSED', pauseCode: null, durationMs: 1_000 },
      { state: 'NAPPING', pauseCode: null, durationMs: 9_999 },
    ]);
    expect(t.pauseByCodeMs).toEqual({ '': 1_000 });
    expect(t.loginMs).toBe(1_000);
  });

  it('puts RESERVED in wait and LOGGED_OUT outside login time', () => {
    expect(timeBucket('RESERVED')).toBe('wait');
    expect(timeBucket('LOGGED_OUT')).toBe('out');
    expect(timeBucket('DEAD')).toBe('dead');
  });
});

describe('KPIs on the hand-computed shift', () => {
  const t = agentTimeTotals(SHIFT);

  it('occupancy is busy time over busy plus waiting time: 460 / 1365', () => {
    expect(occupancyPct(t)).toBeCloseTo((100 * 460) / 1365, 10);
    expect(occupancyPct(t)).toBeCloseTo(33.699633, 5);
  });

  it('contacts per hour is 2 calls over 2565 s logged in: 2.807 per hour', () => {
    expect(contactsPerHour({ handledCalls: 2, loginMs: t.loginMs })).toBeCloseTo(2.807018, 5);
  });

  it('AHT is (talk + wrap-up) per call: (360 s + 90 s) / 2 = 225 s', () => {
    expect(ahtMs({ talkMs: t.talkMs, wrapMs: t.wrapMs, handledCalls: 2 })).toBe(225_000);
  });
});

describe('ahtMs', () => {
  it('rounds to the millisecond: (1000 + 1) / 3 = 333.67 -> 334', () => {
    expect(ahtMs({ talkMs: 1_000, wrapMs: 1, handledCalls: 3 })).toBe(334);
  });
  it('is null without handled calls', () => {
    expect(ahtMs({ talkMs: 5_000, wrapMs: 0, handledCalls: 0 })).toBeNull();
  });
});

describe('asaMs', () => {
  it('averages answer-to-agent waits: 300 + 1200 + 1500 ms over 3 calls = 1000 ms', () => {
    expect(asaMs({ answerWaitMs: 3_000, connectedCalls: 3 })).toBe(1_000);
  });
  it('is null without connected calls', () => {
    expect(asaMs({ answerWaitMs: 0, connectedCalls: 0 })).toBeNull();
  });
});

describe('dropRatePct', () => {
  it('is drops over human answers, drops included: 3 of 100 = 3%', () => {
    expect(dropRatePct({ drops: 3, humanAnswers: 100 })).toBe(3);
  });
  it('is 1 / 3 = 33.33% with one drop among three live answers', () => {
    expect(dropRatePct({ drops: 1, humanAnswers: 3 })).toBeCloseTo(33.333333, 5);
  });
  it('is null before the first human answer', () => {
    expect(dropRatePct({ drops: 0, humanAnswers: 0 })).toBeNull();
  });
});

describe('occupancyPct', () => {
  it('is 100% for an agent who never waited and null for one who only paused', () => {
    expect(occupancyPct({ talkMs: 10, deadMs: 0, wrapMs: 5, waitMs: 0 })).toBe(100);
    expect(occupancyPct({ talkMs: 0, deadMs: 0, wrapMs: 0, waitMs: 0 })).toBeNull();
  });
});

describe('contactsPerHour and conversionPct', () => {
  it('30 calls in 7.5 h is 4 per hour; null without login time', () => {
    expect(contactsPerHour({ handledCalls: 30, loginMs: 7.5 * 3_600_000 })).toBe(4);
    expect(contactsPerHour({ handledCalls: 3, loginMs: 0 })).toBeNull();
  });
  it('conversion is sales per handled call: 3 of 40 = 7.5%', () => {
    expect(conversionPct({ sales: 3, handledCalls: 40 })).toBe(7.5);
    expect(conversionPct({ sales: 0, handledCalls: 0 })).toBeNull();
  });
});
