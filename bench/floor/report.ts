/**
 * bench:floor's output: the table a person reads and, with --json, one JSON object per row (the
 * run's figures, one row per process, one per parity comparison).
 */

/** The figures of one floor run. Rates per agent-hour are in virtual (scenario) hours. */
export interface FloorRow {
  kind: 'floor';
  scenario: string;
  run: number;
  agents: number;
  speed: number;
  minutes: number;
  /** Wall-clock seconds after the campaign was switched on before the stretch (not measured). */
  warmupS: number;
  occupancy: number | null;
  abandonmentPct: number | null;
  dialsPerAgentHour: number | null;
  connectsPerAgentHour: number | null;
  /** Hand-off latency (AMD verdict -> customer in the agent's bridge, not parked), wall-clock ms. */
  handoffP50Ms: number | null;
  handoffP99Ms: number | null;
  handoffs: number;
  /** The api's WebSocket push latency p99, ms. */
  pushP99Ms: number | null;
  /** A supervisor's agent-status events: receipt minus the event's atMs, p99 and max, ms. */
  stalenessP99Ms: number | null;
  stalenessMaxMs: number | null;
  calls: number;
  /** The machine's 1-minute load average at the start and the end (it is shared). */
  loadStart: number;
  loadEnd: number;
}

/** CPU and memory of one process over the measured stretch. */
export interface RoleRow {
  kind: 'role';
  scenario: string;
  run: number;
  role: string;
  /** CPU seconds per wall second over the stretch (1.0 = one core busy). */
  cpuCores: number;
  rssMb: number;
}

/** A floor run against bench:pacing on the same scenario. */
export interface ParityRow {
  kind: 'parity';
  scenario: string;
  run: number;
  /** Which bench:pacing run: 'same length' (as long as the floor's, cold start) or 'N days'. */
  reference: string;
  floorOccupancy: number | null;
  pacingOccupancy: number;
  occupancyDelta: number | null;
  floorAbandonmentPct: number | null;
  pacingAbandonmentPct: number;
  abandonmentDeltaPts: number | null;
  pass: boolean;
}

export type ReportRow = FloorRow | RoleRow | ParityRow;

/** Parity tolerances (issue 14): occupancy within 0.02, abandonment within 0.3 points. */
export const PARITY_OCCUPANCY = 0.02;
export const PARITY_ABANDONMENT_PTS = 0.3;

export function parityRow(
  floor: FloorRow,
  pacing: { reference: string; occupancy: number; abandonmentPct: number },
): ParityRow {
  const dOcc = floor.occupancy === null ? null : floor.occupancy - pacing.occupancy;
  const dAb = floor.abandonmentPct === null ? null : floor.abandonmentPct - pacing.abandonmentPct;
  return {
    kind: 'parity',
    scenario: floor.scenario,
    run: floor.run,
    reference: pacing.reference,
    floorOccupancy: floor.occupancy,
    pacingOccupancy: pacing.occupancy,
    occupancyDelta: dOcc,
    floorAbandonmentPct: floor.abandonmentPct,
    pacingAbandonmentPct: pacing.abandonmentPct,
    abandonmentDeltaPts: dAb,
    pass:
      dOcc !== null &&
      dAb !== null &&
      Math.abs(dOcc) <= PARITY_OCCUPANCY &&
      Math.abs(dAb) <= PARITY_ABANDONMENT_PTS,
  };
}

const round = (v: number | null, digits: number): number | null =>
  v === null || !Number.isFinite(v) ? null : Number(v.toFixed(digits));

