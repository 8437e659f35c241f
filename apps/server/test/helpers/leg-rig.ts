import { Redis } from 'ioredis';
import { startSimPbx, type SimPbx } from '@ringside/sim';
import type { AgentStateChanged } from '@ringside/protocol';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { AgentLogRepository } from '../../src/adapters/postgres/agent-log.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { systemClock } from '../../src/ports/clock.js';
import type { RunningRole } from '../../src/roles/context.js';
import { AgentSessionService } from '../../src/services/agents/agent-session.js';
import { createTestDb, type TestDb } from './db.js';
import { TEST_REDIS_URL } from './redis.js';
import { simWorkerSetup, startSimWorker, type SimWorkerSetup } from './sim-worker.js';

/**
 * The agents' phone legs through the ari-worker role as main.ts starts it (its own leg handler,
 * AgentLegService.workerHandler), on the simulated PBX with the real PostgreSQL and Redis: a
 * state store and agent sessions under the worker's prefix, and every agent.state_changed of
 * that prefix collected in `agentEvents`.
 */
export interface LegRig {
  db: TestDb;
  pbx: SimPbx;
  sim: SimWorkerSetup;
  redis: Redis;
  store: RedisStateStore;
  sessions: AgentSessionService;
  worker: RunningRole;
  ari: AriRestClient;
  agentEvents: AgentStateChanged[];
  close(): Promise<void>;
}

export async function startLegRig(
  label: string,
  app: string,
  pbxOptions: Parameters<typeof startSimPbx>[0] = {},
): Promise<LegRig> {
  const db = await createTestDb(label);
  const pbx = await startSimPbx({ port: 0, ...pbxOptions });
  const sim = simWorkerSetup(label, pbx, app);
  const redis = new Redis(TEST_REDIS_URL);
  const store = new RedisStateStore(redis, { prefix: sim.prefix });
  const bus = new RedisEventBus(redis, { prefix: sim.prefix, blockMs: 200 });
  const sessions = new AgentSessionService({
    store,
    log: new AgentLogRepository(db.pool),
    clock: systemClock,
  });
  const agentEvents: AgentStateChanged[] = [];
  const sub = await bus.subscribe({
    from: 'latest',
    onEvent: (env) => {
      if (env.event.type === 'agent.state_changed') agentEvents.push(env.event);
    },
  });
  // No agentLegs override: the role's own handler.
  const worker = await startSimWorker(db.pool, pbx, sim);
  const ari = new AriRestClient(sim.server);
  return {
    db,
    pbx,
    sim,
    redis,
    store,
    sessions,
    worker,
    ari,
    agentEvents,
    async close() {
      await sub.close();
      await worker.stop();
      ari.close();
      redis.disconnect();
      await pbx.stop();
      await db.drop();
    },
  };
}
