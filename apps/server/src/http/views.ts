import type { AgentStatusView, LiveCallView } from '@ringside/protocol';
import type { Disposition } from '../ports/dispositions.js';
import type { AgentStatus, LiveCall } from '../ports/state-store.js';

/** What clients see of an agent: no channel or bridge ids (internal to telephony). */
export function agentView(a: AgentStatus): AgentStatusView {
  return {
    agentId: a.agentId,
    state: a.state,
    sinceMs: a.sinceMs,
    campaignId: a.campaignId,
    callId: a.callId,
    pauseCode: a.pauseCode,
  };
}

export function callView(c: LiveCall): LiveCallView {
  return {
    callId: c.callId,
    campaignId: c.campaignId,
    leadId: c.leadId,
    listId: c.listId,
    phone: c.phone,
    stage: c.stage,
    agentId: c.agentId,
    manual: c.manual,
    attempt: c.attempt,
    originatedAtMs: c.originatedAtMs,
    answeredAtMs: c.answeredAtMs,
    bridgedAtMs: c.bridgedAtMs,
    endedAtMs: c.endedAtMs,
    amdResult: c.amdResult,
  };
}

/** What an agent's disposition picker shows of a disposition (the admin view adds id, scope, order). */
export function dispositionChoice(d: Disposition) {
  return {
    code: d.code,
    name: d.name,
    humanAnswered: d.humanAnswered,
    sale: d.sale,
    dnc: d.dnc,
    callback: d.callback,
    final: d.final,
  };
}
