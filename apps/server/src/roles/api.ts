import { randomBytes } from 'node:crypto';
import {
  RedisMonitorRegistry,
  SupervisorActions,
  pjsipEndpointOf,
} from '../services/supervisor/supervisor-actions.js';
import { CampaignLiveStore } from '../services/dialer/status-publisher.js';
import { ReportsRepository } from '../adapters/postgres/reports/reports-repository.js';
import { ReportsService } from '../services/reports/reports-service.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createAuditLog } from '../adapters/postgres/audit.js';
import { createCampaignsRepo } from '../adapters/postgres/campaigns.js';
import { createDb } from '../adapters/postgres/database.js';
import { createLeadsRepo } from '../adapters/postgres/leads.js';
import { createDispositionsRepo, createPauseCodesRepo } from '../adapters/postgres/dispositions.js';
import { createUsersRepo } from '../adapters/postgres/users.js';
import { createTwoFactorRepo } from '../adapters/postgres/two-factor.js';
import { TwoFactorService } from '../services/admin/two-factor.js';
import { createTeamsRepo } from '../adapters/postgres/teams.js';
import { telephonyHealth } from '../adapters/asterisk/telephony-health.js';
import {
  asteriskModules,
  checkModulesAtStart,
  telephonyDetails,
} from '../adapters/asterisk/asterisk-modules.js';
import { RedisEventBus } from '../adapters/redis/event-bus.js';
import { RedisStateStore } from '../adapters/redis/state-store.js';
import { RedisKeys } from '../adapters/redis/keys.js';
import { RedisNationalDnc } from '../adapters/redis/national-dnc.js';
import { buildApp } from '../http/app.js';
import { campaignsApi } from '../http/campaigns-api.js';
import type { AppDeps } from '../http/deps.js';
import { AgentSessionService } from '../services/agents/agent-session.js';
import { AgentLogRepository } from '../adapters/postgres/agent-log.js';
import { AriRestClient } from '../adapters/asterisk/ari-client.js';
import type { Db } from '../adapters/postgres/database.js';
import {
  RedisAgentPresence,
  RedisPendingPause,
  RedisTransferStore,
} from '../adapters/redis/presence.js';
import type { AriServerConfig, SipConfig } from '../config.js';
import type { Logger } from '../logger.js';
import type { Clock } from '../ports/clock.js';
import type { EventBus, Subscription } from '../ports/event-bus.js';
import type { StateStore } from '../ports/state-store.js';
import { AgentLegService } from '../services/telephony/agent-leg.js';
import { AgentTelephonyService } from '../services/telephony/agent-telephony.js';
import { SipAccountService } from '../services/telephony/sip-accounts.js';
import {
  createAgentSessionApi,
  DispositionService,
  startCustomerHangupWatcher,
  WrapupSweeper,
} from '../services/agents/disposition.js';
import { AmdAuditStore, DialerKeys, createDialerEntryPoints } from '../services/dialer/index.js';
import type pg from 'pg';
import { importLeads } from '../services/import/index.js';
import { createListAdminDeps } from '../http/routes/admin-lists-deps.js';
import type { RoleContext, RunningRole } from './context.js';
import { UnavailableError } from '../errors.js';
import { RedisAgentLegIndex } from '../adapters/redis/agent-leg-index.js';
import { startSessionSecret } from '../http/session-secret.js';
import { countRedisErrors } from '../adapters/metrics/instrument.js';
import { PgStateRules } from '../adapters/postgres/state-rules.js';
import { createComplianceDeps, StateRulesCache } from '../services/compliance/index.js';

/** The agent panel's build (npm run web:build), relative to this file in the repository. */
const WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

/**
 * Role `api`: the HTTP API and the WebSocket gateway on config.http. Reads PostgreSQL for users,
 * campaigns and imports, and Redis for live state and events; holds no state of its own beyond
 * the sockets, so several api processes can run behind a load balancer.
 */
