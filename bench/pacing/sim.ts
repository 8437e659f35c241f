import type {
  AgentView,
  CallView,
  DialResult,
  LedgerView,
} from '../../apps/server/src/domain/pacing/index.js';
import { seededRng, type Rng } from '../../apps/server/src/ports/clock.js';
import { EventHeap } from './heap.js';
import * as leadFields from './leads.js';
import { LeadStream } from './leads.js';
import * as scenarioModule from './scenario.js';
import type { Scenario } from './scenario.js';

// Local copies: imported bindings may be read through getters once transpiled, and these are
// read on every dial.
const L_AMD_HUMAN = leadFields.L_AMD_HUMAN;
const L_AMD_MACHINE = leadFields.L_AMD_MACHINE;
const L_FAILED_DELAY = leadFields.L_FAILED_DELAY;
const L_LIVE_DELAY = leadFields.L_LIVE_DELAY;
const L_MACHINE_DELAY = leadFields.L_MACHINE_DELAY;
const L_TALK = leadFields.L_TALK;
const L_U = leadFields.L_U;
const L_U_ERR = leadFields.L_U_ERR;
const L_WRAP = leadFields.L_WRAP;
const liveAt = scenarioModule.liveAt;
const scheduleTimeFor = scenarioModule.scheduleTimeFor;

/**
 * The benchmark's policies; `ours-known-free` is an ablation run only when asked for (`--policies`):
 * ours told every agent's exact free instant instead of predicting it.
 */
export type PolicyName =
  'progressive' | 'ratio' | 'vicidial' | 'ours' | 'oracle' | 'ours-known-free';

/** A pacing policy driven by the simulator. State may live in the object across days. */
export interface Policy {
  readonly name: PolicyName;
  /** Seconds between two decisions. */
  readonly tickS: number;
  /**
   * When true, decide() returns how many leads that will need an agent to dial; the simulator
   * dials every lead in order up to and including that many of them (the oracle).
   */
  readonly countsLeadsNeedingAgent?: boolean;
  /** Calls to place now. */
  decide(sim: Sim): number;
  /** A dial attempt's outcome became known, as the production dialer would see it. */
  onDialFinished?(
    sim: Sim,
    result: DialResult,
    answerDelayS: number,
    amdDelayS: number,
    dialAtS: number,
  ): void;
  /** A conversation and its wrap-up finished. */
  onHandleFinished?(sim: Sim, talkS: number, wrapS: number): void;
  /**
   * A MACHINE verdict: hang up (true, the default) or send it to an agent like a human (false),
   * as the production dialer's AMD rule decides (domain/pacing/amd.ts).
   */
  amdHangups?(sim: Sim): boolean;
  /** AMD's verdict on an answered call (MACHINE or not), whatever is done with it. */
  onVerdict?(sim: Sim, machine: boolean): void;
  /**
   * Expected abandoned people per MACHINE hang-up, added to the ledger as estimated drops (and
   * live answers) the way the production dialer does; default 0 (the ledger sees only drops).
   */
  machineHangupEstimate?(sim: Sim): number;
  onDayStart?(sim: Sim): void;
}

/** Agent states in the simulator. */
export const A_OUT = 0;
export const A_READY = 1;
export const A_PAUSED = 2;
export const A_INCALL = 3;
export const A_WRAP = 4;
const agentStateName = ['LOGGED_OUT', 'READY', 'PAUSED', 'INCALL', 'WRAPUP'] as const;

/** Call stages in the simulator (a bridged call leaves the pool: its agent carries it). */
const C_FREE = 0;
const C_RINGING = 1;
const C_AMD = 2;
const C_WAITING = 3;

/** What the lead will do (the truth the production dialer never sees). */
const K_LIVE = 0;
const K_MACHINE = 1;
const K_FAILED = 2;
const K_NOANSWER = 3;

/** Event kinds (low 4 bits of the code; the rest is the agent or call slot). */
const E_TICK = 0;
const E_ANSWER = 1;
const E_END = 2;
const E_AMD = 3;
const E_DROP = 4;
const E_TALK_END = 5;
const E_WRAP_END = 6;
const E_LOGIN = 7;
const E_LOGOUT = 8;
const E_PAUSE_REQ = 9;
const E_PAUSE_END = 10;

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
}

