/**
 * A source of uniform random numbers in [0, 1), seeded in tests and simulations: the domain
 * draws through it, never from Math.random (ports/clock.ts Rng is the same shape).
 */
export interface Rng {
  next(): number;
}

/**
 * Duration distributions, in seconds, as the pacing scenario files spell them. The simulator draws
 * from them; the pacing model can use one as a prior before it has learned from real calls.
 */
export type DistSpec =
  | { dist: 'fixed'; value: number }
  | { dist: 'uniform'; min: number; max: number }
  /** offset + Gamma(shape, scale); a draw above `max` is drawn again (truncation, not clamping). */
  | { dist: 'gamma'; shape: number; scale: number; offset?: number; max?: number }
  | { dist: 'lognormal'; mean: number; cv: number }
  | { dist: 'exponential'; mean: number };

/** Refuses a spec that would draw nonsense (negative or infinite durations). */
export function validateDist(spec: DistSpec, field: string): string | null {
  const pos = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v > 0;
  const nonNeg = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  switch (spec.dist) {
    case 'fixed':
      return nonNeg(spec.value) ? null : `${field}.value must be a number >= 0`;
    case 'uniform':
      return nonNeg(spec.min) && nonNeg(spec.max) && spec.max >= spec.min
        ? null
        : `${field} needs 0 <= min <= max`;
    case 'gamma':
      if (!pos(spec.shape) || !pos(spec.scale)) return `${field} needs shape > 0 and scale > 0`;
      if (spec.offset !== undefined && !nonNeg(spec.offset)) return `${field}.offset must be >= 0`;
      if (spec.max !== undefined && !(spec.max > (spec.offset ?? 0)))
        return `${field}.max must exceed offset`;
      return null;
    case 'lognormal':
      return pos(spec.mean) && nonNeg(spec.cv) ? null : `${field} needs mean > 0 and cv >= 0`;
    case 'exponential':
      return pos(spec.mean) ? null : `${field}.mean must be > 0`;
    default:
      return `${field}.dist must be fixed, uniform, gamma, lognormal or exponential`;
  }
}

/** A standard normal draw (Box-Muller); uses two uniforms so a stream stays aligned. */
export function sampleStdNormal(rng: Rng): number {
  const u = 1 - rng.next(); // (0, 1]: log(0) would be -Infinity
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Gamma(shape, 1) by Marsaglia and Tsang; shape < 1 through the boost u^(1/shape). */
export function sampleGammaUnit(shape: number, rng: Rng): number {
  if (shape < 1) {
    const g = sampleGammaUnit(shape + 1, rng);
    return g * Math.pow(1 - rng.next(), 1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = sampleStdNormal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = 1 - rng.next();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
  }
}

/**
 * A sampler for one spec with its constants worked out once: the same draws, from the same
 * uniforms, as sampleDist (the simulator draws millions of leads).
 */
export function distSampler(spec: DistSpec): (rng: Rng) => number {
  switch (spec.dist) {
    case 'fixed': {
      const value = spec.value;
      return () => value;
    }
    case 'uniform': {
      const min = spec.min;
      const span = spec.max - spec.min;
      return (rng) => min + span * rng.next();
    }
    case 'gamma':
      return (rng) => sampleDist(spec, rng);
    case 'lognormal': {
      const s2 = Math.log(1 + spec.cv * spec.cv);
      const mu = Math.log(spec.mean) - s2 / 2;
      const sigma = Math.sqrt(s2);
      return (rng) => Math.exp(mu + sigma * sampleStdNormal(rng));
    }
    case 'exponential': {
      const mean = spec.mean;
      return (rng) => -mean * Math.log(1 - rng.next());
    }
  }
}

/** One draw in seconds. */
export function sampleDist(spec: DistSpec, rng: Rng): number {
  switch (spec.dist) {
    case 'fixed':
      return spec.value;
    case 'uniform':
      return spec.min + (spec.max - spec.min) * rng.next();
    case 'gamma': {
      const offset = spec.offset ?? 0;
      // Bounded retries: a max far in the tail would otherwise spin; the mean moves negligibly.
      for (let i = 0; i < 1000; i++) {
        const x = offset + spec.scale * sampleGammaUnit(spec.shape, rng);
        if (spec.max === undefined || x <= spec.max) return x;
      }
      return spec.max ?? offset;
    }
    case 'lognormal': {
      const s2 = Math.log(1 + spec.cv * spec.cv);
      const mu = Math.log(spec.mean) - s2 / 2;
      return Math.exp(mu + Math.sqrt(s2) * sampleStdNormal(rng));
    }
    case 'exponential':
      return -spec.mean * Math.log(1 - rng.next());
  }
}

/** ln Gamma(x) by Lanczos (g = 7); enough precision for densities. */
function lnGamma(x: number): number {
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
    1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x);
  const xm = x - 1;
  let a = c[0] ?? 0;
  const t = xm + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] ?? 0) / (xm + i);
  return 0.5 * Math.log(2 * Math.PI) + (xm + 0.5) * Math.log(t) - t + Math.log(a);
}

