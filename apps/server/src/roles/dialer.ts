import { checkModulesAtStart } from '../adapters/asterisk/asterisk-modules.js';
import { telephonyHealth } from '../adapters/asterisk/telephony-health.js';
import { connectRedis } from '../adapters/redis/connect.js';
import { AgentLogRepository } from '../adapters/postgres/agent-log.js';
import { CallLogRepository } from '../adapters/postgres/call-log.js';
import { ledgerFromCallLog, PgDropLedgerSource } from '../adapters/postgres/drop-ledger.js';
import { createCampaignsRepo } from '../adapters/postgres/campaigns.js';
import { createDb } from '../adapters/postgres/database.js';
import { RedisEventBus } from '../adapters/redis/event-bus.js';
import { PgVoicemailStore } from '../adapters/postgres/voicemail.js';
import { RedisHopper } from '../adapters/redis/hopper.js';
import { RedisDialAttempts } from '../adapters/redis/dial-attempts.js';
import { PgStateRules } from '../adapters/postgres/state-rules.js';
import { StateRulesCache } from '../services/compliance/state-rules-cache.js';
import { RedisKeys } from '../adapters/redis/keys.js';
import { createRefillRequester } from './scheduler.js';
import { RedisStateStore } from '../adapters/redis/state-store.js';
import type { EventBus } from '../ports/event-bus.js';
import type { Hopper } from '../ports/hopper.js';
import type { StateStore } from '../ports/state-store.js';
import { AgentSessionService } from '../services/agents/agent-session.js';
import { DialerService, DncCache, dialerInstanceId, newCallId } from '../services/dialer/index.js';
import { DialerStatusPublisher } from '../services/dialer/status-publisher.js';
import { PgDialerLeads } from '../adapters/postgres/dialer-leads.js';
import { CampaignLiveStore } from '../adapters/redis/dialer-live.js';
import {
  AmdAuditStore,
  CampaignLeases,
  LedgerStore,
  PacingControlStore,
} from '../adapters/redis/dialer-state.js';
import { scaledTimers, type HandoffSample } from '../ports/dialer.js';
import { createDncCache, createOriginator, DEFAULT_MAX_CALLS_PER_SERVER } from './dialer-parts.js';
import { agentHomesOf, isFleet, placementOf, trunkDialOf } from './fleet.js';
import { FleetTrunkCrossing } from '../services/telephony/fleet-trunk.js';
import { countRedisErrors } from '../adapters/metrics/instrument.js';
import { createDropBudgetReader } from '../services/dialer/drop-budget.js';
import { countEstimatedDrops, reportDialerMetrics } from '../services/dialer/dialer-metrics.js';
import type { RoleContext, RunningRole } from './context.js';

/** Overrides for tests and simulations; production uses none. */
export interface DialerRoleDeps {
  store?: StateStore;
  bus?: EventBus;
  hopper?: Hopper;
  /** Virtual time runs this many times faster than the wall clock (ctx.clock must agree). */
  timeScale?: number;
  instanceId?: string;
  /** Lease TTL, ms of wall clock (default 5,000). */
  leaseTtlMs?: number;
  /** Pacing decisions at least this often, ms of wall clock (default 250). */
  tickIntervalMs?: number;
  /** See DriverDeps.safeHarborStartMs; default 250 ms of wall clock, scaled. */
  safeHarborStartMs?: number;
  /** Most concurrent calls per Asterisk server (default 500). */
  maxCallsPerServer?: number;
  dialTemplate?: string;
  onHandoff?(sample: HandoffSample): void;
}

export interface RunningDialer extends RunningRole {
  service: DialerService;
  dnc: DncCache;
  instanceId: string;
}

/**
 * Role `dialer`: drives every active campaign it holds the Redis lease of (docs/dialer.md).
 * Several instances may run; each campaign is driven by exactly one of them at a time.
 */
