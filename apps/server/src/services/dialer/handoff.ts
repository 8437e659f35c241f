import { NO_LEG_PAUSE_CODE, type CallTalking, type VoicemailOutcome } from '@ringside/protocol';
import { holdBudgetMs } from '../../domain/compliance.js';
import { transition, undecided, type CallEffect, type CallEvent } from '../../domain/call/index.js';
import { isAriConflict, isAriError, isAriNotFound } from '../../ports/telephony-errors.js';
import type { AgentStatus } from '../../ports/state-store.js';
import type { AmdPolicy } from './amd-policy.js';
import type { CampaignRun, Tracked } from './campaign-run.js';
import { MACHINE_MESSAGE_MAX_MS, Machines } from './machines.js';

/**
 * A live answer's way to an agent: runs the call state machine (domain/call) for the campaign's
 * calls and carries out its effects: the longest-ready agent, else park in the holding bridge
 * and wait, else the safe-harbor drop; machines and manual calls in machines.ts.
 */
export class Handoff {
  private readonly holdingReady = new Set<string>();
  private readonly machines: Machines;

  constructor(
    private readonly run: CampaignRun,
    private readonly amd: AmdPolicy,
  ) {
    this.machines = new Machines(run, (t, e) => this.apply(t, e));
  }

  /** Applies one event to a call and runs the effects, in order, until one fails. */
  async apply(t: Tracked, event: CallEvent): Promise<void> {
    const r = transition(t.call, event);
    t.call = r.call;
    if (r.call.phase === 'dropping' || r.call.phase === 'ended') this.run.unqueue(t);
    for (const effect of r.effects) {
      if (!(await this.effect(t, effect))) return;
    }
  }

  /** The AMD verdict (or a manual call's answer): route it once. */
  async onVerdict(t: Tracked): Promise<void> {
    if (!undecided(t.call.phase)) return;
    const machine = t.call.manual ? 'agent' : await this.amd.policy(t);
    if (machine === 'hangup' && t.call.amdResult === 'MACHINE')
      this.run.log.info({ callId: t.call.callId, leadId: t.call.leadId }, 'machine: hanging up');
    // A MACHINE verdict acted on: the AMD review's share is recorded (services/voicemail).
    if (machine !== 'agent' && t.call.amdResult === 'MACHINE') await this.machines.review(t);
    await this.apply(t, { type: 'route', machine });
  }

  /** The driver stopped: no voicemail drop acts any more. */
  stop(): void {
    this.machines.stop();
  }

  /** Talk detection on a call (its voicemail drop waits for the greeting's end). */
  onTalking(e: CallTalking): Promise<void> {
    return this.machines.talking(e);
  }

  /** The call ended: its voicemail drop's outcome (null: none), its review recording closed. */
  machineEnded(t: Tracked, atMs: number): Promise<VoicemailOutcome | null> {
    return this.machines.ended(t, atMs);
  }

  /** False: the effect failed and the rest are not run (the failure applied its own event). */
  private async effect(t: Tracked, e: CallEffect): Promise<boolean> {
    switch (e.kind) {
      case 'findAgent':
        await this.findAgent(t);
        return true;
      case 'bridgeToAgent':
        await this.bridgeToAgent(t, e.agentId, e.bridgeId, e.fromHolding);
        return true;
      case 'bridgeToOwnAgent':
        await this.machines.bridgeManual(t);
        return true;
      case 'park':
        this.run.waiting.push(t);
        await this.park(t);
        return true;
      case 'requeue':
        this.run.waiting.unshift(t);
        return true;
      case 'armDeadline':
        this.armDeadline(t, e.ms);
        return true;
      case 'cancelDeadline':
        t.cancelDeadline?.();
        t.cancelDeadline = null;
        return true;
      case 'unpark': {
        const ari = this.run.d.ari(t.serverId);
        if (!ari) return false;
        await ari.removeChannel(e.bridgeId, t.call.callId).catch(() => undefined);
        return true;
      }
      case 'playSafeHarbor':
        return this.playSafeHarbor(t);
      case 'playMachineMessage':
        return this.machines.playMessage(t);
      case 'armHangup':
        this.armHangup(t, e.ms);
        return true;
      case 'hangup':
        // A sampled MACHINE verdict hung up on is listened to (recorded) first.
        if (this.machines.holdForReview(t, (ms) => this.armHangup(t, ms))) return true;
        await this.hangup(t);
        return true;
      case 'publish':
        // The worker publishes the call's facts; the dialer learns them from the bus.
        return true;
    }
  }

  /** Virtual ms the call may still wait for an agent before the safe-harbor message must start. */
  holdLeftMs(t: Tracked): number {
    const { d, campaign } = this.run;
    const budget = holdBudgetMs(campaign.dropWaitMs, d.safeHarborStartMs);
    return (t.call.amdAtMs ?? d.clock.nowMs()) + budget - d.clock.nowMs();
  }

