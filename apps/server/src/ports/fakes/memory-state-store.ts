import type {
  AgentId,
  AgentState,
  AgentStateChanged,
  BusEnvelope,
  CallId,
  CampaignId,
  DomainEvent,
} from '@ringside/protocol';
import {
  assertAgentEvent,
  assertCallEvent,
  matchesExpected,
  type ExpectedAgent,
  type AgentStatus,
  type LiveCall,
  type StateStore,
} from '../state-store.js';
import { MemoryEventBus } from './memory-event-bus.js';

/**
 * In-memory StateStore with the Redis adapter's semantics (CAS on the agent's state, the
 * longest-ready agent by `sinceMs` then agent id, one event per change on the shared bus).
 * Each method changes state and appends its event in one synchronous step, which is what the
 * Redis Lua scripts guarantee. For unit tests; one process only.
 */
export class MemoryStateStore implements StateStore {
  private readonly agents = new Map<AgentId, AgentStatus>();
  private readonly calls = new Map<CallId, LiveCall>();

  /** `bus` receives every event; pass the same one to the code under test as its EventBus. */
  constructor(readonly bus: MemoryEventBus = new MemoryEventBus()) {}

  async getAgent(agentId: AgentId): Promise<AgentStatus | null> {
    const a = this.agents.get(agentId);
    return a ? { ...a } : null;
  }

  async listAgents(campaignId?: CampaignId): Promise<AgentStatus[]> {
    return [...this.agents.values()]
      .filter((a) => campaignId === undefined || a.campaignId === campaignId)
      .sort((x, y) => (x.agentId < y.agentId ? -1 : x.agentId > y.agentId ? 1 : 0))
      .map((a) => ({ ...a }));
  }

  async transitionAgent(
    next: AgentStatus,
    expectedFrom: AgentState | null | ExpectedAgent,
    event: AgentStateChanged,
  ): Promise<BusEnvelope | null> {
    assertAgentEvent(next, event);
    if (!matchesExpected(this.agents.get(next.agentId), expectedFrom)) return null;
    this.agents.set(next.agentId, { ...next });
    return this.bus.append(event);
  }

  async reserveLongestReady(
    campaignId: CampaignId,
    callId: CallId,
    nowMs: number,
  ): Promise<AgentStatus | null> {
    let best: AgentStatus | undefined;
    for (const a of this.agents.values()) {
      if (a.state !== 'READY' || a.campaignId !== campaignId) continue;
      if (
        !best ||
        a.sinceMs < best.sinceMs ||
        (a.sinceMs === best.sinceMs && a.agentId < best.agentId)
      ) {
        best = a;
      }
    }
    if (!best) return null;
    const next: AgentStatus = { ...best, state: 'RESERVED', sinceMs: nowMs, callId };
    this.agents.set(next.agentId, next);
    this.bus.append({
      type: 'agent.state_changed',
      agentId: next.agentId,
      campaignId,
      from: 'READY',
      to: 'RESERVED',
      pauseCode: null,
      callId,
      reason: 'dialer',
      sinceMs: best.sinceMs,
      atMs: nowMs,
    });
    return { ...next };
  }

  async countReady(campaignId: CampaignId): Promise<number> {
    let n = 0;
    for (const a of this.agents.values()) {
      if (a.state === 'READY' && a.campaignId === campaignId) n += 1;
    }
    return n;
  }

  async getCall(callId: CallId): Promise<LiveCall | null> {
    const c = this.calls.get(callId);
    return c ? { ...c } : null;
  }

  async listCalls(campaignId?: CampaignId): Promise<LiveCall[]> {
    return [...this.calls.values()]
      .filter((c) => campaignId === undefined || c.campaignId === campaignId)
      .sort((x, y) => (x.callId < y.callId ? -1 : x.callId > y.callId ? 1 : 0))
      .map((c) => ({ ...c }));
  }

  async putCall(call: LiveCall, event: DomainEvent): Promise<BusEnvelope> {
    assertCallEvent(event);
    this.calls.set(call.callId, { ...call });
    return this.bus.append(event);
  }

  async endCall(call: LiveCall, event: DomainEvent): Promise<BusEnvelope> {
    assertCallEvent(event);
    this.calls.delete(call.callId);
    return this.bus.append(event);
  }

  /** Forgets all state, as a Redis restart without persistence would (rebuild tests). */
  reset(): void {
    this.agents.clear();
    this.calls.clear();
  }
}
