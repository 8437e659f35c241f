import { Queue, Worker, type Job } from 'bullmq';
import { connectRedis, type RedisTarget } from '../adapters/redis/connect.js';
import { CampaignId } from '@ringside/protocol';
import { AgentLogRepository } from '../adapters/postgres/agent-log.js';
import { PgHopperSource } from '../adapters/postgres/hopper-source.js';
import { kpiSumsOfWindow } from '../adapters/postgres/kpi-sums.js';
import { RedisEventBus } from '../adapters/redis/event-bus.js';
import { RedisHopper } from '../adapters/redis/hopper.js';
import { RedisBootSentinel } from '../adapters/redis/boot-sentinel.js';
import { RedisKeys } from '../adapters/redis/keys.js';
import { countRedisErrors } from '../adapters/metrics/instrument.js';
import { RedisStateStore } from '../adapters/redis/state-store.js';
import type { Logger } from '../logger.js';
import type { HopperRefillRequester } from '../ports/hopper.js';
import { startAgentLogRecorder } from '../services/agents/agent-session.js';
import { HopperFiller, type FillReport } from '../services/hopper/hopper-filler.js';
import { PgStateRules } from '../adapters/postgres/state-rules.js';
import { StateRulesCache } from '../services/compliance/state-rules-cache.js';
import { rederiveIfStale } from '../adapters/postgres/rederive-tz.js';
import { PgDialableLeads } from '../adapters/postgres/dialable-leads.js';
import { CampaignLiveStore } from '../adapters/redis/dialer-live.js';
import { StateRebuild } from '../services/agents/state-rebuild.js';
import type { RoleContext, RunningRole } from './context.js';
import { AriRestClient } from '../adapters/asterisk/ari-client.js';
import { PromMetrics } from '../adapters/metrics/prom-metrics.js';
import { openRecordingVault, PgRecordingRows } from '../adapters/storage/index.js';
import { promRecordingStoreMetrics } from '../adapters/storage/store-metrics.js';
import type { EventBus } from '../ports/event-bus.js';
import { isAriError, TelephonyError } from '../ports/telephony-errors.js';
import { RecordingMover } from '../services/recordings/store/mover.js';
import type { StoredSegments } from '../services/recordings/store/ports.js';
import { RetentionPurge } from '../services/recordings/store/retention.js';
import { startRecordingStore } from '../services/recordings/store/runner.js';

/** BullMQ queue of the hopper jobs. */
export const HOPPER_QUEUE = 'hopper';
/** Job scheduler id of the periodic fill of every active campaign. */
export const FILL_SCHEDULER_ID = 'hopper-fill';
/** How often every hopper is topped up (ms). */
export const FILL_EVERY_MS = 3_000;
/** How often each scheduler process checks the boot sentinel (ms). */
export const SENTINEL_CHECK_MS = 5_000;

type HopperJob = Job<{ campaignId?: string }, FillReport[] | FillReport | null>;

export interface HopperSchedulerOptions extends RedisTarget {
  /** BullMQ key prefix (RedisKeys.bullPrefix). */
  prefix: string;
  filler: Pick<HopperFiller, 'fillAll' | 'fillById'>;
  everyMs?: number;
  /**
   * How long a running job's lock lasts without renewal (renewed every half of it), ms, and how
   * often each worker looks for jobs whose lock expired (their process died) to run them again,
   * ms. A scheduler killed mid-fill holds up the fills (global concurrency 1) for at most about
   * their sum. Defaults 10,000 and 5,000 (BullMQ's own are 30,000 and 30,000).
   */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
  logger?: Logger;
}

export interface HopperScheduler extends HopperRefillRequester {
  /** (Re)creates the repeating fill job; needed again after Redis lost its data. */
  ensureSchedule(): Promise<void>;
  /**
   * Stops the worker after its running job; `force`: at once, the running job left to another
   * process once its lock expires, as after a crash (tests).
   */
  close(opts?: { force?: boolean }): Promise<void>;
}

/**
 * The hopper jobs on BullMQ: a job scheduler adds one `fill-all` job every `everyMs`, and
 * `refill` jobs (one per campaign at a time, deduplicated by campaign) ask for an immediate top
 * up. Every process of the scheduler role runs a worker, but BullMQ hands each job to exactly
 * one worker, and the queue's global concurrency of 1 lets only one job run at a time across
 * all processes, so two fills never top up the same hopper at once.
 */
