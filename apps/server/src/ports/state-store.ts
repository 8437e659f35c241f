import type {
  AgentId,
  AgentState,
  AgentStateChanged,
  AmdResult,
  BusEnvelope,
  CallId,
  CallStage,
  CampaignId,
  DomainEvent,
  E164,
  LeadId,
  ListId,
} from '@ringside/protocol';
import type { AgentStatus } from '../domain/agent-state.js';
import { ValidationError } from '../errors.js';
import { streamOf } from './event-bus.js';

// The agent's live state record belongs to the pure agent state machine (domain/agent-state.ts);
// the store keeps it as `agent_status:{agentId}`.
export type { AgentStatus };

/** What a transition was computed from: the agent's state (null: none or LOGGED_OUT) and leg. */
export interface ExpectedAgent {
  state: AgentState | null;
  legChannelId: string | null;
}

/** The status a transition was computed from, as the compare-and-set's expectation. */
export function expectedOf(prev: AgentStatus | null): ExpectedAgent {
  return {
    state: !prev || prev.state === 'LOGGED_OUT' ? null : prev.state,
    legChannelId: prev?.legChannelId ?? null,
  };
}

/** Whether `current` is what the caller expected (see StateStore.transitionAgent). */
export function matchesExpected(
  current: AgentStatus | undefined,
  expected: AgentState | null | ExpectedAgent,
): boolean {
  const state = typeof expected === 'object' && expected !== null ? expected.state : expected;
  if (state === null) {
    if (current && current.state !== 'LOGGED_OUT') return false;
  } else if (!current || current.state !== state) {
    return false;
  }
  if (typeof expected === 'object' && expected !== null) {
    return (current?.legChannelId ?? null) === expected.legChannelId;
  }
  return true;
}

/** `live_call:{callId}`: one call attempt while it is live. Instants are epoch ms or null. */
export interface LiveCall {
  callId: CallId;
  campaignId: CampaignId;
  leadId: LeadId;
  listId: ListId;
  phone: E164;
  stage: CallStage;
  serverId: string;
  /** Customer channel id (= callId for dialer calls; its Local peer is `${callId}-2`). */
  channelId: string;
  bridgeId: string | null;
  agentId: AgentId | null;
  manual: boolean;
  attempt: number;
  originatedAtMs: number;
  ringingAtMs: number | null;
  answeredAtMs: number | null;
  amdAtMs: number | null;
  amdResult: AmdResult | null;
  waitingAtMs: number | null;
  bridgedAtMs: number | null;
  droppedAtMs: number | null;
  endedAtMs: number | null;
}

/** What a call is born with; every other LiveCall field starts empty (stage DIALING). */
export type NewLiveCall = Pick<
  LiveCall,
  | 'callId'
  | 'campaignId'
  | 'leadId'
  | 'listId'
  | 'phone'
  | 'serverId'
  | 'attempt'
  | 'originatedAtMs'
> &
  Partial<Pick<LiveCall, 'channelId' | 'agentId' | 'manual'>>;

/**
 * The live call of a call being originated: stage DIALING, on its own channel (the call id)
 * unless told otherwise, no agent, not manual, nothing happened yet.
 */
export function newLiveCall(c: NewLiveCall): LiveCall {
  return {
    callId: c.callId,
    campaignId: c.campaignId,
    leadId: c.leadId,
    listId: c.listId,
    phone: c.phone,
    stage: 'DIALING',
    serverId: c.serverId,
    channelId: c.channelId ?? c.callId,
    bridgeId: null,
    agentId: c.agentId ?? null,
    manual: c.manual ?? false,
    attempt: c.attempt,
    originatedAtMs: c.originatedAtMs,
    ringingAtMs: null,
    answeredAtMs: null,
    amdAtMs: null,
    amdResult: null,
    waitingAtMs: null,
    bridgedAtMs: null,
    droppedAtMs: null,
    endedAtMs: null,
  };
}

/**
 * The real-time state in Redis. Every write is atomic with the publication of its one domain
 * event (a Lua script writes the state and appends the event to its stream), so a state change
 * is never seen without its event, nor an event without its state.
 */
export interface StateStore {
  getAgent(agentId: AgentId): Promise<AgentStatus | null>;
  listAgents(campaignId?: CampaignId): Promise<AgentStatus[]>;
  /**
   * Writes `next` if the agent's current state is `expectedFrom` (null: the key must not exist
   * or be LOGGED_OUT), and publishes `event`. Returns null when the state had moved on. Given an
   * `ExpectedAgent`, the stored phone leg must also still be the one the caller read: a leg can
   * be lost and dialed again while the state stays (INCALL, WRAPUP), and a transition computed
   * from the old leg must not write it back nor clear the new one.
   */
  transitionAgent(
    next: AgentStatus,
    expectedFrom: AgentState | null | ExpectedAgent,
    event: AgentStateChanged,
  ): Promise<BusEnvelope | null>;
  /**
   * Atomically takes the campaign's longest-ready agent (READY the longest), sets it RESERVED for
   * `callId` and publishes the change. Null when no agent of the campaign is READY.
   */
  reserveLongestReady(
    campaignId: CampaignId,
    callId: CallId,
    nowMs: number,
  ): Promise<AgentStatus | null>;
  countReady(campaignId: CampaignId): Promise<number>;

  getCall(callId: CallId): Promise<LiveCall | null>;
  listCalls(campaignId?: CampaignId): Promise<LiveCall[]>;
  /** Creates or replaces the call's state and publishes `event` (one per change). */
  putCall(call: LiveCall, event: DomainEvent): Promise<BusEnvelope>;
  /** Removes an ended call (after call.ended was published with its final state). */
  endCall(call: LiveCall, event: DomainEvent): Promise<BusEnvelope>;
}

/**
 * The event must describe the write it travels with (same agent, `to` = the new state); a
 * mismatch is a caller bug. Every StateStore implementation checks it before writing.
 */
export function assertAgentEvent(next: AgentStatus, event: AgentStateChanged): void {
  if (event.agentId !== next.agentId || event.to !== next.state) {
    throw new ValidationError('agent event does not match the new status', [
      { path: 'event.to', message: `event says ${event.to}, status says ${next.state}` },
    ]);
  }
}

/** Call state travels with a call event (the `calls` stream); anything else is a caller bug. */
export function assertCallEvent(event: DomainEvent): void {
  if (streamOf(event) !== 'calls') {
    throw new ValidationError(`call state must travel with a call event, got ${event.type}`);
  }
}
