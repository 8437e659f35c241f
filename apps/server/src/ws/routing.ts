import type { AgentId, CallId, CampaignId, DomainEvent } from '@ringside/protocol';

/** Calls remembered for routing events to their agent; oldest forgotten beyond this. */
const MAX_TRACKED_CALLS = 200_000;

/** The agent an event concerns, for routing it to that agent's sockets. */
export function eventAgent(e: DomainEvent): AgentId | null {
  switch (e.type) {
    case 'agent.state_changed':
    case 'call.bridged':
    case 'agent.monitor.started':
    case 'agent.monitor.ended':
    case 'agent.homed':
      return e.agentId;
    case 'call.originated':
    case 'call.ended':
      return e.agentId;
    // The agent whose segment it is; null (the call's end): the call's last agent.
    case 'recording.changed':
      return e.agentId;
    default:
      return null;
  }
}

/**
 * Events the agent must not see: a supervisor listening is silent (common practice in contact
 * centres, and the point of quality monitoring); whisper and barge are heard, so shown. Quality
 * review (scorecards, reviews, AMD marks) is the supervisors' business, even of the agent's call.
 */
export function silentToAgent(e: DomainEvent): boolean {
  if (e.type.startsWith('quality.')) return true;
  return (
    (e.type === 'agent.monitor.started' || e.type === 'agent.monitor.ended') && e.mode === 'listen'
  );
}

export function eventCall(e: DomainEvent): CallId | null {
  return 'callId' in e && e.callId ? e.callId : null;
}

export function eventCampaign(e: DomainEvent): CampaignId | null {
  return 'campaignId' in e ? e.campaignId : null;
}

/** Sets `key` as the newest entry of `map`, forgetting the oldest beyond MAX_TRACKED_CALLS. */
export function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > MAX_TRACKED_CALLS) {
    const oldest = map.keys().next();
    if (!oldest.done) map.delete(oldest.value);
  }
}
