import { describe, expect, it } from 'vitest';
import {
  distMean,
  distSampler,
  sampleDist,
  validateDist,
  type DistSpec,
  type Rng,
} from './distributions.js';

/** Park and Miller's minimal standard generator: seeded, enough for these sample means. */
function seededRng(seed: number): Rng {
  let s = seed % 2147483647 || 1;
  return { next: () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646 };
}

function sampleMean(spec: DistSpec, n = 100_000): number {
  const rng = seededRng(42);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sampleDist(spec, rng);
  return sum / n;
}

describe('distributions', () => {
  const cases: [string, DistSpec, number][] = [
    ['fixed', { dist: 'fixed', value: 15 }, 15],
    ['uniform', { dist: 'uniform', min: 12, max: 24 }, 18],
    ['exponential', { dist: 'exponential', mean: 30 }, 30],
    ['lognormal by mean and cv', { dist: 'lognormal', mean: 180, cv: 1 }, 180],
    ['gamma with offset', { dist: 'gamma', shape: 3, scale: 2.7, offset: 2 }, 2 + 3 * 2.7],
  ];
  it('draws the same values through a prepared sampler as through sampleDist', () => {
    for (const [, spec] of cases) {
      const a = seededRng(7);
      const b = seededRng(7);
      const draw = distSampler(spec);
      for (let i = 0; i < 1000; i++) expect(draw(a)).toBe(sampleDist(spec, b));
    }
  });

  for (const [name, spec, mean] of cases) {
    it(`draws ${name} with the stated mean`, () => {
      expect(distMean(spec)).toBeCloseTo(mean, 6);
      expect(sampleMean(spec)).toBeGreaterThan(mean * 0.98);
      expect(sampleMean(spec)).toBeLessThan(mean * 1.02);
    });
  }

  it('resamples a gamma above its max, so no draw exceeds it and the mean drops', () => {
    const spec: DistSpec = { dist: 'gamma', shape: 3, scale: 2.7, offset: 2, max: 12 };
    const rng = seededRng(7);
    for (let i = 0; i < 20_000; i++) expect(sampleDist(spec, rng)).toBeLessThanOrEqual(12);
    const truncated = distMean(spec);
    expect(truncated).toBeLessThan(2 + 3 * 2.7);
    expect(Math.abs(sampleMean(spec) - truncated)).toBeLessThan(0.05);
  });

  it('gives the same draws for the same seed', () => {
    const spec: DistSpec = { dist: 'lognormal', mean: 90, cv: 1.5 };
    const a = seededRng(3);
    const b = seededRng(3);
    for (let i = 0; i < 100; i++) expect(sampleDist(spec, a)).toBe(sampleDist(spec, b));
  });

  it('refuses a uniform whose max is below its min', () => {
    expect(validateDist({ dist: 'uniform', min: 5, max: 2 }, 'talkS')).toMatch(/talkS/);
    expect(validateDist({ dist: 'exponential', mean: 3 }, 'x')).toBeNull();
  });
});
