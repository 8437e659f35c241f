import { describe, expect, it } from 'vitest';
import { linearScale, linePath, niceStep, niceTicks, stack, timeTicks } from './scale.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('linearScale', () => {
  it('maps the domain onto the range, inverted for a y axis', () => {
    const y = linearScale(0, 10, 200, 0);
    expect(y(0)).toBe(200);
    expect(y(10)).toBe(0);
    expect(y(2.5)).toBe(150);
  });
  it('maps a degenerate domain to the middle of the range', () => {
    expect(linearScale(5, 5, 0, 100)(5)).toBe(50);
  });
});

describe('niceStep and niceTicks', () => {
  it('rounds a step up to 1, 2 or 5 times a power of ten', () => {
    expect(niceStep(0.7)).toBe(1);
    expect(niceStep(1.3)).toBe(2);
    expect(niceStep(3)).toBe(5);
    expect(niceStep(7)).toBe(10);
    expect(niceStep(230)).toBe(500);
    expect(niceStep(0.03)).toBeCloseTo(0.05);
    expect(niceStep(0)).toBe(1);
  });
  it('covers the data with round ticks and extends the axis to them', () => {
    expect(niceTicks(0, 97, 5)).toEqual({ ticks: [0, 20, 40, 60, 80, 100], lo: 0, hi: 100 });
    expect(niceTicks(0, 3, 5)).toEqual({ ticks: [0, 1, 2, 3], lo: 0, hi: 3 });
  });
  it('gives decimal ticks without floating-point noise', () => {
    expect(niceTicks(0, 0.3, 3).ticks).toEqual([0, 0.1, 0.2, 0.3]);
  });
  it('still draws an axis when every value is zero or equal', () => {
    expect(niceTicks(0, 0, 5)).toEqual({ ticks: [0, 0.2, 0.4, 0.6, 0.8, 1], lo: 0, hi: 1 });
    expect(niceTicks(4, 4, 4).lo).toBe(0);
    expect(niceTicks(4, 4, 4).hi).toBeGreaterThanOrEqual(4);
  });
});

describe('timeTicks', () => {
  it('picks whole hours aligned to UTC for a day', () => {
    const from = Date.UTC(2026, 4, 10);
    const t = timeTicks(from, from + DAY - HOUR, 8);
    expect(t.stepMs).toBe(3 * HOUR);
    expect(t.ticks[0]).toBe(from);
    expect(t.ticks.every((x) => x % (3 * HOUR) === 0)).toBe(true);
    expect(t.ticks.length).toBeLessThanOrEqual(8);
  });
  it('picks days at UTC midnight for a month', () => {
    const from = Date.UTC(2026, 4, 1, 13);
    const t = timeTicks(from, from + 29 * DAY, 8);
    expect(t.stepMs).toBe(7 * DAY);
    expect(t.ticks.every((x) => x % DAY === 0 && x >= from)).toBe(true);
  });
  it('goes past the ladder for very long spans, in whole days', () => {
    const t = timeTicks(0, 366 * DAY, 4);
    expect(t.stepMs % DAY).toBe(0);
    expect(t.ticks.length).toBeLessThanOrEqual(5);
  });
});

describe('stack', () => {
  it('puts each segment after the previous one; negatives count as zero', () => {
    expect(stack([3, 0, 2, -1])).toEqual([
      [0, 3],
      [3, 3],
      [3, 5],
      [5, 5],
    ]);
  });
});

describe('linePath', () => {
  it('moves, then draws lines, rounded to a tenth of a pixel', () => {
    expect(
      linePath([
        { x: 0, y: 10 },
        { x: 5.04, y: 2.26 },
      ]),
    ).toBe('M0 10 L5 2.3');
  });
  it('breaks the line at a gap (no data is not zero)', () => {
    expect(
      linePath([
        { x: 0, y: 1 },
        { x: 1, y: null },
        { x: 2, y: 3 },
        { x: 3, y: 4 },
      ]),
    ).toBe('M0 1 M2 3 L3 4');
  });
  it('is empty without points', () => {
    expect(linePath([])).toBe('');
  });
});
