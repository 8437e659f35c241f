import { checkDial, holdBudgetMs, ledgerDay, ringTimeoutS } from '../../domain/compliance.js';
import { originated } from '../../domain/call/index.js';
import {
  decidePacing,
  dialGuard,
  ledgerWithEstimates,
  PacingStats,
  type CallView,
  type PacingControl,
  type PacingModel,
} from '../../domain/pacing/index.js';
import { ATTEMPT_WINDOW_MS, statesOfLead } from '../../domain/state-rules.js';
import type { HopperLease } from '../../ports/hopper.js';
import type { AgentStatus, LiveCall } from '../../ports/state-store.js';
import type { AmdPolicy } from './amd-policy.js';
import { leadRecycle, type CampaignRun } from './campaign-run.js';
import { StatusReport } from './status-report.js';

/** Consecutive refusals of one lead before it is recycled instead of retried. */
const LEAD_REFUSALS_MAX = 3;
/** Delay before a lead refused by the DNC guard is looked at again by the filler. */
const DNC_RETRY_MS = 24 * 3600_000;
/** Least wall-clock time between two rebuilds of the pacing model, ms. */
const MODEL_REBUILD_MS = 10_000;

/**
 * One campaign's pacing: decides how many calls to place (domain/pacing, with the controller
 * state passed back from the previous decision and kept in Redis beside the lease), pops leads,
 * re-checks compliance at dial time and originates; reports the dialer status of each decision.
 */
export class Pacing {
  /** Dial outcomes and handle times: the predictive model's base (outcomes.ts feeds it). */
  readonly stats = new PacingStats();
  private model: PacingModel | null = null;
  private modelVersion = -1;
  private modelHour = -1;
  private modelBuiltAt = 0;
  /** The predictive controller's state, passed back to every decision (docs/pacing.md). */
  private control: PacingControl | undefined;
  private controlLoaded = false;
  private savedControl = '';
  private ticking = false;
  private again = false;
  private readonly refusals = new Map<string, number>();

  private readonly status: StatusReport;

  constructor(
    private readonly run: CampaignRun,
    amd: AmdPolicy,
  ) {
    this.status = new StatusReport(run, amd);
  }

  /** Runs a pacing decision now, or right after the one in progress. */
  async tick(): Promise<void> {
    if (this.run.stopped) return;
    if (this.ticking) {
      this.again = true;
      return;
    }
    this.ticking = true;
    try {
      do {
        this.again = false;
        await this.pace();
      } while (this.again && !this.run.stopped);
    } catch (err) {
      this.run.log.error({ err }, 'dialer pacing failed');
    } finally {
      this.ticking = false;
    }
  }

