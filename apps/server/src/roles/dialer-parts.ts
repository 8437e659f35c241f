import type { Redis } from 'ioredis';
import type pg from 'pg';
import { AriRestClient, type AriRestClientOptions } from '../adapters/asterisk/ari-client.js';
import { ServerPool, type PooledServer } from '../adapters/asterisk/server-pool.js';
import { CallLogRepository } from '../adapters/postgres/call-log.js';
import { createCampaignsRepo } from '../adapters/postgres/campaigns.js';
import { createDb } from '../adapters/postgres/database.js';
import { PgDncRows } from '../adapters/postgres/dialer-dnc.js';
import { PgDropLedgerSource } from '../adapters/postgres/drop-ledger.js';
import { PgDialerLeads } from '../adapters/postgres/dialer-leads.js';
import { RedisDialAttempts } from '../adapters/redis/dial-attempts.js';
import { RedisDncSets } from '../adapters/redis/dialer-dnc.js';
import { LedgerStore } from '../adapters/redis/dialer-state.js';
import { RedisKeys } from '../adapters/redis/keys.js';
import { RedisNationalDnc } from '../adapters/redis/national-dnc.js';
import { agentHomesOfPrefix, isFleet, placementOf } from './fleet.js';
import type { AriServerConfig } from '../config.js';
import type { StateRuleSet } from '../domain/state-rules.js';
import type { Logger } from '../logger.js';
import type { Clock } from '../ports/clock.js';
import type { NationalDncRegistry } from '../ports/national-dnc.js';
import type { StateStore } from '../ports/state-store.js';
import type { AgentTransitions } from '../ports/agents.js';
import {
  createDropBudgetReader,
  DncCache,
  ManualDialer,
  newCallId,
  TrunkBreaker,
} from '../services/dialer/index.js';
import {
  CallOriginator,
  type OriginationPlacement,
} from '../services/telephony/ari-worker-originator.js';

/*
 * The dialer's parts built for more than one role: the origination path (per-server cap and
 * trunk breaker) the dialer and the api role's manual dials share, the DNC cache over its Redis
 * sets and the dnc table, and the entry points the api role serves (manual dials, drop budget).
 */

/**
 * The DNC cache over Redis (the sets and the national registry) and the dnc table. `national`:
 * the registry to ask (default the Redis bitsets under the same prefix).
 */
export function createDncCache(
  redis: Redis,
  keys: RedisKeys,
  pool: pg.Pool,
  logger?: Logger,
  national?: NationalDncRegistry,
): DncCache {
  return new DncCache(
    new RedisDncSets(redis, keys),
    new PgDncRows(pool),
    national ?? new RedisNationalDnc(redis, keys),
    logger,
  );
}

/**
 * The ARI client of one server, reporting every call origination's result to the breaker: those
 * into the dialplan (the customer calls the trunk carries). Legs originated into the app (agents'
 * phones, transfer targets) say nothing about the trunk and are not counted, so a process's other
 * ARI work can share this client (one per server per process: roles/api-agents.ts).
 */
export class BreakerAriClient extends AriRestClient {
  constructor(
    opts: AriRestClientOptions,
    private readonly serverId: string,
    private readonly breaker: TrunkBreaker,
  ) {
    super(opts);
  }

  override async originate(
    p: Parameters<AriRestClient['originate']>[0],
  ): ReturnType<AriRestClient['originate']> {
    if (p.context === undefined) return super.originate(p);
    try {
      const ch = await super.originate(p);
      this.breaker.ok(this.serverId);
      return ch;
    } catch (err) {
      this.breaker.failed(this.serverId, err);
      throw err;
    }
  }
}

/** Default most concurrent calls per Asterisk server (config ARI_MAX_CALLS). */
export const DEFAULT_MAX_CALLS_PER_SERVER = 500;

export interface OriginatorDeps {
  ariServers: AriServerConfig[];
  store: StateStore;
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  /** config.ariMaxCallsPerServer: most concurrent calls per server. */
  maxCallsPerServer: number;
  /** config.ariDialTemplate: how a number becomes an ARI endpoint. */
  dialTemplate?: string;
  /** Several servers: calls placed by the agents homed on each (roles/fleet.ts). */
  placement?: OriginationPlacement;
}

