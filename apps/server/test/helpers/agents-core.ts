import { createDb } from '../../src/adapters/postgres/database.js';
import type { agentControlWithoutTelephony } from '../../src/roles/api-agents.js';
import type { RedisTestContext } from '../redis/redis-harness.js';
import type { TestDb } from './db.js';

type AgentsCore = Parameters<typeof agentControlWithoutTelephony>[0];

/**
 * What the api role's agent services are built on (sessions, dispositions, supervisor actions),
 * from a test's database and Redis context plus its store, bus, clock and logger.
 */
export function agentsCoreOn(
  db: TestDb,
  rc: RedisTestContext,
  rest: Pick<AgentsCore, 'store' | 'bus' | 'clock' | 'logger'>,
): AgentsCore {
  return { pool: db.pool, db: createDb(db.pool), redis: rc.redis, prefix: rc.prefix, ...rest };
}
