/**
 * Pure chart math for the report charts (plain SVG, no chart library): linear scales, "nice"
 * value ticks, UTC-aligned time ticks, stacking and line paths. No DOM, unit-tested.
 */

/** Maps [d0, d1] onto [r0, r1]; a degenerate domain maps everything to the middle. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** The 1, 2 or 5 x 10^k step closest above `rough`. */
export function niceStep(rough: number): number {
  if (!(rough > 0) || !Number.isFinite(rough)) return 1;
  const pow = 10 ** Math.floor(Math.log10(rough));
  const f = rough / pow;
  const m = f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10;
  return m * pow;
}

/**
 * Round ticks covering [min, max] with about `count` intervals; `lo` and `hi` are the first and
 * last tick (the axis is extended to them). A flat domain still gets an axis: [0, 1] for all
 * zeros, else from 0 to the value.
 */
export function niceTicks(
  min: number,
  max: number,
  count = 5,
): { ticks: number[]; lo: number; hi: number } {
  let a = Math.min(min, max);
  let b = Math.max(min, max);
  if (a === b) {
    if (a === 0) b = 1;
    else if (a > 0) a = 0;
    else b = 0;
  }
  const step = niceStep((b - a) / Math.max(1, count));
  const lo = Math.floor(a / step) * step;
  const hi = Math.ceil(b / step) * step;
  const decimals = Math.max(0, -Math.floor(Math.log10(step)));
  const ticks: number[] = [];
  for (let i = 0, v = lo; v <= hi + step / 2; i += 1, v = lo + i * step) {
    ticks.push(Number(v.toFixed(decimals)));
  }
  return { ticks, lo: ticks[0] ?? lo, hi: ticks[ticks.length - 1] ?? hi };
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const TIME_STEPS = [
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
  2 * DAY,
  7 * DAY,
  14 * DAY,
  28 * DAY,
];

/**
 * Ticks for a UTC time axis over [fromMs, toMs]: the smallest step of the ladder (1 h ... 28 d)
 * giving at most `count` ticks, aligned to multiples of the step since the epoch (midnight UTC
 * for whole days; weeks start on the epoch's Thursday, close enough for an axis).
 */
export function timeTicks(
  fromMs: number,
  toMs: number,
  count = 8,
): { stepMs: number; ticks: number[] } {
  const span = Math.max(0, toMs - fromMs);
  const stepMs = TIME_STEPS.find((s) => span / s <= count) ?? Math.ceil(span / count / DAY) * DAY;
  const ticks: number[] = [];
  for (let t = Math.ceil(fromMs / stepMs) * stepMs; t <= toMs; t += stepMs) ticks.push(t);
  return { stepMs, ticks };
}

/** [3, 0, 2] -> [[0, 3], [3, 3], [3, 5]]: each segment's start and end on a stacked bar. */
export function stack(values: readonly number[]): Array<[number, number]> {
  let at = 0;
  return values.map((v) => {
    const start = at;
    at += Math.max(0, v);
    return [start, at];
  });
}

/**
 * An SVG path through the points; a null `y` breaks the line (no data is not zero). Coordinates
 * are rounded to 0.1 px to keep the markup small.
 */
export function linePath(points: ReadonlyArray<{ x: number; y: number | null }>): string {
  const r = (v: number) => String(Math.round(v * 10) / 10);
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p.y === null || !Number.isFinite(p.y)) {
      pen = false;
      continue;
    }
    d += `${d ? ' ' : ''}${pen ? 'L' : 'M'}${r(p.x)} ${r(p.y)}`;
    pen = true;
  }
  return d;
}
