import { describe, expect, it } from 'vitest';
import { judgeResumption, owesCall, type FloorSample } from './failover-samples.js';

/**
 * The take-over test's judgement of the survivor (failover-samples.ts): it must fail a survivor
 * that holds the campaign, a free READY agent and a queued lead and does not dial, and must not
 * fail one that waits because there is nothing it may dial. Pure; runs with npm run test:failover.
 */

function sample(atMs: number, over: Partial<FloorSample> = {}): FloorSample {
  return {
    atMs,
    holder: 'survivor',
    ready: 3,
    agents: { READY: 3 },
    calls: {},
    queued: 100,
    dialedSince: 0,
    marked: 100,
    fresh: 1000,
    status: '',
    ...over,
  };
}

/** Samples every 100 ms from `from` to `to` (inclusive) with the same fields. */
function run(from: number, to: number, over: Partial<FloorSample> = {}): FloorSample[] {
  const out: FloorSample[] = [];
  for (let t = from; t <= to; t += 100) out.push(sample(t, over));
  return out;
}

describe('the survivor owes a call', () => {
  it('when it holds the campaign, a READY agent no call in flight covers and a queued lead', () => {
    expect(owesCall(sample(0))).toBe(true);
    expect(owesCall(sample(0, { holder: 'none' }))).toBe(false);
    expect(owesCall(sample(0, { holder: 'dead' }))).toBe(false);
    expect(owesCall(sample(0, { ready: 0, agents: { INCALL: 3 } }))).toBe(false);
    expect(owesCall(sample(0, { queued: 0 }))).toBe(false);
    // The dead holder's calls in flight cover the READY agents (progressive: ready - pending).
    expect(owesCall(sample(0, { calls: { RINGING: 2, AMD: 1 } }))).toBe(false);
    expect(owesCall(sample(0, { calls: { RINGING: 2, BRIDGED: 5 } }))).toBe(true);
  });
});

describe('judgeResumption', () => {
  it('measures a stuck survivor: owed for 8 s, never dialed', () => {
    const samples = [...run(0, 4_900, { holder: 'none' }), ...run(5_000, 13_000)];
    const r = judgeResumption(samples);
    expect(r).toEqual({ firstOwedMs: 5_000, firstCallMs: null, longestOwedMs: 8_000 });
  });

  it('does not count the time it had nothing to dial (empty hopper, then no agent READY)', () => {
    const samples = [
      ...run(0, 4_900, { holder: 'dead' }),
      ...run(5_000, 15_000, { queued: 0 }),
      ...run(15_100, 20_000, { ready: 0, agents: { WRAPUP: 3 } }),
      ...run(20_100, 20_500),
      sample(20_600, { dialedSince: 2 }),
    ];
    const r = judgeResumption(samples);
    expect(r).toEqual({ firstOwedMs: 20_100, firstCallMs: 20_600, longestOwedMs: 500 });
  });

  it('measures the stretch that ends with the first call, not an earlier short one', () => {
    const samples = [
      ...run(5_000, 5_300),
      ...run(5_400, 6_000, { calls: { AMD: 3 } }),
      ...run(6_100, 10_100),
      sample(10_200, { dialedSince: 1 }),
    ];
    expect(judgeResumption(samples)).toEqual({
      firstOwedMs: 5_000,
      firstCallMs: 10_200,
      longestOwedMs: 4_100,
    });
  });

  it('a survivor that dials before any sample saw it owing a call owed nothing', () => {
    const samples = [...run(0, 4_900, { holder: 'none' }), sample(5_000, { dialedSince: 4 })];
    expect(judgeResumption(samples)).toEqual({
      firstOwedMs: null,
      firstCallMs: 5_000,
      longestOwedMs: 0,
    });
  });
});
