import { distDensity, type DistSpec } from './distributions.js';
import { DurationHistogram } from './histogram.js';

/** How a dialed call ended, as far as pacing cares (the dialer maps CallOutcome onto these). */
export type DialResult = 'HUMAN' | 'MACHINE' | 'FAILED' | 'NO_ANSWER';

/** One finished dial attempt, fed by the dialer once its outcome is known. */
export interface DialObservation {
  /** Hour of day in the campaign's time zone (0-23) when the call was placed. */
  hour: number;
  result: DialResult;
  /** Dial to answer (HUMAN, MACHINE) or dial to failure (FAILED), in milliseconds. */
  answerDelayMs?: number;
  /** Answer to AMD decision (HUMAN, MACHINE), in milliseconds. */
  amdDelayMs?: number;
}

/** One finished conversation: talk and wrap-up durations in milliseconds. */
export interface HandleObservation {
  talkMs: number;
  wrapMs: number;
}

/**
 * What the model assumes before it has data. Deliberately generic (not any benchmark's truth): the
 * weights are small so a few hundred real calls override them.
 */
export interface PacingPriors {
  human: number;
  machine: number;
  failed: number;
  answerDelayS: { human: DistSpec; machine: DistSpec; failed: DistSpec };
  amdDelayS: { human: DistSpec; machine: DistSpec };
  talkS: DistSpec;
  wrapS: DistSpec;
  /** Pseudo-observations each prior is worth. */
  weight: number;
}

export const defaultPriors: PacingPriors = {
  human: 0.15,
  machine: 0.2,
  failed: 0.1,
  answerDelayS: {
    human: { dist: 'gamma', shape: 3, scale: 3, offset: 2, max: 30 },
    machine: { dist: 'uniform', min: 8, max: 25 },
    failed: { dist: 'uniform', min: 1, max: 8 },
  },
  amdDelayS: {
    human: { dist: 'uniform', min: 0.5, max: 3 },
    machine: { dist: 'uniform', min: 2, max: 5 },
  },
  talkS: { dist: 'lognormal', mean: 150, cv: 1 },
  wrapS: { dist: 'uniform', min: 5, max: 30 },
  weight: 20,
};

/** Bin width and count of the delay tables (answer and AMD delays): 0.5 s up to 64 s. */
export const DELAY_BIN_S = 0.5;
export const DELAY_BINS = 128;
/** Bin width and count of the handle-time tables (talk, wrap): 1 s up to 2 h. */
export const HANDLE_BIN_S = 1;
export const HANDLE_BINS = 7200;
/** How many points of the arrival-time distribution a decision checks. */
export const ARRIVAL_POINTS = 6;

const OUTCOMES = 4; // HUMAN, MACHINE, FAILED, NO_ANSWER
const resultIndex: Record<DialResult, number> = { HUMAN: 0, MACHINE: 1, FAILED: 2, NO_ANSWER: 3 };

/**
 * Everything the predictive mode reads, precomputed as tables so one decision costs a few
 * lookups per agent and per call. Built by PacingStats.model(); immutable once built.
 */
export interface PacingModel {
  hour: number;
  /** Outcome probabilities of a fresh dial at this hour. */
  pHuman: number;
  pMachine: number;
  pFailed: number;
  pNoAnswer: number;
  /** P(answer or failure delay >= i * DELAY_BIN_S), i = 0..DELAY_BINS, per outcome. */
  survHuman: Float64Array;
  survMachine: Float64Array;
  survFailed: Float64Array;
  /** Densities (per second) of the answer delay per bin for humans and machines. */
  densHuman: Float64Array;
  densMachine: Float64Array;
  /** P(AMD decision delay < i * DELAY_BIN_S) for humans and machines. */
  amdHumanCdf: Float64Array;
  amdMachineCdf: Float64Array;
  /**
   * joint[i * (DELAY_BINS + 1) + k] = P(answer delay >= i bins and answer + AMD delay < (i + k)
   * bins) for a human: the chance that a call still ringing at age i becomes a human needing an
   * agent within the next k bins (before dividing by the chance it is still ringing at all).
   */
  arrivalJoint: Float64Array;
  /** P(answer + AMD delay < k bins) for a human, k = 0..DELAY_BINS. */
  arrivalCdf: Float64Array;
  /** Mean dial-to-agent-needed delay of a human answer, in seconds. */
  meanArrivalS: number;
  /**
   * Quantiles of that delay at (m + 0.5) / ARRIVAL_POINTS: where a fresh call's human answer
   * lands, the points at which the predictive mode checks that an agent will be there.
   */
  arrivalQuantilesS: Float64Array;
  talkCdf: Float64Array;
  wrapCdf: Float64Array;
  meanTalkS: number;
  meanWrapS: number;
  /** Real observations behind the model (priors excluded). */
  dialObservations: number;
  handleObservations: number;
}

