import type { DialResult, LedgerView } from '../../apps/server/src/domain/pacing/index.js';
import { seededRng } from '../../apps/server/src/ports/clock.js';
import * as agentsModule from './agents.js';
import { AgentTable } from './agents.js';
import * as callsModule from './calls.js';
import { CallTable } from './calls.js';
import { EventHeap } from './heap.js';
import * as leadFields from './leads.js';
import { LeadStream } from './leads.js';
import { DialerLedger } from './ledger.js';
import * as policyModule from './policy.js';
import type { DayResult, Policy, RunResult } from './policy.js';

/** A policy of this simulator. */
export type SimPolicy = Policy<Sim>;
import * as scenarioModule from './scenario.js';
import type { Scenario } from './scenario.js';
import { DaySchedule } from './schedule.js';
import { NIL } from './slot-list.js';

// Local copies: imported bindings may be read through getters once transpiled, and these are
// read on every dial.
const { L_AMD_HUMAN, L_AMD_MACHINE, L_FAILED_DELAY, L_LIVE_DELAY, L_MACHINE_DELAY } = leadFields;
const { L_TALK, L_U, L_U_ERR, L_WRAP } = leadFields;
const { liveAt } = scenarioModule;
const { A_OUT, A_READY, A_PAUSED, A_INCALL, A_WRAP } = agentsModule;
const { MACHINE_AS_HUMAN_TALK_S } = policyModule;
const { C_AMD, C_RINGING, C_WAITING, K_LIVE, K_MACHINE, K_FAILED, K_NOANSWER } = callsModule;

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