const NIL = -1;

/**
 * Discrete-event simulation of one campaign under a virtual clock: leads from a seeded stream,
 * agents with schedules and pauses, AMD with its errors, the drop wait, and a pacing policy
 * asked every `tickS` how many calls to place. Nothing is allocated per event: agents and calls
 * live in typed arrays, events in a typed heap, and the views handed to the production pacing
 * module are reused objects.
 */
export class Sim {
  readonly sc: Scenario;
  readonly n: number;
  readonly leads: LeadStream;
  private readonly heap = new EventHeap(4096);
  /** Seconds since the start of the current day, and the day index. */
  t = 0;
  day = 0;
  readonly dayLenS: number;

  // Agents
  readonly aState: Int8Array;
  readonly aSince: Float64Array;
  readonly aToken: Int32Array;
  /** When the agent is next expected free, for the oracle (talk end + wrap, pause end, login). */
  readonly aFreeAt: Float64Array;
  private readonly aTalk: Float64Array;
  private readonly aWrap: Float64Array;
  private readonly aCountsTalk: Uint8Array;
  private readonly aPausePending: Float64Array;
  private readonly aLoginAt: Float64Array;
  readonly aLogoutAt: Float64Array;
  private readonly aLoggedSince: Float64Array;
  private readonly rPrev: Int32Array;
  private readonly rNext: Int32Array;
  private rHead = NIL;
  private rTail = NIL;
  readonly agentViews: AgentView[];

  // Calls
  private cap = 0;
  private cStage = new Int8Array(0);
  private cKind = new Int8Array(0);
  private cGen = new Int32Array(0);
  private cDialAt = new Float64Array(0);
  private cStageAt = new Float64Array(0);
  private cAnswerDelay = new Float64Array(0);
  private cAmdDelay = new Float64Array(0);
  private cTalk = new Float64Array(0);
  private cWrap = new Float64Array(0);
  /** Bit 1: human taken for a machine; bit 2: machine passed to an agent. */
  private cErr = new Int8Array(0);
  private cActiveIdx = new Int32Array(0);
  private cNext = new Int32Array(0);
  private wPrev = new Int32Array(0);
  private wNext = new Int32Array(0);
  private wHead = NIL;
  private wTail = NIL;
  private freeHead = NIL;
  private activeSlots = new Int32Array(0);
  /** Calls dialed and not yet bridged or ended: the views the pacing module reads. */
  readonly callViews: CallView[] = [];
  activeCount = 0;

  // Counters the policies read
  readyCount = 0;
  incallCount = 0;
  wrapCount = 0;
  pausedCount = 0;
  loggedInCount = 0;
  waitingCount = 0;
  amdCount = 0;
  /** Calls in flight that will need an agent (truth; only the oracle may read it). */
  inflightNeedingAgent = 0;

  // Ledger as the dialer sees it (AMD's verdicts), per day and over the rolling window
  private readonly ledgerDrops: Float64Array;
  private readonly ledgerHumans: Float64Array;
  private readonly ledgerEstimated: Float64Array;
  readonly ledger: LedgerView;
  /** Estimated AMD drops inside the ledger's window (already included in ledger.drops). */
  windowEstimated = 0;
  /** Estimated AMD drops added over the run, and MACHINE verdicts sent to agents (AMD rule). */
  estimatedDrops = 0;
  machineToAgents = 0;
  /** People hung up on by AMD (truth; included in drops). */
  amdDrops = 0;
  readonly windowDays = 30;

  // Metrics (truth)
  dials = 0;
  connects = 0;
  humans = 0;
  drops = 0;
  talkS = 0;
  waitS = 0;
  loggedS = 0;
  lineS = 0;
  private lastT = 0;
  readonly perDay: DayResult[] = [];
  private dayStartHumans = 0;
  private dayStartDrops = 0;
  /** Dialing statistics for the VICIdial baseline's "today" counters (as the dialer sees them). */
  todayCalls = 0;
  todayDrops = 0;
  todayHumans = 0;

