import type { AriEvent } from '@ringside/ari';
import type { AgentId, CallEndReason } from '@ringside/protocol';
import {
  agentOfBridgeId,
  BridgeLeaveTracker,
  DEFAULT_BRIDGE_POLICY,
  judgeLeave,
  type BridgeIntegrityPolicy,
  type LeaveFacts,
  type LeaveVerdict,
} from '../../domain/bridge-integrity.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../ports/clock.js';
import type { AgentStatus, LiveCall, StateStore } from '../../ports/state-store.js';
import type { WorkerAri } from '../../ports/telephony.js';
import { callKey } from './ari-worker-events.js';

/** What the bridge keeper uses of its ARI worker (services/telephony/ari-worker-calls.ts). */
export interface BridgeKeeperHost {
  ari: WorkerAri;
  store: StateStore;
  clock: Clock;
  logger: Logger;
  /** The worker's counters the keeper adds to. */
  stats: { rejoined: number; lost: number };
  /** The live call of a channel (the worker's cache, else the store). */
  load(callId: string): Promise<LiveCall | null>;
  /** Ends a call as a failure with `reason` (AriCallWorker.end). */
  end(callId: string, receivedAt: number, facts: undefined, reason: CallEndReason): Promise<void>;
  /** Runs `fn` in the queue of `key` (a call, or a channel). */
  enqueue(key: string, fn: () => Promise<void>): Promise<void>;
  /**
   * After a leg leaves an agent's bridge with no hang-up under way, how long to wait for the
   * events that would explain it before treating it as removed by Asterisk, ms (500).
   */
  leaveGraceMs?: number;
  /** When a removal is a refusal and when a repeat (domain/bridge-integrity.ts). */
  policy?: Partial<BridgeIntegrityPolicy>;
}

/**
 * Bridge integrity for one server's worker: follows channels in and out of agents' bridges, and
 * when a customer or agent leg leaves one with nothing to explain it (no hang-up, no move, no
 * bridge torn down), puts it back once or ends the call as lost (domain/bridge-integrity.ts).
 */
export class BridgeKeeper {
  /** Channels in and out of agents' bridges. */
  private readonly bridges = new BridgeLeaveTracker((id) => agentOfBridgeId(id) !== null);
  /** Channel -> the grace timer of its pending leave from an agent's bridge. */
  private readonly leaveTimers = new Map<string, NodeJS.Timeout>();
  private readonly leaveGraceMs: number;
  private readonly policy: BridgeIntegrityPolicy;

  constructor(private readonly h: BridgeKeeperHost) {
    this.leaveGraceMs = h.leaveGraceMs ?? 500;
    this.policy = { ...DEFAULT_BRIDGE_POLICY, ...h.policy };
  }

  /** Stops pending leave timers (shutdown). */
  close(): void {
    for (const t of this.leaveTimers.values()) clearTimeout(t);
    this.leaveTimers.clear();
  }

  /** After a resync: channels destroyed while events were lost leave nothing kept for them. */
  retainOnly(channelIds: ReadonlySet<string>): void {
    this.bridges.retainOnly(channelIds);
  }

  /** Feeds the bridge tracker; a leave of an agent's bridge with no hang-up under way waits. */
  watch(event: AriEvent, receivedAt: number): void {
    switch (event.type) {
      case 'ChannelEnteredBridge':
        if (event.channel) {
          this.bridges.entered(event.channel.id, event.bridge.id, this.instantOf(event));
        }
        return;
      case 'ChannelLeftBridge': {
        const id = event.channel.id;
        if (!this.bridges.left(id, event.bridge.id, this.instantOf(event))) return;
        const old = this.leaveTimers.get(id);
        if (old) clearTimeout(old);
        const timer = setTimeout(() => {
          this.leaveTimers.delete(id);
          void this.h.enqueue(callKey(id), () => this.checkLeave(id, receivedAt));
        }, this.leaveGraceMs);
        this.leaveTimers.set(id, timer);
        return;
      }
      case 'ChannelHangupRequest':
        this.bridges.hangupRequested(event.channel.id);
        return;
      case 'StasisEnd':
        this.bridges.leftApp(event.channel.id);
        return;
      case 'ChannelDestroyed':
        this.bridges.destroyed(event.channel.id);
        return;
      case 'BridgeDestroyed':
        this.bridges.bridgeDestroyed(event.bridge.id);
        return;
      default:
        return;
    }
  }

  /** Asterisk's instant of an event (its timestamp), else our clock's. */
  private instantOf(event: AriEvent): number {
    const t = Date.parse(event.timestamp);
    return Number.isFinite(t) ? t : this.h.clock.nowMs();
  }

