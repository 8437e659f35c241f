import type { AgentTimeRow, ComplianceCampaign, OutboundRow } from '@ringside/protocol';

/**
 * Report answers -> chart series (pure). Rates follow docs/kpi.md: drops per human answer in
 * percent, null when there is no human answer (a gap in the line, never 0).
 */

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** Above this many hours the outbound chart sums hours into UTC days (a readable line). */
export const MAX_HOURLY_POINTS = 31 * 24;

/** Same definition as dropRatePct in apps/server/src/domain/kpi/kpi.ts. */
export function dropRatePct(drops: number, humanAnswers: number): number | null {
  return humanAnswers > 0 ? (100 * drops) / humanAnswers : null;
}

export interface OutboundPoint {
  atMs: number;
  dials: number;
  humanAnswers: number;
  drops: number;
}

/**
 * The outbound-by-hour rows as a gap-free series over [fromMs, toMs): hours without a row are 0
 * (nothing was dialed). Ranges over MAX_HOURLY_POINTS hours are summed per UTC day.
 */
export function outboundSeries(
  rows: readonly OutboundRow[],
  fromMs: number,
  toMs: number,
): { bucketMs: number; points: OutboundPoint[] } {
  const hours = Math.ceil((toMs - fromMs) / HOUR_MS);
  const bucketMs = hours > MAX_HOURLY_POINTS ? DAY_MS : HOUR_MS;
  const first = Math.floor(fromMs / bucketMs) * bucketMs;
  const points: OutboundPoint[] = [];
  for (let t = first; t < toMs; t += bucketMs) {
    points.push({ atMs: t, dials: 0, humanAnswers: 0, drops: 0 });
  }
  for (const r of rows) {
    if (r.hourAtMs === null) continue;
    const p = points[Math.floor((r.hourAtMs - first) / bucketMs)];
    if (!p) continue;
    p.dials += r.dials;
    p.humanAnswers += r.humanAnswers;
    p.drops += r.drops;
  }
  return { bucketMs, points };
}

export interface DropRatePoint {
  dayAtMs: number;
  /** That day's drops per human answer (%), null without answers. */
  dailyPct: number | null;
  /** The 30 days ending with that day, null without answers. */
  rollingPct: number | null;
}

type Day = ComplianceCampaign['days'][number];

/**
 * Daily and rolling drop rate for each day of [fromMs, toMs). `days` may hold days before
 * `fromMs` (the previous window): the rolling rate of a day sums the `windowDays` days ending
 * with it, so the first days of the window need them to be a true 30-day rate. A day missing
 * from `days` had no answers.
 */
export function dropRateSeries(
  days: readonly Day[],
  fromMs: number,
  toMs: number,
  windowDays = 30,
): DropRatePoint[] {
  const byDay = new Map<number, { drops: number; humanAnswers: number }>();
  for (const d of days) {
    const key = Math.floor(d.dayAtMs / DAY_MS) * DAY_MS;
    const acc = byDay.get(key) ?? { drops: 0, humanAnswers: 0 };
    acc.drops += d.drops;
    acc.humanAnswers += d.humanAnswers;
    byDay.set(key, acc);
  }
  const out: DropRatePoint[] = [];
  for (let day = Math.floor(fromMs / DAY_MS) * DAY_MS; day < toMs; day += DAY_MS) {
    const today = byDay.get(day);
    let drops = 0;
    let humanAnswers = 0;
    for (let i = 0; i < windowDays; i += 1) {
      const d = byDay.get(day - i * DAY_MS);
      if (!d) continue;
      drops += d.drops;
      humanAnswers += d.humanAnswers;
    }
    out.push({
      dayAtMs: day,
      dailyPct: today ? dropRatePct(today.drops, today.humanAnswers) : null,
      rollingPct: dropRatePct(drops, humanAnswers),
    });
  }
  return out;
}

/** The segments of the agent-time bars, in stacking order. */
export const AGENT_TIME_SEGMENTS = [
  { key: 'talkMs', name: 'Talk', color: '#2f6fd6' },
  { key: 'waitMs', name: 'Wait', color: '#3a9a4a' },
  { key: 'wrapMs', name: 'Wrap-up', color: '#8a5cc9' },
  { key: 'pauseMs', name: 'Pause', color: '#8c8c8c' },
  { key: 'deadMs', name: 'Dead', color: '#d0527a' },
] as const;

/**
 * One stacked bar per agent (talk, wait, wrap-up, pause, dead in ms), the `limit` agents with
 * the most login time first (a chart of 300 bars reads like none; the table has every agent).
 */
export function agentTimeBars(
  rows: readonly AgentTimeRow[],
  limit = 30,
): Array<{ label: string; values: number[] }> {
  return [...rows]
    .sort((a, b) => b.loginMs - a.loginMs || a.agentName.localeCompare(b.agentName))
    .slice(0, limit)
    .map((r) => ({
      label: r.agentName,
      values: AGENT_TIME_SEGMENTS.map((s) => r[s.key]),
    }));
}
