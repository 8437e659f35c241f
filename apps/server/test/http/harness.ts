import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type {
  AgentId,
  Campaign,
  CampaignId,
  CampaignUpdate,
  Role,
} from '@ringside/protocol';
import { createAuditLog } from '../../src/adapters/postgres/audit.js';
import { createUsersRepo, type UserRecord } from '../../src/adapters/postgres/users.js';
import { IllegalTransitionError } from '../../src/errors.js';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { buildApp } from '../../src/http/app.js';
import { campaignsApi } from '../../src/http/campaigns-api.js';
import { hashPassword } from '../../src/http/auth.js';
import { importLeads } from '../../src/services/import/index.js';
import type {
  AgentSessionApi,
  AppConfig,
  AppDeps,
  CampaignsApi,
  ImportLeadsArgs,
} from '../../src/http/deps.js';
import { systemClock, type Clock } from '../../src/ports/clock.js';
import type { Redis } from 'ioredis';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import type { AgentStatus, StateStore } from '../../src/ports/state-store.js';
import { createTestDb, type TestDb } from '../helpers/db.js';
import { redisTestContext } from '../redis/redis-harness.js';

export const PASSWORD = 'correct horse battery';

/**
 * Agent session actions straight on the state store, until services/agent-session.ts exists;
 * enough for the gateway and route tests (legal moves only, CAS on the state).
 */
export function storeSessions(store: StateStore, clock: Clock): AgentSessionApi {
  async function move(
    agentId: AgentId,
    allowed: AgentStatus['state'][],
    to: AgentStatus['state'],
    over: Partial<AgentStatus>,
    reason: string,
  ): Promise<AgentStatus> {
    const cur = await store.getAgent(agentId);
    const from = cur?.state ?? 'LOGGED_OUT';
    if (!allowed.includes(from)) throw new IllegalTransitionError(from, to);
    const now = clock.nowMs();
    const next: AgentStatus = {
      agentId,
      state: to,
      sinceMs: now,
      campaignId: cur?.campaignId ?? null,
      callId: null,
      pauseCode: null,
      bridgeId: cur?.bridgeId ?? null,
      legChannelId: cur?.legChannelId ?? null,
      ...over,
    };
    const env = await store.transitionAgent(next, from === 'LOGGED_OUT' && !cur ? null : from, {
      type: 'agent.state_changed',
      agentId,
      campaignId: next.campaignId,
      from,
      to,
      pauseCode: next.pauseCode,
      callId: next.callId,
      reason,
      sinceMs: cur?.sinceMs ?? now,
      atMs: now,
    });
    if (!env) throw new IllegalTransitionError(from, to, 'state moved on');
    return next;
  }
  return {
    login: (id, campaignId) =>
      move(id, ['LOGGED_OUT'], 'PAUSED', { campaignId, pauseCode: 'LOGIN' }, 'agent'),
    ready: (id) => move(id, ['PAUSED', 'WRAPUP'], 'READY', {}, 'agent'),
    pause: (id, code, reason) =>
      move(id, ['READY', 'WRAPUP', 'PAUSED'], 'PAUSED', { pauseCode: code }, reason),
    logout: async (id) => move(id, ['PAUSED', 'READY'], 'LOGGED_OUT', { campaignId: null }, 'agent'),
    dispose: (id) => move(id, ['WRAPUP', 'DEAD'], 'PAUSED', { pauseCode: 'WRAPUP' }, 'agent'),
  };
}

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

export async function createHarness(config: Partial<AppConfig> = {}): Promise<Harness> {
  const db = await createTestDb('http');
  const users = createUsersRepo(db.pool);
  const audit = createAuditLog(db.pool);
  const rc = await redisTestContext('http');
  const keys = new RedisKeys(rc.prefix);
  const store = new RedisStateStore(rc.redis, { prefix: rc.prefix, approximateTrim: false });
  // Short blocking reads so that app.close() returns quickly.
  const bus = new RedisEventBus(rc.redis, { prefix: rc.prefix, blockMs: 200, approximateTrim: false });
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
    importLeads: (args) => {
      imports.push(args);
      return importLeads({ pool: db.pool, logger }, args);
    },
    agentSessions: storeSessions(store, systemClock),
    stateStore: store,
    eventBus: bus,
    health: {
      postgres: async () => health.pg && (await db.pool.query('SELECT 1')).rowCount === 1,
      redis: async () => health.redis && (await rc.redis.ping()) === 'PONG',
      telephonyStatus: async () => health.telephony,
      telephonyServers: ['pbx-a:8088', 'pbx-b:8088'],
    },
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
      const r = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { username, password },
      });
      if (r.statusCode !== 200) throw new Error(`login ${username}: ${r.statusCode} ${r.body}`);
      return (r.json() as { token: string }).token;
    },
    async close() {
      await app.close();
      await db.drop();
      await rc.cleanup();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