  private pauseAgents: Int32Array = new Int32Array(0);
  private pauseDur: Float64Array = new Float64Array(0);
  private readonly schedRng: Rng;

  constructor(
    sc: Scenario,
    readonly seed: number,
    readonly policy: Policy,
  ) {
    this.sc = sc;
    const n = sc.agents;
    this.n = n;
    this.dayLenS = sc.hoursPerDay * 3600;
    this.leads = new LeadStream(sc, seededRng(seed * 7919 + 17));
    this.schedRng = seededRng(seed * 104729 + 5);
    this.aState = new Int8Array(n);
    this.aSince = new Float64Array(n);
    this.aToken = new Int32Array(n);
    this.aFreeAt = new Float64Array(n);
    this.aTalk = new Float64Array(n);
    this.aWrap = new Float64Array(n);
    this.aCountsTalk = new Uint8Array(n);
    this.aPausePending = new Float64Array(n);
    this.aLoginAt = new Float64Array(n);
    this.aLogoutAt = new Float64Array(n);
    this.aLoggedSince = new Float64Array(n);
    this.rPrev = new Int32Array(n).fill(NIL);
    this.rNext = new Int32Array(n).fill(NIL);
    this.agentViews = Array.from({ length: n }, () => ({ state: 'LOGGED_OUT', sinceMs: 0 }));
    this.ledgerDrops = new Float64Array(sc.days);
    this.ledgerHumans = new Float64Array(sc.days);
    this.ledgerEstimated = new Float64Array(sc.days);
    this.ledger = { drops: 0, humans: 0, capPct: sc.abandonTargetPct };
    this.growCalls(1024);
  }

  /** Epoch-like milliseconds of the virtual clock (days laid end to end). */
  nowMs(): number {
    return (this.day * 86_400 + this.t) * 1000;
  }

  private growCalls(cap: number): void {
    const old = this.cap;
    const f64 = (a: Float64Array): Float64Array<ArrayBuffer> => {
      const b = new Float64Array(cap);
      b.set(a);
      return b;
    };
    const i32 = (a: Int32Array): Int32Array<ArrayBuffer> => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    const i8 = (a: Int8Array): Int8Array<ArrayBuffer> => {
      const b = new Int8Array(cap);
      b.set(a);
      return b;
    };
    this.cStage = i8(this.cStage);
    this.cKind = i8(this.cKind);
    this.cErr = i8(this.cErr);
    this.cGen = i32(this.cGen);
    this.cActiveIdx = i32(this.cActiveIdx);
    this.cNext = i32(this.cNext);
    this.wPrev = i32(this.wPrev);
    this.wNext = i32(this.wNext);
    this.activeSlots = i32(this.activeSlots);
    this.cDialAt = f64(this.cDialAt);
    this.cStageAt = f64(this.cStageAt);
    this.cAnswerDelay = f64(this.cAnswerDelay);
    this.cAmdDelay = f64(this.cAmdDelay);
    this.cTalk = f64(this.cTalk);
    this.cWrap = f64(this.cWrap);
    // New slots join the free list.
    for (let i = cap - 1; i >= old; i--) {
      this.cNext[i] = this.freeHead;
      this.freeHead = i;
    }
    this.cap = cap;
  }

  // ---- run ---------------------------------------------------------------------------------

  run(days = this.sc.days): RunResult {
    for (let d = 0; d < days; d++) this.runDay(d);
    return {
      days,
      dials: this.dials,
      connects: this.connects,
      humans: this.humans,
      drops: this.drops,
      talkS: this.talkS,
      waitS: this.waitS,
      loggedS: this.loggedS,
      lineS: this.lineS,
      perDay: this.perDay,
      amdDrops: this.amdDrops,
      estimatedDrops: this.estimatedDrops,
      machineToAgents: this.machineToAgents,
    };
  }

