import type { Redis } from 'ioredis';
import type pg from 'pg';
import { PgStateRules } from '../../adapters/postgres/state-rules.js';
import { RedisDialAttempts } from '../../adapters/redis/dial-attempts.js';
import { hopperPosition } from '../../adapters/redis/hopper-position.js';
import { RedisKeys } from '../../adapters/redis/keys.js';
import type { ComplianceDeps } from '../../http/routes/compliance.js';
import type { Clock } from '../../ports/clock.js';
import { WhyNotDialed } from './why-not-dialed.js';

export { StateRulesCache, STATE_RULES_REFRESH_MS } from './state-rules-cache.js';
export { WhyNotDialed } from './why-not-dialed.js';

/** The api role's compliance routes over PostgreSQL and Redis (REDIS_PREFIX `prefix`). */
export function createComplianceDeps(d: {
  pool: pg.Pool;
  redis: Redis;
  prefix: string;
  clock: Clock;
  /** The dialer's DNC question (Redis sets, national registry); optional. */
  dncBlocked?(phone: string, campaignId: string): Promise<boolean>;
}): ComplianceDeps {
  const keys = new RedisKeys(d.prefix);
  const stateRules = new PgStateRules(d.pool);
  return {
    stateRules,
    whyNotDialed: new WhyNotDialed({
      pool: d.pool,
      stateRules,
      attempts: new RedisDialAttempts(d.redis, keys),
      hopperPosition: (campaignId, leadId) => hopperPosition(d.redis, keys, campaignId, leadId),
      ...(d.dncBlocked ? { dncBlocked: d.dncBlocked } : {}),
      clock: d.clock,
    }),
  };
}
