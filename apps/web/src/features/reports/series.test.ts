import { describe, expect, it } from 'vitest';
import type { AgentTimeRow, OutboundRow } from '@ringside/protocol';
import {
  agentTimeBars,
  dropRatePct,
  dropRateSeries,
  MAX_HOURLY_POINTS,
  outboundSeries,
} from './series.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 4, 10);

const row = (
  hourAtMs: number,
  dials: number,
  humanAnswers: number,
  drops: number,
): OutboundRow => ({
  hourAtMs,
  campaignId: '1',
  listId: null,
  dials,
  answers: humanAnswers,
  humanAnswers,
  machines: 0,
  drops,
  dropPct: dropRatePct(drops, humanAnswers),
  connected: humanAnswers - drops,
  asaMs: null,
});

describe('dropRatePct', () => {
  it('is drops per human answer in percent, null without answers', () => {
    expect(dropRatePct(3, 200)).toBe(1.5);
    expect(dropRatePct(0, 0)).toBeNull();
  });
});

describe('outboundSeries', () => {
  it('fills hours without calls with zeros over the whole range', () => {
    const s = outboundSeries([row(T0 + 2 * HOUR, 10, 4, 1)], T0, T0 + 4 * HOUR);
    expect(s.bucketMs).toBe(HOUR);
    expect(s.points.map((p) => [p.atMs - T0, p.dials, p.humanAnswers, p.drops])).toEqual([
      [0, 0, 0, 0],
      [HOUR, 0, 0, 0],
      [2 * HOUR, 10, 4, 1],
      [3 * HOUR, 0, 0, 0],
    ]);
  });
  it('sums rows of the same hour (several campaigns)', () => {
    const s = outboundSeries([row(T0, 1, 1, 0), row(T0, 2, 1, 1)], T0, T0 + HOUR);
    expect(s.points).toEqual([{ atMs: T0, dials: 3, humanAnswers: 2, drops: 1 }]);
  });
  it('sums hours into UTC days over long ranges', () => {
    const to = T0 + MAX_HOURLY_POINTS * HOUR + DAY;
    const s = outboundSeries([row(T0 + HOUR, 1, 0, 0), row(T0 + 5 * HOUR, 2, 1, 0)], T0, to);
    expect(s.bucketMs).toBe(DAY);
    expect(s.points[0]).toEqual({ atMs: T0, dials: 3, humanAnswers: 1, drops: 0 });
    expect(s.points.length).toBe(Math.ceil((to - T0) / DAY));
  });
  it('ignores rows without an hour or outside the range', () => {
    const s = outboundSeries(
      [{ ...row(T0, 5, 0, 0), hourAtMs: null }, row(T0 + DAY, 5, 0, 0)],
      T0,
      T0 + HOUR,
    );
    expect(s.points[0]?.dials).toBe(0);
  });
});

describe('dropRateSeries', () => {
  const day = (i: number, humanAnswers: number, drops: number) => ({
    dayAtMs: T0 + i * DAY,
    humanAnswers,
    drops,
    estimatedDrops: 0,
  });

  it('gives each day its own rate and the rate of the 30 days ending with it', () => {
    // Days -30..-1 (the previous window): 100 answers, 1 drop each; then day 0 with 100 / 10.
    const prior = Array.from({ length: 30 }, (_, i) => day(i - 30, 100, 1));
    const s = dropRateSeries([...prior, day(0, 100, 10)], T0, T0 + 2 * DAY, 30);
    expect(s).toHaveLength(2);
    expect(s[0]?.dailyPct).toBe(10);
    // Day 0's window: days -29..0 = 29 x (100, 1) + (100, 10) -> 39 / 3000.
    expect(s[0]?.rollingPct).toBeCloseTo((100 * 39) / 3000, 10);
    // Day 1 had no answers: no daily rate (a gap), the rolling rate continues (days -28..1).
    expect(s[1]?.dailyPct).toBeNull();
    expect(s[1]?.rollingPct).toBeCloseTo((100 * 38) / 2900, 10);
  });
  it('has no rate at all where no one answered in 30 days', () => {
    expect(dropRateSeries([], T0, T0 + DAY)).toEqual([
      { dayAtMs: T0, dailyPct: null, rollingPct: null },
    ]);
  });
  it('buckets a window that starts mid-day by UTC day', () => {
    const s = dropRateSeries([day(0, 10, 1)], T0 + 6 * HOUR, T0 + DAY + 6 * HOUR);
    expect(s.map((p) => p.dayAtMs)).toEqual([T0, T0 + DAY]);
    expect(s[0]?.dailyPct).toBe(10);
  });
});

describe('agentTimeBars', () => {
  const agent = (id: string, name: string, loginMs: number): AgentTimeRow => ({
    agentId: id,
    agentName: name,
    teamId: null,
    loginMs,
    waitMs: 1,
    talkMs: 2,
    wrapMs: 3,
    deadMs: 4,
    pauseMs: 5,
    pauseByCodeMs: {},
    occupancyPct: null,
  });
  it('stacks talk, wait, wrap-up, pause, dead; most login time first, at most `limit` bars', () => {
    const bars = agentTimeBars(
      [agent('1', 'Ann', 10), agent('2', 'Bob', 30), agent('3', 'Cy', 20)],
      2,
    );
    expect(bars).toEqual([
      { label: 'Bob', values: [2, 1, 3, 5, 4] },
      { label: 'Cy', values: [2, 1, 3, 5, 4] },
    ]);
  });
});
