import { describe, expect, it } from 'vitest';
import { vicidialAdapt, vicidialCallsToPlace } from './policies.js';

const calm = { calls: 10, drops: 0 };
const today = { calls: 40, drops: 0, humans: 10 };

describe('VICIdial ADAPT_HARD_LIMIT baseline', () => {
  it('raises the dial level by the share of ready agents', () => {
    // d = (2 - 0) / 10 = 0.2 -> 1.5 * 1.2
    expect(vicidialAdapt(1.5, { ready: 2, waiting: 0, loggedIn: 10 }, calm, today)).toBe(1.8);
  });

  it('lowers it when answered calls wait, but never under 1.0', () => {
    expect(vicidialAdapt(2, { ready: 0, waiting: 3, loggedIn: 10 }, calm, today)).toBe(1.4);
    expect(vicidialAdapt(1.1, { ready: 0, waiting: 5, loggedIn: 10 }, calm, today)).toBe(1.0);
  });

  it('rounds to three decimals and caps at the max level', () => {
    expect(vicidialAdapt(1.2345, { ready: 1, waiting: 0, loggedIn: 3 }, calm, today)).toBe(1.646);
    expect(vicidialAdapt(2.9, { ready: 5, waiting: 0, loggedIn: 10 }, calm, today)).toBe(3.0);
  });

  it("halves the level when over half of the last minute's 20+ calls dropped", () => {
    const bad = { calls: 30, drops: 16 };
    expect(vicidialAdapt(2.5, { ready: 0, waiting: 0, loggedIn: 10 }, bad, today)).toBe(1.25);
    const few = { calls: 20, drops: 16 };
    expect(vicidialAdapt(2.5, { ready: 0, waiting: 0, loggedIn: 10 }, few, today)).toBe(2.5);
  });

  it('drops to 1.0 when today is over the cap after more than 50 calls (hard limit)', () => {
    const over = { calls: 51, drops: 4, humans: 100 };
    expect(vicidialAdapt(2.5, { ready: 5, waiting: 0, loggedIn: 10 }, calm, over)).toBe(1.0);
    const early = { calls: 50, drops: 4, humans: 100 };
    expect(vicidialAdapt(2.5, { ready: 0, waiting: 0, loggedIn: 10 }, calm, early)).toBe(2.5);
  });

  it('places round(level x (ready + talking)) minus lines in use, never negative', () => {
    expect(vicidialCallsToPlace(2.2, 3, 7, 12)).toBe(10);
    expect(vicidialCallsToPlace(1.0, 0, 7, 9)).toBe(0);
  });
});
