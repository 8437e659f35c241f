import type { Redis } from 'ioredis';
import type { AgentId } from '@ringside/protocol';
import type { AgentLegIndex, IndexedLeg } from '../../ports/telephony.js';
import { RedisKeys } from './keys.js';
import { loadScripts, type Scripts } from './scripts.js';

/**
 * How long a leg's entry outlives its last write, s. A backstop only: entries are deleted when
 * the leg is cleared or replaced, or found gone by the ARI worker's resync; one left behind
 * anyway expires after a day, longer than any session.
 */
export const AGENT_LEG_INDEX_TTL_S = 86_400;

/** Values read per MGET in `list`. */
const LIST_BATCH = 500;

/**
 * Channel id -> agent id (and the Asterisk server the leg is on) of every agent phone leg
 * (`p:{agents}:leg:<channelId>`, a JSON string `{"agentId","serverId"}`; a bare agent id, as
 * written before the server was recorded, reads as a leg of no known server). Shared by the
 * process that records a leg (api: attach, ari-worker: a dialed-in softphone) and the ARI worker
 * that sees it destroyed, across restarts.
 */
export class RedisAgentLegIndex implements AgentLegIndex {
  private readonly keys: RedisKeys;
  private readonly scripts: Scripts;
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new RedisKeys(prefix);
    this.scripts = loadScripts(redis);
  }

  async set(channelId: string, agentId: AgentId, serverId?: string): Promise<void> {
    const value = JSON.stringify(serverId === undefined ? { agentId } : { agentId, serverId });
    await this.scripts.agentLegIndexSet(
      [this.keys.agentLeg(channelId), this.keys.agentLegs()],
      [channelId, value, AGENT_LEG_INDEX_TTL_S],
    );
  }

  async get(channelId: string): Promise<AgentId | null> {
    const raw = await this.redis.get(this.keys.agentLeg(channelId));
    return raw === null ? null : parseEntry(raw).agentId;
  }

  async delete(channelId: string): Promise<void> {
    await this.scripts.agentLegIndexDelete(
      [this.keys.agentLeg(channelId), this.keys.agentLegs()],
      [channelId],
    );
  }

  /**
   * Every entry, from the set of leg channel ids, then their values in batches: O(legs), not a
   * walk of the keyspace. A member whose entry expired (its TTL backstop) is dropped from the set.
   */
  async list(): Promise<IndexedLeg[]> {
    const channels = await this.redis.smembers(this.keys.agentLegs());
    const legs: IndexedLeg[] = [];
    const expired: string[] = [];
    for (let i = 0; i < channels.length; i += LIST_BATCH) {
      const batch = channels.slice(i, i + LIST_BATCH);
      const values = await this.redis.mget(batch.map((c) => this.keys.agentLeg(c)));
      batch.forEach((channelId, j) => {
        const raw = values[j];
        if (raw === null || raw === undefined) expired.push(channelId);
        else legs.push({ channelId, ...parseEntry(raw) });
      });
    }
    if (expired.length > 0) await this.redis.srem(this.keys.agentLegs(), ...expired);
    return legs;
  }
}

function parseEntry(raw: string): Omit<IndexedLeg, 'channelId'> {
  if (raw.startsWith('{')) {
    try {
      const v = JSON.parse(raw) as { agentId?: unknown; serverId?: unknown };
      if (typeof v.agentId === 'string') {
        return {
          agentId: v.agentId as AgentId,
          serverId: typeof v.serverId === 'string' ? v.serverId : null,
        };
      }
    } catch {
      // Not ours: read as a bare agent id below.
    }
  }
  return { agentId: raw as AgentId, serverId: null };
}