export interface BuiltOriginator {
  originator: CallOriginator;
  /** The servers, each capped at maxCallsPerServer and watched by the trunk breaker. */
  servers: ServerPool;
  breaker: TrunkBreaker;
  /** Stops the breaker's cool-down timers. */
  close(): void;
}

/**
 * The one place the origination path is built, for the dialer's own calls (roles/dialer.ts) and
 * for manual and preview dials (createDialerEntryPoints, in the api role): every server capped at
 * the configured calls, every client reporting to a trunk breaker that takes a failing server out
 * of the pool for a cool-down.
 */
export function createOriginator(d: OriginatorDeps): BuiltOriginator {
  const breaker = new TrunkBreaker(d.logger);
  const list: PooledServer[] = d.ariServers.map((s) => ({
    id: s.id,
    client: new BreakerAriClient(s, s.id, breaker),
    maxCalls: d.maxCallsPerServer,
  }));
  const servers = new ServerPool(list, d.store);
  breaker.attach(servers);
  const originator = new CallOriginator({
    pool: servers,
    store: d.store,
    callLog: new CallLogRepository(d.pool),
    clock: d.clock,
    logger: d.logger,
    ...(d.dialTemplate ? { dialTemplate: d.dialTemplate } : {}),
    ...(d.placement ? { placement: d.placement } : {}),
  });
  return { originator, servers, breaker, close: () => breaker.close() };
}

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
  /** config.ariMaxCallsPerServer (default DEFAULT_MAX_CALLS_PER_SERVER). */
  maxCallsPerServer?: number;
  /** How often the manual path recounts each server's live calls, ms (default 5,000). */
  loadRefreshMs?: number;
  /** State calling rules for manual dials (the api role's StateRulesCache); absent: federal only. */
  stateRules?: () => StateRuleSet;
  /** The role's agent session service (roles/api-agents.ts agentSessionService). */
  agents: AgentTransitions;
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
  /** The origination path manual dials use (same builder as the dialer's). */
  origination: BuiltOriginator;
  close(): void;
} {
  const keys = new RedisKeys(d.prefix);
  const origination = createOriginator({
    ariServers: d.ariServers,
    store: d.store,
    pool: d.pool,
    clock: d.clock,
    logger: d.logger,
    maxCallsPerServer: d.maxCallsPerServer ?? DEFAULT_MAX_CALLS_PER_SERVER,
    ...(d.dialTemplate ? { dialTemplate: d.dialTemplate } : {}),
    ...(isFleet(d.ariServers)
      ? { placement: placementOf(d.store, agentHomesOfPrefix(d.redis, d.prefix, d.ariServers)) }
      : {}),
  });
  const originator = origination.originator;
  // The cap counts every live call of a server (the dialer's too), recounted like the dialer does.
  const refresh = setInterval(() => {
    origination.servers.refresh().catch((err: unknown) => {
      d.logger.warn({ err }, 'server load recount failed');
    });
  }, d.loadRefreshMs ?? 5_000);
  refresh.unref();
  const dnc = createDncCache(d.redis, keys, d.pool, d.logger);
  const manual = new ManualDialer({
    dncTable: new PgDncRows(d.pool),
    store: d.store,
    agents: d.agents,
    originator,
    campaigns: createCampaignsRepo(createDb(d.pool)),
    leads: new PgDialerLeads(d.pool, d.logger),
    dnc,
    clock: d.clock,
    logger: d.logger,
    newCallId: () => newCallId(),
    ...(d.stateRules
      ? {
          compliance: {
            rules: d.stateRules,
            attempts: new RedisDialAttempts(d.redis, keys),
          },
        }
      : {}),
  });
  const budget = createDropBudgetReader({
    source: new PgDropLedgerSource(d.pool),
    ledger: new LedgerStore(d.redis, keys),
    clock: d.clock,
  });
  return {
    manual,
    getDropBudget: (campaignId) => budget.getDropBudget(campaignId),
    dnc,
    origination,
    close() {
      clearInterval(refresh);
      origination.close();
    },
  };
}
