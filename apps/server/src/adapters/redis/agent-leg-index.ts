import type { Redis } from 'ioredis';
import type { AgentId } from '@ringside/protocol';
import type { AgentLegIndex } from '../../services/agent-leg.js';
import { RedisKeys } from './keys.js';

/**
 * How long a leg's entry outlives its last write, s. A backstop only: entries are deleted when
 * the leg is cleared or replaced; one left behind (its ChannelDestroyed missed while the worker
 * was away) expires after a day, longer than any session.
 */
export const AGENT_LEG_INDEX_TTL_S = 86_400;

/**
 * Channel id -> agent id of every agent phone leg (`p:{agents}:leg:<channelId>`), shared by the
 * process that records a leg (api: attach, ari-worker: a dialed-in softphone) and the ARI worker
 * that sees it destroyed, across restarts.
 */
export class RedisAgentLegIndex implements AgentLegIndex {
  private readonly keys: RedisKeys;
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new RedisKeys(prefix);
  }

  async set(channelId: string, agentId: AgentId): Promise<void> {
    await this.redis.set(this.keys.agentLeg(channelId), agentId, 'EX', AGENT_LEG_INDEX_TTL_S);
  }

  async get(channelId: string): Promise<AgentId | null> {
    return (await this.redis.get(this.keys.agentLeg(channelId))) as AgentId | null;
  }

  async delete(channelId: string): Promise<void> {
    await this.redis.del(this.keys.agentLeg(channelId));
  }
}