  /**
   * The grace of a leave from an agent's bridge is over (runs in the channel's queue): a leave
   * nothing explained is judged (domain/bridge-integrity.ts) and repaired or failed, for the
   * customer of a live call or the agent's own phone leg; any other channel is not ours to keep.
   */
  private async checkLeave(channelId: string, receivedAt: number): Promise<void> {
    const facts = this.bridges.take(channelId);
    if (!facts) return;
    const verdict = judgeLeave(facts, this.policy);
    if (verdict.action === 'none') return;
    const call = await this.h.load(channelId);
    if (call && call.stage !== 'ENDED') {
      await this.keepCustomer(call, facts, verdict, receivedAt);
      return;
    }
    const agentId = agentOfBridgeId(facts.bridgeId);
    const agent = agentId ? await this.h.store.getAgent(agentId as AgentId) : null;
    if (agent && agent.legChannelId === channelId) {
      await this.keepAgentLeg(agent, facts, verdict, receivedAt);
      return;
    }
    this.h.logger.debug(
      { channelId, bridgeId: facts.bridgeId },
      'channel of no call or agent left an agent bridge',
    );
  }

  /** The customer was removed from the agent's bridge: put back once, else the call is lost. */
  private async keepCustomer(
    call: LiveCall,
    facts: LeaveFacts,
    verdict: Exclude<LeaveVerdict, { action: 'none' }>,
    receivedAt: number,
  ): Promise<void> {
    if (verdict.action === 'rejoin') {
      if (await this.putBack(facts, call.callId, 'customer')) return;
      await this.lose(call, facts, 'BRIDGE_EJECTED', 'customer', receivedAt);
      return;
    }
    await this.lose(call, facts, verdict.reason, 'customer', receivedAt);
  }

  /**
   * The agent's phone leg was removed from its bridge: put back once. Otherwise the call in the
   * bridge (if any) is lost, and the leg goes back into the bridge, now empty, for the next call;
   * a leg that cannot even go back is hung up (its loss then pauses the agent, PHONE).
   */
  private async keepAgentLeg(
    agent: AgentStatus,
    facts: LeaveFacts,
    verdict: Exclude<LeaveVerdict, { action: 'none' }>,
    receivedAt: number,
  ): Promise<void> {
    if (verdict.action === 'rejoin' && (await this.putBack(facts, agent.callId, 'agent'))) return;
    const reason = verdict.action === 'fail' ? verdict.reason : 'BRIDGE_EJECTED';
    const live = agent.callId ? await this.h.store.getCall(agent.callId) : null;
    if (live && live.bridgeId === facts.bridgeId) {
      // In the call's own queue (this runs in the leg's): no event of the call interleaves.
      await this.h.enqueue(live.callId, async () => {
        const fresh = await this.h.store.getCall(live.callId);
        if (fresh) await this.lose(fresh, facts, reason, 'agent', receivedAt);
      });
      if (await this.putBack(facts, null, 'agent')) return;
    }
    this.h.logger.warn(
      { agentId: agent.agentId, channelId: facts.channelId, bridgeId: facts.bridgeId, reason },
      'agent phone leg could not be kept in its bridge: hung up',
    );
    await this.h.ari.hangup(facts.channelId).catch(() => undefined);
  }

  /** Adds the channel back to the bridge it left; false when Asterisk refuses (channel gone). */
  private async putBack(
    facts: LeaveFacts,
    callId: string | null,
    leg: 'customer' | 'agent',
  ): Promise<boolean> {
    this.bridges.expectRejoin(facts.channelId, facts.bridgeId);
    try {
      await this.h.ari.addChannel(facts.bridgeId, facts.channelId);
    } catch (err) {
      this.h.logger.debug(
        { err, callId, channelId: facts.channelId, bridgeId: facts.bridgeId },
        'leg not put back into its agent bridge',
      );
      return false;
    }
    this.h.stats.rejoined += 1;
    this.h.logger.warn(
      { callId, channelId: facts.channelId, bridgeId: facts.bridgeId, leg },
      'phone server removed a leg from an agent bridge: put back',
    );
    return true;
  }

  /**
   * The call cannot go on in the agent's bridge: ended as a failure (call.ended with the reason,
   * call_log end_reason), then the customer's channel hung up. The agent goes on as after any
   * call whose customer is gone (DEAD, then wrap-up: the customer hang-up watcher).
   */
  private async lose(
    call: LiveCall,
    facts: LeaveFacts,
    reason: CallEndReason,
    leg: 'customer' | 'agent',
    receivedAt: number,
  ): Promise<void> {
    this.h.stats.lost += 1;
    this.h.logger.warn(
      {
        callId: call.callId,
        agentId: call.agentId,
        channelId: facts.channelId,
        bridgeId: facts.bridgeId,
        leg,
        reason,
        stayedMs: facts.stayedMs,
      },
      'call lost: the phone server removed it from the agent bridge',
    );
    await this.h.end(call.callId, receivedAt, undefined, reason);
    await this.h.ari.hangup(call.channelId).catch(() => undefined);
  }
}
