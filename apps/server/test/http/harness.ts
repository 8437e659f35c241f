import { createWallThresholdsRepo } from '../../src/adapters/postgres/wall-thresholds.js';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { Role } from '@ringside/protocol';
import { createAuditLog } from '../../src/adapters/postgres/audit.js';
import { createUsersRepo } from '../../src/adapters/postgres/users.js';
import { type UserRecord } from '../../src/ports/users.js';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { createLeadsRepo } from '../../src/adapters/postgres/leads.js';
import {
  createDispositionsRepo,
  createPauseCodesRepo,
} from '../../src/adapters/postgres/dispositions.js';
import { buildApp } from '../../src/http/app.js';
import { agentControlWithoutTelephony } from '../../src/roles/api-agents.js';
import { campaignsApi } from '../../src/http/campaigns-api.js';
import { hashPassword } from '../../src/http/auth.js';
import { PgLeadImportStore } from '../../src/adapters/postgres/lead-import.js';
import { importLeads } from '../../src/services/import/index.js';
import { createComplianceDeps } from '../../src/roles/compliance.js';
import type { AppConfig, AppDeps, ImportLeadsArgs } from '../../src/http/deps.js';
import { systemClock } from '../../src/ports/clock.js';
import type { Redis } from 'ioredis';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { agentsCoreOn } from '../helpers/agents-core.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { redisTestContext } from '../redis/redis-harness.js';
import { signInWithSecondFactor } from '../helpers/two-factor.js';

export const PASSWORD = 'correct horse battery';

export interface Harness {
  app: FastifyInstance;
  db: TestDb;
  /** The real Redis adapters under a unique key prefix. */
  bus: RedisEventBus;
  store: RedisStateStore;
  redis: Redis;
  keys: RedisKeys;
  deps: AppDeps;
  /** The campaign created for the tests (id of the campaign and its list). */
  campaignId: string;
  imports: ImportLeadsArgs[];
  /** A campaign and list in PostgreSQL for imports. */
  listId: string;
  users: Record<'admin' | 'supervisor' | 'agent' | 'agent2', UserRecord>;
  health: { pg: boolean; redis: boolean; telephony: Record<string, boolean> };
  /** Signs in through the API; returns the session token. */
  login(username: string, password?: string): Promise<string>;
  close(): Promise<void>;
}

export async function createHarness(
  config: Partial<AppConfig> = {},
  extra: Pick<
    Partial<AppDeps>,
    'presence' | 'telephony' | 'metrics' | 'twoFactor' | 'liveRecordings'
  > = {},
): Promise<Harness> {
  const db = await createTestDb('http');
  const users = createUsersRepo(db.pool);
  const audit = createAuditLog(db.pool);
  const rc = await redisTestContext('http');
  const keys = new RedisKeys(rc.prefix);
  const store = new RedisStateStore(rc.redis, { prefix: rc.prefix, approximateTrim: false });
  // Short blocking reads so that app.close() returns quickly.
  const bus = new RedisEventBus(rc.redis, {
    prefix: rc.prefix,
    blockMs: 200,
    approximateTrim: false,
  });
  const imports: Harness['imports'] = [];
  const health = { pg: true, redis: true, telephony: { 'pbx-a:8088': true } };
  const hash = await hashPassword(PASSWORD);
  const mk = (username: string, role: Role) =>
    users.create({ username, displayName: username, role, passwordHash: hash });
  const made = {
    admin: await mk('admin', 'admin'),
    supervisor: await mk('super', 'supervisor'),
    agent: await mk('agent1', 'agent'),
    agent2: await mk('agent2', 'agent'),
  };
  const logger = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const campaignsRepo = createCampaignsRepo(createDb(db.pool));
  const camp = await campaignsRepo.create({ name: 'Spring', script: 'Hello {{first_name}}' });
  const campaigns = campaignsApi(campaignsRepo);
  const list = await db.pool.query<{ id: string }>(
    "INSERT INTO lists (campaign_id, name) VALUES ($1, 'L1') RETURNING id::text AS id",
    [camp.id],
  );
  const listId = list.rows[0]?.id ?? '';
  const deps: AppDeps = {
    wallThresholds: createWallThresholdsRepo(db.pool),
    // State rules and why-not-dialed (routes/compliance.ts), on this harness's database and Redis.
    compliance: createComplianceDeps({
      pool: db.pool,
      redis: rc.redis,
      prefix: rc.prefix,
      clock: systemClock,
    }),
    config: {
      sessionSecret: 'test-secret-0123456789abcdef0123456789',
      cookieSecure: false,
      ...config,
    },
    logger,
    clock: systemClock,
    users,
    audit,
    campaigns,
    leads: createLeadsRepo(createDb(db.pool)),
    dispositions: createDispositionsRepo(createDb(db.pool)),
    pauseCodes: createPauseCodesRepo(createDb(db.pool)),
    importLeads: (args) => {
      imports.push(args);
      return importLeads({ store: new PgLeadImportStore(db.pool), logger }, args);
    },
    // The api role's sessions, dispositions and supervisor actions, without Asterisk.
    ...agentControlWithoutTelephony(
      agentsCoreOn(db, rc, { store, bus, clock: systemClock, logger }),
    ),
    stateStore: store,
    eventBus: bus,
    health: {
      postgres: async () => health.pg && (await db.pool.query('SELECT 1')).rowCount === 1,
      redis: async () => health.redis && (await rc.redis.ping()) === 'PONG',
      telephonyStatus: async () => health.telephony,
      telephonyServers: ['pbx-a:8088', 'pbx-b:8088'],
    },
    ...extra,
  };
  const app = await buildApp(deps);
  await app.ready();
  return {
    app,
    db,
    bus,
    store,
    redis: rc.redis,
    keys,
    deps,
    campaignId: camp.id,
    imports,
    listId,
    users: made,
    health,
    async login(username, password = PASSWORD) {
      // With extra.twoFactor wired, an admin enrols on first sign-in and gives codes afterwards.
      const r = await signInWithSecondFactor(
        async (url, payload) => {
          const res = await app.inject({ method: 'POST', url, payload: payload as object });
          return { status: res.statusCode, body: res.json() as unknown };
        },
        db.schema,
        username,
        password,
      );
      return r.token;
    },
    async close() {
      await app.close();
      await db.drop();
      await rc.cleanup();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
