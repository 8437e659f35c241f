import { isCrossBridge } from '../../domain/fleet.js';
import type { Bridge } from '@ringside/ari';
import type {
  AgentId,
  BusEnvelope,
  CallEndReason,
  CallId,
  CallStage,
  DomainEvent,
} from '@ringside/protocol';
import {
  originated,
  stageOf,
  transition,
  type Call,
  type CallEvent,
  type CallPhase,
} from '../../domain/call/index.js';
import type { Logger } from '../../logger.js';
import type { CallLogStep, CallLogWriter } from '../../ports/call-log.js';
import type { Clock } from '../../ports/clock.js';
import type { LiveCall, StateStore } from '../../ports/state-store.js';
import { amdResultOf, callOutcome, reportedCause, type EndFacts } from './ari-worker-outcome.js';

/** The call's phase in the state machine (domain/call), read back from its live_call stage. */
const PHASE_OF_STAGE: Record<CallStage, CallPhase> = {
  DIALING: 'dialing',
  RINGING: 'ringing',
  // The worker does not see the dialer's hand-off: answered, verdict or not, until a bridge.
  AMD: 'answered',
  WAITING: 'waiting',
  BRIDGED: 'bridged',
  SAFE_HARBOR: 'dropping',
  MACHINE_MESSAGE: 'machine',
  ENDED: 'ended',
};

/** A live call as the call state machine sees it. */
export function callOfLive(c: LiveCall): Call {
  return originated({
    callId: c.callId,
    campaignId: c.campaignId,
    leadId: c.leadId,
    manual: c.manual,
    phase: PHASE_OF_STAGE[c.stage],
    agentId: c.agentId,
    answeredAtMs: c.answeredAtMs,
    amdAtMs: c.amdAtMs,
    amdResult: c.amdResult,
    droppedAtMs: c.droppedAtMs,
    parkedIn: c.stage === 'WAITING' ? c.bridgeId : null,
    wasParked: c.waitingAtMs !== null,
  });
}

/** The domain event a transition asks its live_call owner (the worker) to publish, if any. */
function published(effects: ReturnType<typeof transition>['effects']): DomainEvent | null {
  for (const e of effects) if (e.kind === 'publish') return e.event;
  return null;
}

export interface CallStateDeps {
  store: StateStore;
  callLog: CallLogWriter;
  clock: Clock;
  logger: Logger;
  /** Every domain event published, with the ARI event's receive time (benchmarks, tests). */
  onPublished?(envelope: BusEnvelope, receivedAt: number): void;
  /** The worker's counter of events published. */
  stats: { published: number };
}

/**
 * The live_call side of the ARI worker: what Asterisk reports about a call (ringing, answer,
 * AMD verdict, a bridge entered, the safe-harbor message, the end) goes through the call state
 * machine (domain/call), and its verdict is written: live_call and its domain event atomically
 * (StateStore), then the call_log step. After call.originated only the worker writes live_call,
 * so the calls it follows are cached as last written; a miss reads the store.
 */
export class WorkerCallState {
  private readonly cache = new Map<string, LiveCall>();

  constructor(private readonly d: CallStateDeps) {}

  async load(callId: string): Promise<LiveCall | null> {
    const hit = this.cache.get(callId);
    if (hit) return hit;
    const call = await this.d.store.getCall(callId as CallId);
    if (call) this.cache.set(callId, call);
    return call;
  }

  /** Forgets the cached calls (anything cached may be stale after a gap in the events). */
  forgetAll(): void {
    this.cache.clear();
  }

  private now(): number {
    return this.d.clock.nowMs();
  }

  /**
   * Runs `event` through the state machine; when it publishes, writes `fields` (the instants
   * live_call keeps beside the phase) with the stage of the new phase. Returns the call as
   * written, or null when the machine changed nothing.
   */
  private async apply(
    live: LiveCall,
    event: CallEvent,
    fields: Partial<LiveCall>,
    receivedAt: number,
    log: CallLogStep | null,
  ): Promise<LiveCall | null> {
    const before = callOfLive(live);
    const t = transition(before, event);
    const domainEvent = published(t.effects);
    if (!domainEvent) return null;
    // A phase the worker cannot tell from the one before keeps its stage (e.g. a verdict).
    const stage = t.call.phase === before.phase ? live.stage : stageOf(t.call);
    const next: LiveCall = { ...live, ...fields, stage };
    const env = await this.d.store.putCall(next, domainEvent);
    this.cache.set(next.callId, next);
    this.published(env, receivedAt);
    if (log) this.logStep(next.callId, log);
    return next;
  }

  private published(env: BusEnvelope, receivedAt: number): void {
    this.d.stats.published += 1;
    this.d.onPublished?.(env, receivedAt);
  }

  private logStep(callId: string, step: CallLogStep): void {
    // call_log is history, not the real-time path: written after the bus, failures logged.
    this.d.callLog.step(callId, step).catch((err: unknown) => {
      this.d.logger.error({ err, callId, step: step.kind }, 'call_log update failed');
    });
  }