/** Probability density at x (seconds); fixed is reported as 0 (it has no density). */
export function distDensity(spec: DistSpec, x: number): number {
  switch (spec.dist) {
    case 'fixed':
      return 0;
    case 'uniform':
      return x >= spec.min && x <= spec.max && spec.max > spec.min ? 1 / (spec.max - spec.min) : 0;
    case 'gamma': {
      const y = x - (spec.offset ?? 0);
      if (y <= 0 || (spec.max !== undefined && x > spec.max)) return 0;
      const k = spec.shape;
      const ln = (k - 1) * Math.log(y) - y / spec.scale - lnGamma(k) - k * Math.log(spec.scale);
      // Truncation renormalises by the mass kept below max.
      return Math.exp(ln) / (spec.max === undefined ? 1 : gammaMassBelow(spec));
    }
    case 'lognormal': {
      if (x <= 0) return 0;
      const s2 = Math.log(1 + spec.cv * spec.cv);
      const mu = Math.log(spec.mean) - s2 / 2;
      const z = (Math.log(x) - mu) / Math.sqrt(s2);
      return Math.exp(-0.5 * z * z) / (x * Math.sqrt(2 * Math.PI * s2));
    }
    case 'exponential':
      return x < 0 ? 0 : Math.exp(-x / spec.mean) / spec.mean;
  }
}

function gammaMassBelow(spec: Extract<DistSpec, { dist: 'gamma' }>): number {
  if (spec.max === undefined) return 1;
  const untruncated = { ...spec, max: undefined };
  const hi = spec.max;
  const lo = spec.offset ?? 0;
  const steps = 2000;
  const h = (hi - lo) / steps;
  let sum = 0;
  for (let i = 0; i < steps; i++) sum += distDensity(untruncated, lo + (i + 0.5) * h) * h;
  return Math.min(1, sum);
}

/** The mean in seconds (a truncated gamma is integrated numerically). */
export function distMean(spec: DistSpec): number {
  switch (spec.dist) {
    case 'fixed':
      return spec.value;
    case 'uniform':
      return (spec.min + spec.max) / 2;
    case 'gamma': {
      const offset = spec.offset ?? 0;
      if (spec.max === undefined) return offset + spec.shape * spec.scale;
      const steps = 4000;
      const h = (spec.max - offset) / steps;
      let mass = 0;
      let first = 0;
      const untruncated = { ...spec, max: undefined };
      for (let i = 0; i < steps; i++) {
        const x = offset + (i + 0.5) * h;
        const f = distDensity(untruncated, x) * h;
        mass += f;
        first += f * x;
      }
      return first / mass;
    }
    case 'lognormal':
      return spec.mean;
    case 'exponential':
      return spec.mean;
  }
}
