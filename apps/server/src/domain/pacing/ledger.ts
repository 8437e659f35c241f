/**
 * The drop-rate ledger: drops and human answers per campaign day over a rolling window (30 days
 * under the US rule), and the arithmetic that turns it into a budget the predictive mode spends.
 * Pure: the dialer stores the days and passes them in.
 */

/** Counts of one campaign day; `day` is a day number in the campaign's time zone. */
export interface LedgerDay {
  day: number;
  drops: number;
  humans: number;
  /**
   * Estimated drops: people AMD hung up on, the expected share per MACHINE hang-up (amd.ts).
   * Kept apart: in neither `drops` nor `humans`. Absent: 0.
   */
  estimated?: number;
  /**
   * Estimated people among MACHINE verdicts an agent got (the AMD rule or audit sent them): the
   * expected share per verdict, counted as live answers instead of 1. Absent: 0.
   */
  estimatedAnswers?: number;
}

export interface LedgerTotals {
  drops: number;
  humans: number;
}

/** What the pacing module needs: totals over the window and the cap in percent. */
export interface LedgerView extends LedgerTotals {
  capPct: number;
}

export const DEFAULT_WINDOW_DAYS = 30;

/** The days in (today - windowDays, today]: the window every ledger sum reads. */
function inWindow(days: readonly LedgerDay[], today: number, windowDays: number): LedgerDay[] {
  return days.filter((d) => d.day > today - windowDays && d.day <= today);
}

/** Sums the days in (today - windowDays, today]. */
export function ledgerTotals(
  days: readonly LedgerDay[],
  today: number,
  windowDays = DEFAULT_WINDOW_DAYS,
): LedgerTotals {
  let drops = 0;
  let humans = 0;
  for (const d of inWindow(days, today, windowDays)) {
    drops += d.drops;
    humans += d.humans;
  }
  return { drops, humans };
}

/** Estimated AMD drops over the days in (today - windowDays, today]. */
export function ledgerEstimated(
  days: readonly LedgerDay[],
  today: number,
  windowDays = DEFAULT_WINDOW_DAYS,
): number {
  return inWindow(days, today, windowDays).reduce((e, d) => e + (d.estimated ?? 0), 0);
}

/**
 * What pacing budgets against: counted plus estimated drops, over human answers plus the
 * estimated people hung up on (they answered too). `counted` and `estimated` are kept for display.
 */
export function ledgerWithEstimates(
  days: readonly LedgerDay[],
  today: number,
  windowDays = DEFAULT_WINDOW_DAYS,
): LedgerTotals & { counted: number; estimated: number; answered: number } {
  const t = ledgerTotals(days, today, windowDays);
  const estimated = ledgerEstimated(days, today, windowDays);
  let answers = 0;
  for (const d of days)
    if (d.day > today - windowDays && d.day <= today) answers += d.estimatedAnswers ?? 0;
  return {
    drops: t.drops + estimated,
    humans: t.humans + estimated + answers,
    counted: t.drops,
    estimated,
    answered: t.humans,
  };
}

/** Adds counts to `today`, returning a new list without days that left the window. */
export function ledgerRecord(
  days: readonly LedgerDay[],
  today: number,
  add: LedgerTotals,
  windowDays = DEFAULT_WINDOW_DAYS,
): LedgerDay[] {
  const kept = days.filter((d) => d.day > today - windowDays && d.day !== today);
  const current = days.find((d) => d.day === today) ?? { day: today, drops: 0, humans: 0 };
  kept.push({
    day: today,
    drops: current.drops + add.drops,
    humans: current.humans + add.humans,
  });
  return kept.sort((a, b) => a.day - b.day);
}

/** Drops / human answers in percent; 0 before the first human answer. */
export function dropRatePct(t: LedgerTotals): number {
  return t.humans > 0 ? (100 * t.drops) / t.humans : 0;
}

/**
 * Drops still allowed right now without breaking the cap: capPct% of the human answers so far,
 * minus the drops already spent. Negative when the cap is already exceeded.
 */
export function dropBudget(t: LedgerTotals, capPct: number): number {
  return (capPct / 100) * t.humans - t.drops;
}

/**
 * Human answers needed, with no further drop, to bring the rate back under the cap.
 * 0 when within the cap.
 */
export function humansToRecover(t: LedgerTotals, capPct: number): number {
  if (capPct <= 0) return t.drops > 0 ? Infinity : 0;
  return Math.max(0, Math.ceil(t.drops / (capPct / 100) - t.humans));
}

/** How the predictive mode may spend the budget now. */
export interface SpendingPlan {
  /** The drop rate, in percent, to aim for from here on. */
  targetPct: number;
  /** True when no drop may be risked: dial progressively (no drop can happen). */
  forceProgressive: boolean;
  /** Drops still allowed now (dropBudget). */
  budget: number;
}

/**
 * Spends the window's budget deliberately: aim at the cap minus a safety margin, steer the aim
 * up while the ledger runs under it and down while over, so that the rolling rate converges to the
 * margin rather than to the cap. When fewer than one drop is left, only progressive dialing is
 * allowed until answers rebuild the budget.
 *
 * `marginPct` keeps the measured rate below the cap despite the chance in a finite sample;
 * `horizonHumans` is how many upcoming human answers a surplus (or deficit) is spread over.
 */
export function spendingPlan(
  ledger: LedgerView,
  marginPct: number,
  horizonHumans = 2_000,
): SpendingPlan {
  const budget = dropBudget(ledger, ledger.capPct);
  const aim = Math.max(0, ledger.capPct - marginPct);
  if (budget < 1) return { targetPct: 0, forceProgressive: true, budget };
  // Drops we could add over the horizon and still sit at `aim` at its end.
  const spendable = (aim / 100) * (ledger.humans + horizonHumans) - ledger.drops;
  const targetPct = Math.max(0, Math.min(ledger.capPct * 2, (100 * spendable) / horizonHumans));
  return { targetPct, forceProgressive: false, budget };
}
