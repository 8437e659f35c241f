/** One row of a bench's metric table (and, with --json, one JSON object). */
export interface MetricRow {
  metric: string;
  value: number;
  unit: string;
  /** The goal as printed ("< 1 ms"), and whether this run met it. */
  goal?: string;
  ok?: boolean;
}

/**
 * The metric table: name, value (right-aligned in `valueWidth`, written by `format`), unit (in
 * `unitWidth`) and the goal followed by ok or MISSED.
 */
export function formatMetricTable(
  rows: readonly MetricRow[],
  opts: { valueWidth: number; unitWidth: number; format: (value: number) => string },
): string {
  const w = Math.max(...rows.map((r) => r.metric.length));
  const line = (metric: string, value: string, unit: string, goal: string) =>
    `${metric.padEnd(w)}  ${value.padStart(opts.valueWidth)}  ${unit.padEnd(opts.unitWidth)}  ${goal}`;
  return [
    line('metric', 'value', 'unit', 'goal'),
    ...rows.map((r) =>
      line(
        r.metric,
        opts.format(r.value),
        r.unit,
        r.goal ? `${r.goal} ${r.ok ? 'ok' : 'MISSED'}` : '',
      ),
    ),
  ].join('\n');
}

/** Labelled values, one a line, indented two spaces, the values aligned. */
export function formatKeyValues(rows: ReadonlyArray<readonly [string, string]>): string {
  const w = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `  ${k.padEnd(w)}  ${v}`).join('\n');
}
