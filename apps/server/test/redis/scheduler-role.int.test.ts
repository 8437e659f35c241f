import { CampaignId } from '@ringside/protocol';
import { describe, expect, it } from 'vitest';
import { RedisHopper } from '../../src/adapters/redis/hopper.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { ManualClock } from '../../src/ports/clock.js';
import { startScheduler } from '../../src/roles/scheduler.js';
import { until, useRedisTestContext, useTestDb } from '../helpers/hooks.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { deleteByPrefix } from './redis-harness.js';
import { insertManyLeads, seedCampaign } from './seed.js';

const db = useTestDb('role');
const rc = useRedisTestContext('role');

describe('scheduler role', () => {
  it('rebuilds on a fresh Redis, fills the hoppers, and fills again after Redis lost its data', async () => {
    const s = await seedCampaign(db.pool, { hopperSize: 15 });
    await insertManyLeads(db.pool, s.listId, 40, ['America/Chicago'], 13_125_550_000);
    const config = loadConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: rc.prefix });
    const role = await startScheduler({
      config,
      logger: createLogger('silent'),
      pool: db.pool,
      clock: new ManualClock(Date.parse('2026-01-15T18:00:00Z')),
      ariServers: [],
    });
    const hopper = new RedisHopper(rc.redis, { prefix: rc.prefix });
    const cid = CampaignId.parse(s.campaignId);
    try {
      expect(await rc.redis.exists(new RedisKeys(rc.prefix).bootSentinel)).toBe(1);
      await until(async () => (await hopper.size(cid)) === 15);
      await deleteByPrefix(rc.redis, rc.prefix); // Redis restarted empty
      // The sentinel check (every 5 s) rebuilds: marks of leads no longer in Redis are cleared,
      // the hopper refilled, the job scheduler re-created. A fill job already in flight may
      // refill first; the rebuild then still leaves marks and hopper in agreement.
      const sentinel = new RedisKeys(rc.prefix).bootSentinel;
      await until(async () => (await rc.redis.exists(sentinel)) === 1, 15_000);
      const marked = async () =>
        (
          await db.pool.query<{ n: number }>(
            'SELECT count(*)::int AS n FROM leads WHERE hopper_at IS NOT NULL',
          )
        ).rows[0]?.n;
      await until(async () => (await hopper.size(cid)) === 15 && (await marked()) === 15);
      const queued = (await hopper.entries(cid)).map((e) => e.leadId as string).sort();
      const ids = await db.pool.query<{ id: string }>(
        'SELECT id::text FROM leads WHERE hopper_at IS NOT NULL',
      );
      expect(ids.rows.map((r) => r.id).sort()).toEqual(queued);
    } finally {
      await role.stop();
    }
  }, 30_000);
});
