import type { AriEvent, Channel } from '@ringside/ari';
import type { BusEnvelope, CallEndReason, CallId } from '@ringside/protocol';
import type { BridgeIntegrityPolicy } from '../../domain/bridge-integrity.js';
import { crossBridgeId, crossedCallOf, crossLegId, isCrossBridge } from '../../domain/fleet.js';
import { LeaseLostError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { CallLogWriter } from '../../ports/call-log.js';
import type { Clock } from '../../ports/clock.js';
import type { EventBus } from '../../ports/event-bus.js';
import type { StateStore } from '../../ports/state-store.js';
import type {
  AgentLeg,
  AgentLegHandler,
  MonitorLegHandler,
  WorkerAri,
} from '../../ports/telephony.js';
import { BridgeKeeper } from './ari-worker-bridges.js';
import { WorkerCallState } from './ari-worker-call-state.js';
import {
  BRIDGE_ONLY_EVENT_TYPES,
  callKey,
  channelOfTarget,
  CONSUMED_EVENT_TYPES,
  defaultAgentLegs,
  keyOf,
  RECORDER_ONLY_EVENT_TYPES,
} from './ari-worker-events.js';
import type { EndFacts } from './ari-worker-outcome.js';
import { isMonitorLeg } from '../supervisor/supervisor-actions.js';
import type { CallRecorderHook } from '../recordings/call-recorder.js';
import { ignoreAriConflict } from '../../ports/telephony-errors.js';

export interface CallWorkerOptions {
  serverId: string;
  ari: WorkerAri;
  store: StateStore;
  callLog: CallLogWriter;
  clock: Clock;
  logger: Logger;
  agentLegs?: AgentLegHandler;
  /** Ends a monitoring when the supervisor's leg hangs up; without it such legs are ignored. */
  monitorLegs?: MonitorLegHandler;
  /**
   * After the originated half is destroyed with cause 0, how long to wait for the other half's
   * cause (17 busy, 34 congestion) before ending the call with what is known, ms (default 500).
   */
  peerCauseWaitMs?: number;
  /** A DIALING call this young may not have its channel yet; resync leaves it alone, ms (5,000). */
  originateGraceMs?: number;
  /** Every domain event published, with the ARI event's receive time (benchmarks, tests). */
  onPublished?(envelope: BusEnvelope, receivedAt: number): void;
  /**
   * After a customer or agent leg leaves an agent's bridge with no hang-up under way, how long
   * to wait for the events that would explain it (its destruction, its entry into another
   * bridge, the bridge's destruction) before treating it as removed by Asterisk, ms (500).
   */
  bridgeLeaveGraceMs?: number;
  /** When a removal is a refusal and when a repeat (domain/bridge-integrity.ts). */
  bridgePolicy?: Partial<BridgeIntegrityPolicy>;
  /**
   * Records the conversation (services/recordings/call-recorder.ts): sees every consumed event
   * in arrival order and each call's end; works in its own queues, never delaying a call's.
   */
  recorder?: CallRecorderHook;
  /** Publishes events with no live_call state of their own (call.talking); absent: not sent. */
  bus?: Pick<EventBus, 'publish'>;
}

interface Aux {
  dialStatus: string | null;
  ownCause: number | null;
  peerCause: number | null;
  ownDestroyed: boolean;
  endTimer: NodeJS.Timeout | null;
}

/**
 * The ARI worker's core for one Asterisk server: turns ARI events into domain events, the
 * live_call state (StateStore: the write and its event are atomic) and call_log rows. Channel
 * ids are ours (`<callId>` and `<callId>-2`), so an event finds its call by id. Events of one call
 * are handled in order; calls proceed independently.
 */
export class AriCallWorker {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly aux = new Map<string, Aux>();
  private readonly peerWaitMs: number;
  private readonly graceMs: number;
  /** live_call through the call state machine (domain/call). */
  private readonly calls: WorkerCallState;
  /** Channels in and out of agents' bridges (bridge integrity). */
  private readonly keeper: BridgeKeeper;
  readonly stats = {
    handled: 0,
    ignored: 0,
    published: 0,
    failed: 0,
    /** Legs put back into the agent's bridge they were removed from. */
    rejoined: 0,
    /** Calls ended because a leg could not be kept in the agent's bridge. */
    lost: 0,
  };

  constructor(private readonly o: CallWorkerOptions) {
    this.peerWaitMs = o.peerCauseWaitMs ?? 500;
    this.graceMs = o.originateGraceMs ?? 5_000;
    this.calls = new WorkerCallState({
      store: o.store,
      callLog: o.callLog,
      clock: o.clock,
      logger: o.logger,
      stats: this.stats,
      ...(o.onPublished ? { onPublished: o.onPublished } : {}),
    });
    this.keeper = new BridgeKeeper({
      ari: o.ari,
      store: o.store,
      clock: o.clock,
      logger: o.logger,
      stats: this.stats,
      load: (callId) => this.calls.load(callId),
      end: (callId, receivedAt, facts, reason) => this.end(callId, receivedAt, facts, reason),
      enqueue: (key, fn) => this.enqueue(key, fn),
      ...(o.bridgeLeaveGraceMs !== undefined ? { leaveGraceMs: o.bridgeLeaveGraceMs } : {}),
      ...(o.bridgePolicy ? { policy: o.bridgePolicy } : {}),
    });
  }

  /** Feeds one validated ARI event; returns when it (and earlier events of its call) is done. */
  handle(event: AriEvent, receivedAt = performance.now()): Promise<void> {
    if (!CONSUMED_EVENT_TYPES.has(event.type)) {
      this.stats.ignored += 1;
      return Promise.resolve();
    }
    // In arrival order, before any queue: what explains a leave must be seen before its grace ends.
    this.keeper.watch(event, receivedAt);
    this.o.recorder?.observe(event);
    if (RECORDER_ONLY_EVENT_TYPES.has(event.type)) {
      this.stats.handled += 1;
      return Promise.resolve();
    }
    if (BRIDGE_ONLY_EVENT_TYPES.has(event.type)) {
      this.stats.handled += 1;
      return Promise.resolve();
    }
    const key = keyOf(event);
    if (key === null) {
      this.stats.ignored += 1;
      return Promise.resolve();
    }
    return this.enqueue(
      key,
      () => this.apply(event, receivedAt),
      (err) => {
        this.stats.failed += 1;
        // Refused for the server's lease: the lease holder logs that once (ari-worker-lease.ts).
        if (err instanceof LeaseLostError) {
          this.o.logger.debug(
            { type: event.type, key },
            'ari worker event left to the lease holder',
          );
          return;
        }
        this.o.logger.error({ err, type: event.type, key }, 'ari worker failed to apply an event');
      },
    );
  }

  /** Resolves when every queued event has been applied (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  /** Stops pending end and leave timers (shutdown). */

  /** Stops pending end and leave timers (shutdown). */
  close(): void {
    for (const a of this.aux.values()) if (a.endTimer) clearTimeout(a.endTimer);
    this.keeper.close();
  }

  private auxOf(callId: string): Aux {
    let a = this.aux.get(callId);
    if (!a) {
      a = {
        dialStatus: null,
        ownCause: null,
        peerCause: null,
        ownDestroyed: false,
        endTimer: null,
      };
      this.aux.set(callId, a);
    }
    return a;
  }

  /**
   * A call crossing from another server of the fleet arrived on the trunk (`fleet-in`:
   * Stasis(dialer,fleet,x-<callId>)): it joins the crossing bridge `x-<callId>`, where the
   * dialer puts the customer (services/telephony/fleet-trunk.ts). Any other name is refused, so
   * the trunk cannot reach an agent's or a supervisor's bridge. It arrives unanswered, joins the
   * bridge, and only then is answered over ARI (which only sends the 200 OK): the agent's server
   * moves on when it sees the answer, so the trunk's channel is always in the bridge before the
   * customer. Answer() in the dialplan also waited up to 500 ms for the caller's first audio
   * frame, so the channel joined after the customer, once the agent's side sent audio (500 ms
   * when that side is silent; found on two real Asterisk 22 servers).
   */
  private async fleetLeg(channelId: string, bridgeId: string | undefined): Promise<void> {
    if (!bridgeId || !isCrossBridge(bridgeId)) {
      this.o.logger.warn({ channelId }, 'trunk call for no crossing bridge hung up');
      await this.o.ari.hangup(channelId).catch(() => undefined);
      return;
    }
    try {
      await this.o.ari.createBridge(bridgeId, 'mixing', bridgeId).catch(ignoreAriConflict);
      await this.o.ari.addChannel(bridgeId, channelId);
      await this.o.ari.answer?.(channelId);
    } catch (err) {
      this.o.logger.warn({ err, channelId, bridgeId }, 'trunk call not added to its bridge');
      await this.o.ari.hangup(channelId).catch(() => undefined);
    }
  }

  private async apply(event: AriEvent, receivedAt: number): Promise<void> {
    this.stats.handled += 1;
    switch (event.type) {
      case 'StasisStart': {
        if (event.args[0] === 'agent') {
          await this.agentLeg(event.channel, event.args[1]);
          return;
        }
        if (event.args[0] === 'fleet') {
          await this.fleetLeg(event.channel.id, event.args[1]);
          return;
        }
        if (event.args[0] === 'supmon' && event.args[1]) {
          // A supervisor's phone (or snoop) for listen/whisper/barge: join it to the bridge named
          // in its args (services/supervisor/supervisor-actions.ts). A snoop already added is refused; fine.
          await this.o.ari.addChannel(event.args[1], event.channel.id).catch((err: unknown) => {
            this.o.logger.debug({ err, channelId: event.channel.id }, 'monitor leg not added');
          });
          return;
        }
        if (event.args[0] !== 'amd') return;
        const call = await this.calls.load(event.channel.id);
        if (!call) {
          // Our dialplan sent it to us, but no call is live for it (its origination timed out
          // and was written off, or it was ended by a resync): nobody would ever handle it.
          this.o.logger.warn({ channelId: event.channel.id }, 'orphan dialer channel hung up');
          await this.o.ari.hangup(event.channel.id).catch(() => undefined);
          return;
        }
        await this.calls.amd(call, event.args[1], event.args[2] ?? '', receivedAt);
        return;
      }
      case 'ChannelStateChange': {
        const call = await this.calls.load(event.channel.id);
        if (!call) return;
        if (event.channel.state === 'Ringing') await this.calls.ringing(call, receivedAt);
        else if (event.channel.state === 'Up') await this.calls.answered(call, receivedAt);
        return;
      }
      case 'Dial': {
        const call = await this.calls.load(event.peer.id);
        if (!call) return;
        const status = event.dialstatus;
        if (status) this.auxOf(call.callId).dialStatus = status;
        if (status === 'RINGING' || status === 'PROGRESS')
          await this.calls.ringing(call, receivedAt);
        else if (status === 'ANSWER') await this.calls.answered(call, receivedAt);
        return;
      }
      case 'ChannelEnteredBridge': {
        if (!event.channel) return;
        const call = await this.calls.load(event.channel.id);
        if (!call) return;
        await this.calls.enteredBridge(call, event.bridge, receivedAt);
        return;
      }
      case 'PlaybackStarted':
      case 'PlaybackFinished': {
        const callId = channelOfTarget(event.playback.target_uri);
        if (!callId) return;
        const call = await this.calls.load(callId);
        if (!call) return;
        if (event.type === 'PlaybackStarted') await this.calls.playbackStarted(call, receivedAt);
        else await this.calls.playbackFinished(call, event.playback.id, receivedAt);
        return;
      }
      case 'ChannelTalkingStarted':
      case 'ChannelTalkingFinished': {
        // Only a live call's own channel (TALK_DETECT is set by the voicemail drop).
        const call = await this.calls.load(event.channel.id);
        if (!call || !this.o.bus) return;
        const talking = event.type === 'ChannelTalkingStarted';
        const env = await this.o.bus.publish({
          type: 'call.talking',
          callId: call.callId,
          talking,
          durationMs: event.type === 'ChannelTalkingFinished' ? Math.max(0, event.duration) : null,
          atMs: this.o.clock.nowMs(),
        });
        this.stats.published += 1;
        this.o.onPublished?.(env, receivedAt);
        return;
      }
      case 'ChannelDestroyed': {
        const id = event.channel.id;
        if (isMonitorLeg(id)) {
          // The supervisor hung up their phone (or never answered): the monitoring is over.
          await this.o.monitorLegs?.legGone(id, this.o.ari);
          return;
        }
        const own = await this.calls.load(id);
        if (own) {
          const a = this.auxOf(own.callId);
          a.ownCause = event.cause;
          a.ownDestroyed = true;
          // Busy and congestion leave cause 0 here and the reason on the other half: wait for it.
          if (event.cause === 0 && a.peerCause === null && own.answeredAtMs === null) {
            a.endTimer = setTimeout(() => {
              void this.handleTimer(own.callId, receivedAt);
            }, this.peerWaitMs);
            return;
          }
          await this.end(own.callId, receivedAt);
          return;
        }
        if (id.endsWith('-2')) {
          const callId = id.slice(0, -2);
          const call = await this.calls.load(callId);
          if (!call) return;
          const a = this.auxOf(callId);
          a.peerCause = event.cause;
          if (a.ownDestroyed) await this.end(callId, receivedAt);
          return;
        }
        const crossed = crossedCallOf(event.channel);
        if (crossed) {
          // In the call's queue: it cannot overtake the call's own events (another key).
          await this.enqueue(crossed, () => this.trunkGone(crossed, id, event.cause, receivedAt));
          return;
        }
        // Not a call: maybe an agent's phone leg (browser closed, network lost, hung up).
        await this.o.agentLegs?.legGone?.(id, this.o.ari);
        return;
      }
      default:
        return;
    }
  }

  /**
   * A crossing's trunk channel on this server is gone (docs/telephony.md, "Asterisk fleet"): the
   * agent's side `<callId>-x`, or the customer's side in `fleet-in`. While the call is bridged
   * through the crossing that means the other server died, or stopped sending audio and
   * Asterisk hung up (rtp_timeout in pjsip-fleet.conf), or the trunk dropped: nobody hears the
   * customer any more. The call ends once, TRUNK_LOST (the agent goes on as after any customer
   * hang-up), and the customer's channel is hung up when it is on this server (also when the
   * call was ended already, by the agent's server: its channel then belongs to no live call). A
   * trunk leg hung up by a failed crossing (the call live, not yet in the crossing bridge) is
   * left alone.
   */
  private async trunkGone(
    callId: string,
    channelId: string,
    cause: number,
    receivedAt: number,
  ): Promise<void> {
    const call = await this.o.store.getCall(callId as CallId);
    if (call && call.bridgeId !== crossBridgeId(callId)) return;
    // The customer's side: the trunk's inbound channel is on the customer's server.
    const customerHere = call
      ? call.serverId === this.o.serverId
      : channelId !== crossLegId(callId);
    if (call) {
      this.o.logger.warn(
        { callId, agentId: call.agentId, channelId, cause, callServerId: call.serverId },
        "call lost: its crossing's trunk leg ended",
      );
      await this.end(callId, receivedAt, undefined, 'TRUNK_LOST');
    }
    // The call's channel id is its call id (the originator names it).
    if (customerHere) await this.o.ari.hangup(call?.channelId ?? callId).catch(() => undefined);
  }

  private handleTimer(callId: string, receivedAt: number): Promise<void> {
    // Runs through the call's queue so it cannot overtake an event of the same call.
    return this.enqueue(
      callId,
      () => this.end(callId, receivedAt),
      (err) => this.o.logger.error({ err }, 'ari worker failed to end a call'),
    );
  }

  /**
   * Ends a call: call.ended with its outcome, live_call removed, call_log closed. Idempotent.
   * `reason`: Ringside ends it as a failure (bridge integrity).
   */
  async end(
    callId: string,
    receivedAt: number,
    facts?: Partial<EndFacts>,
    reason?: CallEndReason,
  ): Promise<void> {
    const a = this.aux.get(callId);
    if (a?.endTimer) clearTimeout(a.endTimer);
    this.aux.delete(callId);
    const f: EndFacts = {
      dialStatus: a?.dialStatus ?? null,
      ownCause: a?.ownCause ?? null,
      peerCause: a?.peerCause ?? null,
      ...facts,
    };
    await this.calls.end(callId, f, receivedAt, reason);
    this.o.recorder?.callEnded(callId);
  }

  /**
   * After a reconnect (Asterisk does not replay missed events): every live call of this server
   * whose channel no longer exists is ended; a channel that moved on (ringing, answered) while
   * we were away gets its missed event; an agent's leg on this server that no longer exists is
   * lost (`AgentLegHandler.legGone`). Returns how many calls were ended.
   */
  async resync(): Promise<number> {
    // Legs first, then the channels: a leg recorded after the channel list was taken would
    // otherwise look gone.
    const legs = await this.indexedLegs();
    const channels = await this.o.ari.listChannels();
    // Start from the store: anything cached may be stale after a gap.
    this.calls.forgetAll();
    const byId = new Map(channels.map((c) => [c.id, c]));
    // Channels destroyed while events were lost: nothing kept for them, a pending leave is a hang-up.
    this.keeper.retainOnly(new Set(byId.keys()));
    const calls = (await this.o.store.listCalls()).filter((c) => c.serverId === this.o.serverId);
    let ended = 0;
    const now = this.o.clock.nowMs();
    for (const call of calls) {
      const ch = byId.get(call.channelId);
      if (!ch) {
        if (call.stage === 'DIALING' && now - call.originatedAtMs < this.graceMs) continue;
        await this.enqueue(call.callId, () => this.end(call.callId, performance.now()));
        ended += 1;
      } else if (ch.state === 'Up' && call.answeredAtMs === null) {
        await this.enqueue(call.callId, async () => {
          const fresh = await this.o.store.getCall(call.callId);
          if (fresh) await this.calls.answered(fresh, performance.now());
        });
      } else if (ch.state === 'Ringing' && call.stage === 'DIALING') {
        await this.enqueue(call.callId, async () => {
          const fresh = await this.o.store.getCall(call.callId);
          if (fresh) await this.calls.ringing(fresh, performance.now());
        });
      }
    }
    // Dialer channels parked in the app with no live call (state lost with Redis, or written
    // off while Asterisk was away) would sit there forever: hang them up.
    const known = new Set(calls.map((c) => c.channelId));
    for (const ch of channels) {
      if (
        ch.dialplan.context === 'dialer-outbound' &&
        ch.dialplan.app_name === 'Stasis' &&
        !known.has(ch.id) &&
        !(await this.o.store.getCall(ch.id as CallId))
      ) {
        this.o.logger.warn({ channelId: ch.id }, 'orphan dialer channel hung up');
        await this.o.ari.hangup(ch.id).catch(() => undefined);
      }
    }
    if (ended > 0)
      this.o.logger.warn(
        { serverId: this.o.serverId, ended },
        'resync ended calls whose channels are gone',
      );
    await this.resyncLegs(legs, byId);
    return ended;
  }

  private async indexedLegs(): Promise<string[]> {
    try {
      return (await this.o.agentLegs?.legsOn?.(this.o.serverId)) ?? [];
    } catch (err) {
      // The calls' resync still runs; the legs wait for the next one.
      this.o.logger.warn({ err, serverId: this.o.serverId }, 'agent legs not listed for resync');
      return [];
    }
  }

  /** Each leg not among the channels goes the way of its lost ChannelDestroyed, in its queue. */
  private async resyncLegs(legs: string[], channels: ReadonlyMap<string, Channel>): Promise<void> {
    const legGone = this.o.agentLegs?.legGone?.bind(this.o.agentLegs);
    if (!legGone) return;
    const gone = legs.filter((id) => !channels.has(id));
    for (const id of gone) {
      await this.enqueue(callKey(id), async () => {
        await legGone(id, this.o.ari);
      });
    }
    if (gone.length > 0)
      this.o.logger.warn(
        { serverId: this.o.serverId, legs: gone.length },
        'resync found agent legs gone',
      );
  }

  /**
   * Asterisk has been unreachable too long: its calls cannot be followed any more, so they are
   * ended (outcome from what was known, cause unknown) rather than left live forever.
   */
  async endAll(reason?: CallEndReason): Promise<number> {
    const calls = (await this.o.store.listCalls()).filter((c) => c.serverId === this.o.serverId);
    for (const call of calls)
      await this.enqueue(call.callId, () =>
        this.end(call.callId, performance.now(), undefined, reason),
      );
    return calls.length;
  }

  /** Runs `fn` after everything queued under `key` (a call, or a channel); `failed` logs. */
  private enqueue(
    key: string,
    fn: () => Promise<void>,
    failed: (err: unknown) => void = (err) => {
      this.stats.failed += 1;
      if (err instanceof LeaseLostError) return; // logged once by the lease holder
      this.o.logger.error({ err, key }, 'ari worker task failed');
    },
  ): Promise<void> {
    const prev = this.queues.get(key) ?? Promise.resolve();
    const next = prev.then(fn).catch(failed);
    this.queues.set(key, next);
    void next.then(() => {
      if (this.queues.get(key) === next) this.queues.delete(key);
    });
    return next;
  }

  private async agentLeg(channel: Channel, endpointArg: string | undefined): Promise<void> {
    const leg: AgentLeg = {
      serverId: this.o.serverId,
      channelId: channel.id,
      endpoint: endpointArg && endpointArg.length > 0 ? endpointArg : channel.name,
    };
    const handler = this.o.agentLegs ?? defaultAgentLegs;
    await handler.onAgentLeg(leg, this.o.ari);
  }
}
