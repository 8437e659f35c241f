import type { DialResult } from '../../apps/server/src/domain/pacing/index.js';

/**
 * The benchmark's policies; `ours-known-free` is an ablation run only when asked for (`--policies`):
 * ours told every agent's exact free instant instead of predicting it.
 */
export type PolicyName =
  'progressive' | 'ratio' | 'vicidial' | 'ours' | 'oracle' | 'ours-known-free';

/** A pacing policy driven by the simulator. State may live in the object across days. */
/**
 * A pacing policy over the simulator `S` (sim.ts `SimPolicy` = Policy<Sim>: generic so that this
 * contract does not import the simulator that imports it).
 */
export interface Policy<S> {
  readonly name: PolicyName;
  /** Seconds between two decisions. */
  readonly tickS: number;
  /**
   * When true, decide() returns how many leads that will need an agent to dial; the simulator
   * dials every lead in order up to and including that many of them (the oracle).
   */
  readonly countsLeadsNeedingAgent?: boolean;
  /** Calls to place now. */
  decide(sim: S): number;
  /** A dial attempt's outcome became known, as the production dialer would see it. */
  onDialFinished?(
    sim: S,
    result: DialResult,
    answerDelayS: number,
    amdDelayS: number,
    dialAtS: number,
  ): void;
  /** A conversation and its wrap-up finished. */
  onHandleFinished?(sim: S, talkS: number, wrapS: number): void;
  /**
   * A MACHINE verdict: hang up (true, the default) or send it to an agent like a human (false),
   * as the production dialer's AMD rule decides (domain/pacing/amd.ts).
   */
  amdHangups?(sim: S): boolean;
  /** AMD's verdict on an answered call (MACHINE or not), whatever is done with it. */
  onVerdict?(sim: S, machine: boolean): void;
  /**
   * Expected abandoned people per MACHINE hang-up, added to the ledger as estimated drops (and
   * live answers) the way the production dialer does; default 0 (the ledger sees only drops).
   */
  machineHangupEstimate?(sim: S): number;
  onDayStart?(sim: S): void;
}

/** How long an agent spends on a machine wrongly passed as human before hanging up, s. */
export const MACHINE_AS_HUMAN_TALK_S = 5;

export interface DayResult {
  drops: number;
  humans: number;
}

/** Totals of one run (one scenario, policy and seed). */
export interface RunResult {
  days: number;
  dials: number;
  connects: number;
  humans: number;
  drops: number;
  talkS: number;
  waitS: number;
  loggedS: number;
  lineS: number;
  perDay: DayResult[];
  /** People hung up on by AMD (included in drops and humans: true abandonment). */
  amdDrops: number;
  /** Estimated AMD drops the ledger carried (the dialer's view of amdDrops). */
  estimatedDrops: number;
  /** MACHINE verdicts the AMD rule sent to agents instead of hanging up. */
  machineToAgents: number;
  /** Drops and live answers in the dialer's own ledger over the run (AMD's verdicts, estimates). */
  ledgerDrops: number;
  ledgerHumans: number;
}
