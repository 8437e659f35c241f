import type { Redis } from 'ioredis';
import type pg from 'pg';
import { PgStateRules } from '../../adapters/postgres/state-rules.js';
import { RedisDialAttempts } from '../../adapters/redis/dial-attempts.js';
import { hopperPosition } from '../../adapters/redis/hopper-position.js';
import { RedisKeys } from '../../adapters/redis/keys.js';
import type { ComplianceDeps } from '../../http/routes/compliance.js';
import type { Clock } from '../../ports/clock.js';
import type { NationalDncRegistry } from '../../ports/national-dnc.js';
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
  /** The national DNC registry as the dialer reads it (adapters/redis/national-dnc.ts). */
  national?: NationalDncRegistry;
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
      ...(d.national ? { nationalDncListed: nationalListed(d.pool, d.national) } : {}),
      clock: d.clock,
    }),
  };
}

/**
 * Whether the registry holds the number and the campaign scrubs it (campaigns.national_dnc_scrub,
 * which an admin may turn off). The explainer is no real-time path: it may read PostgreSQL.
 */
function nationalListed(
  pool: pg.Pool,
  national: NationalDncRegistry,
): (phone: string, campaignId: string) => Promise<boolean> {
  return async (phone, campaignId) => {
    const r = await pool.query<{ scrub: boolean }>(
      'SELECT national_dnc_scrub AS scrub FROM campaigns WHERE id = $1',
      [campaignId],
    );
    if (r.rows[0]?.scrub === false) return false;
    return national.isListed(phone);
  };
}
