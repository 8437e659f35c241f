import {
  amdRule,
  decidePacing,
  personShareOfMachineVerdicts,
  spendingPlan,
  PacingStats,
  sampleDist,
  type DialGuardRule,
  type AmdErrorRates,
  type DialResult,
  type PacingInput,
  type PacingModel,
  type PredictiveTuning,
} from '../../apps/server/src/domain/pacing/index.js';
import type { DialMethod } from '@ringside/protocol';
import { seededRng } from '../../apps/server/src/ports/clock.js';
import type { Scenario } from './scenario.js';
import * as agentsModule from './agents.js';
import type { Sim, SimPolicy } from './sim.js';

// Local copies of hot constants (imported bindings may be read through getters once transpiled).
const { A_OUT, A_READY } = agentsModule;

/**
 * Seconds between two decisions, the same for every policy of a scenario. Production decides at
 * least every 250 ms; the benchmark uses 0.5 s, and 1 s from 100 agents up to fit its time budget
 * (with hundreds of agents each decision places several calls, so cadence matters less).
 */
export function decisionTickS(sc: Scenario): number {
  return sc.agents >= 100 ? 1 : 0.5;
}
/** Lines-per-agent ceiling handed to the production module (high: the benchmark measures pacing). */
const MAX_LINES_PER_AGENT = 60;

/** Runs the production pacing module (apps/server/src/domain/pacing) in one of its modes. */
class DomainPolicy implements SimPolicy {
  readonly tickS: number;
  private readonly input: PacingInput;
  private readonly stats: PacingStats | null;
  private model: PacingModel | null = null;
  private builtVersion = -1;
  private builtAtS = -Infinity;
  private builtDay = -1;
  private builtHour = -1;
  lastReason = '';
  /** Diagnostics: drops the module predicted for the calls it placed, and how many it placed. */
  expectedDrops = 0;
  placedPredictive = 0;

  /** The ablation's exact free instants (epoch ms, one per agent), or null. */
  private readonly knownFree: Float64Array | null;
  /**
   * The campaign's AMD error estimate, as an admin who measured it would set it: the scenario's
   * own rates. The dialer's AMD rule and ledger estimate (domain/pacing/amd.ts) run on it.
   */
  private readonly amd: AmdErrorRates;
  private readonly verdicts = { human: 0, machine: 0 };

  constructor(
    readonly name: 'progressive' | 'ratio' | 'ours' | 'ours-known-free',
    sc: Scenario,
    mode: DialMethod,
    dialLevel: number,
    tuning?: Partial<PredictiveTuning>,
    guard?: DialGuardRule,
  ) {
    this.knownFree = name === 'ours-known-free' ? new Float64Array(sc.agents) : null;
    this.amd = {
      humanAsMachinePct: 100 * sc.amdErrors.humanAsMachine,
      machineAsHumanPct: 100 * sc.amdErrors.machineAsHuman,
    };
    this.tickS = decisionTickS(sc);
    this.stats = mode === 'predictive' ? new PacingStats() : null;
    const settings = {
      mode,
      dialLevel,
      ringTimeoutMs: sc.ringTimeoutS * 1000,
      dropWaitMs: sc.dropWaitS * 1000,
      maxLinesPerAgent: MAX_LINES_PER_AGENT,
      ...(tuning ? { tuning } : {}),
      ...(guard ? { guard } : {}),
    };
    this.input = {
      nowMs: 0,
      settings,
      agents: [],
      calls: [],
      model: null,
      ledger: { drops: 0, humans: 0, capPct: sc.abandonTargetPct },
    };
  }

