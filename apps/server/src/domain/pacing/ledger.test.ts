import { describe, expect, it } from 'vitest';
import {
  dropBudget,
  dropRatePct,
  humansToRecover,
  ledgerRecord,
  ledgerTotals,
  spendingPlan,
  type LedgerDay,
} from './ledger.js';

describe('drop-rate ledger', () => {
  const days: LedgerDay[] = [
    { day: 99, drops: 9, humans: 300 },
    { day: 120, drops: 3, humans: 100 },
    { day: 129, drops: 1, humans: 100 },
  ];

  it('sums only the days inside the rolling 30-day window', () => {
    expect(ledgerTotals(days, 129)).toEqual({ drops: 4, humans: 200 });
    expect(ledgerTotals(days, 129, 40)).toEqual({ drops: 13, humans: 500 });
  });

  it('adds to today and forgets days that left the window', () => {
    const next = ledgerRecord(days, 131, { drops: 2, humans: 50 });
    expect(next).toEqual([
      { day: 120, drops: 3, humans: 100 },
      { day: 129, drops: 1, humans: 100 },
      { day: 131, drops: 2, humans: 50 },
    ]);
    expect(ledgerRecord(next, 131, { drops: 1, humans: 10 }).at(-1)).toEqual({
      day: 131,
      drops: 3,
      humans: 60,
    });
  });

  it('computes rate, budget and the answers needed to recover', () => {
    expect(dropRatePct({ drops: 3, humans: 100 })).toBe(3);
    expect(dropRatePct({ drops: 0, humans: 0 })).toBe(0);
    expect(dropBudget({ drops: 10, humans: 1000 }, 3)).toBeCloseTo(20);
    expect(dropBudget({ drops: 40, humans: 1000 }, 3)).toBeCloseTo(-10);
    expect(humansToRecover({ drops: 40, humans: 1000 }, 3)).toBe(334);
    expect(humansToRecover({ drops: 10, humans: 1000 }, 3)).toBe(0);
  });

  it('forces progressive when less than one drop is left', () => {
    expect(spendingPlan({ drops: 0, humans: 20, capPct: 3 }, 0.3).forceProgressive).toBe(true);
    expect(spendingPlan({ drops: 30, humans: 1000, capPct: 3 }, 0.3).forceProgressive).toBe(true);
    expect(spendingPlan({ drops: 10, humans: 1000, capPct: 3 }, 0.3).forceProgressive).toBe(false);
  });

  it('aims above the margin while under it and below while over it', () => {
    const under = spendingPlan({ drops: 10, humans: 1000, capPct: 3 }, 0.3, 1000);
    const at = spendingPlan({ drops: 27, humans: 1000, capPct: 3 }, 0.3, 1000);
    const over = spendingPlan({ drops: 29, humans: 1000, capPct: 3 }, 0.3, 1000);
    expect(under.targetPct).toBeGreaterThan(2.7);
    expect(at.targetPct).toBeCloseTo(2.7, 6);
    expect(over.targetPct).toBeLessThan(2.7);
  });
});
