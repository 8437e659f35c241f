import type { AgentHomed, AgentId, CallId, CampaignId } from '@ringside/protocol';
import type { AgentStatus } from './state-store.js';

/**
 * Which Asterisk server each agent is homed on for its shift (docs/telephony.md, "Asterisk
 * fleet"), kept with the agents' state (adapters/redis/agent-homes.ts: `p:{agents}:homes`).
 */
export interface AgentHomes {
  /** The agent's home server id; null: not homed. */
  get(agentId: AgentId): Promise<string | null>;
  /** Records `event.serverId` as the agent's home and publishes the event, in one step. */
  set(event: AgentHomed): Promise<void>;
  /** Forgets the agent's home (logout). */
  clear(agentId: AgentId): Promise<void>;
  /** Every home: agentId -> server id. */
  all(): Promise<Map<AgentId, string>>;
  /** The campaign's READY agents counted per home server (agents with no home: `defaultServerId`). */
  readyByServer(campaignId: CampaignId, defaultServerId: string): Promise<Map<string, number>>;
}

/** A READY agent reserved for a live answer, and where it is homed. */
export interface ReservedNear {
  status: AgentStatus;
  homeServerId: string;
  /** Homed on another server than the customer: the call must cross on the trunk. */
  crosses: boolean;
}

/**
 * The dialer's hand-off on a fleet: reserves the longest-ready agent of the campaign homed on the
 * customer's server, else the longest-ready anywhere (domain/fleet.ts `chooseHandoff`), READY ->
 * RESERVED atomically as StateStore.reserveLongestReady does.
 */
export interface NearReserver {
  reserveNear(
    campaignId: CampaignId,
    callId: CallId,
    nowMs: number,
    callServerId: string,
  ): Promise<ReservedNear | null>;
}