  private runDay(d: number): void {
    this.day = d;
    this.t = 0;
    this.lastT = 0;
    this.heap.clear();
    this.todayCalls = 0;
    this.todayDrops = 0;
    this.todayHumans = 0;
    this.dayStartDrops = this.drops;
    this.dayStartHumans = this.humans;
    // Rolling window: forget the day that leaves it.
    if (d >= this.windowDays) {
      this.ledger.drops -= this.ledgerDrops[d - this.windowDays] ?? 0;
      this.ledger.humans -= this.ledgerHumans[d - this.windowDays] ?? 0;
      this.windowEstimated -= this.ledgerEstimated[d - this.windowDays] ?? 0;
    }
    const sched = this.sc.agentSchedule;
    const n = this.n;
    const logoutBase =
      typeof sched.logoutAtS === 'object' && !Array.isArray(sched.logoutAtS)
        ? this.dayLenS - sched.logoutAtS.stagger * (n - 1)
        : this.dayLenS;
    let lastLogout = 0;
    for (let i = 0; i < n; i++) {
      const login = scheduleTimeFor(sched.loginAtS, i, 0);
      const logout = scheduleTimeFor(sched.logoutAtS, i, logoutBase);
      this.aLoginAt[i] = login;
      this.aLogoutAt[i] = logout;
      this.aPausePending[i] = 0;
      if (logout > lastLogout) lastLogout = logout;
      if (logout > login) this.heap.push(login, i * 16 + E_LOGIN, 0);
      this.aFreeAt[i] = login;
    }
    for (let i = 0; i < n; i++) this.heap.push(this.aLogoutAt[i] as number, i * 16 + E_LOGOUT, 0);
    this.schedulePauses();
    this.heap.push(0.001, E_TICK, 0);
    this.policy.onDayStart?.(this);
    const heap = this.heap;
    const tickS = this.policy.tickS;
    while (heap.pop()) {
      const time = heap.topTime;
      const code = heap.topCode;
      const gen = heap.topGen;
      this.lineS += (this.activeCount + this.incallCount) * (time - this.lastT);
      this.lastT = time;
      this.t = time;
      const kind = code & 15;
      const id = code >> 4;
      switch (kind) {
        case E_TICK:
          if (this.loggedInCount > 0) this.tick();
          if (this.loggedInCount > 0 || time < lastLogout) heap.push(time + tickS, E_TICK, 0);
          break;
        case E_ANSWER:
          if (this.cGen[id] === gen) this.onAnswer(id);
          break;
        case E_END:
          if (this.cGen[id] === gen) this.onEnd(id);
          break;
        case E_AMD:
          if (this.cGen[id] === gen) this.onAmd(id);
          break;
        case E_DROP:
          if (this.cGen[id] === gen && this.cStage[id] === C_WAITING) this.onDrop(id);
          break;
        case E_TALK_END:
          this.onTalkEnd(id);
          break;
        case E_WRAP_END:
          this.onWrapEnd(id);
          break;
        case E_LOGIN:
          this.onLogin(id);
          break;
        case E_LOGOUT:
          this.onLogout(id);
          break;
        case E_PAUSE_REQ:
          this.onPauseReq(id);
          break;
        case E_PAUSE_END:
          if (this.aToken[id] === gen && this.aState[id] === A_PAUSED) {
            this.pausedCount--;
            this.agentFree(id);
          }
          break;
      }
    }
    this.perDay.push({
      drops: this.drops - this.dayStartDrops,
      humans: this.humans - this.dayStartHumans,
    });
  }

