/**
 * A histogram of durations in seconds that forgets slowly: when its total weight passes `capWeight`
 * every count is halved, so old behaviour fades once enough new calls have been seen. The last bin
 * also holds everything beyond the range.
 */
export class DurationHistogram {
  readonly counts: Float64Array;
  total = 0;
  sum = 0;

  constructor(
    readonly binS: number,
    readonly bins: number,
    private readonly capWeight = 20_000,
  ) {
    this.counts = new Float64Array(bins);
  }

  add(seconds: number, weight = 1): void {
    if (!(seconds >= 0) || !Number.isFinite(seconds)) return;
    const i = Math.min(this.bins - 1, Math.floor(seconds / this.binS));
    this.counts[i] = (this.counts[i] ?? 0) + weight;
    this.total += weight;
    this.sum += seconds * weight;
    if (this.total > this.capWeight) {
      for (let j = 0; j < this.bins; j++) this.counts[j] = (this.counts[j] ?? 0) / 2;
      this.total /= 2;
      this.sum /= 2;
    }
  }

  mean(): number {
    return this.total > 0 ? this.sum / this.total : 0;
  }

  /** cdf[i] = P(X < i * binS), i = 0..bins (linear inside a bin when read with cdfAt). */
  cdfTable(): Float64Array {
    const out = new Float64Array(this.bins + 1);
    let acc = 0;
    for (let i = 0; i < this.bins; i++) {
      out[i] = this.total > 0 ? acc / this.total : 0;
      acc += this.counts[i] ?? 0;
    }
    out[this.bins] = 1;
    return out;
  }
}

/** P(X <= x) read from a cdf table with bins of binS seconds, linear inside a bin. */
export function cdfAt(cdf: Float64Array, binS: number, x: number): number {
  if (x <= 0) return cdf[0] ?? 0;
  const f = x / binS;
  const i = Math.floor(f);
  const last = cdf.length - 1;
  if (i >= last) return 1;
  const a = cdf[i] ?? 0;
  const b = cdf[i + 1] ?? 1;
  return a + (b - a) * (f - i);
}