/** A row with its numbers rounded for JSON (ratios 4 digits, ms and % 2). */
function rounded(r: ReportRow): ReportRow {
  switch (r.kind) {
    case 'floor':
      return {
        ...r,
        occupancy: round(r.occupancy, 4),
        abandonmentPct: round(r.abandonmentPct, 2),
        dialsPerAgentHour: round(r.dialsPerAgentHour, 1),
        connectsPerAgentHour: round(r.connectsPerAgentHour, 1),
        handoffP50Ms: round(r.handoffP50Ms, 2),
        handoffP99Ms: round(r.handoffP99Ms, 2),
        pushP99Ms: round(r.pushP99Ms, 2),
        stalenessP99Ms: round(r.stalenessP99Ms, 1),
        stalenessMaxMs: round(r.stalenessMaxMs, 1),
      };
    case 'role':
      return { ...r, cpuCores: round(r.cpuCores, 3) ?? 0, rssMb: round(r.rssMb, 1) ?? 0 };
    case 'parity':
      return {
        ...r,
        floorOccupancy: round(r.floorOccupancy, 4),
        pacingOccupancy: round(r.pacingOccupancy, 4) ?? 0,
        occupancyDelta: round(r.occupancyDelta, 4),
        floorAbandonmentPct: round(r.floorAbandonmentPct, 2),
        pacingAbandonmentPct: round(r.pacingAbandonmentPct, 2) ?? 0,
        abandonmentDeltaPts: round(r.abandonmentDeltaPts, 2),
      };
  }
}

/** One JSON object per row, one per line, each tagged `bench: 'floor'`. */
export function jsonLines(rows: readonly ReportRow[]): string {
  return rows.map((r) => `${JSON.stringify({ bench: 'floor', ...rounded(r) })}\n`).join('');
}

const cell = (v: number | null, digits: number, unit = ''): string =>
  v === null || !Number.isFinite(v) ? '-' : `${v.toFixed(digits)}${unit}`;

function table(head: string[], body: string[][]): string {
  const w = head.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    `  ${cells.map((c, i) => (i === 0 ? c.padEnd(w[i] ?? 0) : c.padStart(w[i] ?? 0))).join('  ')}`.trimEnd();
  return [line(head), ...body.map(line)].join('\n');
}

/** The human-readable report: the runs, the processes, the parity checks (when any). */
export function formatTable(rows: readonly ReportRow[]): string {
  const floors = rows.filter((r): r is FloorRow => r.kind === 'floor');
  const roles = rows.filter((r): r is RoleRow => r.kind === 'role');
  const parity = rows.filter((r): r is ParityRow => r.kind === 'parity');
  const out: string[] = [];
  if (floors.length) {
    out.push(
      table(
        [
          'scenario',
          'run',
          'agents',
          'speed',
          'min',
          'warmup',
          'calls',
          'occupancy',
          'abandon',
          'dials/ah',
          'conn/ah',
          'handoff p50',
          'handoff p99',
          'push p99',
          'staleness p99',
          'load',
        ],
        floors.map((f) => [
          f.scenario,
          String(f.run),
          String(f.agents),
          String(f.speed),
          String(f.minutes),
          `${f.warmupS} s`,
          String(f.calls),
          cell(f.occupancy, 3),
          cell(f.abandonmentPct, 2, ' %'),
          cell(f.dialsPerAgentHour, 1),
          cell(f.connectsPerAgentHour, 1),
          cell(f.handoffP50Ms, 1, ' ms'),
          cell(f.handoffP99Ms, 1, ' ms'),
          cell(f.pushP99Ms, 1, ' ms'),
          cell(f.stalenessP99Ms, 0, ' ms'),
          `${f.loadStart.toFixed(1)}->${f.loadEnd.toFixed(1)}`,
        ]),
      ),
    );
  }
  if (roles.length) {
    out.push(
      table(
        ['process', 'scenario', 'run', 'cpu (cores)', 'rss'],
        roles.map((r) => [
          r.role,
          r.scenario,
          String(r.run),
          cell(r.cpuCores, 2),
          cell(r.rssMb, 0, ' MB'),
        ]),
      ),
    );
  }
  if (parity.length) {
    out.push(
      table(
        [
          'parity',
          'run',
          'bench:pacing',
          'occupancy floor',
          'pacing',
          'delta',
          'abandon floor',
          'pacing',
          'delta',
          'verdict',
        ],
        parity.map((p) => [
          p.scenario,
          String(p.run),
          p.reference,
          cell(p.floorOccupancy, 3),
          cell(p.pacingOccupancy, 3),
          cell(p.occupancyDelta, 3),
          cell(p.floorAbandonmentPct, 2, ' %'),
          cell(p.pacingAbandonmentPct, 2, ' %'),
          cell(p.abandonmentDeltaPts, 2, ' pts'),
          p.pass ? 'PASS' : 'FAIL',
        ]),
      ),
    );
  }
  return `${out.join('\n\n')}\n`;
}