  decide(sim: Sim): number {
    const inp = this.input;
    inp.nowMs = sim.nowMs();
    inp.agents = sim.agents.views;
    inp.calls = sim.calls.views;
    inp.callCount = sim.calls.activeCount;
    inp.ledger = sim.ledger;
    if (this.stats) inp.model = this.currentModel(sim, this.stats);
    if (this.knownFree) {
      // Truth from the simulator (end of talk plus wrap-up, end of wrap-up): the ablation only.
      const dayMs = sim.day * 86_400_000;
      for (let a = 0; a < sim.n; a++)
        this.knownFree[a] = dayMs + (sim.agents.freeAt[a] as number) * 1000;
      inp.knownFreeAtMs = this.knownFree;
    }
    const d = decidePacing(inp);
    if (d.control) inp.control = d.control;
    this.lastReason = d.reason;
    this.expectedDrops += d.expectedDrops ?? 0;
    this.placedPredictive += d.appliedMode === 'predictive' ? d.callsToPlace : 0;
    return d.callsToPlace;
  }

  /** Rebuilds the learned tables as the production dialer would: each hour, or every few minutes. */
  private currentModel(sim: Sim, stats: PacingStats): PacingModel {
    const hour = sim.hour();
    const early = stats.dialObservations < 1_000 || stats.handleObservations < 100;
    const every = early ? 60 : 600;
    if (
      this.model === null ||
      hour !== this.builtHour ||
      sim.day !== this.builtDay ||
      (stats.version !== this.builtVersion && sim.t - this.builtAtS >= every)
    ) {
      this.model = stats.model(hour);
      this.builtVersion = stats.version;
      this.builtAtS = sim.t;
      this.builtHour = hour;
      this.builtDay = sim.day;
    }
    return this.model;
  }

  amdHangups(sim: Sim): boolean {
    if (!(this.amd.humanAsMachinePct > 0)) return true;
    return amdRule(this.amd.humanAsMachinePct, sim.ledger.capPct, {
      estimated: sim.dialerLedger.windowEstimated,
      humans: sim.ledger.humans - sim.dialerLedger.windowEstimated,
    }).hangups;
  }

  onVerdict(_sim: Sim, machine: boolean): void {
    if (machine) this.verdicts.machine++;
    else this.verdicts.human++;
  }

  machineHangupEstimate(): number {
    return personShareOfMachineVerdicts(this.amd, this.verdicts);
  }

  onDialFinished(
    _sim: Sim,
    result: DialResult,
    answerDelayS: number,
    amdDelayS: number,
    dialAtS: number,
  ): void {
    if (!this.stats) return;
    const hour = Math.floor(dialAtS / 3600);
    if (result === 'HUMAN' || result === 'MACHINE')
      this.stats.observeDial({
        hour,
        result,
        answerDelayMs: answerDelayS * 1000,
        amdDelayMs: amdDelayS * 1000,
      });
    else if (result === 'FAILED')
      this.stats.observeDial({ hour, result, answerDelayMs: answerDelayS * 1000 });
    else this.stats.observeDial({ hour, result });
  }

  onHandleFinished(_sim: Sim, talkS: number, wrapS: number): void {
    this.stats?.observeHandle({ talkMs: talkS * 1000, wrapMs: wrapS * 1000 });
  }
}

export function progressivePolicy(sc: Scenario, guard?: DialGuardRule): SimPolicy {
  return new DomainPolicy('progressive', sc, 'progressive', 1, undefined, guard);
}

export function ratioPolicy(sc: Scenario, dialLevel: number, guard?: DialGuardRule): SimPolicy {
  return new DomainPolicy('ratio', sc, 'ratio', dialLevel, undefined, guard);
}

/**
 * The production module in predictive mode. `guard` picks the no-agent rule (default: the
 * dialer's, DIAL_GUARD_RULE); the benchmark's `--guard` measures the other one.
 */
export function oursPolicy(
  sc: Scenario,
  tuning?: Partial<PredictiveTuning>,
  guard?: DialGuardRule,
): SimPolicy {
  return new DomainPolicy('ours', sc, 'predictive', 1, tuning, guard);
}