export async function startApi(ctx: RoleContext): Promise<RunningRole> {
  const { config, logger, pool, clock } = ctx;
  const log = logger.child({ role: 'api' });
  // One line per process on what Asterisk lacks; the browser phones' codecs follow its answer.
  checkModulesAtStart(ctx.ariServers, logger);
  const redis = new Redis(config.redisUrl, { connectionName: `${config.redisPrefix}:api` });
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection error'));
  if (ctx.metrics) countRedisErrors(ctx.metrics, redis);
  const db = createDb(pool);
  const stateStore = new RedisStateStore(redis, { prefix: config.redisPrefix, clock });
  const eventBus = new RedisEventBus(redis, { prefix: config.redisPrefix, clock, logger: log });

  const control = await startAgentCallControl({
    pool,
    db,
    redis,
    prefix: config.redisPrefix,
    store: stateStore,
    bus: eventBus,
    clock,
    logger: log,
    ariServers: ctx.ariServers,
    simulated: config.ari.length === 0,
    sip: config.sip,
    app: config.ariApp,
    dialTemplate: config.ariDialTemplate,
    maxCallsPerServer: config.ariMaxCallsPerServer,
  });

  // SESSION_SECRET, else the one generated in PostgreSQL (re-read: session:rotate signs out).
  const sessionSecret = await startSessionSecret({
    configured: config.sessionSecret,
    pool,
    logger: log,
  });
  const deps: AppDeps = {
    config: {
      get sessionSecret() {
        return sessionSecret.current();
      },
      cookieSecure: config.cookieSecure,
      trustProxy: config.trustProxy,
      production: config.env === 'production',
      connectSources: config.sip ? [new URL(config.sip.wsUri).origin] : [],
      webRoot: WEB_DIST,
      metricsToken: config.metrics.token,
    },
    logger: log,
    clock,
    users: createUsersRepo(pool),
    audit: createAuditLog(pool),
    twoFactor: new TwoFactorService({
      repo: createTwoFactorRepo(pool),
      clock,
      requireForAdmins: config.twoFactor.requireForAdmins,
      encryptionKey: config.twoFactor.encryptionKey,
    }),
    campaigns: campaignsApi(createCampaignsRepo(db)),
    leads: createLeadsRepo(db),
    dispositions: createDispositionsRepo(db),
    pauseCodes: createPauseCodesRepo(db),
    importLeads: (args) => importLeads({ pool, logger: log }, args),
    reports: new ReportsService(new ReportsRepository(pool), clock),
    admin: {
      users: createUsersRepo(pool),
      teams: createTeamsRepo(pool),
      campaigns: createCampaignsRepo(db),
    },
    listAdmin: createListAdminDeps({ pool, redis, prefix: config.redisPrefix, logger: log }),
    compliance: createComplianceDeps({
      pool,
      redis,
      prefix: config.redisPrefix,
      clock,
      national: new RedisNationalDnc(redis, new RedisKeys(config.redisPrefix)),
    }),
    agentSessions: control.agentSessions,
    telephony: control.telephony,
    amdAudit: new AmdAuditStore(redis, new DialerKeys(config.redisPrefix)),
    presence: control.presence,
    supervisor: control.supervisor,
    campaignLive: new CampaignLiveStore(redis, new RedisKeys(config.redisPrefix)),
    stateStore,
    eventBus,
    health: {
      postgres: async () => (await pool.query('SELECT 1')).rowCount === 1,
      redis: async () => (await redis.ping()) === 'PONG',
      telephonyStatus: async () =>
        Object.fromEntries(telephonyHealth.snapshot().map((s) => [s.serverId, s.up])),
      telephonyServers: ctx.ariServers.map((s) => s.id),
      telephonyDetails: () => telephonyDetails(ctx.ariServers.map((s) => s.id)),
    },
    // An api process without an ari-worker learns telephony status from the bus.
    observeEvent: (env) => {
      if (env.event.type === 'telephony.status') telephonyHealth.apply(env.event);
    },
    ...(ctx.metrics ? { metrics: ctx.metrics } : {}),
  };

  const app = await buildApp(deps);
  await app.listen({ host: config.http.host, port: config.http.port });
  log.info({ host: config.http.host, port: config.http.port }, 'api listening');

  return {
    name: 'api',
    async stop() {
      await app.close();
      sessionSecret.stop();
      await control.stop();
      redis.disconnect();
    },
  };
}

