import type { Redis } from 'ioredis';
import { ATTEMPT_WINDOW_MS } from '../../domain/state-rules.js';
import type { RedisKeys } from './keys.js';
import type { DialAttempts } from '../../ports/compliance.js';

/**
 * Dial attempts per number in Redis (one sorted set per number, scored by the dial instant,
 * trimmed to 24 hours and expiring 25 hours after the last dial). Every campaign and manual dial
 * writes here, so the cap counts all calls to the number. One round trip each way.
 */
export class RedisDialAttempts implements DialAttempts {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
  ) {}

  async recent(phone: string, sinceMs: number): Promise<number[]> {
    const r = await this.redis.zrangebyscore(
      this.keys.dialAttempts(phone),
      `(${sinceMs}`,
      '+inf',
      'WITHSCORES',
    );
    const out: number[] = [];
    for (let i = 1; i < r.length; i += 2) out.push(Number(r[i]));
    return out;
  }

  async record(phone: string, atMs: number, callId: string): Promise<void> {
    const key = this.keys.dialAttempts(phone);
    await this.redis
      .pipeline()
      .zadd(key, atMs, callId)
      .zremrangebyscore(key, '-inf', atMs - ATTEMPT_WINDOW_MS)
      .pexpire(key, ATTEMPT_WINDOW_MS + 3_600_000)
      .exec();
  }
}
