import { cdfAt } from './histogram.js';
import * as est from './estimator.js';
import type { PacingModel } from './estimator.js';
import { dropBudget, dropRatePct, spendingPlan } from './ledger.js';
import { closePeriod, progressive, round1, updateControl, type Census } from './modes.js';
import {
  defaultTuning,
  type AgentView,
  type CallView,
  type PacingDecision,
  type PacingInput,
  type PredictiveTuning,
} from './pacing-types.js';

// Local copies: a transpiled module may read imported bindings through getters, which costs
// more than the arithmetic in the loops below.
const ARRIVAL_POINTS = est.ARRIVAL_POINTS;
const DELAY_BIN_S = est.DELAY_BIN_S;
const DELAY_BINS = est.DELAY_BINS;
const HANDLE_BIN_S = est.HANDLE_BIN_S;
const HANDLE_BINS = est.HANDLE_BINS;

/** Standard normal cumulative distribution (Zelen and Severo, error < 1e-7). */
function normalCdf(z: number): number {
  const t = 1 / (1 + 0.2316419 * Math.abs(z));
  const d = 0.3989422804014327 * Math.exp((-z * z) / 2);
  const p =
    d *
    t *
    (0.31938153 + t * (-0.356563782 + t * (1.781477937 + t * (-1.821255978 + t * 1.330274429))));
  return z > 0 ? 1 - p : p;
}

/**
 * Per-model lookup tables for one decision's hot loops: for each time already spent in talk or
 * wrap-up (1 s bins) and for each call age (DELAY_BIN_S bins), the chance of freeing up (or of a
 * human arriving) by each checked point. Memoised per model, so they cost once per rebuild and
 * the function stays pure.
 */
interface DecisionTables {
  dropWaitS: number;
  ringS: number;
  /** [eBin * ARRIVAL_POINTS + mi]: P(agent in talk for eBin s is free by xs[mi] + drop wait). */
  talk: Float64Array;
  wrap: Float64Array;
  /**
   * [eBin]: the first point with a non-zero chance in that row of `talk` (`wrap`), M if none: an
   * agent in talk cannot be free before its wrap-up ends, so most of its row is zero.
   */
  talkFrom: Uint8Array;
  wrapFrom: Uint8Array;
  /** [ageBin * ARRIVAL_POINTS + mi]: P(call ringing at that age is a human arrived by xs[mi]). */
  ring: Float64Array;
  /** [ageBin]: P(call ringing at that age ever becomes a human). */
  ringEver: Float64Array;
}

const tableMemo = new WeakMap<PacingModel, DecisionTables>();

function conditionalTable(
  cdf: Float64Array,
  offsets: Float64Array,
): { q: Float64Array; from: Uint8Array } {
  const M = offsets.length;
  const bins = cdf.length - 1;
  const out = new Float64Array(bins * M);
  const from = new Uint8Array(bins).fill(M);
  for (let b = 0; b < bins; b++) {
    const e = b * HANDLE_BIN_S;
    const f0 = cdfAt(cdf, HANDLE_BIN_S, e);
    for (let mi = 0; mi < M; mi++) {
      const q =
        f0 >= 1
          ? 1
          : Math.max(0, (cdfAt(cdf, HANDLE_BIN_S, e + (offsets[mi] ?? 0)) - f0) / (1 - f0));
      out[b * M + mi] = q;
      if (q !== 0 && (from[b] as number) === M) from[b] = mi;
    }
  }
  return { q: out, from };
}

