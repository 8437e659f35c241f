import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { CampaignId, E164, LeadId, ListId } from '@ringside/protocol';
import { ensureDatabase, migrate } from '../../apps/server/src/adapters/postgres/migrate.js';
import { createPool } from '../../apps/server/src/adapters/postgres/pool.js';
import { PgHopperSource } from '../../apps/server/src/adapters/postgres/hopper-source.js';
import { RedisHopper } from '../../apps/server/src/adapters/redis/hopper.js';
import { ManualClock } from '../../apps/server/src/ports/clock.js';
import type { HopperEntry } from '../../apps/server/src/ports/hopper.js';
import { HopperFiller } from '../../apps/server/src/services/hopper/hopper-filler.js';
import { nearestRank } from '../common/stats.js';
import { formatMetricTable, type MetricRow } from '../common/table.js';
import { BENCH_NOW, existing, generate } from './generate.js';

/**
 * `npm run bench:hopper [-- --json --leads 10000000 --regen]`
 *
 * In its own database (BENCH_HOPPER_DATABASE_URL, default ringside_bench_hopper), generates N
 * leads in one campaign once (reused while the size matches), then measures:
 *  - refill: the hopper filler topping up an empty hopper with 500 leads (reclaim, window sweep,
 *    the eligible-lead UPDATE ... RETURNING, Redis add), p50/p99 over 100 refills, and the SQL
 *    statement alone;
 *  - pops: atomic pop-and-lease of a hopper of 200,000 entries by 64 concurrent callers over 4
 *    connections, one lead per call, then 10 per call (popMany);
 *  - memory: Redis bytes of a 500-lead hopper, Redis used_memory, PostgreSQL sizes.
 * Goals: refill p99 <= 100 ms, >= 20,000 pops/s. Prints a table, or JSON lines with --json.
 */
const { values } = parseArgs({
  options: {
    json: { type: 'boolean', default: false },
    leads: { type: 'string', default: '10000000' },
    regen: { type: 'boolean', default: false },
    refills: { type: 'string', default: '100' },
    pops: { type: 'string', default: '200000' },
    concurrency: { type: 'string', default: '64' },
    batch: { type: 'string', default: '10' },
  },
});
const LEADS = Number(values.leads);
const REFILLS = Number(values.refills);
const POPS = Number(values.pops);
const CONCURRENCY = Number(values.concurrency);
const BATCH = Number(values.batch);
const DB_URL =
  process.env.BENCH_HOPPER_DATABASE_URL ??
  'postgres://postgres@127.0.0.1:5432/ringside_bench_hopper';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PREFIX = 'bench_hopper';

const progress = (msg: string) => {
  if (!values.json) process.stderr.write(`${msg}\n`);
};

const pct = (sorted: number[], p: number): number => nearestRank(sorted, p) ?? NaN;

