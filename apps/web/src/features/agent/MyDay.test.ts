import { describe, expect, it } from 'vitest';
import type { MyDayResponse } from '@ringside/protocol';
import { fmtDuration, pauseLines } from './MyDay.js';

const AT = 1_000_000;
const day = (pauses: MyDayResponse['pauses']): MyDayResponse => ({
  dayStartMs: 0,
  timeZone: 'UTC',
  calls: 3,
  talkMs: 300_000,
  avgHandleMs: 120_000,
  sales: 1,
  pauses,
  atMs: AT,
});

describe("the agent's day", () => {
  it('reads a pause against its limit: fine, warned from 80 %, and over', () => {
    const lines = pauseLines(
      day([
        { code: 'BREAK', name: 'Break', usedMs: 11 * 60_000, limitMin: 15 },
        { code: 'LUNCH', name: 'Lunch', usedMs: 31 * 60_000, limitMin: 30 },
        { code: 'TRAIN', name: 'Training', usedMs: 5 * 60_000, limitMin: 60 },
        { code: 'MEET', name: 'Meeting', usedMs: 0, limitMin: null },
      ]),
      null,
      AT,
    );
    expect(lines.map((l) => [l.code, l.tone, l.text])).toEqual([
      ['BREAK', 'ok', '11 of 15 min'],
      ['LUNCH', 'over', '31 of 30 min: over by 1 min'],
      ['TRAIN', 'ok', '5 of 60 min'],
    ]);
  });

  it('counts the open pause up to now, so the warning comes before the limit runs out', () => {
    const d = day([{ code: 'BREAK', name: 'Break', usedMs: 11 * 60_000, limitMin: 15 }]);
    expect(pauseLines(d, 'BREAK', AT + 60_000)[0]).toMatchObject({
      tone: 'warn',
      text: '12 of 15 min: 3 min left',
    });
    // Another code's pause does not count against it.
    expect(pauseLines(d, 'LUNCH', AT + 60_000)[0]?.tone).toBe('ok');
  });

  it('formats durations as m:ss, and h:mm:ss past an hour', () => {
    expect(fmtDuration(65_000)).toBe('1:05');
    expect(fmtDuration(3_725_000)).toBe('1:02:05');
  });
});
