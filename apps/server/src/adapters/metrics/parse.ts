/**
 * Reading a Prometheus text exposition (what /metrics serves) back into numbers: bench:floor takes
 * its latency figures from the running roles this way, so the figures it prints are the ones the
 * operators' dashboards show.
 */

export interface Sample {
  /** Full sample name, e.g. ringside_handoff_latency_seconds_bucket. */
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Every sample of an exposition, in order; comments and blank lines skipped. */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    let name: string;
    let labels: Record<string, string> = {};
    let rest: string;
    if (brace >= 0 && (space < 0 || brace < space)) {
      name = line.slice(0, brace);
      const end = labelsEnd(line, brace + 1);
      labels = parseLabels(line.slice(brace + 1, end));
      rest = line.slice(end + 1).trim();
    } else {
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const valueText = rest.split(/\s+/)[0] ?? '';
    const value = parseValue(valueText);
    // prom-client writes NaN as "Nan".
    if (!name || (Number.isNaN(value) && valueText.toLowerCase() !== 'nan')) {
      throw new Error(`metrics exposition: cannot read line "${line.slice(0, 120)}"`);
    }
    out.push({ name, labels, value });
  }
  return out;
}

function parseValue(s: string): number {
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  return Number(s);
}

/** Index of the `}` closing the label set that starts at `from` (quotes and escapes honoured). */
function labelsEnd(line: string, from: number): number {
  let inQuote = false;
  for (let i = from; i < line.length; i++) {
    const ch = line[i];
    if (inQuote) {
      if (ch === '\\') i++;
      else if (ch === '"') inQuote = false;
    } else if (ch === '"') inQuote = true;
    else if (ch === '}') return i;
  }
  throw new Error(`metrics exposition: unclosed label set in "${line.slice(0, 120)}"`);
}

function parseLabels(s: string): Record<string, string> {
  const labels: Record<string, string> = {};
  const re = /\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"\s*,?/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) {
    labels[m[1] as string] = (m[2] as string).replace(/\\(.)/g, (_x, c: string) =>
      c === 'n' ? '\n' : c,
    );
    if (re.lastIndex >= s.length) break;
  }
  return labels;
}

function matches(labels: Record<string, string>, want: Record<string, string>): boolean {
  for (const k in want) if (labels[k] !== want[k]) return false;
  return true;
}

/** A histogram's cumulative buckets (upper bound, count), summed over the matching series. */
export interface HistogramView {
  buckets: Array<{ le: number; count: number }>;
  count: number;
  /** Sum of the observations (in the histogram's unit). */
  sum: number;
}

/**
 * The histogram `name` (without _bucket) from samples or an exposition, summing every series
 * whose labels include `where` (e.g. { parked: 'false' }). Null when no bucket matched.
 */
export function readHistogram(
  from: string | readonly Sample[],
  name: string,
  where: Record<string, string> = {},
): HistogramView | null {
  const samples = typeof from === 'string' ? parseExposition(from) : from;
  const byLe = new Map<number, number>();
  let count = 0;
  let sum = 0;
  let found = false;
  for (const s of samples) {
    if (!matches(s.labels, where)) continue;
    if (s.name === `${name}_bucket`) {
      const le = parseValue(s.labels.le ?? '');
      if (Number.isNaN(le)) continue;
      found = true;
      byLe.set(le, (byLe.get(le) ?? 0) + s.value);
    } else if (s.name === `${name}_count`) count += s.value;
    else if (s.name === `${name}_sum`) sum += s.value;
  }
  if (!found) return null;
  const buckets = [...byLe.entries()]
    .map(([le, c]) => ({ le, count: c }))
    .sort((a, b) => a.le - b.le);
  return { buckets, count, sum };
}

/**
 * The q-quantile (0..1) of a histogram, estimated as Prometheus's histogram_quantile() does:
 * linear interpolation inside the bucket the rank falls in (from 0 for the first bucket); a rank
 * in the +Inf bucket gives the largest finite bound. Null when the histogram is empty.
 */
export function histogramQuantile(h: HistogramView | null, q: number): number | null {
  if (!h || q < 0 || q > 1) return null;
  const total = h.buckets.find((b) => b.le === Infinity)?.count ?? h.count;
  if (!(total > 0)) return null;
  const rank = q * total;
  let prevLe = 0;
  let prevCount = 0;
  for (const b of h.buckets) {
    if (b.count >= rank) {
      if (b.le === Infinity) return prevLe;
      if (b.count === prevCount) return b.le;
      return prevLe + ((b.le - prevLe) * (rank - prevCount)) / (b.count - prevCount);
    }
    prevLe = b.le;
    prevCount = b.count;
  }
  return prevLe;
}

/**
 * Subtracts an earlier reading of the same histogram (a benchmark's warm-up, say), so that the
 * quantiles describe only what happened in between.
 */
export function histogramDelta(after: HistogramView, before: HistogramView | null): HistogramView {
  if (!before) return after;
  const prev = new Map(before.buckets.map((b) => [b.le, b.count]));
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (prev.get(b.le) ?? 0) })),
    count: after.count - before.count,
    sum: after.sum - before.sum,
  };
}

/** The sum of every sample named `name` whose labels include `where` (counters and gauges). */
export function sampleSum(
  from: string | readonly Sample[],
  name: string,
  where: Record<string, string> = {},
): number {
  const samples = typeof from === 'string' ? parseExposition(from) : from;
  let total = 0;
  for (const s of samples) if (s.name === name && matches(s.labels, where)) total += s.value;
  return total;
}
