/**
 * How a report range [fromMs, toMs) is read: whole buckets from a rollup, the partial buckets at
 * either edge from the raw log. Buckets are UTC hours or days, i.e. multiples of bucketMs since
 * the epoch.
 */
export interface SplitRange {
  /** Whole buckets [rollupFromMs, rollupToMs) come from the rollup; empty when equal. */
  rollupFromMs: number;
  rollupToMs: number;
  /** The raw edges, each [start, end); an empty edge has start = end. */
  rawHead: [number, number];
  rawTail: [number, number];
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export function splitRange(fromMs: number, toMs: number, bucketMs: number): SplitRange {
  const a = Math.ceil(fromMs / bucketMs) * bucketMs;
  const b = Math.floor(toMs / bucketMs) * bucketMs;
  if (a >= b) {
    // No whole bucket inside: everything is raw.
    return { rollupFromMs: a, rollupToMs: a, rawHead: [fromMs, toMs], rawTail: [toMs, toMs] };
  }
  return { rollupFromMs: a, rollupToMs: b, rawHead: [fromMs, a], rawTail: [b, toMs] };
}
