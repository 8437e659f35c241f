import type { AgentState, CallStage, DialMethod } from '@ringside/protocol';
import type { PacingModel } from './estimator.js';
import type { DialGuardRule } from './guard.js';
import type { LedgerView } from './ledger.js';

/* What a pacing decision reads and returns (pacer.ts decidePacing). */

/** An agent of the campaign as pacing sees it: its state and since when (epoch ms). */
export interface AgentView {
  state: AgentState;
  sinceMs: number;
}

/**
 * A call of the campaign not yet finished: its stage, when it was dialed and when it entered
 * that stage (epoch ms). BRIDGED calls may be included; they are ignored (their agent is INCALL).
 */
export interface CallView {
  stage: CallStage;
  dialedAtMs: number;
  stageAtMs: number;
}

/** Knobs of the predictive mode; the defaults are what the benchmark measured (docs/pacing.md). */
export interface PredictiveTuning {
  /**
   * Starting value of theta: the largest chance that the last call placed reaches a human with no
   * agent free within the drop wait. The controller (PacingControl) moves it from there.
   */
  theta: number;
  /** Bounds for the moved threshold. */
  thetaMin: number;
  thetaMax: number;
  /** Integral gain: log theta moves by gain x relative gap between target and measured rate. */
  gain: number;
  /** Human answers between two controller updates. */
  controlEveryHumans: number;
  /** Force progressive while fewer than one drop is left under the cap minus this reserve. */
  reservePct: number;
  /** Keep the rolling drop rate this many percentage points under the cap. */
  marginPct: number;
  /** Human answers over which a budget surplus or deficit is spread. */
  horizonHumans: number;
  /** Stay progressive until this many dial outcomes and conversations have been learned. */
  minDialObservations: number;
  minHandleObservations: number;
  /** Up to this many agents in talk or wrap-up, their count is computed exactly, else normally. */
  exactAgents: number;
  /** False only in experiments: ignore the ledger and dial at theta. */
  ledgerControl: boolean;
}

export const defaultTuning: PredictiveTuning = {
  theta: 0.02,
  thetaMin: 0.002,
  thetaMax: 0.5,
  gain: 0.25,
  controlEveryHumans: 300,
  reservePct: 0.05,
  marginPct: 0.2,
  horizonHumans: 2_000,
  minDialObservations: 200,
  minHandleObservations: 20,
  exactAgents: 20,
  ledgerControl: true,
};

export interface PacingSettings {
  mode: DialMethod;
  /** Lines per active agent in ratio mode (> 0). */
  dialLevel: number;
  /** Ring time before a no-answer, ms (the dialer's setting; at least 15 s). */
  ringTimeoutMs: number;
  /** How long a human answer may wait for an agent before the safe-harbor drop, ms. */
  dropWaitMs: number;
  /** Never more calls not yet bridged than this many per working agent. */
  maxLinesPerAgent: number;
  /**
   * The no-agent guard (guard.ts); default DIAL_GUARD_RULE, the dialer's. Only the benchmark sets
   * it, to measure the other rule.
   */
  guard?: DialGuardRule;
  tuning?: Partial<PredictiveTuning>;
}

export interface PacingInput {
  nowMs: number;
  settings: PacingSettings;
  agents: readonly AgentView[];
  /** Use only the first agentCount entries (lets a caller reuse one array); default all. */
  agentCount?: number;
  calls: readonly CallView[];
  callCount?: number;
  /** Learned statistics for the current hour; null before any were built. */
  model: PacingModel | null;
  /** Drop-rate ledger over the rolling window. */
  ledger: LedgerView;
  /** The predictive controller's state from the previous decision (absent: start afresh). */
  control?: PacingControl;
  /**
   * Experiments only (the benchmark's `ours-known-free` ablation): the instant (epoch ms) each agent
   * of `agents` (same index) will be free, known exactly instead of predicted from the learned
   * talk and wrap-up distributions. The dialer never knows it.
   */
  knownFreeAtMs?: ArrayLike<number>;
}

/**
 * State the predictive mode carries between decisions (functional core: the dialer keeps it per
 * campaign and passes it back). theta is the drop-risk threshold; the rest marks the ledger at the
 * last update so each update sees the drop rate of the answers since.
 */
export interface PacingControl {
  theta: number;
  humansAt: number;
  dropsAt: number;
}

export interface PacingDecision {
  callsToPlace: number;
  /** One sentence a supervisor can read. */
  reason: string;
  /** The mode actually applied (predictive falls back to progressive while learning or over budget). */
  appliedMode: DialMethod;
  /** Predictive only: expected drops the placed calls add (sum of their drop chances times the live rate). */
  expectedDrops?: number;
  /** Predictive only: the controller state to pass to the next decision. */
  control?: PacingControl;
}
