import type { PolicyName, RunResult } from './policy.js';

/** The figures of a run, and of a table row (seeds averaged). */
interface Figures {
  abandonmentPct: number;
  worstDayPct: number;
  occupancy: number;
  waitSPerAgentHour: number;
  connectsPerAgentHour: number;
  dialsPerAgentHour: number;
  linesPerAgent: number;
  /** People hung up on by AMD, % of live answers (part of abandonmentPct, the true rate). */
  amdAbandonmentPct: number;
  /** What the ledger estimated of them, % of live answers. */
  estimatedAmdPct: number;
  /** MACHINE verdicts sent to agents by the AMD rule, per agent-hour. */
  machineToAgentsPerAgentHour: number;
  /**
   * The drop rate the dialer's own ledger reads over the run (AMD's verdicts and its estimates, as
   * the compliance report computes it). Equal to abandonmentPct without AMD errors; with them, a
   * machine judged a person counts as a live answer (and a drop when dropped), so it differs.
   */
  ledgerPct: number;
}

/** One JSON line of `bench:pacing --json`. */
export interface RunMetrics extends Figures {
  scenario: string;
  policy: PolicyName;
  seed: number;
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
    amdAbandonmentPct: r.humans > 0 ? (100 * r.amdDrops) / r.humans : 0,
    estimatedAmdPct: r.humans > 0 ? (100 * r.estimatedDrops) / r.humans : 0,
    machineToAgentsPerAgentHour: agentHours > 0 ? r.machineToAgents / agentHours : 0,
    ledgerPct: r.ledgerHumans > 0 ? (100 * r.ledgerDrops) / r.ledgerHumans : 0,
  };
}

/** A table row: seeds averaged, the worst seed's abandonment and worst day kept. */
export interface Row extends Figures {
  scenario: string;
  policy: PolicyName;
  seeds: number;
  worstSeedAbandonmentPct: number;
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
    amdAbandonmentPct: avg((m) => m.amdAbandonmentPct),
    estimatedAmdPct: avg((m) => m.estimatedAmdPct),
    machineToAgentsPerAgentHour: avg((m) => m.machineToAgentsPerAgentHour),
    ledgerPct: avg((m) => m.ledgerPct),
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
  // Scenarios with AMD errors: how much of the abandonment AMD caused, what the ledger estimated
  // of it, and the machine verdicts the AMD rule sent to agents instead.
  if (rows.some((r) => r.amdAbandonmentPct > 0 || r.machineToAgentsPerAgentHour > 0)) {
    head.push('AMD aband% / est%', 'machines to agents/agent-h');
    rows.forEach((r, i) => {
      body[i]?.push(
        `${f(r.amdAbandonmentPct, 2)} / ${f(r.estimatedAmdPct, 2)}`,
        f(r.machineToAgentsPerAgentHour, 1),
      );
    });
  }
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]): string =>
    '| ' + cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join(' | ') + ' |';
  return [
    line(head),
    '| ' + widths.map((w) => '-'.repeat(w)).join(' | ') + ' |',
    ...body.map(line),
  ].join('\n');
}
