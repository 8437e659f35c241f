import type {
  AgentState,
  AgentStatusView,
  DomainEvent,
  LiveCallView,
  SnapshotData,
} from '@ringside/protocol';
import {
  initialPanel,
  reduce,
  type PanelEffect,
  type PanelInput,
  type PanelState,
} from './index.js';

/** Builders for the panel's unit tests: an agent status, a call, the server's inputs, a run. */

export const AGENT = '7';

export function agent(state: AgentState, over: Partial<AgentStatusView> = {}): AgentStatusView {
  return {
    agentId: AGENT,
    state,
    sinceMs: 1000,
    campaignId: '1',
    callId: null,
    pauseCode: null,
    ...over,
  };
}

export function callView(callId: string, over: Partial<LiveCallView> = {}): LiveCallView {
  return {
    callId,
    campaignId: '1',
    leadId: '42',
    listId: '3',
    phone: '+12125550100',
    stage: 'BRIDGED',
    agentId: AGENT,
    manual: false,
    attempt: 1,
    originatedAtMs: 900,
    answeredAtMs: 950,
    bridgedAtMs: 990,
    endedAtMs: null,
    ...over,
  };
}

export function snapshot(a: AgentStatusView | null, calls: LiveCallView[] = []): PanelInput {
  const data: SnapshotData = { scope: 'agent', reason: 'subscribe', agent: a, agents: [], calls };
  return { type: 'snapshot', data };
}

export function moved(
  from: AgentState,
  to: AgentState,
  atMs: number,
  over: Partial<Extract<DomainEvent, { type: 'agent.state_changed' }>> = {},
): PanelInput {
  return {
    type: 'event',
    event: {
      type: 'agent.state_changed',
      agentId: AGENT as never,
      campaignId: '1' as never,
      from,
      to,
      pauseCode: null,
      callId: null,
      reason: 'agent',
      sinceMs: atMs - 100,
      atMs,
      ...over,
    },
  };
}

export function ended(callId: string, atMs: number): PanelInput {
  return {
    type: 'event',
    event: {
      type: 'call.ended',
      callId: callId as never,
      campaignId: '1' as never,
      leadId: '42' as never,
      outcome: 'HUMAN',
      hangupCause: 16,
      agentId: AGENT as never,
      atMs,
    },
  };
}

/** Runs inputs in order; returns the last state and every effect. */
export function run(inputs: PanelInput[], from: PanelState = initialPanel) {
  let s = from;
  const effects: PanelEffect[] = [];
  for (const i of inputs) {
    const r = reduce(s, i);
    s = r.state;
    effects.push(...r.effects);
  }
  return { s, effects };
}

export const live: PanelInput = { type: 'conn', status: 'live' };
