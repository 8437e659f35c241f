import { describe, expect, it } from 'vitest';
import { checkDial } from './compliance.js';
import {
  checkStateRules,
  DEFAULT_STATE_RULES,
  normalizeState,
  ruleSet,
  stateOrigins,
  statesOfLead,
  stateWindowClosesAtMs,
  stateWindowsOpenAtMs,
} from './state-rules.js';

const RULES = ruleSet(DEFAULT_STATE_RULES);
const NY = 'America/New_York';
const CHI = 'America/Chicago';
/** 2026-06-10 (a Wednesday) at hh:mm New York time (EDT, UTC-4). */
const nyAt = (hh: number, mm = 0) => Date.UTC(2026, 5, 10, hh + 4, mm);
const H = 3_600_000;

describe('state calling rules', () => {
  it('seeds Florida, Maryland, Oklahoma and Washington at 08:00-20:00, with their statutes', () => {
    for (const s of ['FL', 'MD', 'OK', 'WA']) {
      const r = RULES.get(s);
      expect(
        r?.days.every((d) => d?.startMinute === 480 && d.endMinute === 1200),
        s,
      ).toBe(true);
      expect(r?.statute.length, s).toBeGreaterThan(5);
      expect(r?.note).toMatch(/counsel should confirm/);
    }
    expect(['FL', 'MD', 'OK'].map((s) => RULES.get(s)?.maxAttemptsPer24h)).toEqual([3, 3, 3]);
    // Every narrower window stays inside the federal hours.
    for (const r of DEFAULT_STATE_RULES) {
      expect(r.days).toHaveLength(7);
      for (const d of r.days) if (d) expect(d.startMinute >= 480 && d.endMinute <= 1260).toBe(true);
    }
  });

  it('applies the states of the address, the ZIP and the area code', () => {
    expect(statesOfLead({ phone: '+13055550100', state: 'Florida' })).toEqual(['FL']);
    // A Maryland number whose owner's address is in Virginia: both states' rules apply.
    expect(statesOfLead({ phone: '+13015550100', postalCode: '22201', state: 'va' })).toEqual([
      'MD',
      'VA',
    ]);
    expect(stateOrigins({ phone: '+14055550100', postalCode: '32501' })).toEqual([
      { state: 'FL', source: 'postal_code' },
      { state: 'OK', source: 'area_code' },
    ]);
    expect(normalizeState(' new  york ')).toBe('NY');
    expect(normalizeState('XX')).toBeNull();
  });

  it('refuses a Florida lead at 20:30 local although the federal window is open', () => {
    const v = checkStateRules({
      rules: RULES,
      states: ['FL'],
      zones: [NY],
      atMs: nyAt(20, 30),
      attemptsAtMs: [],
    });
    expect(v).toMatchObject({ ok: false, rule: 'STATE_WINDOW', state: 'FL', zone: NY });
    // Allowed again at 08:00 the next morning.
    expect(v.ok ? null : v.retryAtMs).toBe(nyAt(8) + 24 * H);
    expect(
      checkStateRules({
        rules: RULES,
        states: ['NY'],
        zones: [NY],
        atMs: nyAt(20, 30),
        attemptsAtMs: [],
      }),
    ).toEqual({ ok: true });
  });

  it('names the candidate zone that blocks: Central 07:30 while Eastern is 08:30', () => {
    const v = checkStateRules({
      rules: RULES,
      states: ['FL'],
      zones: [CHI, NY],
      atMs: nyAt(8, 30),
      attemptsAtMs: null,
    });
    expect(v).toMatchObject({ ok: false, zone: CHI, localTime: '07:30', window: '08:00-20:00' });
    expect(v.ok ? null : v.retryAtMs).toBe(nyAt(9));
  });

  it('caps Florida at 3 attempts per number in a rolling 24 hours', () => {
    const at = nyAt(12);
    const three = [at - 23 * H, at - 5 * H, at - H];
    const v = checkStateRules({
      rules: RULES,
      states: ['FL'],
      zones: [NY],
      atMs: at,
      attemptsAtMs: three,
    });
    expect(v).toMatchObject({ ok: false, rule: 'STATE_ATTEMPTS', attempts: 3, max: 3 });
    expect(v.ok ? null : v.retryAtMs).toBe(at + H);
    // The oldest attempt 25 hours ago no longer counts.
    const older = [at - 25 * H, at - 5 * H, at - H];
    expect(
      checkStateRules({ rules: RULES, states: ['FL'], zones: [NY], atMs: at, attemptsAtMs: older })
        .ok,
    ).toBe(true);
    // New York has no cap.
    expect(
      checkStateRules({ rules: RULES, states: ['NY'], zones: [NY], atMs: at, attemptsAtMs: three })
        .ok,
    ).toBe(true);
  });

  it('keeps no-Sunday states closed all Sunday and Texas closed until noon on Sunday', () => {
    const sunday = Date.UTC(2026, 5, 14, 15); // 10:00 CDT
    expect(
      checkStateRules({
        rules: RULES,
        states: ['LA'],
        zones: [CHI],
        atMs: sunday,
        attemptsAtMs: null,
      }),
    ).toMatchObject({ ok: false, window: 'none' });
    const tx = checkStateRules({
      rules: RULES,
      states: ['TX'],
      zones: [CHI],
      atMs: sunday,
      attemptsAtMs: null,
    });
    expect(tx).toMatchObject({ ok: false, window: '12:00-21:00' });
    expect(tx.ok ? null : tx.retryAtMs).toBe(Date.UTC(2026, 5, 14, 17));
    // Louisiana opens Monday 08:00.
    expect(stateWindowsOpenAtMs(RULES, ['LA'], [CHI], sunday)).toBe(Date.UTC(2026, 5, 15, 13));
  });

  it('says when the first state window closes (the hopper entry leaves then)', () => {
    expect(stateWindowClosesAtMs(RULES, ['FL'], [CHI, NY], nyAt(12))).toBe(nyAt(20));
    expect(stateWindowClosesAtMs(RULES, ['NY'], [NY], nyAt(12))).toBe(Number.POSITIVE_INFINITY);
  });

  it('checkDial runs the state rules after the federal window and names the zone', () => {
    const base = {
      onDnc: false,
      window: { startMinute: 0, endMinute: 1440 },
      readyAgents: 1,
    };
    const early = checkDial({ ...base, timeZones: [CHI, NY], atMs: nyAt(8, 30) });
    expect(early).toMatchObject({ ok: false, rule: 'CALLING_WINDOW', zone: CHI });
    expect(early.ok ? '' : early.message).toContain('07:30 in America/Chicago');
    const state = { rules: RULES, states: ['MD'], attemptsAtMs: [] };
    expect(checkDial({ ...base, timeZones: [NY], atMs: nyAt(20, 30), state })).toMatchObject({
      ok: false,
      rule: 'STATE_WINDOW',
      state: 'MD',
    });
    expect(checkDial({ ...base, timeZones: [NY], atMs: nyAt(20, 30) }).ok).toBe(true);
  });
});
