import type pg from 'pg';
import type { Redis } from 'ioredis';
import type { AgentId } from '@ringside/protocol';
import { PgTalkStore } from '../adapters/postgres/talk.js';
import { RedisKeys } from '../adapters/redis/keys.js';
import { RedisHands, RedisSendLimiter } from '../adapters/redis/talk.js';
import type { Logger } from '../logger.js';
import type { AuditLog } from '../ports/audit.js';
import type { Clock } from '../ports/clock.js';
import type { EventBus } from '../ports/event-bus.js';
import type { StateStore } from '../ports/state-store.js';
import { TalkService, type TalkLimits } from '../services/messages/talk-service.js';

/**
 * Agent and supervisor talk for the api role (and the tests that build an api): messages in
 * PostgreSQL, hands and send limits in Redis, events on the bus; a campaign's recipients are the
 * agents the state store has logged in to it.
 */
export function createTalkService(opts: {
  pool: pg.Pool;
  redis: Redis;
  prefix: string;
  store: StateStore;
  bus: EventBus;
  audit: AuditLog;
  clock: Clock;
  logger: Logger;
  limits?: Partial<TalkLimits>;
}): TalkService {
  const keys = new RedisKeys(opts.prefix);
  return new TalkService({
    store: new PgTalkStore(opts.pool),
    hands: new RedisHands(opts.redis, keys),
    limiter: new RedisSendLimiter(opts.redis, keys),
    bus: opts.bus,
    audit: opts.audit,
    clock: opts.clock,
    logger: opts.logger,
    campaignAgents: async (campaignId) =>
      (await opts.store.listAgents(campaignId))
        .filter((a) => a.state !== 'LOGGED_OUT')
        .map((a) => a.agentId as AgentId),
    ...(opts.limits ? { limits: opts.limits } : {}),
  });
}
