/**
 * The gateway under test, in its own process so that its CPU can be measured apart from the load
 * generator: the real app (buildApp) on the real Redis adapters and PostgreSQL users, on a random
 * port. Talks to run.ts over IPC: sends {port} when listening, answers {cpu} requests.
 */
import { Redis } from 'ioredis';
import pino from 'pino';
import { createAuditLog } from '../../apps/server/src/adapters/postgres/audit.js';
import { createPool } from '../../apps/server/src/adapters/postgres/pool.js';
import { createUsersRepo } from '../../apps/server/src/adapters/postgres/users.js';
import { RedisEventBus } from '../../apps/server/src/adapters/redis/event-bus.js';
import { RedisStateStore } from '../../apps/server/src/adapters/redis/state-store.js';
import { UnavailableError } from '../../apps/server/src/errors.js';
import { buildApp } from '../../apps/server/src/http/app.js';
import { systemClock } from '../../apps/server/src/ports/clock.js';

const [databaseUrl, schema, redisUrl, prefix, secret] = process.argv.slice(2);
if (!databaseUrl || !schema || !redisUrl || !prefix || !secret || !process.send) {
  console.error('gateway.ts is started by run.ts');
  process.exit(2);
}

const pool = createPool(databaseUrl, { schema, max: 10 });
const redis = new Redis(redisUrl);
const unused = async (): Promise<never> => {
  throw new UnavailableError('not used by the benchmark');
};
const app = await buildApp({
  config: {
    sessionSecret: secret,
    cookieSecure: false,
    wsHeartbeatMs: 10_000,
    wsAgentLossMs: 60_000,
  },
  logger: pino({ level: 'warn' }),
  clock: systemClock,
  users: createUsersRepo(pool),
  audit: createAuditLog(pool),
  campaigns: { list: unused, get: unused, update: unused },
  leads: { get: unused, history: unused, search: unused },
  dispositions: { forCampaign: unused },
  pauseCodes: { forCampaign: unused },
  importLeads: unused,
  agentSessions: { login: unused, ready: unused, pause: unused, logout: unused, dispose: unused },
  stateStore: new RedisStateStore(redis, { prefix }),
  eventBus: new RedisEventBus(redis, { prefix, blockMs: 1000 }),
  health: {
    postgres: async () => true,
    redis: async () => true,
    telephonyStatus: async () => ({}),
    telephonyServers: [],
  },
});
await app.listen({ host: '127.0.0.1', port: 0 });
const addr = app.server.address();
const port = addr && typeof addr === 'object' ? addr.port : 0;

process.on('message', (msg: { type: string }) => {
  if (msg.type === 'cpu') {
    const cpu = process.cpuUsage();
    process.send?.({
      type: 'cpu',
      userUs: cpu.user,
      systemUs: cpu.system,
      atMs: performance.now(),
    });
  } else if (msg.type === 'stats') {
    process.send?.({ type: 'stats', stats: app.gateway.stats() });
  } else if (msg.type === 'stop') {
    void app
      .close()
      .then(() => pool.end())
      .then(() => {
        redis.disconnect();
        process.exit(0);
      });
  }
});
process.send({ type: 'ready', port });
