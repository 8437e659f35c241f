import type { AriEvent, Bridge, Channel } from '@ringside/ari';
import type {
  AgentId,
  BusEnvelope,
  CallEndReason,
  CallId,
  CallStage,
  DomainEvent,
} from '@ringside/protocol';
import type { CallLogStep, CallLogWriter } from '../../adapters/postgres/call-log.js';
import {
  AGENT_BRIDGE_PREFIX,
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
import { amdResultOf, callOutcome, reportedCause, type EndFacts } from './ari-worker-outcome.js';
import { isMonitorLeg } from '../supervisor/supervisor-actions.js';

/** The part of the ARI client the worker uses (a fake in trace replays). */
export interface WorkerAri {
  listChannels(): Promise<Channel[]>;
  createBridge(bridgeId: string, type?: 'mixing' | 'holding', name?: string): Promise<Bridge>;
  addChannel(bridgeId: string, channel: string | string[]): Promise<void>;
  hangup(channelId: string): Promise<void>;
  /** Tears down a monitoring's snoop bridge (optional: trace replays need none). */
  destroyBridge?(bridgeId: string): Promise<unknown>;
}

/** An agent's phone entered the app (`Stasis(dialer,agent,<endpoint>)`). */
export interface AgentLeg {
  serverId: string;
  channelId: string;
  /** The endpoint the dialplan passed (e.g. PJSIP/agent1), or the channel name. */
  endpoint: string;
}

/**
 * What to do with an agent's leg. The ari-worker role uses AgentLegService.workerHandler (it
 * knows which agent the endpoint belongs to); without a handler (trace replays) the leg is
 * nailed up in a mixing bridge named `agent-<endpoint>`.
 */
export interface AgentLegHandler {
  onAgentLeg(leg: AgentLeg, ari: WorkerAri): Promise<void>;
  /**
   * A channel that is not a call's went away: if it was an agent's phone leg, the agent must not
   * be offered calls until it is back (AgentLegService.legGone).
   */
  legGone?(channelId: string, ari: WorkerAri): Promise<unknown>;
  /**
   * Channel ids of the agents' legs known to be on Asterisk server `serverId`. On each resync
   * the worker hands every one missing from that server's channels to `legGone`: its
   * ChannelDestroyed may have been lost with the events WebSocket.
   */
  legsOn?(serverId: string): Promise<string[]>;
}

/**
 * A supervisor's monitoring leg (`sup-<id>`) is gone: MonitorLegWatcher
 * (services/supervisor/supervisor-actions.ts) ends the monitoring it was in.
 */
export interface MonitorLegHandler {
  legGone(channelId: string, ari: WorkerAri): Promise<unknown>;
}

/** Bridge id of an agent's own mixing bridge: the worker reads the agent back from it. */
export function agentBridgeId(agentId: string): string {
  return `${AGENT_BRIDGE_PREFIX}${agentId}`;
}

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
}

interface Aux {
  dialStatus: string | null;
  ownCause: number | null;
  peerCause: number | null;
  ownDestroyed: boolean;
  endTimer: NodeJS.Timeout | null;
}

/**
 * The event types the worker consumes; the rest (ChannelDialplan, ChannelVarset, DeviceStateChanged,
 * ...) change nothing Ringside tracks, see docs/telephony.md.
 */
export const CONSUMED_EVENT_TYPES: ReadonlySet<string> = new Set<AriEvent['type']>([
  'ChannelStateChange',
  'Dial',
  'StasisStart',
  'ChannelEnteredBridge',
  'PlaybackStarted',
  'PlaybackFinished',
  'ChannelDestroyed',
  // Bridge integrity: who leaves an agent's bridge, and whether a hang-up or a move explains it.
  'ChannelLeftBridge',
  'ChannelHangupRequest',
  'StasisEnd',
  'BridgeDestroyed',
]);

/** Events that only feed the bridge tracker (handled at once, in arrival order). */
const BRIDGE_ONLY_EVENT_TYPES: ReadonlySet<string> = new Set<AriEvent['type']>([
  'ChannelLeftBridge',
  'ChannelHangupRequest',
  'StasisEnd',
  'BridgeDestroyed',
]);

/**
 * The ARI worker's core for one Asterisk server: turns ARI events into domain events, the
 * live_call state (StateStore: the write and its event are atomic) and call_log rows. Channel
 * ids are ours (`<callId>` and `<callId>-2`), so an event finds its call by id. Events of one call
 * are handled in order; calls proceed independently.
 */