export interface AgentCallControlDeps {
  pool: pg.Pool;
  db: Db;
  redis: Redis;
  /** REDIS_PREFIX. */
  prefix: string;
  store: StateStore;
  bus: EventBus;
  clock: Clock;
  logger: Logger;
  ariServers: AriServerConfig[];
  /** The simulated PBX (no ARI_URL): phone legs are simulated through the API. */
  simulated: boolean;
  app: string;
  dialTemplate: string;
  /** config.ariMaxCallsPerServer: the cap manual dials share with the dialer (per server). */
  maxCallsPerServer?: number;
  /** The browser phones' SIP settings (config.sip); with a real Asterisk, softphone accounts. */
  sip?: SipConfig | null;
  /** Wrap-up timeout check period, ms (default 1,000). */
  wrapupCheckMs?: number;
}

export interface AgentCallControl {
  agentSessions: AppDeps['agentSessions'];
  telephony: AgentTelephonyService;
  presence: RedisAgentPresence;
  dispositions: DispositionService;
  sweeper: WrapupSweeper;
  /** Force pause/logout, dial changes and monitoring, with real ARI for hang-ups and legs. */
  supervisor: SupervisorActions;
  stop(): Promise<void>;
}

/**
 * The agent's call control in the api role: dispositions, the wrap-up timeout (a sweep every
 * second, in this role), the customer-hang-up watcher (INCALL -> DEAD), heartbeat presence in
 * Redis, and telephony commands over ARI REST to the call's own Asterisk server. Manual dials
 * use the dialer's entry points (services/dialer/factory.ts), the same origination path as the
 * dialer's calls.
 */