function addPrior(h: DurationHistogram, spec: DistSpec, weight: number): void {
  if (spec.dist === 'fixed') {
    h.add(spec.value, weight);
    return;
  }
  let mass = 0;
  const dens = new Float64Array(h.bins);
  for (let i = 0; i < h.bins; i++) {
    const d = distDensity(spec, (i + 0.5) * h.binS) * h.binS;
    dens[i] = d;
    mass += d;
  }
  if (mass <= 0) return;
  for (let i = 0; i < h.bins; i++) {
    const w = ((dens[i] ?? 0) / mass) * weight;
    if (w > 0) h.add((i + 0.5) * h.binS, w);
  }
}

function survivalFromCdf(cdf: Float64Array): Float64Array {
  const s = new Float64Array(cdf.length);
  for (let i = 0; i < cdf.length; i++) s[i] = 1 - (cdf[i] ?? 0);
  return s;
}

function densityFrom(h: DurationHistogram): Float64Array {
  const d = new Float64Array(h.bins);
  if (h.total <= 0) return d;
  for (let i = 0; i < h.bins; i++) d[i] = (h.counts[i] ?? 0) / h.total / h.binS;
  return d;
}

/**
 * The online estimator the dialer feeds with finished calls: outcome rates by hour of day,
 * answer-delay and AMD-delay distributions per outcome, talk and wrap-up distributions. One per
 * campaign. Pure state: no clock, no I/O; the dialer decides when to rebuild the model.
 */
export class PacingStats {
  /** Outcome counts per hour of day, halved when an hour passes its cap so drift is followed. */
  private readonly hourly = new Float64Array(24 * OUTCOMES);
  private readonly overall = new Float64Array(OUTCOMES);
  private readonly answer = {
    human: new DurationHistogram(DELAY_BIN_S, DELAY_BINS),
    machine: new DurationHistogram(DELAY_BIN_S, DELAY_BINS),
    failed: new DurationHistogram(DELAY_BIN_S, DELAY_BINS),
  };
  private readonly amd = {
    human: new DurationHistogram(DELAY_BIN_S, DELAY_BINS),
    machine: new DurationHistogram(DELAY_BIN_S, DELAY_BINS),
  };
  private readonly talk = new DurationHistogram(HANDLE_BIN_S, HANDLE_BINS, 5_000);
  private readonly wrap = new DurationHistogram(HANDLE_BIN_S, HANDLE_BINS, 5_000);
  private readonly priorOutcome: Float64Array;
  private dialCount = 0;
  private handleCount = 0;
  /** Bumped on every observation; a cached model is stale when this moved. */
  version = 0;

  constructor(
    private readonly priors: PacingPriors = defaultPriors,
    /** Weight per hour after which that hour's counts are halved. */
    private readonly hourCap = 4_000,
  ) {
    const noAnswer = Math.max(0, 1 - priors.human - priors.machine - priors.failed);
    this.priorOutcome = Float64Array.from([priors.human, priors.machine, priors.failed, noAnswer]);
    for (let k = 0; k < OUTCOMES; k++)
      this.overall[k] = (this.priorOutcome[k] ?? 0) * priors.weight;
    addPrior(this.answer.human, priors.answerDelayS.human, priors.weight);
    addPrior(this.answer.machine, priors.answerDelayS.machine, priors.weight);
    addPrior(this.answer.failed, priors.answerDelayS.failed, priors.weight);
    addPrior(this.amd.human, priors.amdDelayS.human, priors.weight);
    addPrior(this.amd.machine, priors.amdDelayS.machine, priors.weight);
    addPrior(this.talk, priors.talkS, priors.weight);
    addPrior(this.wrap, priors.wrapS, priors.weight);
  }

  get dialObservations(): number {
    return this.dialCount;
  }
  get handleObservations(): number {
    return this.handleCount;
  }

  observeDial(o: DialObservation): void {
    const k = resultIndex[o.result];
    const hour = ((Math.floor(o.hour) % 24) + 24) % 24;
    const base = hour * OUTCOMES;
    this.hourly[base + k] = (this.hourly[base + k] ?? 0) + 1;
    let hourTotal = 0;
    for (let j = 0; j < OUTCOMES; j++) hourTotal += this.hourly[base + j] ?? 0;
    if (hourTotal > this.hourCap)
      for (let j = 0; j < OUTCOMES; j++) this.hourly[base + j] = (this.hourly[base + j] ?? 0) / 2;
    this.overall[k] = (this.overall[k] ?? 0) + 1;
    let total = 0;
    for (let j = 0; j < OUTCOMES; j++) total += this.overall[j] ?? 0;
    if (total > this.hourCap * 4)
      for (let j = 0; j < OUTCOMES; j++) this.overall[j] = (this.overall[j] ?? 0) / 2;
    const ans = o.answerDelayMs === undefined ? undefined : o.answerDelayMs / 1000;
    const amd = o.amdDelayMs === undefined ? undefined : o.amdDelayMs / 1000;
    if (o.result === 'HUMAN') {
      if (ans !== undefined) this.answer.human.add(ans);
      if (amd !== undefined) this.amd.human.add(amd);
    } else if (o.result === 'MACHINE') {
      if (ans !== undefined) this.answer.machine.add(ans);
      if (amd !== undefined) this.amd.machine.add(amd);
    } else if (o.result === 'FAILED' && ans !== undefined) {
      this.answer.failed.add(ans);
    }
    this.dialCount++;
    this.version++;
  }

