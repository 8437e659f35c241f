import type { AgentState, CallStage, DialMethod } from '@ringside/protocol';
import { cdfAt } from './histogram.js';
import { DELAY_BIN_S, DELAY_BINS, HANDLE_BIN_S, type PacingModel } from './estimator.js';
import { dropRatePct, spendingPlan, type LedgerView } from './ledger.js';

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
  /** Look-ahead, as a multiple of the mean dial-to-human delay, for agents about to free up. */
  horizonFactor: number;
  /** Safety in standard deviations of the supply-demand gap at the aim rate (higher dials more). */
  zBase: number;
  /** How strongly the spending plan's target moves z (per unit of relative target change). */
  gain: number;
  /** Keep the rolling drop rate this many percentage points under the cap. */
  marginPct: number;
  /** Human answers over which a budget surplus or deficit is spread. */
  horizonHumans: number;
  /** Stay progressive until this many dial outcomes and conversations have been learned. */
  minDialObservations: number;
  minHandleObservations: number;
  /** False only in experiments: ignore the ledger and dial at zBase. */
  ledgerControl: boolean;
}

export const defaultTuning: PredictiveTuning = {
  horizonFactor: 1,
  zBase: 0,
  gain: 1,
  marginPct: 0.3,
  horizonHumans: 2_000,
  minDialObservations: 200,
  minHandleObservations: 20,
  ledgerControl: true,
};

export interface PacingSettings {
  mode: DialMethod;
  /** Lines per active agent in ratio mode (> 0). */
  dialLevel: number;
  /** Ring time before a no-answer, ms (the dialer's setting; at least 15 s). */
  ringTimeoutMs: number;
  /** Never more calls not yet bridged than this many per working agent. */
  maxLinesPerAgent: number;
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
}

export interface PacingDecision {
  callsToPlace: number;
  /** One sentence a supervisor can read. */
  reason: string;
  /** The mode actually applied (predictive falls back to progressive while learning or over budget). */
  appliedMode: DialMethod;
}

/** Stages in which a call has not reached an agent yet and may still need one. */
function isPending(stage: CallStage): boolean {
  return stage === 'DIALING' || stage === 'RINGING' || stage === 'AMD' || stage === 'WAITING';
}

interface Census {
  ready: number;
  working: number;
  incall: number;
  pending: number;
}

function census(input: PacingInput): Census {
  const nA = input.agentCount ?? input.agents.length;
  const nC = input.callCount ?? input.calls.length;
  let ready = 0;
  let working = 0;
  let incall = 0;
  for (let i = 0; i < nA; i++) {
    const s = (input.agents[i] as AgentView).state;
    if (s === 'READY') ready++;
    if (s === 'INCALL' || s === 'RESERVED') incall++;
    if (s === 'READY' || s === 'RESERVED' || s === 'INCALL' || s === 'WRAPUP' || s === 'DEAD')
      working++;
  }
  let pending = 0;
  for (let i = 0; i < nC; i++) if (isPending((input.calls[i] as CallView).stage)) pending++;
  return { ready, working, incall, pending };
}

function capLines(n: number, c: Census, s: PacingSettings): number {
  const room = Math.floor(s.maxLinesPerAgent * c.working) - c.pending;
  return Math.max(0, Math.min(n, room));
}

function progressive(c: Census, s: PacingSettings, why: string): PacingDecision {
  const n = capLines(Math.max(0, c.ready - c.pending), c, s);
  return {
    callsToPlace: n,
    appliedMode: 'progressive',
    reason: `${why}${c.ready} agents ready, ${c.pending} calls already covering them: placing ${n}.`,
  };
}

function ratio(c: Census, s: PacingSettings): PacingDecision {
  // Same accounting as a classic dial level: lines (pending + talking) per ready or talking agent.
  const target = Math.round(s.dialLevel * (c.ready + c.incall));
  const n = capLines(Math.max(0, target - c.pending - c.incall), c, s);
  return {
    callsToPlace: n,
    appliedMode: 'ratio',
    reason: `Dial level ${s.dialLevel.toFixed(2)} on ${c.ready + c.incall} ready or talking agents, ${c.pending + c.incall} lines in use: placing ${n}.`,
  };
}

const round1 = (x: number): string => (Math.round(x * 10) / 10).toString();

/**
 * How many calls to place now, and why. Pure: reads only its input.
 *
 * Predictive mode balances, at a short look-ahead, the agents expected to be free (ready now, or
 * finishing talk or wrap-up, from the learned handle-time distributions conditioned on time
 * already spent) against the human answers expected from calls in flight (each call's chance of
 * still becoming a human, conditioned on its age and stage), then adds fresh calls at the learned
 * live-answer rate until the gap is covered with a safety term in standard deviations. The safety
 * term follows the drop-rate ledger: the ledger's surplus is spent, a deficit is paid back, and a
 * spent budget forces progressive dialing.
 */
export function decidePacing(input: PacingInput): PacingDecision {
  const s = input.settings;
  const c = census(input);
  if (c.working === 0)
    return {
      callsToPlace: 0,
      appliedMode: s.mode,
      reason: 'No agent is logged in and working: not dialing.',
    };
  switch (s.mode) {
    case 'manual':
      return {
        callsToPlace: 0,
        appliedMode: 'manual',
        reason: 'Manual dialing: agents place their own calls.',
      };
    case 'progressive':
      return progressive(c, s, 'Progressive: ');
    case 'ratio':
      return ratio(c, s);
    case 'predictive':
      return predictive(input, c);
  }
}

