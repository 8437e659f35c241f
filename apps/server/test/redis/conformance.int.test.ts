import { realtimeConformance } from '../../src/ports/fakes/conformance/realtime.suite.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisHopper } from '../../src/adapters/redis/hopper.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { redisTestContext } from './redis-harness.js';

realtimeConformance('redis adapters', async () => {
  const ctx = await redisTestContext('conf');
  const maxLen = 20;
  const opts = { prefix: ctx.prefix, streamMaxLen: maxLen, approximateTrim: false };
  return {
    store: new RedisStateStore(ctx.redis, opts),
    bus: new RedisEventBus(ctx.redis, { ...opts, blockMs: 200 }),
    hopper: new RedisHopper(ctx.redis, opts),
    maxLen,
    close: () => ctx.cleanup(),
  };
});