/**
 * Ablation, not a competitor: the production module in predictive mode told every agent's exact
 * free instant (the simulator's truth) instead of predicting it from the learned talk and wrap-up
 * distributions. Measures how much of the gap to the oracle is the unknown length of calls.
 */
export function oursKnownFreePolicy(sc: Scenario, tuning?: Partial<PredictiveTuning>): SimPolicy {
  return new DomainPolicy('ours-known-free', sc, 'predictive', 1, tuning);
}

/** VICIdial's shipped defaults for ADAPT_HARD_LIMIT (../shared/pacing/VICIDIAL_ADAPT.md). */
export interface VicidialSettings {
  maxLevel: number;
  dropCapPct: number;
  intensity: number;
  differentialTarget: number;
}

export const vicidialDefaults: VicidialSettings = {
  maxLevel: 3.0,
  dropCapPct: 3,
  intensity: 0,
  differentialTarget: 0,
};

/** One dial-level update of ADAPT_HARD_LIMIT; pure so its cases can be unit-tested. */
export function vicidialAdapt(
  level: number,
  means: { ready: number; waiting: number; loggedIn: number },
  lastMinute: { calls: number; drops: number },
  today: { calls: number; drops: number; humans: number },
  s: VicidialSettings = vicidialDefaults,
): number {
  let next = level;
  if (means.loggedIn > 0) {
    let d = (means.ready - means.waiting + s.differentialTarget) / means.loggedIn;
    if (d >= 0) d = d * (1 + s.intensity / 100);
    else d = d * Math.abs(s.intensity / 100 - 1);
    next = Math.round(level * (1 + d) * 1000) / 1000;
    next = Math.max(1.0, Math.min(s.maxLevel, next));
  }
  if (lastMinute.calls > 20 && lastMinute.drops / lastMinute.calls > 0.5) next = next / 2;
  if (today.calls > 50 && today.humans > 0 && (100 * today.drops) / today.humans > s.dropCapPct)
    next = 1.0;
  return Math.max(next, 1.0);
}

/** VICIdial's call count every 2.5 s: round(DL * (ready + talking)) minus lines in use. */
export function vicidialCallsToPlace(
  level: number,
  ready: number,
  talking: number,
  inFlight: number,
): number {
  return Math.max(0, Math.round(level * (ready + talking)) - inFlight);
}

/**
 * The VICIdial baseline reimplemented from VICIDIAL_ADAPT.md: samples each second, keeps 15,
 * refreshes "today" drop counters each minute, adapts the dial level every 15 s and places calls
 * every 2.5 s. The level carries over from day to day; the counters reset at midnight.
 */
export class VicidialPolicy implements SimPolicy {
  readonly name = 'vicidial' as const;
  /** Its own timers run at 1 s, 2.5 s, 15 s and 60 s; a 0.5 s tick hits each on time. */
  readonly tickS = 0.5;
  level = 1.0;
  private readonly ready = new Float64Array(15);
  private readonly waiting = new Float64Array(15);
  private readonly logged = new Float64Array(15);
  private samples = 0;
  private nextSample = 0;
  private nextAdapt = 15;
  private nextRefresh = 60;
  private nextPlace = 0;
  private today = { calls: 0, drops: 0, humans: 0 };
  private lastMinute = { calls: 0, drops: 0 };

  constructor(private readonly s: VicidialSettings = vicidialDefaults) {}

  onDayStart(): void {
    this.samples = 0;
    this.nextSample = 0;
    this.nextAdapt = 15;
    this.nextRefresh = 60;
    this.nextPlace = 0;
    this.today = { calls: 0, drops: 0, humans: 0 };
    this.lastMinute = { calls: 0, drops: 0 };
  }

