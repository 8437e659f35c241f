import type { Redis } from 'ioredis';
import type { AgentId } from '@ringside/protocol';
import { RedisKeys } from './keys.js';
import type { AgentPresence, PendingPauses } from '../../ports/agents.js';
import type { TransferStore, WarmTransfer } from '../../ports/telephony.js';

/** A store of per-agent keys under the deployment's REDIS_PREFIX. */
abstract class AgentKeyStore {
  protected readonly keys: RedisKeys;
  constructor(
    protected readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new RedisKeys(prefix);
  }
}

/**
 * Heartbeat presence across api processes: one key per agent with a TTL, refreshed on every
 * heartbeat. A missing key means no process heard from the agent within its TTL.
 */
export class RedisAgentPresence extends AgentKeyStore implements AgentPresence {
  async touch(agentId: AgentId, ttlMs: number): Promise<void> {
    // PX needs a positive integer; a zero or negative TTL would make SET fail.
    await this.redis.set(
      this.keys.agentPresence(agentId),
      '1',
      'PX',
      Math.max(1, Math.ceil(ttlMs)),
    );
  }

  async isPresent(agentId: AgentId): Promise<boolean> {
    return (await this.redis.exists(this.keys.agentPresence(agentId))) === 1;
  }
}

/**
 * "Pause after this call": a pause the agent asked for while on a call or in wrap-up, applied
 * when the disposition ends the wrap-up (the agent is never READY in between, so the dialer
 * cannot hand it a call). Kept a day at most so a forgotten request cannot linger.
 */
export class RedisPendingPause extends AgentKeyStore implements PendingPauses {
  async set(agentId: AgentId, code: string): Promise<void> {
    await this.redis.set(this.keys.agentPauseAfter(agentId), code, 'EX', 86_400);
  }
  async peek(agentId: AgentId): Promise<string | null> {
    return this.redis.get(this.keys.agentPauseAfter(agentId));
  }
  /** Returns and forgets the request (GETDEL: two processes cannot both apply it). */
  async take(agentId: AgentId): Promise<string | null> {
    return this.redis.getdel(this.keys.agentPauseAfter(agentId));
  }
  async clear(agentId: AgentId): Promise<void> {
    await this.redis.del(this.keys.agentPauseAfter(agentId));
  }
}

/** One warm transfer per agent, an hour at most (a consult longer than that is abandoned). */
export class RedisTransferStore extends AgentKeyStore implements TransferStore {
  /** False when the agent already has a transfer in progress. */
  async start(agentId: AgentId, t: WarmTransfer): Promise<boolean> {
    const r = await this.redis.set(
      this.keys.agentTransfer(agentId),
      JSON.stringify(t),
      'EX',
      3600,
      'NX',
    );
    return r === 'OK';
  }
  async get(agentId: AgentId): Promise<WarmTransfer | null> {
    const raw = await this.redis.get(this.keys.agentTransfer(agentId));
    return raw ? (JSON.parse(raw) as WarmTransfer) : null;
  }
  /** Returns and forgets it: complete and cancel cannot both run. */
  async take(agentId: AgentId): Promise<WarmTransfer | null> {
    const raw = await this.redis.getdel(this.keys.agentTransfer(agentId));
    return raw ? (JSON.parse(raw) as WarmTransfer) : null;
  }
}