export async function startAgentCallControl(d: AgentCallControlDeps): Promise<AgentCallControl> {
  const sessions = new AgentSessionService({
    store: d.store,
    log: new AgentLogRepository(d.pool),
    clock: d.clock,
    logger: d.logger,
  });
  const pendingPauses = new RedisPendingPause(d.redis, d.prefix);
  // Manual dials check the state calling rules like the dialer (re-read on change, every 30 s).
  const stateRules = new StateRulesCache(new PgStateRules(d.pool), d.logger);
  await stateRules.start(d.bus);
  const entry = createDialerEntryPoints({
    stateRules: () => stateRules.current(),
    pool: d.pool,
    redis: d.redis,
    prefix: d.prefix,
    store: d.store,
    clock: d.clock,
    logger: d.logger,
    ariServers: d.ariServers,
    dialTemplate: d.dialTemplate,
    ...(d.maxCallsPerServer !== undefined ? { maxCallsPerServer: d.maxCallsPerServer } : {}),
  });
  const dispositions = new DispositionService({
    db: d.db,
    store: d.store,
    sessions,
    dispositions: createDispositionsRepo(d.db),
    campaigns: createCampaignsRepo(d.db),
    pendingPauses,
    dncCache: entry.dnc,
    clock: d.clock,
    logger: d.logger,
  });
  const aris = new Map(d.ariServers.map((s) => [s.id, new AriRestClient(s)]));
  // Agents' legs and bridges live on the first server (docs/agent-calls.md: one server per site).
  const legServer = d.ariServers[0];
  const legAri = legServer ? aris.get(legServer.id) : undefined;
  const legs = legAri
    ? new AgentLegService({
        ari: legAri,
        store: d.store,
        agents: sessions,
        app: d.app,
        logger: d.logger,
        // So the ARI worker knows these legs when they are lost (services/telephony/agent-leg.ts), and on
        // which server to look for them at a resync.
        index: new RedisAgentLegIndex(d.redis, d.prefix),
        serverId: legServer?.id,
      })
    : null;
  // Softphone accounts on the server the agents' legs live on (deploy/asterisk/sorcery.conf);
  // none on the simulated PBX, which has no SIP.
  const sipAccounts =
    legAri && d.sip && !d.simulated
      ? new SipAccountService({
          ari: legAri,
          settings: d.sip,
          logger: d.logger,
          clock: d.clock,
          // G.711, plus Opus where the module check saw codec_opus (asterisk-modules.ts).
          codecs: () => asteriskModules.codecsFor(legServer?.id ?? ''),
        })
      : null;
  const telephony = new AgentTelephonyService({
    store: d.store,
    sessions,
    aris,
    legServerId: legServer?.id ?? '',
    legs: legs ?? {
      attach: () => Promise.reject(new UnavailableError('no Asterisk server is configured')),
      detach: () => Promise.reject(new UnavailableError('no Asterisk server is configured')),
    },
    users: createUsersRepo(d.pool),
    wrapupMs: async (campaignId) => (await dispositions.campaign(campaignId)).wrapupMs,
    manual: entry.manual,
    pool: d.pool,
    transfers: new RedisTransferStore(d.redis, d.prefix),
    simulated: d.simulated,
    ...(sipAccounts
      ? {
          sipAccount: (user) => sipAccounts.account(user),
          removeSipAccount: (user) => sipAccounts.remove(user),
        }
      : {}),
    dialTemplate: d.dialTemplate,
    app: d.app,
    clock: d.clock,
    logger: d.logger,
  });
  const agentSessions = createAgentSessionApi({
    sessions,
    dispositions,
    pendingPauses,
    store: d.store,
    // The status no longer names the leg after the logout: the effect carries it.
    endLeg: async (agentId, legChannelId) => legs?.detach(agentId, { legChannelId }),
    hangupCall: async (callId) => {
      const call = await d.store.getCall(callId);
      if (call) await aris.get(call.serverId)?.hangup(call.channelId, 'normal');
    },
    logger: d.logger,
  });
  const sweeper = new WrapupSweeper({
    store: d.store,
    sessions,
    dispositions,
    pendingPauses,
    clock: d.clock,
    logger: d.logger,
  });
  sweeper.start(d.wrapupCheckMs ?? 1_000);
  let watcher: Subscription | null = null;
  try {
    watcher = await startCustomerHangupWatcher({
      bus: d.bus,
      store: d.store,
      sessions,
      logger: d.logger,
    });
  } catch (err) {
    await sweeper.stop();
    throw err;
  }
  const supervisor = new SupervisorActions({
    sessions,
    store: d.store,
    audit: createAuditLog(d.pool),
    logger: d.logger,
    hangupCall: async (call) => {
      await aris.get(call.serverId)?.hangup(call.channelId, 'normal');
    },
    endLeg: async (agentId, legChannelId) => {
      await legs?.detach(agentId, { legChannelId });
    },
    monitors: new RedisMonitorRegistry(d.redis, new RedisKeys(d.prefix)),
    bus: d.bus,
    supervisorName: async (id) => (await createUsersRepo(d.pool).findById(id))?.displayName ?? '',
    clock: d.clock,
    ...(legAri
      ? {
          monitor: {
            ari: legAri,
            app: d.app,
            endpointOf: pjsipEndpointOf(createUsersRepo(d.pool)),
            newId: () => randomBytes(6).toString('hex'),
          },
        }
      : {}),
  });
  return {
    agentSessions,
    telephony,
    supervisor,
    presence: new RedisAgentPresence(d.redis, d.prefix),
    dispositions,
    sweeper,
    async stop() {
      await sweeper.stop();
      await watcher?.close();
      await stateRules.stop();
    },
  };
}
