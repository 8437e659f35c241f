import type { Redis } from 'ioredis';
import type { AgentId } from '@ringside/protocol';
import { RedisKeys } from './keys.js';
import { loadScripts, type Scripts } from './scripts.js';
import type { WrapupExtension, WrapupExtensions } from '../../ports/agents.js';

/** An extension record outlives any wrap-up by far: a day. */
const TTL_S = 86_400;

/**
 * Wrap-up extensions in Redis: one hash per agent for its current call, taken atomically by
 * lua/wrapup-extend.lua (two clicks, or two api processes, never exceed the allowance).
 */
export class RedisWrapupExtensions implements WrapupExtensions {
  private readonly keys: RedisKeys;
  private readonly scripts: Scripts;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.keys = new RedisKeys(prefix);
    this.scripts = loadScripts(redis);
  }

  async take(
    agentId: AgentId,
    t: { callId: string; sinceMs: number; baseUntilMs: number; addMs: number; max: number },
  ): Promise<WrapupExtension | null> {
    const r = (await this.scripts.wrapupExtend(
      [this.keys.agentWrapupExtension(agentId)],
      [t.callId, t.sinceMs, t.baseUntilMs, t.addMs, t.max, TTL_S],
    )) as [number, number | string];
    const untilMs = Number(r[1]);
    if (untilMs < 0) return null;
    return { callId: t.callId, sinceMs: t.sinceMs, used: Number(r[0]), untilMs };
  }

  async get(agentId: AgentId): Promise<WrapupExtension | null> {
    const h = await this.redis.hgetall(this.keys.agentWrapupExtension(agentId));
    if (!h.callId || !h.untilMs) return null;
    return {
      callId: h.callId,
      sinceMs: Number(h.sinceMs),
      used: Number(h.used ?? 0),
      untilMs: Number(h.untilMs),
    };
  }
}