  /** Reserves the longest-ready agent; none: the call parks or drops (the machine says which). */
  private async findAgent(t: Tracked): Promise<void> {
    const { d, campaign, log } = this.run;
    let agent: AgentStatus | null;
    if (d.fleet) {
      // A fleet: an agent on the customer's server first, else one elsewhere (the trunk).
      const near = await d.fleet.near.reserveNear(
        campaign.id,
        t.call.callId,
        d.clock.nowMs(),
        t.serverId,
        d.fleet.down?.() ?? [],
      );
      agent = near?.status ?? null;
      if (near) t.agentServerId = near.homeServerId;
    } else {
      agent = await (d.handoffStore ?? d.store).reserveLongestReady(
        campaign.id,
        t.call.callId,
        d.clock.nowMs(),
      );
    }
    if (!agent) {
      await this.apply(t, { type: 'no_agent', holdLeftMs: this.holdLeftMs(t) });
      return;
    }
    if (t.call.phase !== 'handoff') {
      // The call ended while the agent was being reserved.
      await this.run.agentCommand(agent.agentId, { type: 'unreserve' }, 'dialer:handoff-failed');
      return;
    }
    // No leg (lost mid-call and never back): a customer added to the bridge would hear no one.
    if (!agent.bridgeId || !agent.legChannelId || !d.ari(t.serverId)) {
      log.warn(
        { agentId: agent.agentId, callId: t.call.callId },
        'ready agent has no phone leg: paused',
      );
      await this.pauseNoLeg(agent.agentId, 'dialer:no-leg');
      await this.apply(t, { type: 'agent_failed' });
      return;
    }
    await this.apply(t, {
      type: 'agent_reserved',
      agentId: agent.agentId,
      bridgeId: agent.bridgeId,
    });
  }

  private async pauseNoLeg(agentId: Parameters<CampaignRun['agentCommand']>[0], why: string) {
    await this.run.agentCommand(agentId, { type: 'unreserve' }, why);
    await this.run.agentCommand(
      agentId,
      { type: 'pause', code: NO_LEG_PAUSE_CODE },
      'dialer:no-leg',
    );
  }

  /**
   * Moves the customer into the agent's bridge (where the agent's phone leg already is), then
   * marks the agent INCALL. A bridge that is gone pauses the agent and another is tried.
   */
  private async bridgeToAgent(
    t: Tracked,
    agentId: Parameters<CampaignRun['agentCommand']>[0],
    bridgeId: string,
    fromHolding: string | null,
  ): Promise<void> {
    const { d, log } = this.run;
    const ari = d.ari(t.serverId);
    const callId = t.call.callId;
    const crossing = d.fleet?.crossing;
    if (crossing && t.agentServerId && t.agentServerId !== t.serverId) {
      if (!(await this.cross(t, agentId, bridgeId, fromHolding, t.agentServerId))) return;
      await this.handedOff(t, agentId);
      return;
    }
    try {
      if (!ari) throw new Error('no ARI client for the call');
      if (fromHolding) await ari.removeChannel(fromHolding, callId).catch(() => undefined);
      await ari.addChannel(bridgeId, callId);
    } catch (err) {
      if (isAriError(err) && err.subject === 'bridge') {
        log.warn({ agentId, callId }, "agent's bridge is gone: paused");
        await this.pauseNoLeg(agentId, 'dialer:handoff-failed');
        await this.apply(t, { type: 'agent_failed' });
        return;
      }
      await this.run.agentCommand(agentId, { type: 'unreserve' }, 'dialer:handoff-failed');
      log.info({ callId, err }, 'customer left before the hand-off');
      await this.apply(t, { type: 'customer_gone' });
      return;
    }
    await this.handedOff(t, agentId);
  }

  /**
   * Connects the customer to an agent homed on another server over the trunk (FleetCrossing).
   * False: it failed, and the failure's event has been applied (another agent or the drop).
   */
  private async cross(
    t: Tracked,
    agentId: Parameters<CampaignRun['agentCommand']>[0],
    bridgeId: string,
    fromHolding: string | null,
    agentServerId: string,
  ): Promise<boolean> {
    const { d, log } = this.run;
    const crossing = d.fleet?.crossing;
    if (!crossing) return false;
    const callId = t.call.callId;
    const res = await crossing.connect({
      callId,
      callServerId: t.serverId,
      agentServerId,
      agentBridgeId: bridgeId,
      fromHolding,
    });
    if (res === 'ok') {
      t.crossedTo = agentServerId;
      return true;
    }
    if (res === 'agent_bridge_gone') {
      log.warn({ agentId, callId }, "agent's bridge is gone: paused");
      await this.pauseNoLeg(agentId, 'dialer:handoff-failed');
      await this.apply(t, { type: 'agent_failed' });
      return false;
    }
    await this.run.agentCommand(agentId, { type: 'unreserve' }, 'dialer:handoff-failed');
    if (res === 'customer_gone') {
      await this.apply(t, { type: 'customer_gone' });
      return false;
    }
    // The trunk failed: the call waits (parked, its deadline armed) for the next agent that
    // frees up rather than trying again at once, which could pick the same agent in a loop.
    await this.apply(t, { type: 'no_agent', holdLeftMs: this.holdLeftMs(t) });
    return false;
  }