  observeHandle(o: HandleObservation): void {
    this.talk.add(o.talkMs / 1000);
    this.wrap.add(o.wrapMs / 1000);
    this.handleCount++;
    this.version++;
  }

  /**
   * Outcome probabilities for an hour: that hour's counts shrunk toward the all-hours rates
   * (which are themselves shrunk toward the priors), so a quiet hour borrows strength.
   */
  outcomeRates(hour: number): [number, number, number, number] {
    const h = ((Math.floor(hour) % 24) + 24) % 24;
    let total = 0;
    for (let j = 0; j < OUTCOMES; j++) total += this.overall[j] ?? 0;
    const shrink = 50;
    const out: [number, number, number, number] = [0, 0, 0, 0];
    let hourTotal = 0;
    for (let j = 0; j < OUTCOMES; j++) hourTotal += this.hourly[h * OUTCOMES + j] ?? 0;
    for (let j = 0; j < OUTCOMES; j++) {
      const global = total > 0 ? (this.overall[j] ?? 0) / total : (this.priorOutcome[j] ?? 0);
      out[j] = ((this.hourly[h * OUTCOMES + j] ?? 0) + shrink * global) / (hourTotal + shrink);
    }
    return out;
  }

  /** Builds the tables the predictive mode reads (a few milliseconds; cache it by `version`). */
  model(hour: number): PacingModel {
    const [pHuman, pMachine, pFailed, pNoAnswer] = this.outcomeRates(hour);
    const ansH = this.answer.human.cdfTable();
    const amdH = this.amd.human.cdfTable();
    const K = DELAY_BINS;
    // Distribution of answer + AMD delay for humans, answer delay taken at its bin centre.
    const pA = new Float64Array(K);
    for (let j = 0; j < K; j++) pA[j] = (ansH[j + 1] ?? 1) - (ansH[j] ?? 0);
    const arrivalJoint = new Float64Array(K * (K + 1));
    // joint[i][k] = P(A in bin i) * P(M < k - 0.5 bins) + joint[i + 1][k - 1]: the answer lands
    // in bin i (taken at its centre), or later, which is the same question one bin further on.
    const mHalf = new Float64Array(K + 1);
    for (let k = 1; k <= K; k++) mHalf[k] = ((amdH[k - 1] ?? 0) + (amdH[k] ?? 1)) / 2;
    for (let i = K - 1; i >= 0; i--) {
      for (let k = 1; k <= K; k++) {
        const later = i + 1 < K ? (arrivalJoint[(i + 1) * (K + 1) + k - 1] ?? 0) : 0;
        arrivalJoint[i * (K + 1) + k] = (pA[i] ?? 0) * (mHalf[k] ?? 1) + later;
      }
    }
    const arrivalCdf = new Float64Array(K + 1);
    for (let k = 0; k <= K; k++) arrivalCdf[k] = arrivalJoint[k] ?? 0;
    const arrivalQuantilesS = new Float64Array(ARRIVAL_POINTS);
    for (let m = 0; m < ARRIVAL_POINTS; m++) {
      const u = ((m + 0.5) / ARRIVAL_POINTS) * (arrivalCdf[K] ?? 1);
      let k = 0;
      while (k < K && (arrivalCdf[k + 1] ?? 1) < u) k++;
      const a = arrivalCdf[k] ?? 0;
      const b = arrivalCdf[k + 1] ?? 1;
      arrivalQuantilesS[m] = (k + (b > a ? (u - a) / (b - a) : 0)) * DELAY_BIN_S;
    }
    return {
      hour,
      arrivalQuantilesS,
      pHuman,
      pMachine,
      pFailed,
      pNoAnswer,
      survHuman: survivalFromCdf(ansH),
      survMachine: survivalFromCdf(this.answer.machine.cdfTable()),
      survFailed: survivalFromCdf(this.answer.failed.cdfTable()),
      densHuman: densityFrom(this.answer.human),
      densMachine: densityFrom(this.answer.machine),
      amdHumanCdf: amdH,
      amdMachineCdf: this.amd.machine.cdfTable(),
      arrivalJoint,
      arrivalCdf,
      meanArrivalS: this.answer.human.mean() + this.amd.human.mean(),
      talkCdf: this.talk.cdfTable(),
      wrapCdf: this.wrap.cdfTable(),
      meanTalkS: this.talk.mean(),
      meanWrapS: this.wrap.mean(),
      dialObservations: this.dialCount,
      handleObservations: this.handleCount,
    };
  }
}