  private schedulePauses(): void {
    const pauses = this.sc.agentSchedule.pauses;
    let total = 0;
    const counts = pauses.map((p) => Math.round(p.share * this.n));
    for (const c of counts) total += c;
    if (this.pauseAgents.length < total) {
      this.pauseAgents = new Int32Array(total);
      this.pauseDur = new Float64Array(total);
    }
    let k = 0;
    for (let pi = 0; pi < pauses.length; pi++) {
      const p = pauses[pi];
      const count = counts[pi] ?? 0;
      if (p === undefined || count === 0) continue;
      // Which agents pause: a random choice from the scenario's own generator (same for every
      // policy), so no policy can be lucky in who leaves.
      const order = Int32Array.from({ length: this.n }, (_, i) => i);
      for (let i = this.n - 1; i > 0; i--) {
        const j = Math.floor(this.schedRng.next() * (i + 1));
        const tmp = order[i] as number;
        order[i] = order[j] as number;
        order[j] = tmp;
      }
      for (let c = 0; c < count; c++) {
        const at = p.atS + ((p.spreadS ?? 0) * c) / Math.max(1, count);
        this.pauseAgents[k] = order[c] as number;
        this.pauseDur[k] = p.durationS;
        this.heap.push(at, k * 16 + E_PAUSE_REQ, 0);
        k++;
      }
    }
  }

  // ---- policy interface ----------------------------------------------------------------------

  private tick(): void {
    const want = this.policy.decide(this);
    if (want <= 0) return;
    if (this.policy.countsLeadsNeedingAgent) {
      let needed = want;
      // Bounded so a list without live leads cannot spin forever.
      for (let guard = 0; needed > 0 && guard < 100_000; guard++) {
        if (this.leadNeedsAgent(0)) needed--;
        this.dial();
      }
    } else for (let i = 0; i < want; i++) this.dial();
  }

  /** Truth about lead `next + ahead` if dialed now: will it need an agent? (oracle only) */
  leadNeedsAgent(ahead: number): boolean {
    const kind = this.kindAt(this.leads.peek(ahead, L_U));
    const err = this.leads.peek(ahead, L_U_ERR);
    if (kind === K_LIVE) return err >= this.sc.amdErrors.humanAsMachine;
    if (kind === K_MACHINE) return err < this.sc.amdErrors.machineAsHuman;
    return false;
  }

  private kindAt(u: number): number {
    const o = this.sc.outcomes;
    const live = liveAt(o.live, this.t);
    if (u < live) return K_LIVE;
    if (u < live + o.machine) return K_MACHINE;
    if (u < live + o.machine + o.failed) return K_FAILED;
    return K_NOANSWER;
  }

  /** Ledger totals as the dialer sees them, current day included. */
  ledgerView(): LedgerView {
    return this.ledger;
  }

  // ---- calls -----------------------------------------------------------------------------

  private allocCall(): number {
    if (this.freeHead === NIL) this.growCalls(this.cap * 2);
    const s = this.freeHead;
    this.freeHead = this.cNext[s] as number;
    this.cGen[s] = ((this.cGen[s] as number) + 1) | 0;
    const idx = this.activeCount++;
    this.activeSlots[idx] = s;
    this.cActiveIdx[s] = idx;
    if (idx >= this.callViews.length)
      this.callViews.push({ stage: 'RINGING', dialedAtMs: 0, stageAtMs: 0 });
    return s;
  }

  private freeCall(s: number): void {
    const idx = this.cActiveIdx[s] as number;
    const last = --this.activeCount;
    if (idx !== last) {
      const moved = this.activeSlots[last] as number;
      this.activeSlots[idx] = moved;
      this.cActiveIdx[moved] = idx;
      const a = this.callViews[idx] as CallView;
      const b = this.callViews[last] as CallView;
      a.stage = b.stage;
      a.dialedAtMs = b.dialedAtMs;
      a.stageAtMs = b.stageAtMs;
    }
    if (this.cStage[s] === C_AMD) this.amdCount--;
    this.cStage[s] = C_FREE;
    this.cGen[s] = ((this.cGen[s] as number) + 1) | 0;
    this.cNext[s] = this.freeHead;
    this.freeHead = s;
  }

  private setStage(s: number, stage: number): void {
    if (this.cStage[s] === C_AMD) this.amdCount--;
    if (stage === C_AMD) this.amdCount++;
    this.cStage[s] = stage;
    this.cStageAt[s] = this.t;
    const v = this.callViews[this.cActiveIdx[s] as number] as CallView;
    v.stage = stage === C_RINGING ? 'RINGING' : stage === C_AMD ? 'AMD' : 'WAITING';
    v.stageAtMs = this.nowMs();
  }