export async function startHopperScheduler(o: HopperSchedulerOptions): Promise<HopperScheduler> {
  const everyMs = o.everyMs ?? FILL_EVERY_MS;
  // BullMQ needs maxRetriesPerRequest null on the connections it blocks on.
  const queueConn = connectRedis(o, { maxRetriesPerRequest: null, logger: o.logger });
  const workerConn = connectRedis(o, { maxRetriesPerRequest: null, logger: o.logger });
  const queue = new Queue(HOPPER_QUEUE, { connection: queueConn, prefix: o.prefix });
  queue.on('error', (err) => o.logger?.warn({ err }, 'hopper queue error'));
  const ensureSchedule = async () => {
    await queue.setGlobalConcurrency(1);
    await queue.upsertJobScheduler(
      FILL_SCHEDULER_ID,
      { every: everyMs },
      {
        name: 'fill-all',
        data: {},
        opts: { removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } },
      },
    );
  };
  await ensureSchedule();
  const worker = new Worker(
    HOPPER_QUEUE,
    async (job: HopperJob) => {
      if (job.name === 'refill' && job.data.campaignId) {
        return o.filler.fillById(CampaignId.parse(job.data.campaignId));
      }
      return o.filler.fillAll();
    },
    {
      connection: workerConn,
      prefix: o.prefix,
      concurrency: 1,
      lockDuration: o.lockDurationMs ?? 10_000,
      stalledInterval: o.stalledIntervalMs ?? 5_000,
    },
  );
  worker.on('error', (err) => o.logger?.warn({ err }, 'hopper worker error'));
  worker.on('failed', (job, err) => o.logger?.error({ err, job: job?.name }, 'hopper job failed'));
  return {
    ensureSchedule,
    async request(campaignId) {
      await addRefill(queue, campaignId);
    },
    async close(opts: { force?: boolean } = {}) {
      await worker.close(opts.force === true);
      await queue.close();
      queueConn.disconnect();
      workerConn.disconnect();
    },
  };
}

/** Queues a refill of the campaign's hopper; one pending refill per campaign (deduplicated). */
async function addRefill(queue: Queue, campaignId: string): Promise<void> {
  await queue.add(
    'refill',
    { campaignId },
    {
      deduplication: { id: `refill-${campaignId}` },
      removeOnComplete: true,
      removeOnFail: { count: 100 },
    },
  );
}

/**
 * A refill requester for other roles (the dialer asks for a refill when a hopper runs low); it
 * only adds jobs, it runs none.
 */
