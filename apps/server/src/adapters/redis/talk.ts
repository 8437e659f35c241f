import type { Redis } from 'ioredis';
import type { AgentId, RaisedHand } from '@ringside/protocol';
import type { HandRegistry, SendLimiter } from '../../ports/messages.js';
import type { RedisKeys } from './keys.js';

/**
 * Raised hands in one hash, `p:{talk}:hands` (agentId -> raisedAtMs). HSETNX and HDEL answer
 * whether they changed anything, so with several api processes exactly one publishes a change.
 */
export class RedisHands implements HandRegistry {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async raise(agentId: AgentId, atMs: number): Promise<boolean> {
    return (await this.redis.hsetnx(this.keys.talkHands, agentId, String(atMs))) === 1;
  }

  async lower(agentId: AgentId): Promise<boolean> {
    return (await this.redis.hdel(this.keys.talkHands, agentId)) === 1;
  }

  async list(agentId?: AgentId): Promise<RaisedHand[]> {
    if (agentId) {
      const at = await this.redis.hget(this.keys.talkHands, agentId);
      return at === null ? [] : [{ agentId, raisedAtMs: Number(at) }];
    }
    const all = await this.redis.hgetall(this.keys.talkHands);
    return Object.entries(all)
      .map(([id, at]) => ({ agentId: id as AgentId, raisedAtMs: Number(at) }))
      .sort((a, b) => a.raisedAtMs - b.raisedAtMs);
  }
}

/**
 * Fixed-window counters: one key per (key, window number), INCR then PEXPIRE in one pipeline.
 * The window is in the key's name, so a key whose expiry was never set cannot block a later
 * window; it only lingers.
 */
export class RedisSendLimiter implements SendLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async take(key: string, limit: number, windowMs: number, nowMs: number): Promise<boolean> {
    const k = this.keys.talkRate(key, Math.floor(nowMs / windowMs));
    const r = await this.redis
      .pipeline()
      .incr(k)
      .pexpire(k, windowMs * 2)
      .exec();
    const [err, count] = r?.[0] ?? [new Error('no reply'), null];
    if (err) throw err;
    return Number(count) <= limit;
  }
}
