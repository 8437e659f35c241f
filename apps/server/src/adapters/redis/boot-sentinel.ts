import type { Redis } from 'ioredis';
import type { BootSentinel } from '../../ports/agents.js';
import type { RedisKeys } from './keys.js';

/**
 * The boot sentinel in Redis: `bootSentinel` is set (with the rebuild's report) once the state
 * is complete, and lost with the data; `bootLock` (SET NX PX) lets one process rebuild.
 */
export class RedisBootSentinel implements BootSentinel {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async isComplete(): Promise<boolean> {
    return (await this.redis.exists(this.keys.bootSentinel)) === 1;
  }

  async tryLock(holder: string, lockMs: number): Promise<boolean> {
    return (await this.redis.set(this.keys.bootLock, holder, 'PX', lockMs, 'NX')) === 'OK';
  }

  async complete(report: Record<string, unknown>): Promise<void> {
    await this.redis.set(this.keys.bootSentinel, JSON.stringify(report));
  }

  async unlock(holder: string): Promise<void> {
    // Only our own lock: after a very slow rebuild another process may hold it now.
    if ((await this.redis.get(this.keys.bootLock)) === holder)
      await this.redis.del(this.keys.bootLock);
  }
}