  /** The call ended: a crossing's trunk leg and bridge are taken down. */
  async released(t: Tracked): Promise<void> {
    const to = t.crossedTo;
    if (!to) return;
    t.crossedTo = undefined;
    await this.run.d.fleet?.crossing?.release({
      callId: t.call.callId,
      callServerId: t.serverId,
      agentServerId: to,
    });
  }

  /** The customer is with the agent: the call state, the hand-off sample, the agent INCALL. */
  private async handedOff(
    t: Tracked,
    agentId: Parameters<CampaignRun['agentCommand']>[0],
  ): Promise<void> {
    const { d } = this.run;
    const callId = t.call.callId;
    await this.apply(t, { type: 'bridged', agentId, atMs: d.clock.nowMs() });
    if (t.seenAmdPerf !== null) {
      const doneAtPerf = d.perfNow();
      d.onHandoff?.({
        callId,
        agentId,
        parked: t.call.wasParked,
        realMs: doneAtPerf - t.seenAmdPerf,
        seenAtPerf: t.seenAmdPerf,
        doneAtPerf,
      });
    }
    await this.run.agentCommand(agentId, { type: 'connect', callId }, 'dialer');
  }

  /** Puts a live answer in the campaign's holding bridge until an agent frees up or time runs out. */
  private async park(t: Tracked): Promise<void> {
    const ari = this.run.d.ari(t.serverId);
    const bridgeId = `hold-${this.run.campaign.id}`;
    if (!ari) return;
    const k = `${t.serverId}/${bridgeId}`;
    try {
      if (!this.holdingReady.has(k)) {
        await ari.createBridge(bridgeId, 'holding', bridgeId).catch((err: unknown) => {
          // 409: it exists already (another holder made it); anything else shows at addChannel.
          if (!isAriConflict(err)) throw err;
        });
        this.holdingReady.add(k);
      }
      if (t.call.phase !== 'waiting') return;
      await ari.addChannel(bridgeId, t.call.callId);
      await this.apply(t, { type: 'parked', bridgeId, atMs: this.run.d.clock.nowMs() });
    } catch (err) {
      // Not parked: it still waits (in silence) for an agent until the deadline.
      this.holdingReady.delete(k);
      this.run.log.warn(
        { err, callId: t.call.callId },
        'could not park a live answer in the holding bridge',
      );
    }
  }

  /** Arms the drop deadline, `ms` virtual ms from now. */
  armDeadline(t: Tracked, ms: number): void {
    t.cancelDeadline?.();
    t.cancelDeadline = this.run.d.timers.after(Math.max(0, ms), () => {
      t.cancelDeadline = null;
      void this.apply(t, { type: 'deadline' });
    });
  }

  /** Gives waiting calls, oldest first, to agents that are ready now. */
  async serveWaiting(): Promise<void> {
    const { waiting } = this.run;
    while (waiting.length > 0 && !this.run.stopped) {
      const t = waiting[0] as Tracked;
      waiting.shift();
      if (t.call.phase !== 'waiting') continue;
      // Claimed (handoff) before the first await, so that the drop timer leaves it alone.
      await this.apply(t, { type: 'claim' });
      // Back at the head of the queue: no agent is free now.
      if (t.call.phase === 'waiting') return;
    }
  }

  /**
   * No agent in time: the safe-harbor message on the customer's channel (the worker publishes
   * call.dropped when it starts and call.safe_harbor when it ends), then a hang-up.
   */
  private async playSafeHarbor(t: Tracked): Promise<boolean> {
    const ari = this.run.d.ari(t.serverId);
    if (!ari) return false;
    const callId = t.call.callId;
    try {
      await ari.playOnChannel(callId, this.run.campaign.safeHarborAudio, `sh-${callId}`);
      return true;
    } catch (err) {
      this.run.log.warn({ err, callId }, 'safe-harbor message failed: hanging up');
      await this.apply(t, { type: 'play_failed' });
      return false;
    }
  }

  /** Hangs up `ms` virtual ms from now unless the call ends or is hung up first. */
  armHangup(t: Tracked, ms: number): void {
    t.cancelHangup?.();
    t.cancelHangup = this.run.d.timers.after(ms, () => {
      t.cancelHangup = null;
      void this.hangup(t);
    });
  }

  private async hangup(t: Tracked): Promise<void> {
    t.cancelHangup?.();
    t.cancelHangup = null;
    const ari = this.run.d.ari(t.serverId);
    if (!ari || t.call.phase === 'ended') return;
    await ari.hangup(t.call.callId).catch((err: unknown) => {
      // 404: already gone, which is what we wanted.
      if (!isAriNotFound(err)) this.run.log.warn({ err, callId: t.call.callId }, 'hang-up failed');
    });
  }
}

export { MACHINE_MESSAGE_MAX_MS };
