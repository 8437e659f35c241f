import { describe, expect, it } from 'vitest';
import { ManualScheduler, RealScheduler } from './scheduler.js';

describe('ManualScheduler', () => {
  it('runs tasks in due order, same-instant tasks in schedule order, each at its own time', () => {
    const s = new ManualScheduler(1000);
    const seen: string[] = [];
    s.after(30, () => seen.push(`c@${s.nowMs()}`));
    s.after(10, () => seen.push(`a@${s.nowMs()}`));
    s.after(10, () => seen.push(`b@${s.nowMs()}`));
    s.after(10, () => s.after(5, () => seen.push(`nested@${s.nowMs()}`)));
    expect(s.advance(20)).toBe(4);
    expect(seen).toEqual(['a@1010', 'b@1010', 'nested@1015']);
    expect(s.nowMs()).toBe(1020);
    s.advance(100);
    expect(seen).toEqual(['a@1010', 'b@1010', 'nested@1015', 'c@1030']);
  });

  it('never runs a cancelled task and counts only live ones', () => {
    const s = new ManualScheduler(0);
    let ran = false;
    const t = s.after(5, () => (ran = true));
    s.after(6, () => undefined);
    expect(s.size()).toBe(2);
    s.cancel(t);
    s.cancel(t);
    expect(s.size()).toBe(1);
    s.advance(10);
    expect(ran).toBe(false);
    expect(s.size()).toBe(0);
  });

  it('keeps order across many random delays (heap property)', () => {
    const s = new ManualScheduler(0);
    const out: number[] = [];
    let x = 12345;
    for (let i = 0; i < 2000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      const d = x % 5000;
      s.after(d, () => out.push(s.nowMs()));
    }
    s.advance(5000);
    expect(out).toHaveLength(2000);
    expect(out).toEqual([...out].sort((a, b) => a - b));
  });
});

describe('RealScheduler', () => {
  it('runs virtual delays faster at a higher speed', async () => {
    const s = new RealScheduler(100);
    const started = Date.now();
    await new Promise<void>((resolve) => s.after(1000, resolve));
    expect(Date.now() - started).toBeLessThan(500);
    s.clear();
  });

  it('rejects a speed that is not positive', () => {
    expect(() => new RealScheduler(0)).toThrow(RangeError);
  });
});