export function createRefillRequester(
  redisUrl: RedisTarget | string,
  prefix: string,
): HopperRefillRequester & {
  close(): Promise<void>;
} {
  const conn = connectRedis(redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(HOPPER_QUEUE, {
    connection: conn,
    prefix: new RedisKeys(prefix).bullPrefix,
  });
  return {
    async request(campaignId) {
      await addRefill(queue, campaignId);
    },
    async close() {
      await queue.close();
      conn.disconnect();
    },
  };
}

/**
 * Role `scheduler`: rebuilds Redis state when it was lost (boot sentinel), keeps every hopper
 * filled (BullMQ job scheduler, one runner at a time across processes), and records every agent
 * state change in agent_log from the event bus.
 */
export async function startScheduler(ctx: RoleContext): Promise<RunningRole> {
  const { config, logger, pool, clock } = ctx;
  const keys = new RedisKeys(config.redisPrefix);
  const redis = connectRedis(config, { maxRetriesPerRequest: null, logger });
  if (ctx.metrics) countRedisErrors(ctx.metrics, redis);
  const opts = { prefix: config.redisPrefix, clock };
  const store = new RedisStateStore(redis, opts);
  const bus = new RedisEventBus(redis, { ...opts, logger });
  const hopper = new RedisHopper(redis, { prefix: config.redisPrefix });
  const source = new PgHopperSource(pool);
  const live = new CampaignLiveStore(redis, keys);
  // State calling rules in memory (the filler defers leads a state's window closes to now).
  const stateRules = new StateRulesCache(new PgStateRules(pool), logger);
  await stateRules.start(bus);
  const filler = new HopperFiller({
    source,
    hopper,
    clock,
    logger,
    dialable: { counter: new PgDialableLeads(pool), store: live },
    stateRules: { rules: () => stateRules.current() },
  });
  const agentLog = new AgentLogRepository(pool);
  const rebuild = new StateRebuild({
    sentinel: new RedisBootSentinel(redis, keys),
    store,
    hopper,
    source,
    filler,
    agentLog,
    clock,
    logger,
    // The supervisors' AHT and ASA of today survive a Redis loss too.
    kpi: {
      sumsOfWindow: (ids, fromMs, toMs) => kpiSumsOfWindow(pool, ids, fromMs, toMs),
      addTotals: (id, day, sums) => live.addKpiTotals(id, day, sums),
    },
  });

  await rebuild.ensure();
  // Leads derived with older time-zone tables get their zones again (in the background).
  void rederiveIfStale(pool, { logger }).catch((err: unknown) =>
    logger.warn({ err }, 'lead time zones not re-derived'),
  );
  const jobs = await startHopperScheduler({
    redisUrl: config.redisUrl,
    redisClusterNodes: config.redisClusterNodes,
    redisSentinels: config.redisSentinels,
    prefix: keys.bullPrefix,
    filler,
    logger,
  });
  const recorder = await startAgentLogRecorder(bus, agentLog, logger);
  const recordings = await startRecordingStorage(ctx, bus);
  let checking = false;
  const sentinel = setInterval(() => {
    if (checking) return;
    checking = true;
    rebuild
      .ensure()
      .then(async (report) => {
        // Redis lost its data: BullMQ's job scheduler went with it.
        if (report) await jobs.ensureSchedule();
      })
      .catch((err: unknown) => logger.warn({ err }, 'boot sentinel check failed'))
      .finally(() => (checking = false));
  }, SENTINEL_CHECK_MS);

  return {
    name: 'scheduler',
    async stop() {
      clearInterval(sentinel);
      await stateRules.stop();
      await recorder.close();
      await recordings.stop();
      await jobs.close();
      redis.disconnect();
    },
  };
}

/**
 * The recording store (docs/recording.md, "Storage and retention"): the mover takes ended
 * recordings off the Asterisk servers into the vault (RECORDINGS_URL), the purge applies
 * retention. Every scheduler process runs both; the rows' claims keep them from doubling up.
 */
async function startRecordingStorage(
  ctx: RoleContext,
  bus: EventBus,
): Promise<{ stop(): Promise<void> }> {
  const { config, logger, pool, clock } = ctx;
  const vault = await openRecordingVault(
    config.recordings,
    pool,
    logger,
    config.env === 'production',
  );
  const rows = new PgRecordingRows(pool);
  // Fetching a 5-minute file takes longer than a channel command: a longer timeout.
  const segments = storedSegmentsOverAri(
    new Map(
      ctx.ariServers.map((s) => [s.id, new AriRestClient({ ...s, requestTimeoutMs: 60_000 })]),
    ),
  );
  const metrics =
    ctx.metrics instanceof PromMetrics
      ? promRecordingStoreMetrics(ctx.metrics.registry)
      : undefined;
  const mover = new RecordingMover({ rows, segments, vault, bus, clock, logger, metrics });
  const purge = new RetentionPurge({ rows, vault, bus, clock, logger, metrics });
  const runner = await startRecordingStore({ mover, purge, bus, logger });
  return {
    async stop() {
      await runner.stop();
      vault.close();
    },
  };
}

/** The recordings' segments on the Asterisk servers, by server id (ARI stored recordings). */
export function storedSegmentsOverAri(
  clients: ReadonlyMap<
    string,
    Pick<AriRestClient, 'getStoredRecordingFile' | 'deleteStoredRecording'>
  >,
): StoredSegments {
  const client = (serverId: string) => {
    const c = clients.get(serverId);
    // A server no longer configured: retried, in case it comes back.
    if (!c)
      throw new TelephonyError(0, `server ${serverId} is not configured`, 'recordings.getStored');
    return c;
  };
  return {
    fetch: async (serverId, name) => client(serverId).getStoredRecordingFile(name),
    async delete(serverId, name) {
      try {
        await client(serverId).deleteStoredRecording(name);
      } catch (err) {
        if (!(isAriError(err) && err.kind === 'notFound')) throw err;
      }
    },
  };
}
