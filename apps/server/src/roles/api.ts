import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { createAuditLog } from '../adapters/postgres/audit.js';
import { createCampaignsRepo } from '../adapters/postgres/campaigns.js';
import { createDb } from '../adapters/postgres/database.js';
import { createLeadsRepo } from '../adapters/postgres/leads.js';
import { createDispositionsRepo, createPauseCodesRepo } from '../adapters/postgres/dispositions.js';
import { createUsersRepo } from '../adapters/postgres/users.js';
import { telephonyHealth } from '../adapters/asterisk/telephony-health.js';
import { RedisEventBus } from '../adapters/redis/event-bus.js';
import { RedisStateStore } from '../adapters/redis/state-store.js';
import { buildApp } from '../http/app.js';
import { campaignsApi } from '../http/campaigns-api.js';
import type { AppDeps } from '../http/deps.js';
import { agentSessionApi } from '../http/agent-session-api.js';
import { AgentSessionService } from '../services/agent-session.js';
import { AgentLogRepository } from '../adapters/postgres/agent-log.js';
import { importLeads } from '../services/import/index.js';
import type { RoleContext, RunningRole } from './context.js';

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
  const redis = new Redis(config.redisUrl, { connectionName: `${config.redisPrefix}:api` });
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection error'));
  const db = createDb(pool);
  const stateStore = new RedisStateStore(redis, { prefix: config.redisPrefix, clock });
  const eventBus = new RedisEventBus(redis, { prefix: config.redisPrefix, clock, logger: log });

  const agentSessions = agentSessionApi(
    new AgentSessionService({
      store: stateStore,
      log: new AgentLogRepository(pool),
      clock,
      logger: log,
    }),
    log,
  );

  const deps: AppDeps = {
    config: {
      sessionSecret: config.sessionSecret,
      cookieSecure: config.cookieSecure,
      webRoot: WEB_DIST,
    },
    logger: log,
    clock,
    users: createUsersRepo(pool),
    audit: createAuditLog(pool),
    campaigns: campaignsApi(createCampaignsRepo(db)),
    leads: createLeadsRepo(db),
    dispositions: createDispositionsRepo(db),
    pauseCodes: createPauseCodesRepo(db),
    importLeads: (args) => importLeads({ pool, logger: log }, args),
    agentSessions,
    stateStore,
    eventBus,
    health: {
      postgres: async () => (await pool.query('SELECT 1')).rowCount === 1,
      redis: async () => (await redis.ping()) === 'PONG',
      telephonyStatus: async () =>
        Object.fromEntries(telephonyHealth.snapshot().map((s) => [s.serverId, s.up])),
      telephonyServers: ctx.ariServers.map((s) => s.id),
    },
    // An api process without an ari-worker learns telephony status from the bus.
    observeEvent: (env) => {
      if (env.event.type === 'telephony.status') telephonyHealth.apply(env.event);
    },
  };

  const app = await buildApp(deps);
  await app.listen({ host: config.http.host, port: config.http.port });
  log.info({ host: config.http.host, port: config.http.port }, 'api listening');

  return {
    name: 'api',
    async stop() {
      await app.close();
      redis.disconnect();
    },
  };
}
