import type { Redis } from 'ioredis';
import type pg from 'pg';
import { PgStateRules } from '../adapters/postgres/state-rules.js';
import { PgWhyNotDialedSource } from '../adapters/postgres/why-not-dialed.js';
import { RedisDialAttempts } from '../adapters/redis/dial-attempts.js';
import { hopperPosition } from '../adapters/redis/hopper-position.js';
import { RedisKeys } from '../adapters/redis/keys.js';
import type { ComplianceDeps } from '../http/deps.js';
import type { Clock } from '../ports/clock.js';
import type { NationalDncRegistry } from '../ports/national-dnc.js';
import { WhyNotDialed } from '../services/compliance/why-not-dialed.js';

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
  const source = new PgWhyNotDialedSource(d.pool);
  const national = d.national;
  return {
    stateRules,
    whyNotDialed: new WhyNotDialed({
      source,
      stateRules,
      attempts: new RedisDialAttempts(d.redis, keys),
      hopperPosition: (campaignId, leadId) => hopperPosition(d.redis, keys, campaignId, leadId),
      ...(d.dncBlocked ? { dncBlocked: d.dncBlocked } : {}),
      // The registry holds the number and the campaign scrubs it (an admin may turn it off).
      ...(national
        ? {
            nationalDncListed: async (phone: string, campaignId: string) =>
              (await source.scrubsNationalDnc(campaignId)) && national.isListed(phone),
          }
        : {}),
      clock: d.clock,
    }),
  };
}
