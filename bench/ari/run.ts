/**
 * npm run bench:ari [-- --calls 500 --rate 250 --speed 1 --seed 1 --json]
 * Diagnostics: --no-call-log, --fetch (the client on fetch), --auto-pipeline (ioredis), and
 * BENCH_SIM_NODE_ARGS="--cpu-prof --cpu-prof-dir=DIR" to profile the simulator.
 *
 * The ARI client and worker against the simulated PBX (a child process, so the simulator's CPU
 * is not counted against the worker's event loop), on the real Redis state store and event bus
 * and the real call_log in PostgreSQL (a scratch schema). `--calls` calls (default 500) are
 * originated at `--rate` per second (default 250, as a dialer paces them; 0 = all in the same
 * instant, a stress case) in real time (`--speed 1`), so all 500 are up at once (a call lasts
 * 15-30 s), and followed until every one has ended.
 *
 * Prints: originations per second through the client (live_call + call.originated in Redis,
 * call_log row, POST /channels), and the latency from an ARI event arriving on the WebSocket to
 * its domain event being on the bus (the Redis script that writes live_call and XADDs returned),
 * p50 / p99 / max. Goal (issue 3): >= 200 originations/s and p99 <= 20 ms on 2 cores.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import type { CallId, CampaignId, E164, LeadId, ListId } from '@ringside/protocol';
import { ServerPool } from '../../apps/server/src/adapters/asterisk/server-pool.js';
import { TelephonyHealth } from '../../apps/server/src/adapters/asterisk/telephony-health.js';
import {
  BatchedCallLog,
  type CallLogWriter,
} from '../../apps/server/src/adapters/postgres/call-log.js';
import { ensureDatabase, migrate } from '../../apps/server/src/adapters/postgres/migrate.js';
import { createPool } from '../../apps/server/src/adapters/postgres/pool.js';
import { RedisEventBus } from '../../apps/server/src/adapters/redis/event-bus.js';
import { RedisStateStore } from '../../apps/server/src/adapters/redis/state-store.js';
import { loadConfig } from '../../apps/server/src/config.js';
import { createLogger } from '../../apps/server/src/logger.js';
import { systemClock } from '../../apps/server/src/ports/clock.js';
import { CallOriginator } from '../../apps/server/src/services/telephony/ari-worker-originator.js';
import { AriServerSupervisor } from '../../apps/server/src/roles/ari-server.js';
import { freePort, procCpuMs } from '../common/processes.js';
import { deleteKeysWithPrefix } from '../common/redis.js';
import { floorIndexRank } from '../common/stats.js';
import { formatKeyValues } from '../common/table.js';

interface Args {
  /** Diagnostic: skip PostgreSQL (call_log) to see its share of the cost. */
  noCallLog: boolean;
  /** Diagnostic: the client on the global fetch instead of node:http (the transport before). */
  fetch: boolean;
  /** Diagnostic: ioredis auto-pipelining on the worker's connection (one write per tick). */
  autoPipeline: boolean;
  calls: number;
  /** Originations per second; 0: all at once (the default, the worst burst). */
  rate: number;
  speed: number;
  seed: number;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    noCallLog: false,
    fetch: false,
    autoPipeline: false,
    calls: 500,
    rate: 250,
    speed: 1,
    seed: 1,
    json: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--json') a.json = true;
    else if (k === '--no-call-log') a.noCallLog = true;
    else if (k === '--auto-pipeline') a.autoPipeline = true;
    else if (k === '--fetch') a.fetch = true;
    else if (k === '--calls' || k === '--speed' || k === '--seed' || k === '--rate') {
      const v = Number(argv[++i]);
      if (!Number.isFinite(v) || v < 0 || (v === 0 && k !== '--rate'))
        throw new Error(`${k} needs a positive number`);
      a[k.slice(2) as 'calls' | 'speed' | 'seed' | 'rate'] = v;
    } else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

const percentile = (sorted: number[], p: number): number => floorIndexRank(sorted, p) ?? NaN;