  private async pace(): Promise<void> {
    const c = this.run.campaign;
    const now = this.run.d.clock.nowMs();
    if (this.run.draining) {
      await this.status.report(
        'idle',
        'Campaign stopped: finishing the calls in flight.',
        c.dialMethod,
        0,
        this.run.calls.size,
      );
      return;
    }
    if (this.run.invalid) {
      await this.status.report(
        'blocked',
        `Campaign setting out of range, not dialing: ${this.run.invalid.message}.`,
        c.dialMethod,
        0,
        0,
      );
      return;
    }
    if (!this.controlLoaded) await this.loadControl();
    const [listed, listedCalls] = await Promise.all([
      this.run.d.store.listAgents(c.id),
      this.run.d.store.listCalls(c.id),
    ]);
    const { agents, calls } = await this.reachable(listed, listedCalls);
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
        dropWaitMs: holdBudgetMs(c.dropWaitMs, this.run.d.safeHarborStartMs),
        maxLinesPerAgent: Math.max(this.run.d.maxLinesPerAgent, Math.ceil(c.dialLevel)),
      },
      agents: agents.map((a) => ({ state: a.state, sinceMs: a.sinceMs })),
      calls: auto.map(callView),
      model: this.currentModel(now),
      // Counted drops plus the estimated people AMD hung up on (docs/pacing.md, AMD errors).
      ledger: {
        ...ledgerWithEstimates(this.run.ledgerDays, ledgerDay(now)),
        capPct: c.dropRateCapPct,
      },
      // Parity with bench/pacing: the controller continues from the previous decision's state.
      ...(this.control ? { control: this.control } : {}),
    });
    if (decision.control) await this.keepControl(decision.control);
    this.run.d.metrics?.pacingDecision(c.id, decision.appliedMode, decision.control?.theta ?? null);
    if (c.dialMethod === 'manual') {
      await this.status.report('idle', decision.reason, decision.appliedMode, ready, auto.length);
      return;
    }
    if (!guard.ok) {
      // Compliance: no automatic call while no agent of the campaign is ready (DIAL_GUARD_RULE).
      await this.status.report('idle', guard.reason, decision.appliedMode, ready, auto.length);
      return;
    }
    if (decision.callsToPlace <= 0) {
      await this.status.report('idle', decision.reason, decision.appliedMode, ready, auto.length);
      return;
    }
    // Still ours? A holder that stalled past the lease TTL mid-decision must not place the calls
    // it decided on: the new holder decides for the campaign now (docs/scaling.md).
    if (this.run.d.holdsLease && !(await this.run.d.holdsLease(c.id))) {
      this.run.stopped = true;
      this.run.d.leaseLost?.(c.id);
      return;
    }
    let placed = 0;
    let why = decision.reason;
    // The leads pacing asks for come in one round trip; a skipped lead (DNC, window) does not use
    // a slot, so the shortfall is popped again, a bounded number of times.
    rounds: for (let round = 0; placed < decision.callsToPlace && round < 4; round++) {
      if (this.run.stopped) return;
      const leases = await this.run.d.hopper.popMany(
        c.id,
        this.run.d.instanceId,
        decision.callsToPlace - placed,
        this.run.d.hopperLeaseMs,
        this.run.d.clock.nowMs(),
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
        if (result === 'stop' || result === 'refused' || this.run.stopped) {
          // The rest were not tried: back to the head of the hopper.
          for (const l of leases.slice(i + 1)) {
            await this.run.d.hopper.release(c.id, l.entry.leadId, this.run.d.instanceId);
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
    await this.status.report(
      placed > 0 ? 'dialing' : 'idle',
      why,
      decision.appliedMode,
      ready,
      auto.length + placed,
    );
  }

  /**
   * On a fleet with a server down (its ARI connection lost, not yet declared lost): the agents
   * homed there and the calls on it left out of the decision. Those agents cannot take a call
   * (their phone legs are on the server nobody reaches) and those calls will hand nobody an answer,
   * so counting them would dial for agents who cannot answer, or not dial for those who can.
   */
  private async reachable(
    agents: AgentStatus[],
    calls: LiveCall[],
  ): Promise<{ agents: AgentStatus[]; calls: LiveCall[] }> {
    const fleet = this.run.d.fleet;
    const down = new Set(fleet?.down?.() ?? []);
    if (!fleet?.homes || down.size === 0) return { agents, calls };
    const homes = await fleet.homes.homesOf(agents.map((a) => a.agentId));
    const home = (i: number) => homes[i] ?? fleet.defaultServerId ?? null;
    return {
      agents: agents.filter((_, i) => {
        const h = home(i);
        return h === null || !down.has(h);
      }),
      calls: calls.filter((x) => !down.has(x.serverId)),
    };
  }

  /** The state-rule inputs of a dial: rules in memory, the number's dials in the last 24 h. */
  private async stateCheck(phone: string, states: string[] | undefined, now: number) {
    const comp = this.run.d.compliance;
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
    const c = this.run.campaign;
    const e = lease.entry;
    const now = this.run.d.clock.nowMs();
    const onDnc = await this.run.d.dnc.isBlocked(e.phone, c.id, c.nationalDncScrub);
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
      await this.run.d.hopper.ack(c.id, e.leadId, this.run.d.instanceId);
      // A state rule says when it allows the call again: the lead waits until then.
      const retryAt = verdict.rule === 'DNC' ? now + DNC_RETRY_MS : (verdict.retryAtMs ?? null);
      this.run.d.leads.skipped(e.leadId, verdict.rule, now, retryAt);
      this.run.log.info(
        { leadId: e.leadId, rule: verdict.rule },
        'lead not dialed: compliance guard',
      );
      return 'skipped';
    }
    const callId = this.run.d.newCallId();
    const attempt = e.attempts + 1;
    const res = await this.run.d.originator.originate({
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
      await this.run.d.hopper.ack(c.id, e.leadId, this.run.d.instanceId);
      this.refusals.delete(e.leadId);
      this.run.d.leads.dialed(e.leadId, callId, now);
      await this.run.d.compliance?.attempts.record(e.phone, now, callId).catch((err: unknown) => {
        this.run.log.warn({ err, leadId: e.leadId }, 'dial attempt not counted');
      });
      this.run.calls.set(callId, {
        call: originated({ callId, campaignId: c.id, leadId: e.leadId, manual: false }),
        serverId: res.serverId,
        originatedAtMs: now,
        cancelDeadline: null,
        cancelHangup: null,
        seenAmdPerf: null,
        liveCounted: false,
        dialObserved: false,
      });
      return 'placed';
    }
    const reason = res.error.message;
    if (!res.attempted) {
      // No server took it: the lead was never dialed.
      await this.run.d.hopper.release(c.id, e.leadId, this.run.d.instanceId);
      this.run.log.warn({ leadId: e.leadId, reason }, 'lead returned to the hopper: no server');
      return 'stop';
    }
    const n = (this.refusals.get(e.leadId) ?? 0) + 1;
    if (n >= LEAD_REFUSALS_MAX) {
      // Refused again and again while other calls go through: the number itself is the problem.
      this.refusals.delete(e.leadId);
      await this.run.d.hopper.ack(c.id, e.leadId, this.run.d.instanceId);
      this.run.d.leads.dialed(e.leadId, callId, now);
      const next = leadRecycle('ORIGINATE_FAILED', now, c.recycle);
      this.run.d.leads.ended(e.leadId, callId, 'ORIGINATE_FAILED', now, next);
      this.run.log.warn(
        { leadId: e.leadId, callId, reason, refusals: n },
        'origination refused repeatedly: lead recycled',
      );
    } else {
      this.refusals.set(e.leadId, n);
      await this.run.d.hopper.release(c.id, e.leadId, this.run.d.instanceId);
      this.run.log.warn(
        { leadId: e.leadId, callId, reason },
        'origination refused: lead returned to the hopper',
      );
    }
    return 'refused';
  }

  private currentModel(now: number): PacingModel | null {
    if (this.run.campaign.dialMethod !== 'predictive') return null;
    const hour = new Date(now).getUTCHours();
    const wall = this.run.d.perfNow();
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

  /** The controller state a previous holder (or this process before a restart) left, once. */
  async loadControl(): Promise<void> {
    if (this.controlLoaded || !this.run.d.pacingControl) return;
    const stored = await this.run.d.pacingControl.load(this.run.campaign.id);
    this.controlLoaded = true;
    if (stored && this.control === undefined) {
      this.control = stored;
      this.savedControl = JSON.stringify(stored);
      this.run.log.info({ theta: stored.theta }, 'pacing control state taken over');
    }
  }

  /** Keeps the decision's controller state for the next one, in Redis when it changed. */
  private async keepControl(control: PacingControl): Promise<void> {
    this.control = control;
    const json = JSON.stringify(control);
    if (json === this.savedControl || !this.run.d.pacingControl) return;
    this.savedControl = json;
    try {
      if (!(await this.run.d.pacingControl.save(this.run.campaign.id, control)))
        this.run.log.warn('pacing control state not saved: lease no longer held');
    } catch (err) {
      this.savedControl = '';
      this.run.log.warn({ err }, 'pacing control state not saved');
    }
  }

  /** The controller state the next decision gets (tests, diagnostics). */
  controlState(): PacingControl | undefined {
    return this.control;
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
