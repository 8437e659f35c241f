import { CampaignLiveStore } from '../adapters/redis/dialer-live.js';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { connectRedis } from '../adapters/redis/connect.js';
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
import { checkModulesAtStart, telephonyDetails } from '../adapters/asterisk/asterisk-modules.js';
import { RedisEventBus } from '../adapters/redis/event-bus.js';
import { RedisStateStore } from '../adapters/redis/state-store.js';
import { RedisKeys } from '../adapters/redis/keys.js';
import { RedisNationalDnc } from '../adapters/redis/national-dnc.js';
import { buildApp } from '../http/app.js';
import { createTalkService } from './api-talk.js';
import { createWallThresholdsRepo } from '../adapters/postgres/wall-thresholds.js';
import { campaignsApi } from '../http/campaigns-api.js';
import type { AppDeps } from '../http/deps.js';
import { AmdAuditStore } from '../adapters/redis/dialer-state.js';
import { PgVoicemailStore } from '../adapters/postgres/voicemail.js';
import { PgLeadImportStore } from '../adapters/postgres/lead-import.js';
import { importLeads } from '../services/import/index.js';
import { createListAdminDeps } from './api-admin.js';
import type { RoleContext, RunningRole } from './context.js';
import { startAgentCallControl } from './api-agents.js';
import { startSessionSecret } from './session-secret.js';
import { recordingApiDeps } from './api-recording.js';
import { countRedisErrors } from '../adapters/metrics/instrument.js';
import { createComplianceDeps } from './compliance.js';
import { createReportsService } from './api-reports.js';
import { createListeningDeps } from './api-recordings.js';
import { PgRecordingRows } from '../adapters/storage/recording-rows.js';

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
  const redis = connectRedis(config, { connectionName: `${config.redisPrefix}:api`, logger: log });
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
    fleetSip: config.fleet.sip,
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
  const recording = recordingApiDeps(ctx, {
    db,
    redis,
    store: stateStore,
    bus: eventBus,
    logger: log,
  });
  // One repository of each kind for the whole process (the admin screens and the API share them).
  const users = createUsersRepo(pool);
  const campaignsRepo = createCampaignsRepo(db);
  // Listening and quality review (docs/recording.md): the vault the mover writes to.
  const listening = await createListeningDeps({
    pool,
    recordings: config.recordings,
    production: config.env === 'production',
    audit: createAuditLog(pool),
    amdAudit: new AmdAuditStore(redis, new RedisKeys(config.redisPrefix)),
    bus: eventBus,
    clock,
    logger: log,
  });
  const reports = createReportsService({ config, pool, clock, logger: log, metrics: ctx.metrics });
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
    users,
    audit: createAuditLog(pool),
    twoFactor: new TwoFactorService({
      repo: createTwoFactorRepo(pool),
      clock,
      requireForAdmins: config.twoFactor.requireForAdmins,
      encryptionKey: config.twoFactor.encryptionKey,
    }),
    campaigns: campaignsApi(campaignsRepo),
    leads: createLeadsRepo(db),
    dispositions: createDispositionsRepo(db),
    pauseCodes: createPauseCodesRepo(db),
    importLeads: (args) => importLeads({ store: new PgLeadImportStore(pool), logger: log }, args),
    reports: reports.service,
    admin: { users, teams: createTeamsRepo(pool), campaigns: campaignsRepo },
    listAdmin: createListAdminDeps({ pool, redis, prefix: config.redisPrefix, logger: log }),
    talk: createTalkService({
      pool,
      redis,
      prefix: config.redisPrefix,
      store: stateStore,
      bus: eventBus,
      audit: createAuditLog(pool),
      clock,
      logger: log,
    }),
    compliance: createComplianceDeps({
      pool,
      redis,
      prefix: config.redisPrefix,
      clock,
      national: new RedisNationalDnc(redis, new RedisKeys(config.redisPrefix)),
    }),
    agentSessions: control.agentSessions,
    agentDesk: control.agentDesk,
    telephony: control.telephony,
    recordingControl: recording.recordingControl,
    liveRecordings: recording.liveRecordings,
    leadConsent: recording.leadConsent,
    amdAudit: new AmdAuditStore(redis, new RedisKeys(config.redisPrefix)),
    recordingPlay: listening.recordingPlay,
    quality: listening.quality,
    legalHolds: new PgRecordingRows(pool),
    voicemail: new PgVoicemailStore(pool, config.vmMediaUrl),
    presence: control.presence,
    supervisor: control.supervisor,
    wallThresholds: createWallThresholdsRepo(pool),
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
      listening.close();
      recording.close();
      await reports.close();
      redis.disconnect();
    },
  };
}