export class AriCallWorker {
  private readonly queues = new Map<string, Promise<void>>();
  private readonly aux = new Map<string, Aux>();
  /**
   * Live calls this worker follows, as last written. After call.originated only the worker
   * writes live_call, so this saves a Redis read per event; a miss reads the store.
   */
  private readonly cache = new Map<string, LiveCall>();
  private readonly peerWaitMs: number;
  private readonly graceMs: number;
  /** Channels in and out of agents' bridges (bridge integrity). */
  private readonly bridges = new BridgeLeaveTracker((id) => agentOfBridgeId(id) !== null);
  /** Channel -> the grace timer of its pending leave from an agent's bridge. */
  private readonly leaveTimers = new Map<string, NodeJS.Timeout>();
  private readonly leaveGraceMs: number;
  private readonly policy: BridgeIntegrityPolicy;
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
    this.leaveGraceMs = o.bridgeLeaveGraceMs ?? 500;
    this.policy = { ...DEFAULT_BRIDGE_POLICY, ...o.bridgePolicy };
  }

  /** Feeds one validated ARI event; returns when it (and earlier events of its call) is done. */
  handle(event: AriEvent, receivedAt = performance.now()): Promise<void> {
    if (!CONSUMED_EVENT_TYPES.has(event.type)) {
      this.stats.ignored += 1;
      return Promise.resolve();
    }
    // In arrival order, before any queue: what explains a leave must be seen before its grace ends.
    this.watchBridges(event, receivedAt);
    if (BRIDGE_ONLY_EVENT_TYPES.has(event.type)) {
      this.stats.handled += 1;
      return Promise.resolve();
    }
    const key = keyOf(event);
    if (key === null) {
      this.stats.ignored += 1;
      return Promise.resolve();
    }
    const prev = this.queues.get(key) ?? Promise.resolve();
    const next = prev
      .then(() => this.apply(event, receivedAt))
      .catch((err: unknown) => {
        this.stats.failed += 1;
        this.o.logger.error({ err, type: event.type, key }, 'ari worker failed to apply an event');
      });
    this.queues.set(key, next);
    void next.then(() => {
      if (this.queues.get(key) === next) this.queues.delete(key);
    });
    return next;
  }

  /** Resolves when every queued event has been applied (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.queues.size > 0) await Promise.all([...this.queues.values()]);
  }

  /** Stops pending end and leave timers (shutdown). */
  close(): void {
    for (const a of this.aux.values()) if (a.endTimer) clearTimeout(a.endTimer);
    for (const t of this.leaveTimers.values()) clearTimeout(t);
    this.leaveTimers.clear();
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

  private async apply(event: AriEvent, receivedAt: number): Promise<void> {
    this.stats.handled += 1;
    switch (event.type) {
      case 'StasisStart': {
        if (event.args[0] === 'agent') {
          await this.agentLeg(event.channel, event.args[1]);
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
        const call = await this.load(event.channel.id);
        if (!call) {
          // Our dialplan sent it to us, but no call is live for it (its origination timed out
          // and was written off, or it was ended by a resync): nobody would ever handle it.
          this.o.logger.warn({ channelId: event.channel.id }, 'orphan dialer channel hung up');
          await this.o.ari.hangup(event.channel.id).catch(() => undefined);
          return;
        }
        await this.amd(call, event.args[1], event.args[2] ?? '', receivedAt);
        return;
      }
      case 'ChannelStateChange': {
        const call = await this.load(event.channel.id);
        if (!call) return;
        if (event.channel.state === 'Ringing') await this.ringing(call, receivedAt);
        else if (event.channel.state === 'Up') await this.answered(call, receivedAt);
        return;
      }
      case 'Dial': {
        const call = await this.load(event.peer.id);
        if (!call) return;
        const status = event.dialstatus;
        if (status) this.auxOf(call.callId).dialStatus = status;
        if (status === 'RINGING' || status === 'PROGRESS') await this.ringing(call, receivedAt);
        else if (status === 'ANSWER') await this.answered(call, receivedAt);
        return;
      }
      case 'ChannelEnteredBridge': {
        if (!event.channel) return;
        const call = await this.load(event.channel.id);
        if (!call) return;
        await this.enteredBridge(call, event.bridge, receivedAt);
        return;
      }
      case 'PlaybackStarted':
      case 'PlaybackFinished': {
        const callId = channelOfTarget(event.playback.target_uri);
        if (!callId) return;
        const call = await this.load(callId);
        if (!call) return;
        if (event.type === 'PlaybackStarted') await this.playbackStarted(call, receivedAt);
        else await this.playbackFinished(call, event.playback.id, receivedAt);
        return;
      }
      case 'ChannelDestroyed': {
        const id = event.channel.id;
        if (isMonitorLeg(id)) {
          // The supervisor hung up their phone (or never answered): the monitoring is over.
          await this.o.monitorLegs?.legGone(id, this.o.ari);
          return;
        }
        const own = await this.load(id);
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
          const call = await this.load(callId);
          if (!call) return;
          const a = this.auxOf(callId);
          a.peerCause = event.cause;
          if (a.ownDestroyed) await this.end(callId, receivedAt);
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

  private handleTimer(callId: string, receivedAt: number): Promise<void> {
    // Runs through the call's queue so it cannot overtake an event of the same call.
    const prev = this.queues.get(callId) ?? Promise.resolve();
    const next = prev
      .then(() => this.end(callId, receivedAt))
      .catch((err: unknown) => this.o.logger.error({ err }, 'ari worker failed to end a call'));
    this.queues.set(callId, next);
    void next.then(() => {
      if (this.queues.get(callId) === next) this.queues.delete(callId);
    });
    return next;
  }

  private async load(callId: string): Promise<LiveCall | null> {
    const hit = this.cache.get(callId);
    if (hit) return hit;
    const call = await this.o.store.getCall(callId as CallId);
    if (call) this.cache.set(callId, call);
    return call;
  }

  private now(): number {
    return this.o.clock.nowMs();
  }

  private async put(
    call: LiveCall,
    event: DomainEvent,
    receivedAt: number,
    log: CallLogStep | null,
  ): Promise<void> {
    const env = await this.o.store.putCall(call, event);
    this.cache.set(call.callId, call);
    this.published(env, receivedAt);
    if (log) this.logStep(call.callId, log);
  }

  private published(env: BusEnvelope, receivedAt: number): void {
    this.stats.published += 1;
    this.o.onPublished?.(env, receivedAt);
  }

  private logStep(callId: string, step: CallLogStep): void {
    // call_log is history, not the real-time path: written after the bus, failures logged.
    this.o.callLog.step(callId, step).catch((err: unknown) => {
      this.o.logger.error({ err, callId, step: step.kind }, 'call_log update failed');
    });
  }

  private async ringing(call: LiveCall, receivedAt: number): Promise<void> {
    if (call.stage !== 'DIALING') return;
    const atMs = this.now();
    await this.put(
      { ...call, stage: 'RINGING', ringingAtMs: atMs },
      { type: 'call.ringing', callId: call.callId, atMs },
      receivedAt,
      { kind: 'ringing', atMs },
    );
  }

  private async answered(call: LiveCall, receivedAt: number): Promise<LiveCall> {
    if (call.answeredAtMs !== null || call.stage === 'ENDED') return call;
    const atMs = this.now();
    const stage: CallStage =
      call.stage === 'DIALING' || call.stage === 'RINGING' ? 'AMD' : call.stage;
    const next: LiveCall = { ...call, stage, answeredAtMs: atMs };
    await this.put(next, { type: 'call.answered', callId: call.callId, atMs }, receivedAt, {
      kind: 'answered',
      atMs,
    });
    return next;
  }

  private async amd(
    call: LiveCall,
    status: string | undefined,
    cause: string,
    receivedAt: number,
  ): Promise<void> {
    if (call.amdResult !== null) return;
    // A verdict implies an answer; a PBX that skipped the Up state still gets call.answered first.
    const answered = await this.answered(call, receivedAt);
    const atMs = this.now();
    const result = amdResultOf(status);
    const safeCause = cause.slice(0, 64);
    await this.put(
      { ...answered, stage: 'AMD', amdResult: result, amdAtMs: atMs },
      { type: 'call.amd', callId: call.callId, result, cause: safeCause, atMs },
      receivedAt,
      { kind: 'amd', atMs, result, cause: safeCause },
    );
  }

  private async enteredBridge(call: LiveCall, bridge: Bridge, receivedAt: number): Promise<void> {
    const atMs = this.now();
    if (bridge.bridge_type === 'holding') {
      if (call.stage === 'WAITING') return;
      await this.put(
        { ...call, stage: 'WAITING', waitingAtMs: atMs, bridgeId: bridge.id },
        { type: 'call.waiting', callId: call.callId, atMs },
        receivedAt,
        // call_log has no column for the wait in the holding bridge.
        null,
      );
      return;
    }
    if (call.stage === 'BRIDGED' && call.bridgeId === bridge.id) return;
    const agentId = await this.agentOfBridge(call, bridge.id);
    if (!agentId) {
      this.o.logger.warn(
        { callId: call.callId, bridgeId: bridge.id },
        'call entered a bridge of no known agent',
      );
      return;
    }
    await this.put(
      { ...call, stage: 'BRIDGED', bridgedAtMs: atMs, bridgeId: bridge.id, agentId },
      { type: 'call.bridged', callId: call.callId, agentId, bridgeId: bridge.id, atMs },
      receivedAt,
      { kind: 'bridged', atMs, agentId },
    );
  }

  /** The call's agent, else the agent named by the bridge id, else the agent whose bridge it is. */
  private async agentOfBridge(call: LiveCall, bridgeId: string): Promise<AgentId | null> {
    if (call.agentId) return call.agentId;
    if (bridgeId.startsWith('agent-')) {
      const candidate = bridgeId.slice('agent-'.length) as AgentId;
      const agent = await this.o.store.getAgent(candidate);
      if (agent) return agent.agentId;
    }
    const agents = await this.o.store.listAgents(call.campaignId);
    return agents.find((a) => a.bridgeId === bridgeId)?.agentId ?? null;
  }

  private async playbackStarted(call: LiveCall, receivedAt: number): Promise<void> {
    // A playback to a live answer that is not with an agent is the safe-harbor message of a drop;
    // to a machine it is the campaign's message, which changes no call state the domain tracks.
    if (call.amdResult === 'MACHINE' || call.stage === 'BRIDGED' || call.droppedAtMs !== null)
      return;
    if (call.answeredAtMs === null) return;
    const atMs = this.now();
    const waitMs = Math.max(0, atMs - (call.amdAtMs ?? call.answeredAtMs));
    await this.put(
      { ...call, stage: 'SAFE_HARBOR', droppedAtMs: atMs },
      { type: 'call.dropped', callId: call.callId, campaignId: call.campaignId, waitMs, atMs },
      receivedAt,
      { kind: 'dropped', atMs, waitMs },
    );
  }

  private async playbackFinished(
    call: LiveCall,
    playbackId: string,
    receivedAt: number,
  ): Promise<void> {
    if (call.stage !== 'SAFE_HARBOR' || call.droppedAtMs === null) return;
    const atMs = this.now();
    await this.put(
      call,
      {
        type: 'call.safe_harbor',
        callId: call.callId,
        playbackId: playbackId.slice(0, 128),
        startedAtMs: call.droppedAtMs,
        atMs,
      },
      receivedAt,
      { kind: 'safe_harbor', atMs: call.droppedAtMs },
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
    this.cache.delete(callId);
    // Read the store, not the cache: the originator may have ended the call already.
    const call = await this.o.store.getCall(callId as CallId);
    if (!call) return;
    const f: EndFacts = {
      dialStatus: a?.dialStatus ?? null,
      ownCause: a?.ownCause ?? null,
      peerCause: a?.peerCause ?? null,
      ...facts,
    };
    const outcome = callOutcome(call, f);
    const hangupCause = reportedCause(f);
    const atMs = this.now();
    const env = await this.o.store.endCall(
      { ...call, stage: 'ENDED', endedAtMs: atMs },
      {
        type: 'call.ended',
        callId: call.callId,
        campaignId: call.campaignId,
        leadId: call.leadId,
        outcome,
        hangupCause,
        agentId: call.agentId,
        ...(reason ? { reason } : {}),
        atMs,
      },
    );
    this.published(env, receivedAt);
    this.logStep(call.callId, {
      kind: 'ended',
      atMs,
      outcome,
      hangupCause,
      endReason: reason ?? null,
    });
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
    this.cache.clear();
    const byId = new Map(channels.map((c) => [c.id, c]));
    // Channels destroyed while events were lost: nothing kept for them, a pending leave is a hang-up.
    this.bridges.retainOnly(new Set(byId.keys()));
    const calls = (await this.o.store.listCalls()).filter((c) => c.serverId === this.o.serverId);
    let ended = 0;
    const now = this.now();
    for (const call of calls) {
      const ch = byId.get(call.channelId);
      if (!ch) {
        if (call.stage === 'DIALING' && now - call.originatedAtMs < this.graceMs) continue;
        await this.enqueue(call.callId, () => this.end(call.callId, performance.now()));
        ended += 1;
      } else if (ch.state === 'Up' && call.answeredAtMs === null) {
        await this.enqueue(call.callId, async () => {
          const fresh = await this.o.store.getCall(call.callId);
          if (fresh) await this.answered(fresh, performance.now());
        });
      } else if (ch.state === 'Ringing' && call.stage === 'DIALING') {
        await this.enqueue(call.callId, async () => {
          const fresh = await this.o.store.getCall(call.callId);
          if (fresh) await this.ringing(fresh, performance.now());
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
  async endAll(): Promise<number> {
    const calls = (await this.o.store.listCalls()).filter((c) => c.serverId === this.o.serverId);
    for (const call of calls)
      await this.enqueue(call.callId, () => this.end(call.callId, performance.now()));
    return calls.length;
  }

  private enqueue(key: string, fn: () => Promise<void>): Promise<void> {
    const prev = this.queues.get(key) ?? Promise.resolve();
    const next = prev.then(fn).catch((err: unknown) => {
      this.stats.failed += 1;
      this.o.logger.error({ err, key }, 'ari worker task failed');
    });
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

  // ------------------------------------------------------------------ bridge integrity

  /** Feeds the bridge tracker; a leave of an agent's bridge with no hang-up under way waits. */
  private watchBridges(event: AriEvent, receivedAt: number): void {
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
          void this.enqueue(callKey(id), () => this.checkLeave(id, receivedAt));
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
    return Number.isFinite(t) ? t : this.now();
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
    const call = await this.load(channelId);
    if (call && call.stage !== 'ENDED') {
      await this.keepCustomer(call, facts, verdict, receivedAt);
      return;
    }
    const agentId = agentOfBridgeId(facts.bridgeId);
    const agent = agentId ? await this.o.store.getAgent(agentId as AgentId) : null;
    if (agent && agent.legChannelId === channelId) {
      await this.keepAgentLeg(agent, facts, verdict, receivedAt);
      return;
    }
    this.o.logger.debug(
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
    const live = agent.callId ? await this.o.store.getCall(agent.callId) : null;
    if (live && live.bridgeId === facts.bridgeId) {
      // In the call's own queue (this runs in the leg's): no event of the call interleaves.
      await this.enqueue(live.callId, async () => {
        const fresh = await this.o.store.getCall(live.callId);
        if (fresh) await this.lose(fresh, facts, reason, 'agent', receivedAt);
      });
      if (await this.putBack(facts, null, 'agent')) return;
    }
    this.o.logger.warn(
      { agentId: agent.agentId, channelId: facts.channelId, bridgeId: facts.bridgeId, reason },
      'agent phone leg could not be kept in its bridge: hung up',
    );
    await this.o.ari.hangup(facts.channelId).catch(() => undefined);
  }

  /** Adds the channel back to the bridge it left; false when Asterisk refuses (channel gone). */
  private async putBack(
    facts: LeaveFacts,
    callId: string | null,
    leg: 'customer' | 'agent',
  ): Promise<boolean> {
    this.bridges.expectRejoin(facts.channelId, facts.bridgeId);
    try {
      await this.o.ari.addChannel(facts.bridgeId, facts.channelId);
    } catch (err) {
      this.o.logger.debug(
        { err, callId, channelId: facts.channelId, bridgeId: facts.bridgeId },
        'leg not put back into its agent bridge',
      );
      return false;
    }
    this.stats.rejoined += 1;
    this.o.logger.warn(
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
    this.stats.lost += 1;
    this.o.logger.warn(
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
    await this.end(call.callId, receivedAt, undefined, reason);
    await this.o.ari.hangup(call.channelId).catch(() => undefined);
  }
}

/** Nails the leg up in `agent-<endpoint>` (mixing), created if needed. */
export const defaultAgentLegs: AgentLegHandler = {
  async onAgentLeg(leg, ari) {
    const bridgeId = agentBridgeId(leg.endpoint.replace(/[^A-Za-z0-9_.-]/g, '_'));
    await ari.createBridge(bridgeId, 'mixing');
    await ari.addChannel(bridgeId, leg.channelId);
  },
};

/** The per-call ordering key of an event, or null when it concerns no channel. */
function keyOf(event: AriEvent): string | null {
  switch (event.type) {
    case 'Dial':
      return event.peer.id;
    case 'PlaybackStarted':
    case 'PlaybackFinished':
      return channelOfTarget(event.playback.target_uri);
    case 'ChannelEnteredBridge':
      return event.channel ? callKey(event.channel.id) : null;
    case 'ChannelStateChange':
    case 'StasisStart':
      // The other half of a Local channel never enters Stasis and its state adds nothing.
      return event.channel.id.endsWith('-2') ? null : event.channel.id;
    case 'ChannelDestroyed':
      return callKey(event.channel.id);
    default:
      return null;
  }
}

/** Both halves of a Local channel (`<callId>`, `<callId>-2`) share their call's queue. */
function callKey(channelId: string): string {
  return channelId.endsWith('-2') ? channelId.slice(0, -2) : channelId;
}

function channelOfTarget(targetUri: string): string | null {
  return targetUri.startsWith('channel:') ? targetUri.slice('channel:'.length) : null;
}
