import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../errors.js';
import { byUsage, dayStartMs } from './agent-desk.js';
import { wrapupDeadlineMs } from './wrapup-extension.js';

describe("the agent's day", () => {
  it('starts at midnight on the wall clock of the zone asked for', () => {
    const at = Date.UTC(2026, 11, 7, 3, 30); // 21:30 on Dec 6 in Chicago (UTC-6)
    expect(dayStartMs('UTC', at)).toBe(Date.UTC(2026, 11, 7));
    expect(dayStartMs('America/Chicago', at)).toBe(Date.UTC(2026, 11, 6, 6));
    expect(dayStartMs('Asia/Kolkata', at)).toBe(Date.UTC(2026, 11, 6, 18, 30));
  });

  it('keeps midnight right on a day whose offset changes (DST)', () => {
    // 2026-03-08, New York springs forward at 02:00: midnight is still UTC-5.
    const at = Date.UTC(2026, 2, 8, 20);
    expect(dayStartMs('America/New_York', at)).toBe(Date.UTC(2026, 2, 8, 5));
  });

  it('refuses an unknown zone naming the tz field', () => {
    expect(() => dayStartMs('Mars/Olympus', 0)).toThrow(ValidationError);
  });

  it('orders dispositions by use, keeping display order among equals', () => {
    const d = (code: string) => ({
      code,
      name: code,
      humanAnswered: true,
      sale: false,
      dnc: false,
      callback: false,
      final: false,
    });
    const out = byUsage(
      [d('A'), d('B'), d('C'), d('D')],
      new Map([
        ['C', 2],
        ['D', 2],
        ['A', 0],
      ]),
    );
    expect(out.map((x) => x.code)).toEqual(['C', 'D', 'A', 'B']);
  });
});

describe('wrap-up deadline', () => {
  const a = { callId: 'c1' as never, sinceMs: 1000 };
  it("is the state's start plus the campaign's time, or the extension of this state", () => {
    expect(wrapupDeadlineMs(a, 30_000, null)).toBe(31_000);
    const ext = { callId: 'c1', sinceMs: 1000, used: 1, untilMs: 61_000 };
    expect(wrapupDeadlineMs(a, 30_000, ext)).toBe(61_000);
  });

  it('ignores an extension of another call or of the state before (DEAD before WRAPUP)', () => {
    expect(
      wrapupDeadlineMs(a, 30_000, { callId: 'c0', sinceMs: 1000, used: 1, untilMs: 9e9 }),
    ).toBe(31_000);
    expect(wrapupDeadlineMs(a, 30_000, { callId: 'c1', sinceMs: 500, used: 1, untilMs: 9e9 })).toBe(
      31_000,
    );
  });
});