  /** Dials the next lead. */
  dial(): void {
    const L = this.leads;
    const s = this.allocCall();
    const kind = this.kindAt(L.field(L_U));
    const err = L.field(L_U_ERR);
    const ring = this.sc.ringTimeoutS;
    this.cKind[s] = kind;
    this.cDialAt[s] = this.t;
    this.cTalk[s] = L.field(L_TALK);
    this.cWrap[s] = L.field(L_WRAP);
    this.cErr[s] = 0;
    const gen = this.cGen[s] as number;
    this.cStage[s] = C_RINGING;
    this.cStageAt[s] = this.t;
    const v = this.callViews[this.cActiveIdx[s] as number] as CallView;
    v.stage = 'RINGING';
    v.dialedAtMs = this.nowMs();
    v.stageAtMs = v.dialedAtMs;
    if (kind === K_LIVE || kind === K_MACHINE) {
      const delay = L.field(kind === K_LIVE ? L_LIVE_DELAY : L_MACHINE_DELAY);
      if (delay < ring) {
        this.cAnswerDelay[s] = delay;
        this.cAmdDelay[s] = L.field(kind === K_LIVE ? L_AMD_HUMAN : L_AMD_MACHINE);
        if (kind === K_LIVE && err < this.sc.amdErrors.humanAsMachine) this.cErr[s] = 1;
        if (kind === K_MACHINE && err < this.sc.amdErrors.machineAsHuman) this.cErr[s] = 2;
        if ((kind === K_LIVE && this.cErr[s] === 0) || this.cErr[s] === 2)
          this.inflightNeedingAgent++;
        this.heap.push(this.t + delay, s * 16 + E_ANSWER, gen);
      } else {
        this.cKind[s] = K_NOANSWER;
        this.heap.push(this.t + ring, s * 16 + E_END, gen);
      }
    } else if (kind === K_FAILED) {
      const delay = Math.min(L.field(L_FAILED_DELAY), ring);
      this.cAnswerDelay[s] = delay;
      this.heap.push(this.t + delay, s * 16 + E_END, gen);
    } else {
      this.heap.push(this.t + ring, s * 16 + E_END, gen);
    }
    L.advance();
    this.dials++;
    this.todayCalls++;
  }

  private onAnswer(s: number): void {
    this.setStage(s, C_AMD);
    this.heap.push(this.t + (this.cAmdDelay[s] as number), s * 16 + E_AMD, this.cGen[s] as number);
  }

  private onEnd(s: number): void {
    const kind = this.cKind[s];
    const result: DialResult = kind === K_FAILED ? 'FAILED' : 'NO_ANSWER';
    const delay = kind === K_FAILED ? (this.cAnswerDelay[s] as number) : this.sc.ringTimeoutS;
    this.policy.onDialFinished?.(this, result, delay, 0, this.cDialAt[s] as number);
    this.freeCall(s);
  }

  private countLedger(drop: boolean): void {
    this.ledger.humans++;
    this.todayHumans++;
    (this.ledgerHumans as Float64Array)[this.day] = (this.ledgerHumans[this.day] ?? 0) + 1;
    if (drop) {
      this.ledger.drops++;
      this.todayDrops++;
      this.ledgerDrops[this.day] = (this.ledgerDrops[this.day] ?? 0) + 1;
    }
  }

  private onAmd(s: number): void {
    const kind = this.cKind[s];
    const err = this.cErr[s];
    const answer = this.cAnswerDelay[s] as number;
    const amd = this.cAmdDelay[s] as number;
    const dialAt = this.cDialAt[s] as number;
    const machineVerdict = (kind === K_LIVE && err === 1) || (kind === K_MACHINE && err !== 2);
    this.policy.onVerdict?.(this, machineVerdict);
    if (machineVerdict && this.policy.amdHangups?.(this) !== false) {
      if (kind === K_LIVE) {
        // A human hung up on as a machine: a drop by the rule, invisible to the dialer.
        this.humans++;
        this.drops++;
        this.amdDrops++;
      }
      this.policy.onDialFinished?.(this, 'MACHINE', answer, amd, dialAt);
      const q = this.policy.machineHangupEstimate?.(this) ?? 0;
      if (q > 0) this.countEstimated(q);
      this.freeCall(s);
      return;
    }
    if (machineVerdict) {
      // The AMD rule sends machine verdicts to agents: this call now needs one.
      this.machineToAgents++;
      this.inflightNeedingAgent++;
    }
    if (kind === K_LIVE) this.humans++;
    this.policy.onDialFinished?.(this, 'HUMAN', answer, amd, dialAt);
    const agent = this.popReady();
    if (agent !== NIL) this.connect(agent, s);
    else {
      this.setStage(s, C_WAITING);
      this.waitPush(s);
      this.heap.push(this.t + this.sc.dropWaitS, s * 16 + E_DROP, this.cGen[s] as number);
    }
  }

