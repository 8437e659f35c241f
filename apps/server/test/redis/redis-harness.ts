import { Redis } from 'ioredis';
import { TEST_REDIS_URL, testRedisPrefix } from '../helpers/redis.js';

/** A Redis connection plus a unique key prefix; cleanup() deletes every key under the prefix. */
export interface RedisTestContext {
  redis: Redis;
  prefix: string;
  cleanup(): Promise<void>;
}

export async function redisTestContext(label: string): Promise<RedisTestContext> {
  const redis = new Redis(TEST_REDIS_URL, { lazyConnect: true });
  await redis.connect();
  const prefix = testRedisPrefix(label);
  return {
    redis,
    prefix,
    async cleanup() {
      await deleteByPrefix(redis, prefix);
      redis.disconnect();
    },
  };
}

export async function deleteByPrefix(redis: Redis, prefix: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await redis.unlink(...keys);
  } while (cursor !== '0');
}