/** CPU time (user + system) a process has used, ms, from /proc (Linux); 0 elsewhere. */
async function procCpuMs(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 (utime, stime) are the 12th and 13th after the command name.
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/** CPU time Redis has used, ms (INFO cpu). */
async function redisCpuMs(redis: Redis): Promise<number> {
  const info = await redis.info('cpu');
  const user = Number(/used_cpu_user:([\d.]+)/.exec(info)?.[1] ?? 0);
  const sys = Number(/used_cpu_sys:([\d.]+)/.exec(info)?.[1] ?? 0);
  return (user + sys) * 1000;
}

async function main(): Promise<void> {
  await ensureDatabase(DB_URL);
  // One connection: the refills run on one backend, whose CPU time is read from /proc.
  const pool = createPool(DB_URL, { max: 1 });
  await migrate(pool);
  let data = values.regen ? null : await existing(pool, LEADS);
  if (data) {
    progress(`reusing ${LEADS} generated leads`);
  } else {
    const t0 = Date.now();
    progress(`generating ${LEADS} leads (set-based SQL)...`);
    data = await generate(pool, LEADS, progress);
    progress(`generated in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  // Leave every lead out of any hopper before measuring (a previous run marked some), and vacuum
  // what that left, as autovacuum does in production (migration 0003 tunes it for leads): dead
  // tuples from earlier runs would otherwise be measured as refill time.
  await pool.query('UPDATE leads SET hopper_at = NULL WHERE hopper_at IS NOT NULL');
  await pool.query('VACUUM (ANALYZE) leads');

  const redis = new Redis(REDIS_URL);
  const hopper = new RedisHopper(redis, { prefix: PREFIX });
  const clock = new ManualClock(BENCH_NOW.getTime());
  const source = new PgHopperSource(pool);
  const sqlMs: number[] = [];
  const timedSource = {
    activeCampaigns: () => source.activeCampaigns(),
    tzKeys: (ids: Parameters<PgHopperSource['tzKeys']>[0]) => source.tzKeys(ids),
    clearMarks: (ids: Parameters<PgHopperSource['clearMarks']>[0]) => source.clearMarks(ids),
    clearCampaignMarks: (id: CampaignId) => source.clearCampaignMarks(id),
    defer: (leads: Parameters<PgHopperSource['defer']>[0]) => source.defer(leads),
    take: async (...args: Parameters<PgHopperSource['take']>) => {
      const t = performance.now();
      const out = await source.take(...args);
      sqlMs.push(performance.now() - t);
      return out;
    },
  };
  const filler = new HopperFiller({ source: timedSource, hopper, clock });
  const campaign = (await source.activeCampaigns()).find((c) => c.id === data.campaignId);
  if (!campaign) throw new Error('bench campaign missing');
  const cid = campaign.id;

  // Refill: an empty hopper topped up to 500, REFILLS times (+3 warm-up runs not counted).
  // Besides wall-clock time, the CPU time the refills cost (PostgreSQL backend, this process,
  // Redis): on a machine shared with other work, wall-clock time mostly measures waiting for a
  // core, and CPU time is what a refill would take on an idle one.
  const backendPid = (await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]
    ?.pid;
  const refillMs: number[] = [];
  let taken = 0;
  let cpu0 = { pg: 0, node: process.cpuUsage(), redis: 0 };
  for (let i = 0; i < REFILLS + 3; i++) {
    if (i === 3)
      cpu0 = {
        pg: await procCpuMs(backendPid),
        node: process.cpuUsage(),
        redis: await redisCpuMs(redis),
      };
    await hopper.clear(cid);
    const t = performance.now();
    const r = await filler.fillCampaign(campaign);
    const ms = performance.now() - t;
    if (r.added !== campaign.hopperSize) throw new Error(`refill added ${r.added}`);
    taken += r.added;
    if (i >= 3) refillMs.push(ms);
    else sqlMs.length = 0;
  }
  const nodeCpu = process.cpuUsage(cpu0.node);
  const cpuPerRefill = {
    pg: ((await procCpuMs(backendPid)) - cpu0.pg) / REFILLS,
    node: (nodeCpu.user + nodeCpu.system) / 1000 / REFILLS,
    redis: ((await redisCpuMs(redis)) - cpu0.redis) / REFILLS,
  };
  progress(`refilled ${taken} leads`);
  const hk = hopper.keysOf(cid);
  let hopperBytes = 0;
  for (const k of Object.values(hk)) hopperBytes += Number((await redis.memory('USAGE', k)) ?? 0);
  await hopper.clear(cid);
  await pool.query('UPDATE leads SET hopper_at = NULL WHERE hopper_at IS NOT NULL');

  // Pops: POPS synthetic entries, popped by CONCURRENCY callers over 4 connections, one lead
  // per call; then again BATCH leads per call (popMany, how a dialer takes its N leads).
  const popCampaign = CampaignId.parse('bench-pop');
  const entries: HopperEntry[] = Array.from({ length: POPS }, (_, i) => ({
    leadId: LeadId.parse(String(i + 1)),
    listId: ListId.parse('1'),
    campaignId: popCampaign,
    phone: E164.parse(`+1${2000000000 + i}`),
    timeZones: ['America/New_York'],
    priority: i % 10 === 0 ? 'recycle' : 'new',
    attempts: 0,
    windowClosesAtMs: BENCH_NOW.getTime() + 3_600_000,
  }));
  const adder = new RedisHopper(redis, { prefix: PREFIX, addChunk: 1_000 });
  // Plain connections: ioredis auto-pipelining measured slower for this pattern here.
  const conns = Array.from({ length: 4 }, () => new Redis(REDIS_URL));
  const hoppers = conns.map((c) => new RedisHopper(c, { prefix: PREFIX }));
  const now = BENCH_NOW.getTime();
  const popRate = async (
    batch: number,
  ): Promise<{ rate: number; nodeUs: number; redisUs: number }> => {
    await hopper.clear(popCampaign);
    await adder.add(popCampaign, entries);
    let popped = 0;
    const node0 = process.cpuUsage();
    const redis0 = await redisCpuMs(redis);
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, w) => {
        const h = hoppers[w % hoppers.length] ?? hopper;
        for (;;) {
          const got = await h.popMany(popCampaign, `w${w}`, batch, 60_000, now);
          if (got.length === 0) return;
          popped += got.length;
        }
      }),
    );
    const seconds = (performance.now() - t0) / 1000;
    const node = process.cpuUsage(node0);
    const redisUs = (((await redisCpuMs(redis)) - redis0) * 1000) / POPS;
    if (popped !== POPS) throw new Error(`popped ${popped} of ${POPS}`);
    await hopper.clear(popCampaign);
    return { rate: POPS / seconds, nodeUs: (node.user + node.system) / POPS, redisUs };
  };
  const single = await popRate(1);
  const batched = await popRate(BATCH);
  const popsPerS = single.rate;
  const batchPopsPerS = batched.rate;
  for (const c of conns) c.disconnect();

  const info = await redis.info('memory');
  const usedMemory = Number(/used_memory:(\d+)/.exec(info)?.[1] ?? 0);
  const sizes = await pool.query<Record<string, string>>(
    `SELECT pg_total_relation_size('leads') AS leads_total, pg_relation_size('leads') AS leads_heap,
            pg_relation_size('leads_hopper_idx') AS hopper_idx,
            pg_total_relation_size('dnc') AS dnc_total,
            pg_database_size(current_database()) AS db`,
  );
  const s = sizes.rows[0] ?? {};
  redis.disconnect();
  await pool.end();

  refillMs.sort((a, b) => a - b);
  sqlMs.sort((a, b) => a - b);
  const p99 = pct(refillMs, 99);
  const MiB = 1024 * 1024;
  const rows: MetricRow[] = [
    { metric: 'leads in campaign', value: LEADS, unit: 'leads' },
    { metric: 'refill 500 p50', value: pct(refillMs, 50), unit: 'ms' },
    { metric: 'refill 500 p99', value: p99, unit: 'ms', goal: '<= 100', ok: p99 <= 100 },
    { metric: 'refill 500 max', value: refillMs[refillMs.length - 1] ?? 0, unit: 'ms' },
    { metric: 'refill CPU: postgres backend (mean)', value: cpuPerRefill.pg, unit: 'ms' },
    { metric: 'refill CPU: node (mean)', value: cpuPerRefill.node, unit: 'ms' },
    { metric: 'refill CPU: redis, whole server (mean)', value: cpuPerRefill.redis, unit: 'ms' },
    { metric: 'refill SQL only p50', value: pct(sqlMs, 50), unit: 'ms' },
    { metric: 'refill SQL only p99', value: pct(sqlMs, 99), unit: 'ms' },
    {
      metric: `atomic pops (${CONCURRENCY} callers)`,
      value: popsPerS,
      unit: 'pops/s',
      goal: '>= 20000',
      ok: popsPerS >= 20_000,
    },
    { metric: 'pop CPU: node per pop', value: single.nodeUs, unit: 'us' },
    { metric: 'pop CPU: redis per pop (whole server)', value: single.redisUs, unit: 'us' },
    {
      metric: `atomic pops, ${BATCH} per call (popMany)`,
      value: batchPopsPerS,
      unit: 'pops/s',
    },
    { metric: 'redis: hopper of 500', value: hopperBytes / 1024, unit: 'KiB' },
    { metric: 'redis: used_memory (whole server)', value: usedMemory / MiB, unit: 'MiB' },
    { metric: 'pg: leads heap', value: Number(s.leads_heap) / MiB, unit: 'MiB' },
    { metric: 'pg: leads + indexes', value: Number(s.leads_total) / MiB, unit: 'MiB' },
    { metric: 'pg: leads_hopper_idx', value: Number(s.hopper_idx) / MiB, unit: 'MiB' },
    { metric: 'pg: dnc + indexes', value: Number(s.dnc_total) / MiB, unit: 'MiB' },
    { metric: 'pg: database', value: Number(s.db) / MiB, unit: 'MiB' },
  ];
  if (values.json) {
    for (const r of rows) process.stdout.write(`${JSON.stringify({ bench: 'hopper', ...r })}\n`);
    return;
  }
  const fmt = (v: number) =>
    v >= 1000 ? Math.round(v).toLocaleString('en-US') : v.toFixed(v < 10 ? 2 : 1);
  console.log(formatMetricTable(rows, { valueWidth: 12, unitWidth: 7, format: fmt }));
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
