import type { Redis } from 'ioredis';
import type pg from 'pg';
import { AriRestClient } from '../../adapters/asterisk/ari-client.js';
import { ServerPool } from '../../adapters/asterisk/server-pool.js';
import { AgentLogRepository } from '../../adapters/postgres/agent-log.js';
import { CallLogRepository } from '../../adapters/postgres/call-log.js';
import { createCampaignsRepo } from '../../adapters/postgres/campaigns.js';
import { createDb } from '../../adapters/postgres/database.js';
import type { AriServerConfig } from '../../config.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../ports/clock.js';
import type { StateStore } from '../../ports/state-store.js';
import { AgentSessionService } from '../agent-session.js';
import { CallOriginator } from '../ari-worker-originator.js';
import { DncCache } from './dnc-cache.js';
import { createDropBudgetReader } from './drop-budget.js';
import { PgDialerLeads } from './leads.js';
import { ManualDialer } from './manual-dial.js';
import { DialerKeys, LedgerStore } from './redis-state.js';
import { newCallId } from './ids.js';

/** What another role (the API) has at hand to build the dialer's entry points. */
export interface DialerEntryDeps {
  pool: pg.Pool;
  redis: Redis;
  /** REDIS_PREFIX. */
  prefix: string;
  store: StateStore;
  clock: Clock;
  logger: Logger;
  ariServers: AriServerConfig[];
  /** config.ariDialTemplate: how a number becomes an ARI endpoint. */
  dialTemplate?: string;
  /** config.ariMaxCallsPerServer. */
  maxCallsPerServer?: number;
}

/**
 * The dialer's functions other roles serve: manual/preview dialing (same origination path as the
 * dialer's own calls), the remaining drop budget, and the DNC
 * cache's add/remove to call right after a write to the dnc table.
 */
export function createDialerEntryPoints(d: DialerEntryDeps): {
  manual: ManualDialer;
  getDropBudget: ReturnType<typeof createDropBudgetReader>['getDropBudget'];
  dnc: DncCache;
} {
  const keys = new DialerKeys(d.prefix);
  const servers = d.ariServers.map((s) => ({
    id: s.id,
    client: new AriRestClient(s),
    maxCalls: 500,
  }));
  const pool = new ServerPool(servers, d.store);
  const originator = new CallOriginator({
    pool,
    store: d.store,
    callLog: new CallLogRepository(d.pool),
    clock: d.clock,
    logger: d.logger,
    ...(d.dialTemplate ? { dialTemplate: d.dialTemplate } : {}),
  });
  const dnc = new DncCache(d.redis, keys, d.pool, d.logger);
  const manual = new ManualDialer({
    pool: d.pool,
    store: d.store,
    agents: new AgentSessionService({
      store: d.store,
      log: new AgentLogRepository(d.pool),
      clock: d.clock,
      logger: d.logger,
    }),
    originator,
    campaigns: createCampaignsRepo(createDb(d.pool)),
    leads: new PgDialerLeads(d.pool, d.logger),
    dnc,
    clock: d.clock,
    logger: d.logger,
    newCallId: () => newCallId(),
  });
  const budget = createDropBudgetReader({
    pool: d.pool,
    ledger: new LedgerStore(d.redis, keys),
    clock: d.clock,
  });
  return {
    manual,
    getDropBudget: (campaignId) => budget.getDropBudget(campaignId),
    dnc,
  };
}