function decisionTables(m: PacingModel, dropWaitS: number, ringS: number): DecisionTables {
  const cached = tableMemo.get(m);
  if (cached && cached.dropWaitS === dropWaitS && cached.ringS === ringS) return cached;
  const M = ARRIVAL_POINTS;
  const xs = m.arrivalQuantilesS;
  const talkOff = new Float64Array(M);
  const wrapOff = new Float64Array(M);
  for (let mi = 0; mi < M; mi++) {
    // In talk, the agent still owes a wrap-up (taken at its mean) after hanging up.
    talkOff[mi] = (xs[mi] ?? 0) + dropWaitS - m.meanWrapS;
    wrapOff[mi] = (xs[mi] ?? 0) + dropWaitS;
  }
  const K = DELAY_BINS;
  const ring = new Float64Array(K * M);
  const ringEver = new Float64Array(K);
  for (let bin = 0; bin < K; bin++) {
    const age = bin * DELAY_BIN_S;
    const sh = m.pHuman * (m.survHuman[bin] ?? 0);
    const z =
      sh +
      m.pMachine * (m.survMachine[bin] ?? 0) +
      m.pFailed * (m.survFailed[bin] ?? 0) +
      (age < ringS ? m.pNoAnswer : 0);
    if (!(z > 0) || sh <= 0) continue;
    ringEver[bin] = sh / z;
    for (let mi = 0; mi < M; mi++) {
      const kx = Math.min(K, Math.round((xs[mi] ?? 0) / DELAY_BIN_S));
      ring[bin * M + mi] = (m.pHuman / z) * (m.arrivalJoint[bin * (K + 1) + kx] ?? 0);
    }
  }
  const talk = conditionalTable(m.talkCdf, talkOff);
  const wrap = conditionalTable(m.wrapCdf, wrapOff);
  const t: DecisionTables = {
    dropWaitS,
    ringS,
    talk: talk.q,
    wrap: wrap.q,
    talkFrom: talk.from,
    wrapFrom: wrap.from,
    ring,
    ringEver,
  };
  tableMemo.set(m, t);
  return t;
}

/**
 * Scratch arrays reused from one decision to the next (zeroed on each use), so a decision
 * allocates nothing: the benchmark makes millions of them. No state survives a call, so
 * decidePacing stays a function of its input.
 */
const scratchArrays: Float64Array[] = [];
/** The row of chances for one agent whose free instant is known (knownFreeAtMs). */
const knownRow = new Float64Array(ARRIVAL_POINTS);
function scratch(slot: number, length: number): Float64Array {
  let a = scratchArrays[slot];
  if (a === undefined || a.length < length) {
    a = new Float64Array(Math.max(length, 2 * (a?.length ?? 0)));
    scratchArrays[slot] = a;
  }
  a.fill(0, 0, length);
  return a;
}

/**
 * The predictive mode. For each point x of the distribution of "dial to human needing an agent",
 * it predicts the agents free by x plus the drop wait (ready now, or finishing talk or wrap-up
 * given the time already spent) and the human answers that will have arrived before x (waiting
 * now, or from calls in flight given their age and stage, or from the other fresh calls). The
 * k-th fresh call is dropped if no agent is left for it; calls are added while that chance,
 * averaged over x, stays under a threshold that the drop-rate ledger raises while the 30-day
 * rate runs under its aim and lowers while over.
 */