  decide(sim: Sim): number {
    const t = sim.t;
    while (t >= this.nextSample) {
      const i = this.samples % 15;
      this.ready[i] = sim.agents.ready.count;
      this.waiting[i] = sim.calls.waiting.count;
      this.logged[i] = sim.agents.loggedInCount;
      this.samples++;
      this.nextSample += 1;
    }
    while (t >= this.nextRefresh) {
      this.lastMinute = {
        calls: sim.dialerLedger.todayCalls - this.today.calls,
        drops: sim.dialerLedger.todayDrops - this.today.drops,
      };
      this.today = {
        calls: sim.dialerLedger.todayCalls,
        drops: sim.dialerLedger.todayDrops,
        humans: sim.dialerLedger.todayHumans,
      };
      this.nextRefresh += 60;
    }
    while (t >= this.nextAdapt) {
      const k = Math.min(15, this.samples);
      let r = 0;
      let w = 0;
      let n = 0;
      for (let i = 0; i < k; i++) {
        r += this.ready[i] ?? 0;
        w += this.waiting[i] ?? 0;
        n += this.logged[i] ?? 0;
      }
      if (k > 0)
        this.level = vicidialAdapt(
          this.level,
          { ready: r / k, waiting: w / k, loggedIn: n / k },
          this.lastMinute,
          this.today,
          this.s,
        );
      this.nextAdapt += 15;
    }
    if (t < this.nextPlace) return 0;
    while (this.nextPlace <= t) this.nextPlace += 2.5;
    return vicidialCallsToPlace(
      this.level,
      sim.agents.ready.count,
      sim.agents.incallCount,
      sim.calls.activeCount + sim.agents.incallCount,
    );
  }
}

/**
 * The reference that cheats: it knows which leads will need an agent and exactly when every
 * agent frees up, but not how long a call takes to be answered (only its distribution, from the
 * scenario). It dials the k-th next agent-needing lead once the chance that it arrives more than
 * the drop wait before the k-th next free agent falls to alpha; like ours, it spends the drop
 * budget through the same ledger plan, so alpha rises while the 30-day rate runs under its aim.
 */
export class OraclePolicy implements SimPolicy {
  readonly name = 'oracle' as const;
  readonly tickS: number;
  readonly countsLeadsNeedingAgent = true;
  private readonly delays: Float64Array;
  alpha: number;

  constructor(
    private readonly sc: Scenario,
    private readonly alpha0 = 0.02,
    private readonly marginPct = 0.3,
  ) {
    this.alpha = alpha0;
    this.tickS = decisionTickS(sc);
    // Dial-to-agent-needed delays, from the scenario's own distributions.
    const rng = seededRng(12345);
    this.delays = new Float64Array(20_000);
    for (let i = 0; i < this.delays.length; i++)
      this.delays[i] = sampleDist(sc.liveAnswerDelayS, rng) + sampleDist(sc.amdHumanDecisionS, rng);
    this.delays.sort();
  }

  decide(sim: Sim): number {
    const ledger = sim.ledger;
    const plan = spendingPlan(ledger, this.marginPct);
    const aim = Math.max(0.05, ledger.capPct - this.marginPct);
    this.alpha = plan.forceProgressive
      ? 0
      : Math.min(0.95, this.alpha0 * Math.exp((2 * (plan.targetPct - aim)) / aim));
    const lead = this.delays[Math.floor(this.alpha * (this.delays.length - 1))] as number;
    // The k-th free time (k = agent-needing calls already in flight) is due once
    // t >= free - dropWait - lead; so the calls to place are the agents due by then minus k.
    const due = sim.t + this.sc.dropWaitS + lead;
    let count = 0;
    for (let a = 0; a < sim.n; a++) {
      const st = sim.agents.state[a];
      const f = st === A_READY ? sim.t : (sim.agents.freeAt[a] as number);
      if (st === A_OUT && f === Infinity) continue;
      if (f >= (sim.schedule.logoutAtS[a] as number)) continue;
      if (f <= due) count++;
    }
    return Math.max(0, count - sim.inflightNeedingAgent);
  }
}