  async ringing(call: LiveCall, receivedAt: number): Promise<void> {
    const atMs = this.now();
    await this.apply(call, { type: 'ringing', atMs }, { ringingAtMs: atMs }, receivedAt, {
      kind: 'ringing',
      atMs,
    });
  }

  async answered(call: LiveCall, receivedAt: number): Promise<LiveCall> {
    const atMs = this.now();
    const next = await this.apply(
      call,
      { type: 'answered', atMs },
      { answeredAtMs: atMs },
      receivedAt,
      { kind: 'answered', atMs },
    );
    return next ?? call;
  }

  async amd(
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
    await this.apply(
      answered,
      { type: 'amd', result, cause: safeCause, atMs },
      { amdResult: result, amdAtMs: atMs },
      receivedAt,
      { kind: 'amd', atMs, result, cause: safeCause },
    );
  }

  async enteredBridge(call: LiveCall, bridge: Bridge, receivedAt: number): Promise<void> {
    const atMs = this.now();
    if (bridge.bridge_type === 'holding') {
      if (call.stage === 'WAITING') return;
      await this.apply(
        call,
        { type: 'parked', bridgeId: bridge.id, atMs },
        { waitingAtMs: atMs, bridgeId: bridge.id },
        receivedAt,
        // call_log has no column for the wait in the holding bridge.
        null,
      );
      return;
    }
    if (call.stage === 'BRIDGED' && call.bridgeId === bridge.id) return;
    const agentId = await this.agentOfBridge(call, bridge.id);
    if (!agentId) {
      this.d.logger.warn(
        { callId: call.callId, bridgeId: bridge.id },
        'call entered a bridge of no known agent',
      );
      return;
    }
    await this.apply(
      call,
      { type: 'bridged', agentId, bridgeId: bridge.id, atMs },
      { bridgedAtMs: atMs, bridgeId: bridge.id, agentId },
      receivedAt,
      { kind: 'bridged', atMs, agentId },
    );
  }

  /** The call's agent, else the agent named by the bridge id, else the agent whose bridge it is. */
  private async agentOfBridge(call: LiveCall, bridgeId: string): Promise<AgentId | null> {
    if (call.agentId) return call.agentId;
    if (bridgeId.startsWith('agent-')) {
      const candidate = bridgeId.slice('agent-'.length) as AgentId;
      const agent = await this.d.store.getAgent(candidate);
      if (agent) return agent.agentId;
    }
    const agents = await this.d.store.listAgents(call.campaignId);
    // A call crossing to an agent on another server (docs/telephony.md, "Asterisk fleet"): the
    // agent the dialer reserved for it.
    if (isCrossBridge(bridgeId))
      return agents.find((a) => a.callId === call.callId)?.agentId ?? null;
    return agents.find((a) => a.bridgeId === bridgeId)?.agentId ?? null;
  }

  /**
   * A playback to a live answer that is not with an agent is the safe-harbor message of a drop;
   * to a machine it is the campaign's message, which changes no call state the domain tracks.
   */
  async playbackStarted(call: LiveCall, receivedAt: number): Promise<void> {
    const atMs = this.now();
    const waitMs = Math.max(0, atMs - (call.amdAtMs ?? call.answeredAtMs ?? atMs));
    await this.apply(
      call,
      { type: 'safe_harbor_started', atMs },
      { droppedAtMs: atMs },
      receivedAt,
      { kind: 'dropped', atMs, waitMs },
    );
  }

  async playbackFinished(call: LiveCall, playbackId: string, receivedAt: number): Promise<void> {
    if (call.stage !== 'SAFE_HARBOR' || call.droppedAtMs === null) return;
    // The machine's hang-up after the message is the dialer's (it placed the drop).
    await this.apply(
      call,
      { type: 'safe_harbor_done', playbackId, atMs: this.now() },
      {},
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
    facts: EndFacts,
    receivedAt: number,
    reason?: CallEndReason,
  ): Promise<void> {
    this.cache.delete(callId);
    // Read the store, not the cache: the originator may have ended the call already.
    const call = await this.d.store.getCall(callId as CallId);
    if (!call) return;
    const outcome = callOutcome(call, facts);
    const hangupCause = reportedCause(facts);
    const atMs = this.now();
    const t = transition(callOfLive(call), {
      type: 'ended',
      outcome,
      hangupCause,
      ...(reason ? { reason } : {}),
      atMs,
    });
    const event = published(t.effects);
    if (!event) return;
    const env = await this.d.store.endCall({ ...call, stage: 'ENDED', endedAtMs: atMs }, event);
    this.published(env, receivedAt);
    this.logStep(call.callId, {
      kind: 'ended',
      atMs,
      outcome,
      hangupCause,
      endReason: reason ?? null,
    });
  }
}
