import {
  NO_LEG_PAUSE_CODE,
  type AgentId,
  type AgentStateChanged,
  type AmdResult,
  type CallId,
  type CallOutcome,
  type DomainEvent,
  type LeadId,
} from '@ringside/protocol';
import { AriError } from '../../adapters/asterisk/ari-error.js';
import {
  checkDial,
  holdBudgetMs,
  ledgerCounts,
  ledgerDay,
  ringTimeoutS,
} from '../../domain/compliance.js';
import {
  amdEstimate,
  amdRule,
  decidePacing,
  dialGuard,
  ledgerWithEstimates,
  PacingStats,
  type AmdEstimate,
  type AmdRule,
  type AuditMarks,
  type LedgerDay,
  type CallView,
  type DialResult,
  type PacingControl,
  type PacingModel,
} from '../../domain/pacing/index.js';
import type { ValidationError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../ports/clock.js';
import type { Hopper, HopperLease } from '../../ports/hopper.js';
import type { Metrics } from '../../ports/metrics.js';
import type { AgentStatus, LiveCall, StateStore } from '../../ports/state-store.js';
import { ATTEMPT_WINDOW_MS, statesOfLead } from '../../domain/state-rules.js';
import type { DialCompliance } from '../compliance/dial-compliance.js';
import type { DncChecker } from './dnc-cache.js';
import type { DialerLeads } from './leads.js';
import type { AgentCommands, DialerAri, HandoffSample, Originator, Timers } from './ports.js';
import type { DialerStatus } from './redis-state.js';
import type { StatusObserver } from './status-publisher.js';
import type { DialerCampaign } from './settings.js';

/** Everything a campaign driver uses; shared by the drivers of one dialer instance. */
export interface DriverDeps {
  instanceId: string;
  store: StateStore;
  /**
   * The store the hand-off reserves agents through; production gives it its own Redis
   * connection so a reservation never queues behind a pacing decision's reads. Default `store`.
   */
  handoffStore?: Pick<StateStore, 'reserveLongestReady'>;
  hopper: Hopper;
  originator: Originator;
  /** The ARI client of an Asterisk server, by the id calls carry (live_call.serverId). */
  ari(serverId: string): DialerAri | null;
  agents: AgentCommands;
  dnc: DncChecker;
  leads: DialerLeads;
  ledger: {
    /** `estimated`: expected people AMD hung up on (the ledger's estimated drops). */
    add(
      campaignId: DialerCampaign['id'],
      day: number,
      drops: number,
      humans: number,
      estimated?: number,
      estimatedAnswers?: number,
    ): Promise<void>;
    days(campaignId: DialerCampaign['id']): Promise<LedgerDay[]>;
  };
  /**
   * The AMD audit (agents' "a person" / "a machine" marks): the campaign's counts, and the
   * record that a MACHINE verdict went to an agent and may be marked. Absent: no marks.
   */
  amdAudit?: {
    marks(campaignId: DialerCampaign['id']): Promise<AuditMarks>;
    pending(campaignId: DialerCampaign['id'], callId: CallId): Promise<void>;
  };
  /**
   * Where the predictive controller's state lives between decisions and across lease holders
   * (Redis, beside the lease: PacingControlStore). Absent: kept in memory only.
   */
  pacingControl?: {
    load(campaignId: DialerCampaign['id']): Promise<PacingControl | null>;
    /** False when this instance no longer holds the campaign (nothing written). */
    save(campaignId: DialerCampaign['id'], control: PacingControl): Promise<boolean>;
  };
  /** Gets each status, with the dial level applied (status-publisher.ts publishes it). */
  statusObserver?: StatusObserver;
  clock: Clock;
  timers: Timers;
  logger: Logger;
  newCallId(): CallId;
  /** Wall clock for latency measurements (performance.now()). */
  perfNow(): number;
  /** How long a popped lead stays leased before the hopper takes it back, ms. */
  hopperLeaseMs: number;
  /**
   * Virtual ms it takes to start the safe-harbor message once decided (remove from holding, play,
   * the worker seeing it start); subtracted from the drop wait so the message starts within 2 s.
   */
  safeHarborStartMs: number;
  /** Most calls not yet with an agent per working agent (pacing cap). */
  maxLinesPerAgent: number;
  onHandoff?(sample: HandoffSample): void;
  /**
   * State calling rules at dial time (windows, attempts per number per 24 h); the dialer role
   * always gives it. Absent (unit tests of other behaviour): only the federal rules apply.
   */
  compliance?: DialCompliance;
  /** Pacing decisions and theta for the operators' metrics (docs/metrics.md). */
  metrics?: Pick<Metrics, 'pacingDecision'>;
}

type Phase = 'dialing' | 'handoff' | 'waiting' | 'bridged' | 'dropping' | 'machine' | 'ended';

/** A call of this campaign that the driver follows. */
interface Tracked {
  callId: CallId;
  leadId: LeadId;
  serverId: string;
  manual: boolean;
  agentId: AgentId | null;
  originatedAtMs: number;
  answeredAtMs: number | null;
  amdAtMs: number | null;
  amdResult: AmdResult | null;
  phase: Phase;
  /** The holding bridge the customer waits in, when parked. */
  parkedIn: string | null;
  cancelDeadline: (() => void) | null;
  /** The drop deadline passed while a hand-off attempt was in progress. */
  deadlinePassed: boolean;
  cancelHangup: (() => void) | null;
  /** performance.now() when the dialer saw the AMD verdict. */
  seenAmdPerf: number | null;
  /** It waited for an agent (parked) before its hand-off. */
  wasParked: boolean;
  /** A MACHINE verdict the dialer hung up on (or played its message): an estimated drop. */
  amdHungUp?: boolean;
}

/** Consecutive refusals of one lead before it is recycled instead of retried. */
const LEAD_REFUSALS_MAX = 3;
/** Hang up a dropped call this long after the message started if its end was never reported. */
const SAFE_HARBOR_HANGUP_FALLBACK_MS = 30_000;
/** A machine message is hung up after at most this long. */
const MACHINE_MESSAGE_MAX_MS = 60_000;
/** Delay before a lead refused by the DNC guard is looked at again by the filler. */
const DNC_RETRY_MS = 24 * 3600_000;
/** Least wall-clock time between two rebuilds of the pacing model, ms. */
const MODEL_REBUILD_MS = 10_000;
/** How often the status is rewritten even when nothing changed, ms of wall clock. */
const STATUS_REFRESH_MS = 2_000;

/**
 * Drives one campaign while this instance holds its lease: paces and places calls, hands live
 * answers to agents, parks and drops the ones no agent takes, acts on machines, and returns every
 * finished lead to its recycle rules. All state it needs survives in Redis (live_call, agent_status,
 * hopper), so a new lease holder picks up where a dead one stopped (recover()).
 */
export class CampaignDriver {
  private campaign: DialerCampaign;
  private invalid: ValidationError | null;
  private readonly calls = new Map<CallId, Tracked>();
  /** Parked calls, oldest first. */
  private readonly waiting: Tracked[] = [];
  private readonly stats = new PacingStats();
  private model: PacingModel | null = null;
  private modelVersion = -1;
  private modelHour = -1;
  private modelBuiltAt = 0;
  private ledgerDays: LedgerDay[] = [];
  /** AMD verdicts of this campaign's calls seen by this driver (the AMD estimate's base). */
  private readonly verdicts = { human: 0, machine: 0 };
  private auditMarks: AuditMarks = { person: 0, machine: 0 };
  /** Accumulates the audit share: a MACHINE verdict goes to an agent each time it passes 1. */
  private auditDue = 0;
  /** The predictive controller's state, passed back to every decision (docs/pacing.md). */
  private control: PacingControl | undefined;
  private controlLoaded = false;
  private savedControl = '';
  private ticking = false;
  private again = false;
  private stopped = false;
  private draining = false;
  private lastStatusKey = '';
  private lastStatusAt = 0;
  private readonly refusals = new Map<LeadId, number>();
  private readonly holdingReady = new Set<string>();
  /** Talk time of each agent's last call, waiting for its wrap-up to end (pacing statistics). */
  private readonly talkMs = new Map<AgentId, number>();
  private readonly log: Logger;

  constructor(
    private readonly d: DriverDeps,
    campaign: DialerCampaign,
    invalid: ValidationError | null,
  ) {
    this.campaign = campaign;
    this.invalid = invalid;
    this.log = d.logger.child({ campaignId: campaign.id });
  }

  get id(): DialerCampaign['id'] {
    return this.campaign.id;
  }

  owns(callId: CallId): boolean {
    return this.calls.has(callId);
  }

  /** Calls of this campaign are still being followed. */
  busy(): boolean {
    return this.calls.size > 0;
  }

  /** A stopped campaign: place no new call, keep handling the live ones. */
  setDraining(on: boolean): void {
    this.draining = on;
  }

  update(campaign: DialerCampaign, invalid: ValidationError | null): void {
    this.campaign = campaign;
    this.invalid = invalid;
  }

  async refreshLedger(): Promise<void> {
    this.ledgerDays = await this.d.ledger.days(this.campaign.id);
    if (this.d.amdAudit) this.auditMarks = await this.d.amdAudit.marks(this.campaign.id);
  }

  /**
   * Takes over the campaign's live calls after acquiring the lease: a verdict nobody acted on is
   * acted on now, parked calls get their remaining wait, agents reserved for calls that are gone
   * are released. Calls in flight are followed from here on, not lost.
   */
  async recover(): Promise<void> {
    await this.refreshLedger();
    await this.loadControl();
    const live = await this.d.store.listCalls(this.campaign.id);
    const fresh: Tracked[] = [];
    for (const call of live) {
      const known = this.calls.get(call.callId);
      // A call this driver is already acting on is left to that action.
      if (known && known.phase !== 'dialing') continue;
      const t = this.adopt(call);
      t.answeredAtMs ??= call.answeredAtMs;
      t.amdAtMs ??= call.amdAtMs;
      t.amdResult ??= call.amdResult;
      fresh.push(t);
    }
    const freshIds = new Set(fresh.map((t) => t.callId));
    // Agents a previous holder reserved: connected if their call reached the bridge, else freed.
    for (const a of await this.d.store.listAgents(this.campaign.id)) {
      if (a.state !== 'RESERVED') continue;
      const t = a.callId ? this.calls.get(a.callId) : undefined;
      if (t && !freshIds.has(t.callId)) continue; // this driver's own hand-off in progress
      if (t?.phase === 'bridged' && a.callId) {
        await this.agentCommand(a.agentId, { type: 'connect', callId: a.callId }, 'dialer:recover');
      } else {
        await this.agentCommand(a.agentId, { type: 'unreserve' }, 'dialer:recover');
      }
    }
    for (const t of fresh) {
      const call = live.find((c) => c.callId === t.callId);
      if (!call || t.phase !== 'dialing') continue;
      if (call.stage === 'AMD' && call.amdResult !== null) {
        await this.onVerdict(t);
      } else if (call.stage === 'WAITING') {
        t.phase = 'waiting';
        t.wasParked = true;
        t.parkedIn = call.bridgeId;
        this.waiting.push(t);
        this.armDeadline(t);
      } else if (call.stage === 'SAFE_HARBOR') {
        t.phase = 'dropping';
        this.armHangup(t, SAFE_HARBOR_HANGUP_FALLBACK_MS);
      } else if (call.stage === 'MACHINE_MESSAGE') {
        t.phase = 'machine';
        t.amdHungUp = true;
        this.armHangup(t, MACHINE_MESSAGE_MAX_MS);
      }
    }
    if (fresh.length) this.log.info({ calls: fresh.length }, 'dialer recovered live calls');
    await this.serveWaiting();
  }

  /** The controller state a previous holder (or this process before a restart) left, once. */
  private async loadControl(): Promise<void> {
    if (this.controlLoaded || !this.d.pacingControl) return;
    const stored = await this.d.pacingControl.load(this.campaign.id);
    this.controlLoaded = true;
    if (stored && this.control === undefined) {
      this.control = stored;
      this.savedControl = JSON.stringify(stored);
      this.log.info({ theta: stored.theta }, 'pacing control state taken over');
    }
  }

  /** Keeps the decision's controller state for the next one, in Redis when it changed. */
  private async keepControl(control: PacingControl): Promise<void> {
    this.control = control;
    const json = JSON.stringify(control);
    if (json === this.savedControl || !this.d.pacingControl) return;
    this.savedControl = json;
    try {
      if (!(await this.d.pacingControl.save(this.campaign.id, control)))
        this.log.warn('pacing control state not saved: lease no longer held');
    } catch (err) {
      this.savedControl = '';
      this.log.warn({ err }, 'pacing control state not saved');
    }
  }

  /** The controller state the next decision gets (tests, diagnostics). */
  pacingControl(): PacingControl | undefined {
    return this.control;
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.calls.values()) {
      t.cancelDeadline?.();
      t.cancelHangup?.();
    }
  }

  /** Follows a call it did not place (manual dial from the API, or placed by a previous holder). */
  adopt(call: LiveCall): Tracked {
    const existing = this.calls.get(call.callId);
    if (existing) return existing;
    const t: Tracked = {
      callId: call.callId,
      leadId: call.leadId,
      serverId: call.serverId,
      manual: call.manual,
      agentId: call.agentId,
      originatedAtMs: call.originatedAtMs,
      answeredAtMs: call.answeredAtMs,
      amdAtMs: call.amdAtMs,
      amdResult: call.amdResult,
      phase: call.bridgedAtMs !== null ? 'bridged' : 'dialing',
      parkedIn: null,
      cancelDeadline: null,
      deadlinePassed: false,
      cancelHangup: null,
      seenAmdPerf: null,
      wasParked: false,
    };
    this.calls.set(call.callId, t);
    return t;
  }

  // ------------------------------------------------------------------ pacing and placing calls

  /** Runs a pacing decision now, or right after the one in progress. */
  async tick(): Promise<void> {
    if (this.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    try {
      do {
        this.again = false;
        await this.pace();
      } while (this.again && !this.stopped);
    } catch (err) {
      this.log.error({ err }, 'dialer pacing failed');
    } finally {
      this.ticking = false;
    }
  }

  private async pace(): Promise<void> {
    const c = this.campaign;
    const now = this.d.clock.nowMs();
    if (this.draining) {
      await this.report(
        'idle',
        'Campaign stopped: finishing the calls in flight.',
        c.dialMethod,
        0,
        this.calls.size,
      );
      return;
    }
    if (this.invalid) {
      await this.report(
        'blocked',
        `Campaign setting out of range, not dialing: ${this.invalid.message}.`,
        c.dialMethod,
        0,
        0,
      );
      return;
    }
    if (!this.controlLoaded) await this.loadControl();
    const [agents, calls] = await Promise.all([
      this.d.store.listAgents(c.id),
      this.d.store.listCalls(c.id),
    ]);
    const ready = agents.filter((a) => a.state === 'READY').length;
    // The no-agent guard, the same function the benchmark runs (domain/pacing/guard.ts).
    const guard = dialGuard(agents);
    const auto = calls.filter((x) => !x.manual);
    const decision = decidePacing({
      nowMs: now,
      settings: {
        mode: c.dialMethod,
        dialLevel: c.dialLevel,
        ringTimeoutMs: ringTimeoutS(c.ringTimeoutS) * 1000,
        dropWaitMs: holdBudgetMs(c.dropWaitMs, this.d.safeHarborStartMs),
        maxLinesPerAgent: Math.max(this.d.maxLinesPerAgent, Math.ceil(c.dialLevel)),
      },
      agents: agents.map((a) => ({ state: a.state, sinceMs: a.sinceMs })),
      calls: auto.map(callView),
      model: this.currentModel(now),
      // Counted drops plus the estimated people AMD hung up on (docs/pacing.md, AMD errors).
      ledger: {
        ...ledgerWithEstimates(this.ledgerDays, ledgerDay(now)),
        capPct: c.dropRateCapPct,
      },
      // Parity with bench/pacing: the controller continues from the previous decision's state.
      ...(this.control ? { control: this.control } : {}),
    });
    if (decision.control) await this.keepControl(decision.control);
    this.d.metrics?.pacingDecision(c.id, decision.appliedMode, decision.control?.theta ?? null);
    if (c.dialMethod === 'manual') {
      await this.report('idle', decision.reason, decision.appliedMode, ready, auto.length);
      return;
    }
    if (!guard.ok) {
      // Compliance: no automatic call while no agent of the campaign is ready (DIAL_GUARD_RULE).
      await this.report('idle', guard.reason, decision.appliedMode, ready, auto.length);
      return;
    }
    if (decision.callsToPlace <= 0) {
      await this.report('idle', decision.reason, decision.appliedMode, ready, auto.length);
      return;
    }
    let placed = 0;
    let why = decision.reason;
    // The leads pacing asks for come in one round trip; a skipped lead (DNC, window) does not use
    // a slot, so the shortfall is popped again, a bounded number of times.
    rounds: for (let round = 0; placed < decision.callsToPlace && round < 4; round++) {
      if (this.stopped) return;
      const leases = await this.d.hopper.popMany(
        c.id,
        this.d.instanceId,
        decision.callsToPlace - placed,
        this.d.hopperLeaseMs,
        this.d.clock.nowMs(),
      );
      if (leases.length === 0) {
        why =
          placed === 0
            ? 'Hopper empty: no lead is due in this campaign (lists, calling windows, recycle delays); idle until the filler adds leads.'
            : `${decision.reason} The hopper ran out after ${placed}.`;
        break;
      }
      for (let i = 0; i < leases.length; i++) {
        const result = await this.placeOne(leases[i] as HopperLease, guard.agents);
        if (result === 'placed') placed++;
        if (result === 'stop' || result === 'refused' || this.stopped) {
          // The rest were not tried: back to the head of the hopper.
          for (const l of leases.slice(i + 1)) {
            await this.d.hopper.release(c.id, l.entry.leadId, this.d.instanceId);
          }
          if (result === 'stop') {
            why = 'No Asterisk server can take calls (down, unhealthy or full): not dialing.';
          } else if (result === 'refused') {
            // Not again in this decision: a refusal may be the trunk's; the breaker decides that.
            why =
              'Asterisk refused the last origination; its lead went back to the hopper, retrying.';
          }
          break rounds;
        }
      }
    }
    await this.report(
      placed > 0 ? 'dialing' : 'idle',
      why,
      decision.appliedMode,
      ready,
      auto.length + placed,
    );
  }

  /** The state-rule inputs of a dial: rules in memory, the number's dials in the last 24 h. */
  private async stateCheck(phone: string, states: string[] | undefined, now: number) {
    const comp = this.d.compliance;
    if (!comp) return null;
    return {
      rules: comp.rules(),
      states: states ?? statesOfLead({ phone }),
      attemptsAtMs: await comp.attempts.recent(phone, now - ATTEMPT_WINDOW_MS),
    };
  }

  /** Re-checks compliance at dial time, then originates. */
  private async placeOne(
    lease: HopperLease,
    takingCalls: number,
  ): Promise<'placed' | 'skipped' | 'refused' | 'stop'> {
    const c = this.campaign;
    const e = lease.entry;
    const now = this.d.clock.nowMs();
    const onDnc = await this.d.dnc.isBlocked(e.phone, c.id, c.nationalDncScrub);
    const verdict = checkDial({
      onDnc,
      timeZones: e.timeZones,
      window: c.window,
      atMs: now,
      readyAgents: takingCalls,
      attempts: { made: e.attempts, max: c.recycle.maxAttempts },
      state: await this.stateCheck(e.phone, e.states, now),
    });
    if (!verdict.ok) {
      await this.d.hopper.ack(c.id, e.leadId, this.d.instanceId);
      // A state rule says when it allows the call again: the lead waits until then.
      const retryAt = verdict.rule === 'DNC' ? now + DNC_RETRY_MS : (verdict.retryAtMs ?? null);
      this.d.leads.skipped(e.leadId, verdict.rule, now, retryAt);
      this.log.info({ leadId: e.leadId, rule: verdict.rule }, 'lead not dialed: compliance guard');
      return 'skipped';
    }
    const callId = this.d.newCallId();
    const attempt = e.attempts + 1;
    const res = await this.d.originator.originate({
      callId,
      campaignId: c.id,
      leadId: e.leadId,
      listId: e.listId,
      phone: e.phone,
      attempt,
      agentId: null,
      manual: false,
      ringTimeoutS: ringTimeoutS(c.ringTimeoutS),
      callerId: c.callerId,
    });
    if (res.ok) {
      await this.d.hopper.ack(c.id, e.leadId, this.d.instanceId);
      this.refusals.delete(e.leadId);
      this.d.leads.dialed(e.leadId, callId, now);
      await this.d.compliance?.attempts.record(e.phone, now, callId).catch((err: unknown) => {
        this.log.warn({ err, leadId: e.leadId }, 'dial attempt not counted');
      });
      this.calls.set(callId, {
        callId,
        leadId: e.leadId,
        serverId: res.serverId,
        manual: false,
        agentId: null,
        originatedAtMs: now,
        answeredAtMs: null,
        amdAtMs: null,
        amdResult: null,
        phase: 'dialing',
        parkedIn: null,
        cancelDeadline: null,
        deadlinePassed: false,
        cancelHangup: null,
        seenAmdPerf: null,
        wasParked: false,
      });
      return 'placed';
    }
    const reason = res.error.message;
    if (!res.attempted) {
      // No server took it: the lead was never dialed.
      await this.d.hopper.release(c.id, e.leadId, this.d.instanceId);
      this.log.warn({ leadId: e.leadId, reason }, 'lead returned to the hopper: no server');
      return 'stop';
    }
    const n = (this.refusals.get(e.leadId) ?? 0) + 1;
    if (n >= LEAD_REFUSALS_MAX) {
      // Refused again and again while other calls go through: the number itself is the problem.
      this.refusals.delete(e.leadId);
      await this.d.hopper.ack(c.id, e.leadId, this.d.instanceId);
      this.d.leads.dialed(e.leadId, callId, now);
      this.d.leads.ended(e.leadId, callId, 'ORIGINATE_FAILED', now, c.recycle);
      this.log.warn(
        { leadId: e.leadId, callId, reason, refusals: n },
        'origination refused repeatedly: lead recycled',
      );
    } else {
      this.refusals.set(e.leadId, n);
      await this.d.hopper.release(c.id, e.leadId, this.d.instanceId);
      this.log.warn(
        { leadId: e.leadId, callId, reason },
        'origination refused: lead returned to the hopper',
      );
    }
    return 'refused';
  }

  private currentModel(now: number): PacingModel | null {
    if (this.campaign.dialMethod !== 'predictive') return null;
    const hour = new Date(now).getUTCHours();
    const wall = this.d.perfNow();
    const stale =
      this.modelVersion !== this.stats.version && wall - this.modelBuiltAt >= MODEL_REBUILD_MS;
    if (this.model === null || this.modelHour !== hour || stale) {
      // About 10 ms of CPU per build, which would stall hand-offs if done on every finished
      // call: rebuilt at most every MODEL_REBUILD_MS while observations come in.
      this.model = this.stats.model(hour);
      this.modelVersion = this.stats.version;
      this.modelHour = hour;
      this.modelBuiltAt = wall;
    }
    return this.model;
  }

  private async report(
    state: DialerStatus['state'],
    reason: string,
    appliedMode: string,
    ready: number,
    inFlight: number,
  ): Promise<void> {
    // Mode and dial level too: a settings change shows in the header at once, not at the refresh.
    const key = `${state}|${reason}|${appliedMode}|${ready}|${inFlight}|${this.waiting.length}|${this.campaign.dialMethod}|${this.campaign.dialLevel}|${this.amdRuleNow().hangups}`;
    const wall = this.d.perfNow();
    if (key === this.lastStatusKey && wall - this.lastStatusAt < STATUS_REFRESH_MS) return;
    if (reason !== this.lastStatusKey.split('|')[1])
      this.log.debug({ state, reason }, 'dialer status');
    this.lastStatusKey = key;
    this.lastStatusAt = wall;
    const now = this.d.clock.nowMs();
    const ledger = ledgerWithEstimates(this.ledgerDays, ledgerDay(now));
    const amd = this.amdEstimateNow();
    const rule = this.amdRuleNow();
    const status: DialerStatus = {
      campaignId: this.campaign.id,
      instanceId: this.d.instanceId,
      state,
      reason,
      mode: this.campaign.dialMethod,
      appliedMode,
      readyAgents: ready,
      callsInFlight: inFlight,
      waitingForAgent: this.waiting.length,
      atMs: now,
      drops: {
        counted: ledger.counted,
        estimated: Math.round(ledger.estimated * 100) / 100,
        humans: ledger.answered,
        ratePct: ledger.humans > 0 ? Math.round((10_000 * ledger.drops) / ledger.humans) / 100 : 0,
        capPct: this.campaign.dropRateCapPct,
      },
      amd: {
        hangups: rule.hangups,
        note: rule.reason,
        source: amd.source,
        humanAsMachinePct: Math.round(amd.humanAsMachinePct * 100) / 100,
        machineAsHumanPct: amd.machineAsHumanPct,
        interval: amd.interval,
        auditPct: this.campaign.amdAuditPct,
      },
    };
    this.d.statusObserver?.observe(status, this.campaign.dialLevel);
  }

  // ------------------------------------------------------------------ events

  /** A call.* event of one of this campaign's calls (`call` when the service had to look it up). */
  async onCallEvent(event: DomainEvent, perfSeen: number): Promise<void> {
    if (this.stopped) return;
    switch (event.type) {
      case 'call.answered': {
        const t = this.calls.get(event.callId);
        if (t && t.answeredAtMs === null) t.answeredAtMs = event.atMs;
        return;
      }
      case 'call.amd': {
        const t = this.calls.get(event.callId);
        if (!t) return;
        t.amdAtMs = event.atMs;
        t.amdResult = event.result;
        t.answeredAtMs ??= event.atMs;
        t.seenAmdPerf = perfSeen;
        await this.onVerdict(t);
        return;
      }
      case 'call.bridged': {
        const t = this.calls.get(event.callId);
        if (t) t.phase = 'bridged';
        return;
      }
      case 'call.safe_harbor': {
        // The message finished: the drop ends with a hang-up.
        const t = this.calls.get(event.callId);
        if (t) await this.hangup(t);
        return;
      }
      case 'call.ended':
        await this.onEnded(event.callId, event.leadId, event.outcome, event.atMs, event.agentId);
        return;
      default:
        return;
    }
  }

  async onAgentEvent(e: AgentStateChanged): Promise<void> {
    if (this.stopped || e.from === e.to) return; // from === to: a phone-leg change, not a state
    // Talk (INCALL and DEAD) and wrap-up times feed the predictive mode's handle-time tables.
    const id = e.agentId;
    if (e.to === 'INCALL' && e.from !== 'DEAD') this.talkMs.set(id, 0);
    if (e.from === 'INCALL' || e.from === 'DEAD') {
      this.talkMs.set(id, (this.talkMs.get(id) ?? 0) + (e.atMs - e.sinceMs));
    }
    if (e.from === 'WRAPUP') {
      const talk = this.talkMs.get(id);
      this.talkMs.delete(id);
      if (talk !== undefined)
        this.stats.observeHandle({ talkMs: talk, wrapMs: e.atMs - e.sinceMs });
    }
    if (e.to === 'READY') {
      await this.serveWaiting();
      void this.tick();
    }
  }

  private async onVerdict(t: Tracked): Promise<void> {
    if (t.phase !== 'dialing') return;
    if (t.manual) {
      await this.bridgeManual(t);
      return;
    }
    if (t.amdResult === 'MACHINE') this.verdicts.machine++;
    else if (t.amdResult !== null) this.verdicts.human++;
    const machine = t.amdResult === 'MACHINE' && this.campaign.amdEnabled;
    if (machine && !this.amdRuleNow().hangups) {
      // AMD's errors alone would spend the cap: the verdict goes to an agent (reason on screen).
      await this.markable(t);
      await this.handOff(t);
    } else if (machine && this.auditPick()) {
      this.log.info({ callId: t.callId }, 'machine verdict sent to an agent for the AMD audit');
      await this.markable(t);
      await this.handOff(t);
    } else if (machine) {
      t.amdHungUp = true;
      await this.onMachine(t);
    }
    // HUMAN and NOTSURE both go to an agent: a person may be on the line.
    else await this.handOff(t);
  }

  /** The campaign's AMD error estimate now: the audit's marks once there are enough. */
  private amdEstimateNow(): AmdEstimate {
    return amdEstimate(this.campaign.amdErrors, this.auditMarks, this.verdicts);
  }

  /** Whether MACHINE verdicts may be hung up on (domain/pacing/amd.ts). */
  private amdRuleNow(): AmdRule {
    const now = this.d.clock.nowMs();
    const l = ledgerWithEstimates(this.ledgerDays, ledgerDay(now));
    return amdRule(this.amdEstimateNow().humanAsMachinePct, this.campaign.dropRateCapPct, {
      estimated: l.estimated,
      humans: l.answered,
    });
  }

  /** A MACHINE verdict going to an agent: the agent may mark it (the audit's sample). */
  private async markable(t: Tracked): Promise<void> {
    await this.d.amdAudit
      ?.pending(this.campaign.id, t.callId)
      .catch((err: unknown) => this.log.warn({ err, callId: t.callId }, 'AMD audit not recorded'));
  }

  /** Picks the campaign's audit share of MACHINE verdicts, evenly spread. */
  private auditPick(): boolean {
    const share = Math.min(100, Math.max(0, this.campaign.amdAuditPct)) / 100;
    if (!(share > 0)) return false;
    this.auditDue += share;
    if (this.auditDue < 1) return false;
    this.auditDue -= 1;
    return true;
  }

  private async onEnded(
    callId: CallId,
    leadId: LeadId,
    outcome: CallOutcome,
    atMs: number,
    agentId: AgentId | null,
  ): Promise<void> {
    const t = this.calls.get(callId);
    if (t) {
      t.phase = 'ended';
      t.cancelDeadline?.();
      t.cancelHangup?.();
      const i = this.waiting.indexOf(t);
      if (i >= 0) this.waiting.splice(i, 1);
      this.calls.delete(callId);
      this.observeDial(t, outcome, atMs);
    }
    // A refused origination was already settled by the dialing path.
    if (outcome !== 'ORIGINATE_FAILED') {
      this.d.leads.ended(leadId, callId, outcome, atMs, this.campaign.recycle);
      let add = ledgerCounts(outcome);
      const q = this.amdEstimateNow().personPerMachineVerdict;
      // A MACHINE verdict hung up on (or played the machine message): its expected share of an
      // abandoned person goes to the ledger as an estimated drop.
      let estimated = t?.amdHungUp ? q : 0;
      let estimatedAnswers = 0;
      if (t && !t.manual && !t.amdHungUp && t.amdResult === 'MACHINE' && add.humans > 0) {
        // A MACHINE verdict an agent got (AMD rule or audit): a person with chance q, the same
        // count bench/pacing makes. Dropped: q estimated drops; answered: q estimated answers.
        if (add.drops > 0) estimated = q;
        else estimatedAnswers = q;
        add = { drops: 0, humans: 0 };
      }
      if (add.humans > 0 || estimated > 0 || estimatedAnswers > 0) {
        const day = ledgerDay(atMs);
        const cur = this.ledgerDays.find((x) => x.day === day);
        if (cur) {
          cur.drops += add.drops;
          cur.humans += add.humans;
          if (estimated > 0) cur.estimated = (cur.estimated ?? 0) + estimated;
          if (estimatedAnswers > 0)
            cur.estimatedAnswers = (cur.estimatedAnswers ?? 0) + estimatedAnswers;
        } else
          this.ledgerDays.push({
            day,
            ...add,
            ...(estimated > 0 ? { estimated } : {}),
            ...(estimatedAnswers > 0 ? { estimatedAnswers } : {}),
          });
        await this.d.ledger
          .add(this.campaign.id, day, add.drops, add.humans, estimated, estimatedAnswers)
          .catch((err: unknown) => this.log.error({ err, callId }, 'drop ledger not updated'));
      }
    }
    if (outcome === 'DROPPED') this.log.info({ callId, leadId, agentId }, 'live answer dropped');
    void this.tick();
  }

  private observeDial(t: Tracked, outcome: CallOutcome, endedAtMs: number): void {
    if (t.manual) return;
    const result: DialResult | null =
      outcome === 'HUMAN' || outcome === 'DROPPED'
        ? 'HUMAN'
        : outcome === 'MACHINE'
          ? 'MACHINE'
          : outcome === 'BUSY' || outcome === 'CONGESTION' || outcome === 'INVALID'
            ? 'FAILED'
            : outcome === 'NO_ANSWER'
              ? 'NO_ANSWER'
              : null;
    if (result === null) return;
    const hour = new Date(t.originatedAtMs).getUTCHours();
    if (result === 'HUMAN' || result === 'MACHINE') {
      if (t.answeredAtMs === null) return;
      this.stats.observeDial({
        hour,
        result,
        answerDelayMs: t.answeredAtMs - t.originatedAtMs,
        ...(t.amdAtMs !== null ? { amdDelayMs: t.amdAtMs - t.answeredAtMs } : {}),
      });
    } else if (result === 'FAILED') {
      this.stats.observeDial({ hour, result, answerDelayMs: endedAtMs - t.originatedAtMs });
    } else {
      this.stats.observeDial({ hour, result });
    }
  }

  // ------------------------------------------------------------------ live answers

  /** Human verdict: the longest-ready agent, else park and wait, else drop. */
  private async handOff(t: Tracked): Promise<void> {
    t.phase = 'handoff';
    for (;;) {
      const agent = await (this.d.handoffStore ?? this.d.store).reserveLongestReady(
        this.campaign.id,
        t.callId,
        this.d.clock.nowMs(),
      );
      if (!agent) break;
      const r = await this.connect(agent, t);
      if (r !== 'agent-failed') return;
    }
    if (t.phase !== 'handoff') return;
    const left = this.holdLeftMs(t);
    if (left <= 0) {
      await this.drop(t);
      return;
    }
    await this.park(t);
  }

  /** Virtual ms the call may still wait for an agent before the safe-harbor message must start. */
  private holdLeftMs(t: Tracked): number {
    const budget = holdBudgetMs(this.campaign.dropWaitMs, this.d.safeHarborStartMs);
    return (t.amdAtMs ?? this.d.clock.nowMs()) + budget - this.d.clock.nowMs();
  }

  /**
   * Moves the customer into the agent's bridge (where the agent's phone leg already is), then
   * marks the agent INCALL. 'agent-failed': this agent could not take it (try another).
   */
  private async connect(
    agent: AgentStatus,
    t: Tracked,
  ): Promise<'ok' | 'agent-failed' | 'call-gone'> {
    const ari = this.d.ari(t.serverId);
    // No leg (lost mid-call and never back): a customer added to the bridge would hear no one.
    if (!agent.bridgeId || !agent.legChannelId || !ari) {
      this.log.warn(
        { agentId: agent.agentId, callId: t.callId },
        'ready agent has no phone leg: paused',
      );
      await this.agentCommand(agent.agentId, { type: 'unreserve' }, 'dialer:no-leg');
      await this.agentCommand(
        agent.agentId,
        { type: 'pause', code: NO_LEG_PAUSE_CODE },
        'dialer:no-leg',
      );
      return 'agent-failed';
    }
    try {
      if (t.parkedIn) {
        await ari.removeChannel(t.parkedIn, t.callId).catch(() => undefined);
        t.parkedIn = null;
      }
      await ari.addChannel(agent.bridgeId, t.callId);
    } catch (err) {
      const bridgeGone = err instanceof AriError && /bridge/i.test(err.asteriskMessage);
      await this.agentCommand(agent.agentId, { type: 'unreserve' }, 'dialer:handoff-failed');
      if (bridgeGone) {
        this.log.warn(
          { agentId: agent.agentId, callId: t.callId },
          "agent's bridge is gone: paused",
        );
        await this.agentCommand(
          agent.agentId,
          { type: 'pause', code: NO_LEG_PAUSE_CODE },
          'dialer:no-leg',
        );
        return 'agent-failed';
      }
      this.log.info({ callId: t.callId, err }, 'customer left before the hand-off');
      t.phase = 'ended';
      return 'call-gone';
    }
    t.phase = 'bridged';
    t.cancelDeadline?.();
    t.agentId = agent.agentId;
    if (t.seenAmdPerf !== null) {
      const doneAtPerf = this.d.perfNow();
      this.d.onHandoff?.({
        callId: t.callId,
        agentId: agent.agentId,
        parked: t.wasParked,
        realMs: doneAtPerf - t.seenAmdPerf,
        seenAtPerf: t.seenAmdPerf,
        doneAtPerf,
      });
    }
    await this.agentCommand(agent.agentId, { type: 'connect', callId: t.callId }, 'dialer');
    return 'ok';
  }

  private holdingBridgeId(): string {
    return `hold-${this.campaign.id}`;
  }

  /** Parks a live answer in the campaign's holding bridge until an agent frees up or time runs out. */
  private async park(t: Tracked): Promise<void> {
    const ari = this.d.ari(t.serverId);
    const bridgeId = this.holdingBridgeId();
    t.phase = 'waiting';
    t.wasParked = true;
    this.waiting.push(t);
    this.armDeadline(t);
    if (!ari) return;
    try {
      const k = `${t.serverId}/${bridgeId}`;
      if (!this.holdingReady.has(k)) {
        await ari.createBridge(bridgeId, 'holding', bridgeId).catch((err: unknown) => {
          // 409: it exists already (another holder made it); anything else shows at addChannel.
          if (!(err instanceof AriError && err.status === 409)) throw err;
        });
        this.holdingReady.add(k);
      }
      if (t.phase !== 'waiting') return;
      await ari.addChannel(bridgeId, t.callId);
      t.parkedIn = bridgeId;
    } catch (err) {
      // Not parked: it still waits (in silence) for an agent until the deadline.
      this.holdingReady.delete(`${t.serverId}/${bridgeId}`);
      this.log.warn(
        { err, callId: t.callId },
        'could not park a live answer in the holding bridge',
      );
    }
  }

  private armDeadline(t: Tracked): void {
    t.cancelDeadline?.();
    const left = this.holdLeftMs(t);
    t.cancelDeadline = this.d.timers.after(Math.max(0, left), () => {
      t.cancelDeadline = null;
      if (t.phase === 'waiting') void this.drop(t);
      else t.deadlinePassed = true;
    });
  }

  /** Gives waiting calls, oldest first, to agents that are ready now. */
  private async serveWaiting(): Promise<void> {
    while (this.waiting.length > 0 && !this.stopped) {
      const t = this.waiting[0] as Tracked;
      if (t.phase !== 'waiting') {
        this.waiting.shift();
        continue;
      }
      // Claimed before the first await so that the drop timer leaves it alone.
      t.phase = 'handoff';
      this.waiting.shift();
      const agent = await (this.d.handoffStore ?? this.d.store).reserveLongestReady(
        this.campaign.id,
        t.callId,
        this.d.clock.nowMs(),
      );
      if (!agent) {
        if (t.deadlinePassed || this.holdLeftMs(t) <= 0) {
          await this.drop(t);
          continue;
        }
        t.phase = 'waiting';
        this.waiting.unshift(t);
        return;
      }
      const r = await this.connect(agent, t);
      if (r === 'agent-failed') {
        t.phase = 'waiting';
        this.waiting.unshift(t);
        if (t.deadlinePassed) {
          this.waiting.shift();
          await this.drop(t);
        }
      }
    }
  }

  /**
   * No agent in time: the safe-harbor message on the customer's channel (the worker publishes
   * call.dropped when it starts and call.safe_harbor when it ends), then a hang-up.
   */
  private async drop(t: Tracked): Promise<void> {
    if (t.phase === 'dropping' || t.phase === 'ended' || t.phase === 'bridged') return;
    t.phase = 'dropping';
    t.cancelDeadline?.();
    t.cancelDeadline = null;
    const i = this.waiting.indexOf(t);
    if (i >= 0) this.waiting.splice(i, 1);
    const ari = this.d.ari(t.serverId);
    if (!ari) return;
    try {
      if (t.parkedIn) {
        const from = t.parkedIn;
        t.parkedIn = null;
        await ari.removeChannel(from, t.callId).catch(() => undefined);
      }
      await ari.playOnChannel(t.callId, this.campaign.safeHarborAudio, `sh-${t.callId}`);
      this.armHangup(t, SAFE_HARBOR_HANGUP_FALLBACK_MS);
    } catch (err) {
      this.log.warn({ err, callId: t.callId }, 'safe-harbor message failed: hanging up');
      await this.hangup(t);
    }
  }

  private async onMachine(t: Tracked): Promise<void> {
    t.phase = 'machine';
    const c = this.campaign;
    const ari = this.d.ari(t.serverId);
    if (!ari) return;
    if (c.machineAction === 'message' && c.machineMessageAudio) {
      const playbackId = `mm-${t.callId}`;
      try {
        await ari.playOnChannel(t.callId, c.machineMessageAudio, playbackId);
        this.log.info(
          { callId: t.callId, leadId: t.leadId },
          'machine: leaving the campaign message',
        );
        this.pollPlayback(t, ari, playbackId, this.d.clock.nowMs() + MACHINE_MESSAGE_MAX_MS);
        return;
      } catch (err) {
        this.log.warn({ err, callId: t.callId }, 'machine message failed: hanging up');
      }
    } else {
      this.log.info({ callId: t.callId, leadId: t.leadId }, 'machine: hanging up');
    }
    await this.hangup(t);
  }

  /** Hangs up once the machine message has played (ARI answers 404 for a finished playback). */
  private pollPlayback(t: Tracked, ari: DialerAri, playbackId: string, untilMs: number): void {
    t.cancelHangup = this.d.timers.after(1_000, () => {
      t.cancelHangup = null;
      if (t.phase !== 'machine') return;
      void ari
        .getPlayback(playbackId)
        .then((pb) => {
          const state = (pb as { state?: string } | undefined)?.state;
          if (state === 'done' || state === 'failed' || this.d.clock.nowMs() >= untilMs)
            return this.hangup(t);
          this.pollPlayback(t, ari, playbackId, untilMs);
          return undefined;
        })
        .catch(() => this.hangup(t));
    });
  }

  private armHangup(t: Tracked, ms: number): void {
    t.cancelHangup?.();
    t.cancelHangup = this.d.timers.after(ms, () => {
      t.cancelHangup = null;
      void this.hangup(t);
    });
  }

  private async hangup(t: Tracked): Promise<void> {
    t.cancelHangup?.();
    t.cancelHangup = null;
    const ari = this.d.ari(t.serverId);
    if (!ari || t.phase === 'ended') return;
    await ari.hangup(t.callId).catch((err: unknown) => {
      // 404: already gone, which is what we wanted.
      if (!(err instanceof AriError && err.status === 404))
        this.log.warn({ err, callId: t.callId }, 'hang-up failed');
    });
  }

  /** A manual dial answered: straight to the agent who placed it (already INCALL). */
  private async bridgeManual(t: Tracked): Promise<void> {
    t.phase = 'handoff';
    const agent = t.agentId ? await this.d.store.getAgent(t.agentId) : null;
    const ari = this.d.ari(t.serverId);
    if (!agent?.bridgeId || !ari) {
      this.log.warn(
        { callId: t.callId, agentId: t.agentId },
        'manual call answered but its agent has no leg',
      );
      await this.hangup(t);
      return;
    }
    try {
      await ari.addChannel(agent.bridgeId, t.callId);
      t.phase = 'bridged';
    } catch (err) {
      this.log.warn({ err, callId: t.callId }, 'manual call could not reach its agent');
      await this.hangup(t);
    }
  }

  private async agentCommand(
    agentId: AgentId,
    command: Parameters<AgentCommands['apply']>[1],
    reason: string,
  ): Promise<void> {
    try {
      await this.d.agents.apply(agentId, command, reason);
    } catch (err) {
      // The agent moved on (logged out, was force-paused): nothing left to do for it.
      this.log.warn({ err, agentId, command: command.type }, 'agent command refused');
    }
  }
}

function callView(c: LiveCall): CallView {
  const stageAtMs =
    c.stage === 'WAITING'
      ? (c.waitingAtMs ?? c.originatedAtMs)
      : c.stage === 'AMD'
        ? (c.answeredAtMs ?? c.originatedAtMs)
        : c.stage === 'RINGING'
          ? (c.ringingAtMs ?? c.originatedAtMs)
          : c.originatedAtMs;
  return { stage: c.stage, dialedAtMs: c.originatedAtMs, stageAtMs };
}