export async function startDialer(
  ctx: RoleContext,
  deps: DialerRoleDeps = {},
): Promise<RunningDialer> {
  const log = ctx.logger.child({ role: 'dialer' });
  const speed = deps.timeScale ?? 1;
  const redis = connectRedis(ctx.config, { maxRetriesPerRequest: 3, logger: log });
  const prefix = ctx.config.redisPrefix;
  const store = deps.store ?? new RedisStateStore(redis, { prefix, clock: ctx.clock });
  const bus = deps.bus ?? new RedisEventBus(redis, { prefix, clock: ctx.clock, logger: log });
  // Refill at once when a hopper runs low, rather than waiting for the scheduler's next round:
  // below half of the most it held since start (a proxy for its configured size), a deduplicated
  // BullMQ refill job is added; the scheduler role runs it.
  const refills = deps.hopper ? null : createRefillRequester(ctx.config, prefix);
  const highWater = new Map<string, number>();
  const hopper =
    deps.hopper ??
    new RedisHopper(redis, {
      prefix,
      onPopped: (campaignId, queued) => {
        const most = Math.max(highWater.get(campaignId) ?? 0, queued + 1);
        highWater.set(campaignId, most);
        if (queued < Math.max(10, most / 2)) {
          refills
            ?.request(campaignId)
            .catch((err: unknown) => log.warn({ err, campaignId }, 'hopper refill not requested'));
        }
      },
    });
  const keys = new RedisKeys(prefix);
  // Reservations of the live-answer hand-off get their own connection (see DriverDeps).
  const handoffRedis = connectRedis(ctx.config, { maxRetriesPerRequest: 3, logger: log });
  if (ctx.metrics) countRedisErrors(ctx.metrics, redis, handoffRedis);
  const handoffStore =
    deps.store ?? new RedisStateStore(handoffRedis, { prefix, clock: ctx.clock });
  // Several Asterisk servers: calls placed by the agents homed on each, handed to an agent on
  // the customer's server first, else over the trunk (docs/telephony.md, "Asterisk fleet").
  const fleetHomes = isFleet(ctx.ariServers)
    ? agentHomesOf(handoffRedis, ctx.config, ctx.ariServers)
    : null;
  const db = createDb(ctx.pool);
  const campaigns = createCampaignsRepo(db);
  const agents = new AgentSessionService({
    store,
    log: new AgentLogRepository(ctx.pool),
    clock: ctx.clock,
    logger: log,
  });

  // The same builder as the manual dials' (roles/dialer-parts.ts): cap and trunk breaker.
  const {
    originator,
    servers: pool,
    close: closeOriginator,
  } = createOriginator({
    ariServers: ctx.ariServers,
    store,
    pool: ctx.pool,
    clock: ctx.clock,
    logger: log,
    maxCallsPerServer:
      deps.maxCallsPerServer ?? ctx.config.ariMaxCallsPerServer ?? DEFAULT_MAX_CALLS_PER_SERVER,
    dialTemplate: deps.dialTemplate ?? ctx.config.ariDialTemplate,
    ...(fleetHomes ? { placement: placementOf(store, fleetHomes) } : {}),
  });
  if (ctx.ariServers.length === 0)
    log.error('no Asterisk server configured: the dialer cannot place calls');
  // One line per process on what Asterisk lacks (adapters/asterisk/asterisk-modules.ts).
  checkModulesAtStart(ctx.ariServers, ctx.logger);
  const dnc = createDncCache(redis, keys, ctx.pool, log);
  const ledger = new LedgerStore(redis, keys);
  const leads = new PgDialerLeads(ctx.pool, log);
  const instanceId = deps.instanceId ?? dialerInstanceId();
  const leases = new CampaignLeases(redis, keys, instanceId, deps.leaseTtlMs ?? 5_000);

  // Supervisors' campaign header: dialer.status events, published on change (docs/supervisor.md).
  const statusPublisher = new DialerStatusPublisher({
    live: new CampaignLiveStore(redis, keys),
    hopper,
    bus,
    store,
    clock: ctx.clock,
    logger: log,
  });
  await statusPublisher.start();

  await pool.refresh();
  await dnc.rebuild((await campaigns.list({ activeOnly: true })).map((c) => c.id));
  // State calling rules in memory, re-read on compliance.state_rules_changed and every 30 s.
  const stateRules = new StateRulesCache(new PgStateRules(ctx.pool), log);
  await stateRules.start(bus);

  const service = new DialerService({
    instanceId,
    store,
    handoffStore,
    hopper,
    originator,
    ari: (serverId) => pool.server(serverId)?.client ?? null,
    ...(fleetHomes
      ? {
          fleet: {
            near: fleetHomes,
            homes: fleetHomes,
            defaultServerId: fleetHomes.defaultServerId,
            // Servers whose ARI connection their ari-worker reports lost (telephony.status).
            down: () =>
              telephonyHealth
                .snapshot()
                .filter((s) => !s.up)
                .map((s) => s.serverId),
            crossing: new FleetTrunkCrossing({
              ari: (serverId) => pool.server(serverId)?.client ?? null,
              trunkDial: trunkDialOf(ctx.config.fleet.trunkDial, ctx.ariServers),
              app: ctx.config.ariApp,
              logger: log,
            }),
          },
        }
      : {}),
    agents,
    dnc,
    leads,
    ledger: ctx.metrics ? countEstimatedDrops(ledger, ctx.metrics) : ledger,
    callLog: new CallLogRepository(ctx.pool),
    pacingControl: new PacingControlStore(redis, keys, instanceId),
    amdAudit: new AmdAuditStore(redis, keys),
    voicemail: {
      store: new PgVoicemailStore(ctx.pool, ctx.config.vmMediaUrl),
      publish: (event) => bus.publish(event),
    },
    statusObserver: statusPublisher,
    clock: ctx.clock,
    timers: scaledTimers(speed),
    logger: log,
    newCallId: () => newCallId(),
    perfNow: () => performance.now(),
    hopperLeaseMs: 30_000,
    safeHarborStartMs: deps.safeHarborStartMs ?? 250 * speed,
    maxLinesPerAgent: 3,
    ...(deps.onHandoff ? { onHandoff: deps.onHandoff } : {}),
    ...(ctx.metrics ? { metrics: ctx.metrics } : {}),
    compliance: {
      rules: () => stateRules.current(),
      attempts: new RedisDialAttempts(redis, keys),
    },
    campaigns,
    leases,
    bus,
    // A dialer without the ari-worker in its process learns each server's up/down from the bus.
    observeEvent: (env) => {
      if (env.event.type === 'telephony.status') telephonyHealth.apply(env.event);
    },
    rebuildLedger: async (campaignId) => {
      await ledger.replace(
        campaignId,
        await ledgerFromCallLog(ctx.pool, campaignId, ctx.clock.nowMs()),
      );
    },
    housekeeping: [
      { everyMs: 1_000, run: () => dnc.syncNew() },
      { everyMs: 5_000, run: () => pool.refresh() },
      {
        everyMs: 10 * 60_000,
        run: async () => dnc.rebuild((await campaigns.list({ activeOnly: true })).map((c) => c.id)),
      },
    ],
    ...(deps.tickIntervalMs ? { tickIntervalMs: deps.tickIntervalMs } : {}),
  });
  await service.start();
  const stopMetrics = ctx.metrics
    ? reportDialerMetrics(ctx.metrics, {
        driven: () => service.driven(),
        hopper,
        budget: createDropBudgetReader({
          source: new PgDropLedgerSource(ctx.pool),
          ledger,
          clock: ctx.clock,
        }),
      })
    : () => undefined;
  log.info({ instanceId }, 'dialer started');
  return {
    name: 'dialer',
    service,
    dnc,
    instanceId,
    async stop() {
      stopMetrics();
      await service.stop();
      await stateRules.stop();
      await statusPublisher.close();
      closeOriginator();
      await refills?.close().catch(() => undefined);
      await redis.quit().catch(() => undefined);
      await handoffRedis.quit().catch(() => undefined);
    },
  };
}