function predictive(input: PacingInput, c: Census): PacingDecision {
  const s = input.settings;
  const t: PredictiveTuning = { ...defaultTuning, ...s.tuning };
  const m = input.model;
  if (
    m === null ||
    m.dialObservations < t.minDialObservations ||
    m.handleObservations < t.minHandleObservations
  )
    return progressive(c, s, 'Predictive is learning answer rates and call lengths; progressive: ');
  const plan = spendingPlan(input.ledger, t.marginPct, t.horizonHumans);
  if (plan.forceProgressive && t.ledgerControl)
    return progressive(
      c,
      s,
      `Drop budget spent (${round1(dropRatePct(input.ledger))}% of a ${input.ledger.capPct}% cap over 30 days); progressive: `,
    );
  const p = m.pHuman;
  if (!(p > 0)) return progressive(c, s, 'No live answers learned yet; progressive: ');

  const now = input.nowMs;
  const horizonS = Math.max(1, t.horizonFactor * m.meanArrivalS);
  // Supply: agents free by the horizon.
  let supply = 0;
  let supplyVar = 0;
  const nA = input.agentCount ?? input.agents.length;
  const wrapMean = m.meanWrapS;
  for (let i = 0; i < nA; i++) {
    const a = input.agents[i] as AgentView;
    let q = 0;
    if (a.state === 'READY') q = 1;
    else if (a.state === 'INCALL') {
      const e = Math.max(0, (now - a.sinceMs) / 1000);
      const f0 = cdfAt(m.talkCdf, HANDLE_BIN_S, e);
      const f1 = cdfAt(m.talkCdf, HANDLE_BIN_S, e + horizonS - wrapMean);
      q = f0 >= 1 ? 1 : Math.max(0, (f1 - f0) / (1 - f0));
    } else if (a.state === 'WRAPUP' || a.state === 'DEAD') {
      const e = Math.max(0, (now - a.sinceMs) / 1000);
      const f0 = cdfAt(m.wrapCdf, HANDLE_BIN_S, e);
      const f1 = cdfAt(m.wrapCdf, HANDLE_BIN_S, e + horizonS);
      q = f0 >= 1 ? 1 : Math.max(0, (f1 - f0) / (1 - f0));
    }
    supply += q;
    supplyVar += q * (1 - q);
  }
  // Demand: human answers still to come from calls in flight.
  let demand = 0;
  let demandVar = 0;
  const nC = input.callCount ?? input.calls.length;
  const ringS = s.ringTimeoutMs / 1000;
  const K = DELAY_BINS;
  for (let i = 0; i < nC; i++) {
    const call = input.calls[i] as CallView;
    let q = 0;
    if (call.stage === 'WAITING') q = 1;
    else if (call.stage === 'DIALING' || call.stage === 'RINGING') {
      const age = Math.max(0, (now - call.dialedAtMs) / 1000);
      const bin = Math.min(K, Math.floor(age / DELAY_BIN_S));
      const sh = m.pHuman * (m.survHuman[bin] ?? 0);
      const z =
        sh +
        m.pMachine * (m.survMachine[bin] ?? 0) +
        m.pFailed * (m.survFailed[bin] ?? 0) +
        (age < ringS ? m.pNoAnswer : 0);
      q = z > 0 ? sh / z : 0;
    } else if (call.stage === 'AMD') {
      const answerS = Math.max(0, (call.stageAtMs - call.dialedAtMs) / 1000);
      const e = Math.max(0, (now - call.stageAtMs) / 1000);
      const bin = Math.min(K - 1, Math.floor(answerS / DELAY_BIN_S));
      const h = m.pHuman * (m.densHuman[bin] ?? 0) * (1 - cdfAt(m.amdHumanCdf, DELAY_BIN_S, e));
      const mm =
        m.pMachine * (m.densMachine[bin] ?? 0) * (1 - cdfAt(m.amdMachineCdf, DELAY_BIN_S, e));
      q = h + mm > 0 ? h / (h + mm) : 0.5;
    }
    demand += q;
    demandVar += q * (1 - q);
  }
  // Risk: z standard deviations of over-dial, moved by the spending plan.
  const aim = Math.max(0.05, input.ledger.capPct - t.marginPct);
  const zRisk = t.ledgerControl ? t.zBase + t.gain * ((plan.targetPct - aim) / aim) : t.zBase;
  const gap = supply - demand;
  let n = 0;
  for (let iter = 0; iter < 3; iter++) {
    const sd = Math.sqrt(supplyVar + demandVar + n * p * (1 - p));
    n = Math.max(0, Math.floor((gap + zRisk * sd) / p));
  }
  n = capLines(n, c, s);
  return {
    callsToPlace: n,
    appliedMode: 'predictive',
    reason:
      `Predictive: ${round1(supply)} agents expected free within ${Math.round(horizonS)} s ` +
      `(${c.ready} ready), ${round1(demand)} live answers expected from ${c.pending} calls in flight, ` +
      `live rate ${round1(100 * p)}%, drops ${round1(dropRatePct(input.ledger))}% of ${input.ledger.capPct}%: placing ${n}.`,
  };
}