  /** Estimated AMD drops: in the ledger as drops and live answers (what the dialer budgets). */
  private countEstimated(q: number): void {
    this.estimatedDrops += q;
    this.windowEstimated += q;
    this.ledger.drops += q;
    this.ledger.humans += q;
    this.ledgerEstimated[this.day] = (this.ledgerEstimated[this.day] ?? 0) + q;
    this.ledgerDrops[this.day] = (this.ledgerDrops[this.day] ?? 0) + q;
    this.ledgerHumans[this.day] = (this.ledgerHumans[this.day] ?? 0) + q;
  }

  /** A MACHINE verdict (sent to an agent by the AMD rule when it reaches connect or drop). */
  private machineVerdict(s: number): boolean {
    const kind = this.cKind[s];
    const err = this.cErr[s];
    return (kind === K_LIVE && err === 1) || (kind === K_MACHINE && err !== 2);
  }

  /**
   * The ledger's count of a call an agent got or that was dropped: 1 live answer (and 1 drop), or,
   * for a MACHINE verdict sent to agents, its expected people q (the dialer's own rule).
   */
  private countAnswer(s: number, drop: boolean): void {
    if (!this.machineVerdict(s)) {
      this.countLedger(drop);
      return;
    }
    const q = this.policy.machineHangupEstimate?.(this) ?? 0;
    if (drop) {
      if (q > 0) this.countEstimated(q);
      return;
    }
    this.ledger.humans += q;
    this.ledgerHumans[this.day] = (this.ledgerHumans[this.day] ?? 0) + q;
  }

  private onDrop(s: number): void {
    this.waitRemove(s);
    if (this.cKind[s] === K_LIVE) this.drops++;
    this.countAnswer(s, true);
    this.inflightNeedingAgent--;
    this.freeCall(s);
  }

  private waitPush(s: number): void {
    this.wPrev[s] = this.wTail;
    this.wNext[s] = NIL;
    if (this.wTail !== NIL) this.wNext[this.wTail] = s;
    else this.wHead = s;
    this.wTail = s;
    this.waitingCount++;
  }

  private waitRemove(s: number): void {
    const p = this.wPrev[s] as number;
    const nx = this.wNext[s] as number;
    if (p !== NIL) this.wNext[p] = nx;
    else this.wHead = nx;
    if (nx !== NIL) this.wPrev[nx] = p;
    else this.wTail = p;
    this.waitingCount--;
  }

  private connect(agent: number, s: number): void {
    const machine = this.cKind[s] === K_MACHINE;
    const talk = machine ? MACHINE_AS_HUMAN_TALK_S : (this.cTalk[s] as number);
    const wrap = this.cWrap[s] as number;
    this.setAgent(agent, A_INCALL);
    this.incallCount++;
    this.aTalk[agent] = talk;
    this.aWrap[agent] = wrap;
    this.aCountsTalk[agent] = machine ? 0 : 1;
    this.aFreeAt[agent] = this.t + talk + wrap;
    if (!machine) {
      this.connects++;
      this.talkS += talk;
    }
    this.countAnswer(s, false);
    this.inflightNeedingAgent--;
    this.freeCall(s);
    this.heap.push(this.t + talk, agent * 16 + E_TALK_END, 0);
  }

  // ---- agents ----------------------------------------------------------------------------

