import type { MetricRow } from '../common/table.js';
import { formatMetricTable } from '../common/table.js';
import { FAULT_KINDS, recoveryStats, type Fault } from './checks.js';
import type { ChaosCheck } from './floor.js';

/** The abandonment cap (FTC/Ofcom 3 % of live answers; the campaigns' default target is lower). */
export const ABANDON_CAP_PCT = 3;

/** bench:chaos's result rows: the invariants (goal 0), abandonment, recovery per fault kind. */
export function chaosRows(c: ChaosCheck, faults: readonly Fault[]): MetricRow[] {
  const zero = (metric: string, n: number, unit: string): MetricRow => ({
    metric,
    value: n,
    unit,
    goal: '= 0',
    ok: n === 0,
  });
  const rows: MetricRow[] = [
    zero('leads dialed twice', c.doubled.length, 'leads'),
    zero('leads lost from the hopper', c.lost.length, 'leads'),
    zero('calls left live in state', c.leftLive.length, 'calls'),
    zero('agents stuck', c.stuck.length, 'agents'),
    {
      metric: 'abandonment during faults',
      value: c.faultAbandonmentPct ?? 0,
      unit: `% of ${c.faultHumans}`,
      goal: `<= ${ABANDON_CAP_PCT} %`,
      ok: (c.faultAbandonmentPct ?? 0) <= ABANDON_CAP_PCT,
    },
    {
      metric: 'abandonment, whole run',
      value: c.humans > 0 ? (100 * c.drops) / c.humans : 0,
      unit: `% of ${c.humans}`,
    },
    { metric: 'calls', value: c.calls, unit: 'calls' },
  ];
  for (const kind of FAULT_KINDS) {
    const of = faults.filter((f) => f.kind === kind);
    if (of.length === 0) continue;
    const s = recoveryStats(of.map((f) => f.recoveredMs));
    rows.push({ metric: `${kind}: faults`, value: s.n, unit: 'faults' });
    if (s.unrecovered > 0)
      rows.push({
        metric: `${kind}: not recovered`,
        value: s.unrecovered,
        unit: 'faults',
        goal: '= 0',
        ok: false,
      });
    if (s.p50Ms !== null) {
      rows.push({ metric: `${kind}: recovery p50`, value: s.p50Ms / 1000, unit: 's' });
      rows.push({ metric: `${kind}: recovery max`, value: (s.maxMs ?? 0) / 1000, unit: 's' });
    }
  }
  return rows;
}

export function formatChaosTable(rows: readonly MetricRow[]): string {
  return `${formatMetricTable(rows, {
    valueWidth: 8,
    unitWidth: 10,
    format: (v) => (Number.isInteger(v) ? String(v) : v.toFixed(2)),
  })}\n`;
}
