import type { Redis } from 'ioredis';
import type { AgentId, CallId } from '@ringside/protocol';
import type { AgentPresence } from '../../http/deps.js';

/**
 * Agent-scoped keys the api role keeps besides agent_status. They belong in keys.ts (STYLE.md §6);
 * they live here until the owner of keys.ts moves them, with the same `{agents}` hash tag so a
 * future script may touch them together with agent_status:
 *
 *   p:{agents}:presence:<agentId>      string  "1" with a TTL: the agent's socket is alive somewhere
 *   p:{agents}:pause-after:<agentId>   string  pause code the agent asked for after its call
 *   p:{agents}:transfer:<agentId>      string  JSON of the agent's warm transfer in progress
 */
export class AgentApiKeys {
  constructor(readonly prefix: string) {}
  presence(agentId: AgentId): string {
    return `${this.prefix}:{agents}:presence:${agentId}`;
  }
  pauseAfter(agentId: AgentId): string {
    return `${this.prefix}:{agents}:pause-after:${agentId}`;
  }
  transfer(agentId: AgentId): string {
    return `${this.prefix}:{agents}:transfer:${agentId}`;
  }
}

/**
 * Heartbeat presence across api processes: one key per agent with a TTL, refreshed on every
 * heartbeat. A missing key means no process heard from the agent within its TTL.
 */
export class RedisAgentPresence implements AgentPresence {
  private readonly keys: AgentApiKeys;
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new AgentApiKeys(prefix);
  }

  async touch(agentId: AgentId, ttlMs: number): Promise<void> {
    // PX needs a positive integer; a zero or negative TTL would make SET fail.
    await this.redis.set(this.keys.presence(agentId), '1', 'PX', Math.max(1, Math.ceil(ttlMs)));
  }

  async isPresent(agentId: AgentId): Promise<boolean> {
    return (await this.redis.exists(this.keys.presence(agentId))) === 1;
  }
}

/**
 * "Pause after this call": a pause the agent asked for while on a call or in wrap-up, applied
 * when the disposition ends the wrap-up (the agent is never READY in between, so the dialer
 * cannot hand it a call). Kept a day at most so a forgotten request cannot linger.
 */
export class RedisPendingPause {
  private readonly keys: AgentApiKeys;
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new AgentApiKeys(prefix);
  }
  async set(agentId: AgentId, code: string): Promise<void> {
    await this.redis.set(this.keys.pauseAfter(agentId), code, 'EX', 86_400);
  }
  async peek(agentId: AgentId): Promise<string | null> {
    return this.redis.get(this.keys.pauseAfter(agentId));
  }
  /** Returns and forgets the request (GETDEL: two processes cannot both apply it). */
  async take(agentId: AgentId): Promise<string | null> {
    return this.redis.getdel(this.keys.pauseAfter(agentId));
  }
  async clear(agentId: AgentId): Promise<void> {
    await this.redis.del(this.keys.pauseAfter(agentId));
  }
}

/** A warm transfer in progress: the customer on hold, a consult leg to the target. */
export interface WarmTransfer {
  callId: CallId;
  serverId: string;
  /** The consult channel we originated (to a number), or null when the target is an agent. */
  consultChannelId: string | null;
  /** The target agent (its own bridge), or null when the target is a number. */
  targetAgentId: AgentId | null;
  /** Bridge the customer waits in while the agent consults. */
  holdBridgeId: string;
  startedAtMs: number;
}

/** One warm transfer per agent, an hour at most (a consult longer than that is abandoned). */
export class RedisTransferStore {
  private readonly keys: AgentApiKeys;
  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new AgentApiKeys(prefix);
  }
  /** False when the agent already has a transfer in progress. */
  async start(agentId: AgentId, t: WarmTransfer): Promise<boolean> {
    const r = await this.redis.set(
      this.keys.transfer(agentId),
      JSON.stringify(t),
      'EX',
      3600,
      'NX',
    );
    return r === 'OK';
  }
  async get(agentId: AgentId): Promise<WarmTransfer | null> {
    const raw = await this.redis.get(this.keys.transfer(agentId));
    return raw ? (JSON.parse(raw) as WarmTransfer) : null;
  }
  /** Returns and forgets it: complete and cancel cannot both run. */
  async take(agentId: AgentId): Promise<WarmTransfer | null> {
    const raw = await this.redis.getdel(this.keys.transfer(agentId));
    return raw ? (JSON.parse(raw) as WarmTransfer) : null;
  }
}