/**
 * Discrete-event simulation of one campaign under a virtual clock: leads from a seeded stream,
 * agents with schedules and pauses, AMD with its errors, the drop wait, and a pacing policy
 * asked every `tickS` how many calls to place. Nothing is allocated per event: agents and calls
 * (calls.ts) live in typed arrays, events in a typed heap, and the views handed to the production
 * pacing module are reused objects. The policy contract is in policy.ts, the dialer's drop-rate
 * ledger in ledger.ts.
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

  /** The agents (agents.ts), their shifts and pauses (schedule.ts). */
  readonly agents: AgentTable;
  readonly schedule: DaySchedule;
  /** Calls dialed and not yet bridged or ended (calls.ts). */
  readonly calls = new CallTable(1024);
  /** Calls in flight that will need an agent (truth; only the oracle may read it). */
  inflightNeedingAgent = 0;

  /** The ledger as the dialer sees it (AMD's verdicts), per day and over the rolling window. */
  readonly dialerLedger: DialerLedger;
  /** Its totals, current day included, as the pacing module reads them. */
  readonly ledger: LedgerView;
  /** MACHINE verdicts sent to agents (AMD rule). */
  machineToAgents = 0;
  /** People hung up on by AMD (truth; included in drops). */
  amdDrops = 0;

  // Metrics (truth)
  dials = 0;
  connects = 0;
  humans = 0;
  drops = 0;
  talkS = 0;
  lineS = 0;
  private lastT = 0;
  readonly perDay: DayResult[] = [];
  private dayStartHumans = 0;
  private dayStartDrops = 0;

  constructor(
    sc: Scenario,
    readonly seed: number,
    readonly policy: SimPolicy,
  ) {
    this.sc = sc;
    const n = sc.agents;
    this.n = n;
    this.dayLenS = sc.hoursPerDay * 3600;
    this.leads = new LeadStream(sc, seededRng(seed * 7919 + 17));
    this.agents = new AgentTable(n);
    this.schedule = new DaySchedule(sc, seed);
    this.dialerLedger = new DialerLedger(sc.days, sc.abandonTargetPct);
    this.ledger = this.dialerLedger.view;
  }

  /** Epoch-like milliseconds of the virtual clock (days laid end to end). */
  nowMs(): number {
    return (this.day * 86_400 + this.t) * 1000;
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
      waitS: this.agents.waitS,
      loggedS: this.agents.loggedS,
      lineS: this.lineS,
      perDay: this.perDay,
      amdDrops: this.amdDrops,
      estimatedDrops: this.dialerLedger.estimatedDrops,
      machineToAgents: this.machineToAgents,
      ledgerDrops: this.dialerLedger.runDrops,
      ledgerHumans: this.dialerLedger.runHumans,
    };
  }

  private runDay(d: number): void {
    this.day = d;
    this.t = 0;
    this.lastT = 0;
    this.heap.clear();
    this.dayStartDrops = this.drops;
    this.dayStartHumans = this.humans;
    this.dialerLedger.startDay(d);
    const ag = this.agents;
    const schedule = this.schedule;
    schedule.planShifts(this.dayLenS);
    const lastLogout = schedule.lastLogoutS;
    for (let i = 0; i < this.n; i++) {
      const login = schedule.loginAtS[i] as number;
      ag.pausePending[i] = 0;
      if ((schedule.logoutAtS[i] as number) > login) this.heap.push(login, i * 16 + E_LOGIN, 0);
      ag.freeAt[i] = login;
    }
    for (let i = 0; i < this.n; i++)
      this.heap.push(schedule.logoutAtS[i] as number, i * 16 + E_LOGOUT, 0);
    schedule.planPauses((atS, k) => this.heap.push(atS, k * 16 + E_PAUSE_REQ, 0));
    this.heap.push(0.001, E_TICK, 0);
    this.policy.onDayStart?.(this);
    const heap = this.heap;
    const tickS = this.policy.tickS;
    const calls = this.calls;
    while (heap.pop()) {
      const time = heap.topTime;
      const code = heap.topCode;
      const gen = heap.topGen;
      this.lineS += (calls.activeCount + ag.incallCount) * (time - this.lastT);
      this.lastT = time;
      this.t = time;
      const kind = code & 15;
      const id = code >> 4;
      switch (kind) {
        case E_TICK:
          if (ag.loggedInCount > 0) this.tick();
          if (ag.loggedInCount > 0 || time < lastLogout) heap.push(time + tickS, E_TICK, 0);
          break;
        case E_ANSWER:
          if (calls.gen[id] === gen) this.onAnswer(id);
          break;
        case E_END:
          if (calls.gen[id] === gen) this.onEnd(id);
          break;
        case E_AMD:
          if (calls.gen[id] === gen) this.onAmd(id);
          break;
        case E_DROP:
          if (calls.gen[id] === gen && calls.stage[id] === C_WAITING) this.onDrop(id);
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
          if (ag.token[id] === gen && ag.state[id] === A_PAUSED) {
            ag.pausedCount--;
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

  // ---- calls -----------------------------------------------------------------------------

  /** Dials the next lead. */
  dial(): void {
    const L = this.leads;
    const c = this.calls;
    const s = c.alloc();
    const kind = this.kindAt(L.field(L_U));
    const err = L.field(L_U_ERR);
    const ring = this.sc.ringTimeoutS;
    c.kind[s] = kind;
    c.dialAt[s] = this.t;
    c.talk[s] = L.field(L_TALK);
    c.wrap[s] = L.field(L_WRAP);
    c.err[s] = 0;
    const gen = c.gen[s] as number;
    c.stage[s] = C_RINGING;
    c.stageAt[s] = this.t;
    const v = c.view(s);
    v.stage = 'RINGING';
    v.dialedAtMs = this.nowMs();
    v.stageAtMs = v.dialedAtMs;
    if (kind === K_LIVE || kind === K_MACHINE) {
      const delay = L.field(kind === K_LIVE ? L_LIVE_DELAY : L_MACHINE_DELAY);
      if (delay < ring) {
        c.answerDelay[s] = delay;
        c.amdDelay[s] = L.field(kind === K_LIVE ? L_AMD_HUMAN : L_AMD_MACHINE);
        if (kind === K_LIVE && err < this.sc.amdErrors.humanAsMachine) c.err[s] = 1;
        if (kind === K_MACHINE && err < this.sc.amdErrors.machineAsHuman) c.err[s] = 2;
        if ((kind === K_LIVE && c.err[s] === 0) || c.err[s] === 2) this.inflightNeedingAgent++;
        this.heap.push(this.t + delay, s * 16 + E_ANSWER, gen);
      } else {
        c.kind[s] = K_NOANSWER;
        this.heap.push(this.t + ring, s * 16 + E_END, gen);
      }
    } else if (kind === K_FAILED) {
      const delay = Math.min(L.field(L_FAILED_DELAY), ring);
      c.answerDelay[s] = delay;
      this.heap.push(this.t + delay, s * 16 + E_END, gen);
    } else {
      this.heap.push(this.t + ring, s * 16 + E_END, gen);
    }
    L.advance();
    this.dials++;
    this.dialerLedger.todayCalls++;
  }

  private onAnswer(s: number): void {
    this.calls.setStage(s, C_AMD, this.t, this.nowMs());
    this.heap.push(
      this.t + (this.calls.amdDelay[s] as number),
      s * 16 + E_AMD,
      this.calls.gen[s] as number,
    );
  }

  private onEnd(s: number): void {
    const c = this.calls;
    const kind = c.kind[s];
    const result: DialResult = kind === K_FAILED ? 'FAILED' : 'NO_ANSWER';
    const delay = kind === K_FAILED ? (c.answerDelay[s] as number) : this.sc.ringTimeoutS;
    this.policy.onDialFinished?.(this, result, delay, 0, c.dialAt[s] as number);
    c.free(s);
  }

  private onAmd(s: number): void {
    const c = this.calls;
    const kind = c.kind[s];
    const answer = c.answerDelay[s] as number;
    const amd = c.amdDelay[s] as number;
    const dialAt = c.dialAt[s] as number;
    const machineVerdict = c.machineVerdict(s);
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
      if (q > 0) this.dialerLedger.countEstimated(q);
      c.free(s);
      return;
    }
    if (machineVerdict) {
      // The AMD rule sends machine verdicts to agents: this call now needs one.
      this.machineToAgents++;
      this.inflightNeedingAgent++;
    }
    if (kind === K_LIVE) this.humans++;
    this.policy.onDialFinished?.(this, 'HUMAN', answer, amd, dialAt);
    const agent = this.agents.ready.head;
    if (agent !== NIL) this.connect(agent, s);
    else {
      c.setStage(s, C_WAITING, this.t, this.nowMs());
      c.waiting.push(s);
      this.heap.push(this.t + this.sc.dropWaitS, s * 16 + E_DROP, c.gen[s] as number);
    }
  }

  /**
   * The ledger's count of a call an agent got or that was dropped: 1 live answer (and 1 drop), or,
   * for a MACHINE verdict sent to agents, its expected people q (the dialer's own rule).
   */
  private countAnswer(s: number, drop: boolean): void {
    if (!this.calls.machineVerdict(s)) {
      this.dialerLedger.countLive(drop);
      return;
    }
    const q = this.policy.machineHangupEstimate?.(this) ?? 0;
    if (drop) {
      if (q > 0) this.dialerLedger.countEstimated(q);
      return;
    }
    this.dialerLedger.countPersonShare(q);
  }

  private onDrop(s: number): void {
    this.calls.waiting.remove(s);
    if (this.calls.kind[s] === K_LIVE) this.drops++;
    this.countAnswer(s, true);
    this.inflightNeedingAgent--;
    this.calls.free(s);
  }

  private connect(agent: number, s: number): void {
    const c = this.calls;
    const ag = this.agents;
    const machine = c.kind[s] === K_MACHINE;
    const talk = machine ? MACHINE_AS_HUMAN_TALK_S : (c.talk[s] as number);
    const wrap = c.wrap[s] as number;
    this.setAgent(agent, A_INCALL);
    ag.incallCount++;
    ag.talk[agent] = talk;
    ag.wrap[agent] = wrap;
    ag.countsTalk[agent] = machine ? 0 : 1;
    ag.freeAt[agent] = this.t + talk + wrap;
    if (!machine) {
      this.connects++;
      this.talkS += talk;
    }
    this.countAnswer(s, false);
    this.inflightNeedingAgent--;
    c.free(s);
    this.heap.push(this.t + talk, agent * 16 + E_TALK_END, 0);
  }

  // ---- agents ----------------------------------------------------------------------------

  private setAgent(a: number, state: number): void {
    this.agents.set(a, state, this.t, this.nowMs());
  }

  private onTalkEnd(a: number): void {
    const ag = this.agents;
    ag.incallCount--;
    this.setAgent(a, A_WRAP);
    ag.wrapCount++;
    this.heap.push(this.t + (ag.wrap[a] as number), a * 16 + E_WRAP_END, 0);
  }

  private onWrapEnd(a: number): void {
    const ag = this.agents;
    ag.wrapCount--;
    if (ag.countsTalk[a] === 1)
      this.policy.onHandleFinished?.(this, ag.talk[a] as number, ag.wrap[a] as number);
    this.agentFree(a);
  }

  /** The agent is free: it logs out, starts a pending pause, takes a waiting call, or waits. */
  private agentFree(a: number): void {
    const ag = this.agents;
    if (this.t >= (this.schedule.logoutAtS[a] as number)) {
      this.logout(a);
      return;
    }
    const pause = ag.pausePending[a] as number;
    if (pause > 0) {
      ag.pausePending[a] = 0;
      this.startPause(a, pause);
      return;
    }
    this.setAgent(a, A_READY);
    ag.freeAt[a] = this.t;
    ag.ready.push(a);
    const waiting = this.calls.waiting;
    if (waiting.head !== NIL) {
      const s = waiting.head;
      waiting.remove(s);
      this.connect(a, s);
    }
  }

  private startPause(a: number, dur: number): void {
    const ag = this.agents;
    this.setAgent(a, A_PAUSED);
    ag.pausedCount++;
    ag.freeAt[a] = this.t + dur;
    this.heap.push(this.t + dur, a * 16 + E_PAUSE_END, ag.token[a] as number);
  }

  private logout(a: number): void {
    const ag = this.agents;
    if (ag.state[a] === A_PAUSED) ag.pausedCount--;
    this.setAgent(a, A_OUT);
    ag.loggedInCount--;
    ag.loggedS += this.t - (ag.loggedSince[a] as number);
    ag.freeAt[a] = Infinity;
  }

  private onLogin(a: number): void {
    const ag = this.agents;
    if (ag.state[a] !== A_OUT) return;
    ag.loggedInCount++;
    ag.loggedSince[a] = this.t;
    this.agentFree(a);
  }

  private onLogout(a: number): void {
    const st = this.agents.state[a];
    // A busy agent finishes the call and wrap-up first (agentFree checks the logout time).
    if (st === A_READY || st === A_PAUSED) this.logout(a);
  }

  private onPauseReq(k: number): void {
    const a = this.schedule.pauseAgent[k] as number;
    const dur = this.schedule.pauseDurS[k] as number;
    const st = this.agents.state[a];
    if (st === A_READY) this.startPause(a, dur);
    else if (st === A_INCALL || st === A_WRAP) this.agents.pausePending[a] = dur;
  }

  /** Hour of the campaign day (the model's hour bucket). */
  hour(): number {
    return Math.floor(this.t / 3600);
  }
}
