import {
  AgentId,
  CallId,
  CampaignId,
  E164,
  LeadId,
  ListId,
  type AgentState,
  type AgentStateChanged,
} from '@ringside/protocol';
import type { HopperEntry, HopperPriority } from '../../hopper.js';
import { newLiveCall, type AgentStatus, type LiveCall } from '../../state-store.js';

/** Builders shared by the conformance suites and the adapters' own tests. */
export const ids = {
  agent: (s: string) => AgentId.parse(s),
  campaign: (s: string) => CampaignId.parse(s),
  call: (s: string) => CallId.parse(s),
  lead: (s: string) => LeadId.parse(s),
  list: (s: string) => ListId.parse(s),
};

export function agentStatus(
  agentId: string,
  state: AgentState,
  sinceMs: number,
  over: Partial<AgentStatus> = {},
): AgentStatus {
  return {
    agentId: ids.agent(agentId),
    state,
    sinceMs,
    campaignId: ids.campaign('c1'),
    callId: null,
    pauseCode: null,
    bridgeId: null,
    legChannelId: null,
    ...over,
  };
}

/** The event that goes with moving `prev` (or a logged-out agent) to `next`. */
export function changed(
  prev: AgentStatus | null,
  next: AgentStatus,
  reason = 'agent',
): AgentStateChanged {
  return {
    type: 'agent.state_changed',
    agentId: next.agentId,
    campaignId: next.campaignId,
    from: prev?.state ?? 'LOGGED_OUT',
    to: next.state,
    pauseCode: next.pauseCode,
    callId: next.callId,
    reason,
    sinceMs: prev?.sinceMs ?? next.sinceMs,
    atMs: next.sinceMs,
  };
}

export function liveCall(callId: string, over: Partial<LiveCall> = {}): LiveCall {
  return {
    ...newLiveCall({
      callId: ids.call(callId),
      campaignId: ids.campaign('c1'),
      leadId: ids.lead('1'),
      listId: ids.list('1'),
      phone: E164.parse('+14155550123'),
      serverId: 'pbx1',
      attempt: 1,
      originatedAtMs: 1_000,
    }),
    ...over,
  };
}

export function hopperEntry(
  leadId: string,
  priority: HopperPriority = 'new',
  over: Partial<HopperEntry> = {},
): HopperEntry {
  return {
    leadId: ids.lead(leadId),
    listId: ids.list('1'),
    campaignId: ids.campaign('c1'),
    phone: E164.parse('+14155550123'),
    timeZones: ['America/New_York'],
    priority,
    attempts: 0,
    windowClosesAtMs: 10_000_000,
    ...over,
  };
}