async function startSim(port: number, speed: number, seed: number): Promise<ChildProcess> {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
  // BENCH_SIM_NODE_ARGS: extra node flags for the simulator, e.g. --cpu-prof to profile it.
  const extra = (process.env.BENCH_SIM_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...extra, '--import', 'tsx', 'apps/sim/src/pbx/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      SIM_PBX_PORT: String(port),
      SIM_PBX_SPEED: String(speed),
      SIM_PBX_SEED: String(seed),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('simulated PBX did not start in 20 s')),
      20_000,
    );
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('ARI at')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`simulated PBX exited (${code})`)));
  });
  return child;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const config = loadConfig();
  const logger = createLogger('warn');
  const port = await freePort();
  const sim = await startSim(port, args.speed, args.seed);
  const prefix = `bench_ari_${randomBytes(3).toString('hex')}`;
  // As in production: the worker (role ari-worker) and the originator (role dialer) each have
  // their own Redis connection, so neither's burst queues behind the other's on one socket.
  const redis = new Redis(config.redisUrl, {
    maxRetriesPerRequest: 3,
    enableAutoPipelining: args.autoPipeline,
  });
  const dialerRedis = new Redis(config.redisUrl, { maxRetriesPerRequest: 3 });
  const busRedis = new Redis(config.redisUrl);
  const schema = prefix;
  await ensureDatabase(config.databaseUrl);
  const admin = createPool(config.databaseUrl, { max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  const pool = createPool(config.databaseUrl, { schema, max: 10 });
  try {
    await migrate(pool);
    const campaignId = String(
      (
        await pool.query<{ id: string }>(
          "INSERT INTO campaigns (name) VALUES ('bench') RETURNING id",
        )
      ).rows[0]?.id,
    );
    const store = new RedisStateStore(redis, { prefix, clock: systemClock });
    const dialerStore = new RedisStateStore(dialerRedis, { prefix, clock: systemClock });
    // How long the state store's write (Lua: live_call + XADD) takes, apart from queueing.
    const writeMs: number[] = [];
    const putCall = store.putCall.bind(store);
    store.putCall = async (call, event) => {
      const t = performance.now();
      const env = await putCall(call, event);
      writeMs.push(performance.now() - t);
      return env;
    };
    const bus = new RedisEventBus(busRedis, { prefix, clock: systemClock, logger });
    const callLog: CallLogWriter = args.noCallLog
      ? { start: async () => undefined, step: async () => undefined }
      : new BatchedCallLog(pool);
    const server = {
      id: `127.0.0.1:${port}`,
      baseUrl: `http://127.0.0.1:${port}/ari`,
      user: config.ariUser,
      password: config.ariPassword,
      app: config.ariApp,
      // AriServerConfig has no transport; the supervisor hands the whole object to the client.
      ...(args.fetch ? { fetch: globalThis.fetch } : {}),
    };
    const latencies: number[] = [];
    /** Latency of events received after the last origination returned: the steady state. */
    const latenciesAfterBurst: number[] = [];
    let burstOverAt = Infinity;
    const outcomes = new Map<string, number>();
    let ended = 0;
    let allEnded: () => void = () => undefined;
    const allEndedP = new Promise<void>((r) => (allEnded = r));
    const sup = new AriServerSupervisor({
      server,
      store,
      bus,
      callLog,
      clock: systemClock,
      logger,
      health: new TelephonyHealth(),
      onPublished: (env, receivedAt) => {
        const ms = performance.now() - receivedAt;
        latencies.push(ms);
        if (receivedAt >= burstOverAt) latenciesAfterBurst.push(ms);
        if (env.event.type === 'call.ended') {
          outcomes.set(env.event.outcome, (outcomes.get(env.event.outcome) ?? 0) + 1);
          ended += 1;
          if (ended === args.calls) allEnded();
        }
      },
    });
    sup.start();
    while (!sup.stream.isUp) await new Promise((r) => setTimeout(r, 20));
    await sup.worker.idle();
    const pbxPool = new ServerPool(
      [{ id: server.id, client: sup.client, maxCalls: args.calls * 2 }],
      dialerStore,
    );
    const originator = new CallOriginator({
      pool: pbxPool,
      store: dialerStore,
      callLog,
      clock: systemClock,
      logger,
      dialTemplate: 'Local/{digits}@sim-customers',
    });

    const load1m = loadavg()[0] ?? NaN;
    // How late this process's event loop runs: separates our own saturation from waiting on others.
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const cpu0 = process.cpuUsage();
    const simCpu0 = procCpuMs(sim.pid);
    const t0 = performance.now();
    const originateOne = (i: number) =>
      originator.originate({
        callId: `b${i}-${prefix}` as CallId,
        campaignId: campaignId as CampaignId,
        leadId: String(i + 1) as LeadId,
        listId: '1' as ListId,
        phone: `+1555${String(1_000_000 + i).slice(1)}` as E164,
        attempt: 1,
        ringTimeoutS: 15,
      });
    const pending: Array<ReturnType<typeof originateOne>> = [];
    for (let i = 0; i < args.calls; i++) {
      if (args.rate > 0) {
        const due = t0 + (i * 1000) / args.rate;
        const wait = due - performance.now();
        if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      }
      pending.push(originateOne(i));
    }
    const results = await Promise.all(pending);
    burstOverAt = performance.now();
    const originateMs = burstOverAt - t0;
    const failed = results.filter((r) => !r.ok).length;
    const timeout = new Promise<void>((r) => setTimeout(r, 120_000).unref());
    await Promise.race([allEndedP, timeout]);
    const totalMs = performance.now() - t0;
    loopDelay.disable();
    const cpu = process.cpuUsage(cpu0);
    const simCpuMs = procCpuMs(sim.pid) - simCpu0;
    await sup.stop();
    if (callLog instanceof BatchedCallLog) await callLog.flush();

    const sorted = [...latencies].sort((a, b) => a - b);
    const sortedAfter = [...latenciesAfterBurst].sort((a, b) => a - b);
    const writes = [...writeMs].sort((a, b) => a - b);
    const report = {
      bench: 'ari',
      calls: args.calls,
      rate: args.rate === 0 ? 'all at once' : args.rate,
      speed: args.speed,
      originateFailed: failed,
      originateMs: Math.round(originateMs),
      originationsPerS: Math.round((args.calls / originateMs) * 1000),
      callsEnded: ended,
      totalMs: Math.round(totalMs),
      ariEvents: sup.stream.stats.received,
      ignoredEvents: sup.stream.stats.ignored,
      invalidEvents: sup.stream.stats.invalid,
      domainEvents: latencies.length,
      latencyP50Ms: Number(percentile(sorted, 50).toFixed(2)),
      latencyP99Ms: Number(percentile(sorted, 99).toFixed(2)),
      latencyMaxMs: Number((sorted.at(-1) ?? NaN).toFixed(2)),
      afterBurstEvents: sortedAfter.length,
      afterBurstP99Ms: Number(percentile(sortedAfter, 99).toFixed(2)),
      storeWriteP50Ms: Number(percentile(writes, 50).toFixed(2)),
      storeWriteP99Ms: Number(percentile(writes, 99).toFixed(2)),
      eventLoopDelayP99Ms: Number((loopDelay.percentile(99) / 1e6).toFixed(1)),
      outcomes: Object.fromEntries([...outcomes].sort()),
      /** CPU of this process (client + worker + adapters) per call, and the simulator's. */
      cpuMsPerCall: Number(((cpu.user + cpu.system) / 1000 / args.calls).toFixed(2)),
      simCpuMsPerCall: Number((simCpuMs / args.calls).toFixed(2)),
      loadAvg1m: Number(load1m.toFixed(1)),
      loadAvg1mAtEnd: Number((loadavg()[0] ?? NaN).toFixed(1)),
      goalOriginationsMet: (args.calls / originateMs) * 1000 >= 200,
      goalLatencyMet: percentile(sorted, 99) <= 20,
    };
    if (args.json) {
      console.log(JSON.stringify(report));
    } else {
      const rows: Array<[string, string]> = [
        [
          'calls',
          `${report.calls}, originated ${args.rate === 0 ? 'all at once' : `at ${args.rate}/s`}`,
        ],
        ['simulated time speed', `${report.speed}x`],
        ['originate wall time', `${report.originateMs} ms`],
        [
          'originations / s',
          `${report.originationsPerS}  (goal >= 200: ${report.goalOriginationsMet ? 'met' : 'NOT met'})`,
        ],
        ['originations refused', String(report.originateFailed)],
        ['calls ended', `${report.callsEnded} / ${report.calls} in ${report.totalMs} ms`],
        ['ARI events received', `${report.ariEvents} (${report.invalidEvents} invalid)`],
        ['domain events published', String(report.domainEvents)],
        ['ARI event -> bus, p50', `${report.latencyP50Ms} ms`],
        [
          'ARI event -> bus, p99',
          `${report.latencyP99Ms} ms  (goal <= 20: ${report.goalLatencyMet ? 'met' : 'NOT met'})`,
        ],
        ['ARI event -> bus, max', `${report.latencyMaxMs} ms`],
        [
          '  p99 after the last originate',
          `${report.afterBurstP99Ms} ms (${report.afterBurstEvents} events)`,
        ],
        [
          'of which the Redis write',
          `p50 ${report.storeWriteP50Ms} ms, p99 ${report.storeWriteP99Ms} ms`,
        ],
        ['event loop delay, p99', `${report.eventLoopDelayP99Ms} ms`],
        [
          'CPU per call',
          `${report.cpuMsPerCall} ms client+worker, ${report.simCpuMsPerCall} ms simulator`,
        ],
        [
          'machine load (1 min)',
          `${report.loadAvg1m} at start, ${report.loadAvg1mAtEnd} at end, on 2 cores`,
        ],
        [
          'outcomes',
          Object.entries(report.outcomes)
            .map(([k, v]) => `${k} ${v}`)
            .join(', '),
        ],
      ];
      console.log('bench:ari (client + worker on the simulated PBX, Redis, PostgreSQL)');
      console.log(formatKeyValues(rows));
    }
  } finally {
    sim.kill('SIGTERM');
    await pool.end();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin.end();
    await deleteKeysWithPrefix(redis, prefix);
    await redis.quit();
    dialerRedis.disconnect();
    busRedis.disconnect();
  }
}

main().catch((err: unknown) => {
  console.error('bench:ari failed:', err instanceof Error ? err.message : err);
  process.exit(1);
});
