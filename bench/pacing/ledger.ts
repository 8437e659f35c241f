import type { LedgerView } from '../../apps/server/src/domain/pacing/index.js';

/**
 * The drop-rate ledger as the production dialer sees it (AMD's verdicts, not the truth): live
 * answers and drops per day, summed over a rolling window of `windowDays`, plus the estimated
 * drops of MACHINE verdicts and today's counters the VICIdial baseline reads.
 */
export class DialerLedger {
  /** The totals over the window, current day included, handed to the pacing module. */
  readonly view: LedgerView;
  readonly windowDays = 30;
  /** Estimated AMD drops inside the window (already included in view.drops). */
  windowEstimated = 0;
  /** Estimated AMD drops added over the run. */
  estimatedDrops = 0;
  /**
   * Drops and live answers as the dialer counted them over the whole run, estimates included (what
   * its compliance report reads; the truth differs where AMD errs: docs/pacing.md).
   */
  runDrops = 0;
  runHumans = 0;
  /** Today's calls, drops and live answers (the dialer's "today" counters). */
  todayCalls = 0;
  todayDrops = 0;
  todayHumans = 0;
  private readonly drops: Float64Array;
  private readonly humans: Float64Array;
  private readonly estimated: Float64Array;
  private day = 0;

  constructor(days: number, capPct: number) {
    this.drops = new Float64Array(days);
    this.humans = new Float64Array(days);
    this.estimated = new Float64Array(days);
    this.view = { drops: 0, humans: 0, capPct };
  }

  /** Day `d` begins: today's counters start over and the day that leaves the window is forgotten. */
  startDay(d: number): void {
    this.day = d;
    this.todayCalls = 0;
    this.todayDrops = 0;
    this.todayHumans = 0;
    if (d >= this.windowDays) {
      this.view.drops -= this.drops[d - this.windowDays] ?? 0;
      this.view.humans -= this.humans[d - this.windowDays] ?? 0;
      this.windowEstimated -= this.estimated[d - this.windowDays] ?? 0;
    }
  }

  /** One live answer, dropped or not. */
  countLive(drop: boolean): void {
    this.runHumans++;
    if (drop) this.runDrops++;
    this.view.humans++;
    this.todayHumans++;
    this.humans[this.day] = (this.humans[this.day] ?? 0) + 1;
    if (drop) {
      this.view.drops++;
      this.todayDrops++;
      this.drops[this.day] = (this.drops[this.day] ?? 0) + 1;
    }
  }

  /** Estimated AMD drops: in the ledger as drops and live answers (what the dialer budgets). */
  countEstimated(q: number): void {
    this.estimatedDrops += q;
    this.runDrops += q;
    this.runHumans += q;
    this.windowEstimated += q;
    this.view.drops += q;
    this.view.humans += q;
    this.estimated[this.day] = (this.estimated[this.day] ?? 0) + q;
    this.drops[this.day] = (this.drops[this.day] ?? 0) + q;
    this.humans[this.day] = (this.humans[this.day] ?? 0) + q;
  }

  /** A MACHINE verdict an agent got: its expected share of a person, as live answers only. */
  countPersonShare(q: number): void {
    this.runHumans += q;
    this.view.humans += q;
    this.humans[this.day] = (this.humans[this.day] ?? 0) + q;
  }
}
