import type {
  AgentId,
  CampaignId,
  RaisedHand,
  Role,
  TalkMessage,
  TalkRecipient,
} from '@ringside/protocol';

/**
 * Agent and supervisor talk: the stored messages (PostgreSQL, adapters/postgres/talk.ts), the
 * raised hands and the send limits (Redis, adapters/redis/talk.ts). docs/realtime.md.
 */

/** A message to store: who wrote it, to whom, which agents get it. */
export interface NewTalkMessage {
  senderId: string;
  senderRole: Role;
  to: TalkRecipient;
  /** The agent of a one-to-one thread (recipient or writer); null for broadcasts. */
  threadAgentId: AgentId | null;
  /** Agents that get it (the writer too, when an agent writes): one talk_recipients row each. */
  recipients: readonly AgentId[];
  text: string;
  sentAtMs: number;
}

export interface TalkStore {
  /** Stores one message; its stored form (with the writer's display name). */
  insert(m: NewTalkMessage): Promise<TalkMessage>;
  /** An agent's recent messages (sent to it, or written by it) since `sinceMs`, oldest first. */
  recentForAgent(agentId: AgentId, sinceMs: number, limit: number): Promise<TalkMessage[]>;
  /** Every recent message since `sinceMs` (supervisors), oldest first. */
  recentAll(sinceMs: number, limit: number): Promise<TalkMessage[]>;
  /**
   * Marks what the agent got up to message `upToId` as read at `atMs`; the number of messages
   * that were unread.
   */
  markReadByAgent(agentId: AgentId, upToId: string, atMs: number): Promise<number>;
  /** Marks the agent's own messages (to the supervisors) up to `upToId` read by `readerId`. */
  markReadBySupervisor(
    agentId: AgentId,
    upToId: string,
    readerId: string,
    atMs: number,
  ): Promise<number>;
  /** The active agents of a team; null when the team does not exist. */
  teamAgents(teamId: string): Promise<AgentId[] | null>;
  /** True when the user exists, is active and is an agent. */
  isAgent(agentId: AgentId): Promise<boolean>;
  /** True when the campaign exists. */
  campaignExists(campaignId: CampaignId): Promise<boolean>;
}

/** Raised hands: at most one per agent (Redis hash; docs/realtime.md). */
export interface HandRegistry {
  /** Raises the agent's hand; false when it was already raised (nothing changed). */
  raise(agentId: AgentId, atMs: number): Promise<boolean>;
  /** Lowers it; false when it was not raised, so one caller among many publishes the change. */
  lower(agentId: AgentId): Promise<boolean>;
  /** The raised hands, oldest first; with an agent, only that agent's. */
  list(agentId?: AgentId): Promise<RaisedHand[]>;
}

/** A fixed-window counter per key, shared by every api process. */
export interface SendLimiter {
  /**
   * Counts one attempt under `key` in the current window of `windowMs`; true when it is within
   * `limit` attempts in that window.
   */
  take(key: string, limit: number, windowMs: number, nowMs: number): Promise<boolean>;
}
