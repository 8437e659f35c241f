import type { PolicyName, RunResult } from './sim.js';

/** One JSON line of `bench:pacing --json`. */
export interface RunMetrics {
  scenario: string;
  policy: PolicyName;
  seed: number;
  abandonmentPct: number;
  worstDayPct: number;
  occupancy: number;
  waitSPerAgentHour: number;
  connectsPerAgentHour: number;
  dialsPerAgentHour: number;
  linesPerAgent: number;
}

export function metricsOf(
  scenario: string,
  policy: PolicyName,
  seed: number,
  r: RunResult,
): RunMetrics {
  const agentHours = r.loggedS / 3600;
  let worst = 0;
  for (const d of r.perDay) if (d.humans > 0) worst = Math.max(worst, (100 * d.drops) / d.humans);
  const busy = r.talkS + r.waitS;
  return {
    scenario,
    policy,
    seed,
    abandonmentPct: r.humans > 0 ? (100 * r.drops) / r.humans : 0,
    worstDayPct: worst,
    occupancy: busy > 0 ? r.talkS / busy : 0,
    waitSPerAgentHour: agentHours > 0 ? r.waitS / agentHours : 0,
    connectsPerAgentHour: agentHours > 0 ? r.connects / agentHours : 0,
    dialsPerAgentHour: agentHours > 0 ? r.dials / agentHours : 0,
    linesPerAgent: r.loggedS > 0 ? r.lineS / r.loggedS : 0,
  };
}

/** A table row: seeds averaged, the worst seed's abandonment and worst day kept. */
export interface Row {
  scenario: string;
  policy: PolicyName;
  seeds: number;
  abandonmentPct: number;
  worstSeedAbandonmentPct: number;
  worstDayPct: number;
  occupancy: number;
  waitSPerAgentHour: number;
  connectsPerAgentHour: number;
  dialsPerAgentHour: number;
  linesPerAgent: number;
  /** (occupancy - progressive) / (oracle - progressive); null without both references. */
  g: number | null;
  /** The dial level used (ratio). */
  dialLevel?: number;
}

export function aggregate(runs: readonly RunMetrics[]): Omit<Row, 'g'> {
  const n = runs.length;
  const avg = (f: (m: RunMetrics) => number): number =>
    n > 0 ? runs.reduce((s, m) => s + f(m), 0) / n : 0;
  const first = runs[0];
  if (!first) throw new Error('aggregate() needs at least one run');
  return {
    scenario: first.scenario,
    policy: first.policy,
    seeds: n,
    abandonmentPct: avg((m) => m.abandonmentPct),
    worstSeedAbandonmentPct: Math.max(...runs.map((m) => m.abandonmentPct)),
    worstDayPct: Math.max(...runs.map((m) => m.worstDayPct)),
    occupancy: avg((m) => m.occupancy),
    waitSPerAgentHour: avg((m) => m.waitSPerAgentHour),
    connectsPerAgentHour: avg((m) => m.connectsPerAgentHour),
    dialsPerAgentHour: avg((m) => m.dialsPerAgentHour),
    linesPerAgent: avg((m) => m.linesPerAgent),
  };
}

export function withGap(rows: Omit<Row, 'g'>[]): Row[] {
  return rows.map((r) => {
    const prog = rows.find((x) => x.scenario === r.scenario && x.policy === 'progressive');
    const orc = rows.find((x) => x.scenario === r.scenario && x.policy === 'oracle');
    const g =
      prog && orc && orc.occupancy !== prog.occupancy
        ? (r.occupancy - prog.occupancy) / (orc.occupancy - prog.occupancy)
        : null;
    return { ...r, g };
  });
}

const f = (x: number, d: number): string => x.toFixed(d);

export function formatTable(rows: readonly Row[]): string {
  const head = [
    'scenario',
    'policy',
    'aband% (worst seed)',
    'worst day%',
    'occupancy',
    'wait s/agent-h',
    'connects/agent-h',
    'dials/agent-h',
    'lines/agent',
    'G',
  ];
  const body = rows.map((r) => [
    r.scenario,
    r.policy + (r.dialLevel !== undefined ? ` ${r.dialLevel.toFixed(2)}` : ''),
    `${f(r.abandonmentPct, 2)} (${f(r.worstSeedAbandonmentPct, 2)})`,
    f(r.worstDayPct, 2),
    f(r.occupancy, 3),
    f(r.waitSPerAgentHour, 0),
    f(r.connectsPerAgentHour, 1),
    f(r.dialsPerAgentHour, 1),
    f(r.linesPerAgent, 2),
    r.g === null ? '-' : f(r.g, 2),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string =>
    '| ' + cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ') + ' |';
  return [
    line(head),
    '| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |',
    ...body.map(line),
  ].join('\n');
}
