import { Redis } from 'ioredis';
import type pg from 'pg';
// apps/sim has no package exports yet; the source is imported directly.
import { RealScheduler, startSimPbx, type SimPbx } from '../../../sim/src/index.js';
import { AriRestClient } from '../../src/adapters/asterisk/ari-client.js';
import { TelephonyHealth } from '../../src/adapters/asterisk/telephony-health.js';
import { createCampaignsRepo } from '../../src/adapters/postgres/campaigns.js';
import { createDb } from '../../src/adapters/postgres/database.js';
import { createLeadsRepo } from '../../src/adapters/postgres/leads.js';
import { createRecordingCallsRepo } from '../../src/adapters/postgres/recording-calls.js';
import { RedisLiveRecordings } from '../../src/adapters/redis/live-recordings.js';
import { CallLogRepository } from '../../src/adapters/postgres/call-log.js';
import { RedisEventBus } from '../../src/adapters/redis/event-bus.js';
import { RedisHopper } from '../../src/adapters/redis/hopper.js';
import { RedisStateStore } from '../../src/adapters/redis/state-store.js';
import { loadConfig, type AriServerConfig, type Config } from '../../src/config.js';
import { createLogger, type Logger } from '../../src/logger.js';
import type { Clock } from '../../src/ports/clock.js';
import { startDialer, type RunningDialer } from '../../src/roles/dialer.js';
import { AriServerSupervisor } from '../../src/roles/ari-server.js';
import { CallRecorder } from '../../src/services/recordings/call-recorder.js';
import { recordingLookups } from '../../src/services/recordings/lookups.js';
import { scaledTimers, type HandoffSample, type Timers } from '../../src/ports/dialer.js';
import { HandoffTrace } from '../dialer/bots.js';
import { TEST_REDIS_URL, testRedisPrefix } from './redis.js';

export interface DialerRigOptions {
  /** Names the Redis key prefix. */
  label: string;
  /** Virtual time per wall-clock time. */
  speed: number;
  /** Virtual time at the start (ms since the Unix epoch). */
  epochMs: number;
  /** Seed of the simulated PBX (call outcomes). */
  simSeed: number;
  /** Phones registered on the simulated PBX: PJSIP/agent1..agent<phones>. */
  phones: number;
  /**
   * The ARI worker records calls as the ari-worker role does (services/recordings/call-recorder.ts,
   * the campaign's policy read from PostgreSQL): bench:handoff --record.
   */
  record?: boolean;
}

/**
 * The dialer's surroundings as the dialer e2e test and bench:handoff run them, in this process:
 * the simulated PBX on virtual time, Redis state/bus/hopper under a fresh prefix, and the ARI
 * worker's supervisor for the PBX (not started) reporting every hand-off to `trace`.
 */
export interface DialerRig {
  prefix: string;
  scheduler: RealScheduler;
  /** Virtual time (ms), from the simulated PBX's scheduler. */
  clock: Clock;
  /** Timers that run `speed` times faster than the wall clock. */
  timers: Timers;
  sim: SimPbx;
  server: AriServerConfig;
  config: Config;
  logger: Logger;
  redis: Redis;
  store: RedisStateStore;
  bus: RedisEventBus;
  hopper: RedisHopper;
  trace: HandoffTrace;
  supervisor: AriServerSupervisor;
  /** Starts the dialer role on the rig; each hand-off it makes goes to `onHandoff`. */
  startDialer(instanceId: string, onHandoff: (s: HandoffSample) => void): Promise<RunningDialer>;
}

export async function startDialerRig(pool: pg.Pool, o: DialerRigOptions): Promise<DialerRig> {
  const prefix = testRedisPrefix(o.label);
  const scheduler = new RealScheduler(o.speed, o.epochMs);
  const clock: Clock = { nowMs: () => Math.floor(scheduler.nowMs()) };
  const sim = await startSimPbx({
    port: 0,
    scheduler,
    seed: o.simSeed,
    endpoints: Array.from({ length: o.phones }, (_, i) => `agent${i + 1}`),
  });
  const server = {
    id: 'sim',
    baseUrl: sim.ariUrl,
    user: 'ringside',
    password: 'ringside',
    app: 'dialer',
  };
  // NODE_ENV test: the dialer role needs no production secrets here.
  const config = loadConfig({ REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, NODE_ENV: 'test' });
  // RIG_LOG=info shows the roles' logs when a test needs looking into (default: errors only).
  const logger = createLogger((process.env.RIG_LOG as 'info' | undefined) ?? 'error');
  const redis = new Redis(TEST_REDIS_URL);
  const store = new RedisStateStore(redis, { prefix, clock });
  const bus = new RedisEventBus(redis, { prefix, clock, blockMs: 200 });
  const trace = new HandoffTrace();
  const supervisor = new AriServerSupervisor({
    server,
    store,
    bus,
    callLog: new CallLogRepository(pool),
    clock,
    logger,
    health: new TelephonyHealth(),
    onPublished: trace.onPublished,
    ...(o.record
      ? { recorder: rigRecorder(pool, redis, prefix, server, store, bus, clock, logger) }
      : {}),
  });
  return {
    prefix,
    scheduler,
    clock,
    timers: scaledTimers(o.speed),
    sim,
    server,
    config,
    logger,
    redis,
    store,
    bus,
    hopper: new RedisHopper(redis, { prefix }),
    trace,
    supervisor,
    startDialer: (instanceId, onHandoff) =>
      startDialer(
        { config, logger, pool, clock, ariServers: [server] },
        {
          timeScale: o.speed,
          instanceId,
          // Time to start the message, in virtual ms: 350 ms of this shared, busy process's
          // wall clock.
          safeHarborStartMs: 350 * o.speed,
          onHandoff,
        },
      ),
  };
}

/** The call recorder the ari-worker role builds (roles/ari-worker.ts), for a rig with `record`. */
function rigRecorder(
  pool: pg.Pool,
  redis: Redis,
  prefix: string,
  server: { id: string; baseUrl: string; user: string; password: string },
  store: RedisStateStore,
  bus: RedisEventBus,
  clock: Clock,
  logger: Logger,
): CallRecorder {
  const db = createDb(pool);
  const campaigns = createCampaignsRepo(db);
  const leads = createLeadsRepo(db);
  return new CallRecorder({
    serverId: server.id,
    ari: new AriRestClient(server),
    calls: store,
    live: new RedisLiveRecordings(redis, prefix),
    repo: createRecordingCallsRepo(db),
    ...recordingLookups(campaigns, leads),
    bus,
    clock,
    logger,
  });
}
