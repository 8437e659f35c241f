import { describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, splitRange } from './range.js';

const T = Date.UTC(2026, 0, 10);

describe('splitRange', () => {
  it('reads an hour-aligned range entirely from the rollup', () => {
    expect(splitRange(T, T + 5 * HOUR_MS, HOUR_MS)).toEqual({
      rollupFromMs: T,
      rollupToMs: T + 5 * HOUR_MS,
      rawHead: [T, T],
      rawTail: [T + 5 * HOUR_MS, T + 5 * HOUR_MS],
    });
  });

  it('reads the partial hours at both edges from the raw log', () => {
    const s = splitRange(T + 90_000, T + 3 * HOUR_MS + 5, HOUR_MS);
    expect(s.rollupFromMs).toBe(T + HOUR_MS);
    expect(s.rollupToMs).toBe(T + 3 * HOUR_MS);
    expect(s.rawHead).toEqual([T + 90_000, T + HOUR_MS]);
    expect(s.rawTail).toEqual([T + 3 * HOUR_MS, T + 3 * HOUR_MS + 5]);
  });

  it('reads a range inside one day entirely from the raw log', () => {
    const s = splitRange(T + HOUR_MS, T + 2 * HOUR_MS, DAY_MS);
    expect(s.rollupToMs - s.rollupFromMs).toBe(0);
    expect(s.rawHead).toEqual([T + HOUR_MS, T + 2 * HOUR_MS]);
    expect(s.rawTail[0]).toBe(s.rawTail[1]);
  });
});