export function predictive(input: PacingInput, c: Census): PacingDecision {
  const s = input.settings;
  const t: PredictiveTuning = s.tuning ? { ...defaultTuning, ...s.tuning } : defaultTuning;
  const m = input.model;
  if (
    m === null ||
    m.dialObservations < t.minDialObservations ||
    m.handleObservations < t.minHandleObservations
  )
    return progressive(c, s, 'Predictive is learning answer rates and call lengths; progressive: ');
  const plan = spendingPlan(input.ledger, t.marginPct, t.horizonHumans);
  const reserved = dropBudget(input.ledger, input.ledger.capPct - t.reservePct);
  if ((plan.forceProgressive || reserved < 1) && t.ledgerControl)
    return {
      ...progressive(
        c,
        s,
        `Drop budget spent (${round1(dropRatePct(input.ledger))}% of a ${input.ledger.capPct}% cap over 30 days); progressive: `,
      ),
      // Close the controller's period: its drops pushed us here, so they count (theta falls);
      // the progressive stretch itself is not measured, as it would read as room to dial harder.
      control: closePeriod(input.control, input.ledger, plan.targetPct, t),
    };
  const control = t.ledgerControl
    ? updateControl(input.control, input.ledger, plan.targetPct, t)
    : { theta: t.theta, humansAt: input.ledger.humans, dropsAt: input.ledger.drops };
  const p = m.pHuman;
  if (!(p > 0)) return progressive(c, s, 'No live answers learned yet; progressive: ');

  const theta = control.theta;

  const now = input.nowMs;
  const M = ARRIVAL_POINTS;
  const xs = m.arrivalQuantilesS;
  const dw = s.dropWaitMs / 1000;

  // Supply: READY agents are certain; agents in talk or wrap-up free up with some chance.
  const nA = input.agentCount ?? input.agents.length;
  const uncertain = c.busy;
  const exact = uncertain <= t.exactAgents;
  // exact: supplyDist[mi * (uncertain + 1) + k] = P(k of them free by xs[mi] + dw)
  const width = uncertain + 1;
  const supplyDist = exact ? scratch(0, M * width) : null;
  const supplyMean = scratch(1, M);
  const supplyVar = scratch(2, M);
  if (supplyDist) for (let mi = 0; mi < M; mi++) supplyDist[mi * width] = 1;
  let seen = 0;
  const tables = decisionTables(m, dw, s.ringTimeoutMs / 1000);
  const lastBin = HANDLE_BINS - 1;
  for (let i = 0; i < nA; i++) {
    const a = input.agents[i] as AgentView;
    const st = a.state;
    let table: Float64Array;
    let fromRow: Uint8Array;
    if (st === 'INCALL') {
      table = tables.talk;
      fromRow = tables.talkFrom;
    } else if (st === 'WRAPUP' || st === 'DEAD') {
      table = tables.wrap;
      fromRow = tables.wrapFrom;
    } else continue;
    const e = (now - a.sinceMs) / 1000;
    const bin = e <= 0 ? 0 : Math.min(lastBin, Math.floor(e / HANDLE_BIN_S));
    let row = bin * M;
    // Points before `from` have q = 0: they change neither the sums nor the distribution.
    let from = fromRow[bin] as number;
    if (input.knownFreeAtMs) {
      // The ablation: free by a point with certainty or not at all.
      const inS = ((input.knownFreeAtMs[i] as number) - now) / 1000;
      table = knownRow;
      row = 0;
      from = M;
      for (let mi = 0; mi < M; mi++) {
        const q = inS <= (xs[mi] ?? 0) + dw ? 1 : 0;
        knownRow[mi] = q;
        if (q !== 0 && from === M) from = mi;
      }
    }
    if (supplyDist) {
      for (let mi = from; mi < M; mi++) {
        const q = table[row + mi] as number;
        supplyMean[mi] = (supplyMean[mi] as number) + q;
        supplyVar[mi] = (supplyVar[mi] as number) + q * (1 - q);
        if (q === 0) continue; // no chance to be free by then: the count is unchanged
        // Poisson-binomial by convolution, one agent at a time.
        const base = mi * width;
        for (let k = seen + 1; k >= 1; k--)
          supplyDist[base + k] =
            (supplyDist[base + k] as number) * (1 - q) + (supplyDist[base + k - 1] as number) * q;
        supplyDist[base] = (supplyDist[base] as number) * (1 - q);
      }
    } else {
      for (let mi = from; mi < M; mi++) {
        const q = table[row + mi] as number;
        supplyMean[mi] = (supplyMean[mi] as number) + q;
        supplyVar[mi] = (supplyVar[mi] as number) + q * (1 - q);
      }
    }
    seen++;
  }

  // Demand: human answers arrived before x, from calls in flight (Poisson: many small chances).
  const lambda = scratch(3, M);
  let waiting = 0;
  let expectedHumans = 0;
  const nC = input.callCount ?? input.calls.length;
  const K = DELAY_BINS;
  const ring = tables.ring;
  const ringEver = tables.ringEver;
  for (let i = 0; i < nC; i++) {
    const call = input.calls[i] as CallView;
    if (call.stage === 'WAITING') {
      waiting++;
      expectedHumans++;
    } else if (call.stage === 'DIALING' || call.stage === 'RINGING') {
      const age = (now - call.dialedAtMs) / 1000;
      const bin = age <= 0 ? 0 : Math.min(K - 1, Math.floor(age / DELAY_BIN_S));
      expectedHumans += ringEver[bin] as number;
      const row = bin * M;
      for (let mi = 0; mi < M; mi++)
        lambda[mi] = (lambda[mi] as number) + (ring[row + mi] as number);
    } else if (call.stage === 'AMD') {
      const answerS = Math.max(0, (call.stageAtMs - call.dialedAtMs) / 1000);
      const e = Math.max(0, (now - call.stageAtMs) / 1000);
      const bin = Math.min(K - 1, Math.floor(answerS / DELAY_BIN_S));
      const left = 1 - cdfAt(m.amdHumanCdf, DELAY_BIN_S, e);
      const h = m.pHuman * (m.densHuman[bin] ?? 0) * left;
      const mm =
        m.pMachine * (m.densMachine[bin] ?? 0) * (1 - cdfAt(m.amdMachineCdf, DELAY_BIN_S, e));
      const ph = h + mm > 0 ? h / (h + mm) : 0.5;
      expectedHumans += ph;
      for (let mi = 0; mi < M; mi++) {
        const by =
          left > 0 ? (cdfAt(m.amdHumanCdf, DELAY_BIN_S, e + (xs[mi] ?? 0)) - (1 - left)) / left : 1;
        lambda[mi] = (lambda[mi] ?? 0) + ph * Math.min(1, Math.max(0, by));
      }
    }
  }

  const ready = c.ready;
  /** Chance that the k-th fresh call (k >= 1) reaches a human with no agent left for it. */
  const dropChance = (k: number): number => {
    let sum = 0;
    for (let mi = 0; mi < M; mi++) {
      const g = (mi + 0.5) / M; // share of fresh humans arrived by xs[mi], by construction
      const lam = (lambda[mi] ?? 0) + (k - 1) * p * g;
      const certain = ready - waiting; // agents minus humans that certainly came first
      if (supplyDist) {
        // P(certain + S - Poisson(lam) <= 0) = sum over s of P(S = s) P(Poisson >= certain + s)
        const base = mi * width;
        let pmf = Math.exp(-lam);
        let cdf = 0; // P(Poisson <= j - 1) as j grows
        let j = 0;
        let acc = 0;
        for (let sIdx = 0; sIdx < width; sIdx++) {
          const need = certain + sIdx; // drop if Poisson >= need
          while (j < need) {
            cdf += pmf;
            j++;
            pmf *= lam / j;
          }
          const tail = need <= 0 ? 1 : Math.max(0, 1 - cdf);
          acc += (supplyDist[base + sIdx] ?? 0) * tail;
        }
        sum += acc;
      } else {
        const mu = certain + (supplyMean[mi] ?? 0) - lam;
        const sd = Math.sqrt((supplyVar[mi] ?? 0) + lam + 1e-9);
        sum += normalCdf((0.5 - mu) / sd);
      }
    }
    return sum / M;
  };
  const limit = Math.max(0, Math.floor(s.maxLinesPerAgent * c.working) - c.pending);
  let n = 0;
  let last = 0;
  let risk = 0;
  while (n < limit) {
    const d = dropChance(n + 1);
    if (d > theta) break;
    last = d;
    risk += d * p;
    n++;
  }
  return {
    callsToPlace: n,
    appliedMode: 'predictive',
    expectedDrops: risk,
    control,
    reason:
      `Predictive: ${c.ready} ready and ${round1(supplyMean[M >> 1] ?? 0)} more expected free soon, ` +
      `${round1(expectedHumans)} live answers expected from ${c.pending} calls in flight ` +
      `(live rate ${round1(100 * p)}%); drops ${round1(dropRatePct(input.ledger))}% of a ${input.ledger.capPct}% cap, ` +
      `risking up to ${round1(100 * theta)}% per call: placing ${n}` +
      (n > 0 ? ` (last one ${round1(100 * last)}% at risk).` : '.'),
  };
}