  private setAgent(a: number, state: number): void {
    if (this.aState[a] === A_READY) {
      this.waitS += this.t - (this.aSince[a] as number);
      this.readyRemove(a);
    }
    this.aState[a] = state;
    this.aSince[a] = this.t;
    this.aToken[a] = ((this.aToken[a] as number) + 1) | 0;
    const v = this.agentViews[a] as AgentView;
    v.state = agentStateName[state] ?? 'LOGGED_OUT';
    v.sinceMs = this.nowMs();
  }

  private readyPush(a: number): void {
    this.rPrev[a] = this.rTail;
    this.rNext[a] = NIL;
    if (this.rTail !== NIL) this.rNext[this.rTail] = a;
    else this.rHead = a;
    this.rTail = a;
    this.readyCount++;
  }

  private readyRemove(a: number): void {
    const p = this.rPrev[a] as number;
    const nx = this.rNext[a] as number;
    if (p !== NIL) this.rNext[p] = nx;
    else this.rHead = nx;
    if (nx !== NIL) this.rPrev[nx] = p;
    else this.rTail = p;
    this.readyCount--;
  }

  /** The longest-ready agent, or NIL; it stays READY until connect() moves it. */
  private popReady(): number {
    return this.rHead;
  }

  private onTalkEnd(a: number): void {
    this.incallCount--;
    this.setAgent(a, A_WRAP);
    this.wrapCount++;
    this.heap.push(this.t + (this.aWrap[a] as number), a * 16 + E_WRAP_END, 0);
  }

  private onWrapEnd(a: number): void {
    this.wrapCount--;
    if (this.aCountsTalk[a] === 1)
      this.policy.onHandleFinished?.(this, this.aTalk[a] as number, this.aWrap[a] as number);
    this.agentFree(a);
  }

  /** The agent is free: it logs out, starts a pending pause, takes a waiting call, or waits. */
  private agentFree(a: number): void {
    if (this.t >= (this.aLogoutAt[a] as number)) {
      this.logout(a);
      return;
    }
    const pause = this.aPausePending[a] as number;
    if (pause > 0) {
      this.aPausePending[a] = 0;
      this.startPause(a, pause);
      return;
    }
    this.setAgent(a, A_READY);
    this.aFreeAt[a] = this.t;
    this.readyPush(a);
    if (this.wHead !== NIL) {
      const s = this.wHead;
      this.waitRemove(s);
      this.connect(a, s);
    }
  }

  private startPause(a: number, dur: number): void {
    this.setAgent(a, A_PAUSED);
    this.pausedCount++;
    this.aFreeAt[a] = this.t + dur;
    this.heap.push(this.t + dur, a * 16 + E_PAUSE_END, this.aToken[a] as number);
  }

  private logout(a: number): void {
    if (this.aState[a] === A_PAUSED) this.pausedCount--;
    this.setAgent(a, A_OUT);
    this.loggedInCount--;
    this.loggedS += this.t - (this.aLoggedSince[a] as number);
    this.aFreeAt[a] = Infinity;
  }

  private onLogin(a: number): void {
    if (this.aState[a] !== A_OUT) return;
    this.loggedInCount++;
    this.aLoggedSince[a] = this.t;
    this.agentFree(a);
  }

  private onLogout(a: number): void {
    const st = this.aState[a];
    // A busy agent finishes the call and wrap-up first (agentFree checks the logout time).
    if (st === A_READY || st === A_PAUSED) this.logout(a);
  }

  private onPauseReq(k: number): void {
    const a = this.pauseAgents[k] as number;
    const dur = this.pauseDur[k] as number;
    const st = this.aState[a];
    if (st === A_READY) this.startPause(a, dur);
    else if (st === A_INCALL || st === A_WRAP) this.aPausePending[a] = dur;
  }

  /** Seconds the agent has been in its current state. */
  agentElapsed(a: number): number {
    return this.t - (this.aSince[a] as number);
  }

  /** Hour of the campaign day (the model's hour bucket). */
  hour(): number {
    return Math.floor(this.t / 3600);
  }
}
