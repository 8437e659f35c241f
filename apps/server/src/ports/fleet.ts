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
  /** The homes of these agents, in order (null: not homed). */
  homesOf(agentIds: readonly AgentId[]): Promise<Array<string | null>>;
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
 * RESERVED atomically as StateStore.reserveLongestReady does. Agents homed on `downServerIds`
 * are passed over (they stay READY).
 */
export interface NearReserver {
  reserveNear(
    campaignId: CampaignId,
    callId: CallId,
    nowMs: number,
    callServerId: string,
    downServerIds?: readonly string[],
  ): Promise<ReservedNear | null>;
}

/** How a crossing hand-off went (services/telephony/fleet-trunk.ts). */
export type CrossingResult =
  | 'ok'
  /** The agent's bridge on its server is gone: the agent has no line. */
  | 'agent_bridge_gone'
  /** The customer's channel is gone. */
  | 'customer_gone'
  /** The trunk call between the servers failed or was not answered in time. */
  | 'trunk_failed';

/** One crossing: the customer on `callServerId`, the agent's bridge on `agentServerId`. */
export interface Crossing {
  callId: CallId;
  callServerId: string;
  agentServerId: string;
  agentBridgeId: string;
  /** The holding bridge the customer waits in, to take it out of first (null: none). */
  fromHolding: string | null;
}

/**
 * Connects a live answer to an agent homed on another Asterisk server over the inter-server trunk
 * (docs/telephony.md, "Asterisk fleet"), and takes the connection down when the call ends.
 */
export interface FleetCrossing {
  connect(c: Crossing): Promise<CrossingResult>;
  release(c: Pick<Crossing, 'callId' | 'callServerId' | 'agentServerId'>): Promise<void>;
}
