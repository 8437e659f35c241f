/**
 * npm run bench:report-load [-- --primary-url URL --replica-url URL --modes none,primary,replica
 *                              --load scan --runs 2 --agents 20 --seconds 60 --speed 4
 *                              --concurrency 1 --nice --pin --pin-realtime 0 --pin-replica 1
 *                              --pin-redis --json]
 *
 * Does a heavy report slow the real-time path? (issue 16, point 5: "the real-time path never
 * waits on PostgreSQL; hand-off p99 unchanged while a 20 M-row report runs".) Each run starts
 * bench:handoff (the dialer, the ARI worker and the simulated PBX with bot agents, its database
 * a scratch schema on --primary-url, as TEST_DATABASE_URL) in a child process and, for its whole
 * dialing stretch, keeps `--concurrency` report loops busy on the database the mode names:
 *
 * - `none`: no report (the baseline);
 * - `primary`: the report reads --primary-url, the same PostgreSQL server and database as the
 *   real-time path (reports without REPORTS_DATABASE_URL);
 * - `replica`: the report reads --replica-url (REPORTS_DATABASE_URL: a hot standby of the
 *   primary, through the same ReplicaReportsDatabase the api uses for the `report` load); its
 *   replay lag is sampled every second.
 *
 * The load (`--load`, comma separated):
 * - `scan`: one aggregate over every call_log row (dials, answers, drops and talk per campaign,
 *   list and hour), the "20 M-row report": what a report without the rollups, or an analyst's
 *   query, makes PostgreSQL do; it reads the whole table every time;
 * - `report`: the heaviest API reports through ReportsService over all campaigns: outbound by
 *   hour over 90 days with off-the-hour edges (raw edges), agent performance, and the compliance
 *   export with every drop.
 *
 * The call_log rows are bench:reports' generator's (10 campaigns, 90 days before 2026-02-01):
 * generate them once on the primary with
 *   BENCH_REPORTS_DATABASE_URL=<primary-url> npm run bench:reports -- --calls 20000000
 * (docs/reports.md, "Reports off the primary", says how it was run here). Modes run interleaved
 * (none, primary, replica, then again) so that a shared machine's drift hits each alike.
 * --pin (Linux, taskset; run as root or as the owner of the PostgreSQL servers): emulates the
 * replica on a machine of its own on a machine with few cores, for every mode, the baseline
 * included, so that the real-time path has the same CPUs in each. The bench:handoff child (and
 * all it starts) and the primary PostgreSQL (its postmaster and every process it forked) run on
 * --pin-realtime (default CPU 0); the standby PostgreSQL (postmaster and children; a backend
 * forked later inherits it) and this process, the report's client, on --pin-replica (default
 * CPU 1). --pin-redis puts the Redis server bench:handoff uses (TEST_REDIS_URL) on the real-time
 * CPUs too: only where no one else relies on that Redis. The affinities are re-applied before
 * each run and put back at the end, on an error and on SIGINT / SIGTERM. Each row says where the
 * scan's backend ran (which server, and the CPUs it was seen on, sampled every 0.5 s) and where
 * the hand-off process ran.
 * --nice (PostgreSQL on this machine only, run as root or as its owner): renice the report's
 * PostgreSQL backend to 19, so that on a machine with few cores the report's CPU gives way to
 * everything else; what is left of the hand-off p99's rise is then waiting on PostgreSQL itself
 * (locks, I/O), not the CPU the report takes from the roles.
 * Prints a table, or with --json one JSON object per row.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import type pg from 'pg';
import { createPool } from '../../apps/server/src/adapters/postgres/pool.js';
import {
  readFreshness,
  ReplicaReportsDatabase,
  reportsOnPrimary,
} from '../../apps/server/src/adapters/postgres/reports/reports-database.js';
import { ReportsRepository } from '../../apps/server/src/adapters/postgres/reports/reports-repository.js';
import { systemClock } from '../../apps/server/src/ports/clock.js';
import { ReportsService } from '../../apps/server/src/services/reports/reports-service.js';
import { nearestRank } from '../common/stats.js';
import { BENCH_END } from '../reports/generate.js';
import {
  commOf,
  formatCpuList,
  formatCpuSeen,
  lastCpu,
  parentOf,
  parseRedisPid,
  type PinGroup,
  type PinPlan,
  Pinner,
  pinPlan,
} from './pin.js';

type Mode = 'none' | 'primary' | 'replica';
type Load = 'scan' | 'report';

const { values } = parseArgs({
  options: {
    'primary-url': { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/ringside_test' },
    'replica-url': { type: 'string' },
    modes: { type: 'string', default: 'none,primary,replica' },
    load: { type: 'string', default: 'scan' },
    runs: { type: 'string', default: '2' },
    agents: { type: 'string', default: '20' },
    seconds: { type: 'string', default: '60' },
    speed: { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '1' },
    nice: { type: 'boolean', default: false },
    pin: { type: 'boolean', default: false },
    'pin-realtime': { type: 'string', default: '0' },
    'pin-replica': { type: 'string', default: '1' },
    'pin-redis': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

function fail(msg: string): never {
  process.stderr.write(`bench:report-load: ${msg}\n`);
  process.exit(2);
}
const positive = (k: 'runs' | 'agents' | 'seconds' | 'speed' | 'concurrency', max: number) => {
  const v = Number(values[k]);
  if (!(Number.isFinite(v) && v > 0 && v <= max)) fail(`--${k} must be above 0 and <= ${max}`);
  return v;
};
const RUNS = Math.floor(positive('runs', 20));
const AGENTS = Math.floor(positive('agents', 200));
const SECONDS = positive('seconds', 3600);
const SPEED = positive('speed', 20);
const CONCURRENCY = Math.floor(positive('concurrency', 8));
const NICE = values.nice ?? false;
const PRIMARY_URL = values['primary-url'] ?? '';
const REPLICA_URL = values['replica-url'] ?? null;
const MODES = (values.modes ?? '').split(',').map((s) => s.trim()) as Mode[];
const LOADS = (values.load ?? '').split(',').map((s) => s.trim()) as Load[];
for (const m of MODES) if (!['none', 'primary', 'replica'].includes(m)) fail(`unknown mode ${m}`);
for (const l of LOADS) if (!['scan', 'report'].includes(l)) fail(`unknown load ${l}`);
if (MODES.includes('replica') && !REPLICA_URL) fail('mode replica needs --replica-url');
const PIN_PLAN: PinPlan | null = (() => {
  if (!values.pin) return null;
  try {
    return pinPlan(cpus().length, values['pin-realtime'] ?? '', values['pin-replica'] ?? '');
  } catch (err) {
    return fail(err instanceof Error ? err.message : String(err));
  }
})();
if (values['pin-redis'] && !PIN_PLAN) fail('--pin-redis needs --pin');
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const log = (msg: string) => {
  if (!values.json) process.stderr.write(`bench:report-load: ${msg}\n`);
};
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The "20 M-row report": every call_log row, aggregated per campaign, list and hour. */
const SCAN_SQL = `
  SELECT campaign_id, list_id, date_trunc('hour', originated_at) AS hour,
         count(*) AS dials, count(answered_at) AS answers,
         count(*) FILTER (WHERE dropped) AS drops,
         sum(extract(epoch FROM ended_at - answered_at)) AS talk_s
    FROM call_log
   GROUP BY 1, 2, 3`;

interface LoadStats {
  runs: number;
  errors: number;
  ms: number[];
  lastError: string | null;
  maxLagMs: number | null;
  rowsScanned: number;
  /** The PostgreSQL backends the scan ran in, with their parent (postmaster) when local. */
  backends: Map<number, number | null>;
}

/** Keeps report loops busy on `pool` until `stop` is set; returns what they did. */
async function reportLoop(
  pool: pg.Pool,
  load: Load,
  service: ReportsService,
  stop: { done: boolean },
  stats: LoadStats,
): Promise<void> {
  const to = BENCH_END.getTime() - 1_800_000; // off the hour: the edges read raw rows
  const from = to - 90 * 86_400_000;
  while (!stop.done) {
    const t0 = performance.now();
    try {
      if (load === 'scan') {
        const client = await pool.connect();
        try {
          const pid = await backendPid(client);
          if (!stats.backends.has(pid)) stats.backends.set(pid, parentOf(pid));
          if (NICE) await renice(client);
          await client.query('BEGIN READ ONLY');
          await client.query('SET LOCAL jit = off');
          await client.query(`SET LOCAL work_mem = '64MB'`);
          const r = await client.query(SCAN_SQL);
          stats.rowsScanned = r.rowCount ?? 0;
          await client.query('COMMIT');
        } catch (err) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw err;
        } finally {
          client.release();
        }
      } else {
        await service.outbound({ from, to, groupBy: 'hour', format: 'json' });
        await service.agentPerformance({ from, to, format: 'json' });
        const csv = await service.complianceCsv({ to, format: 'csv' });
        for await (const _line of csv.lines) {
          if (stop.done) break;
        }
      }
      stats.runs++;
      stats.ms.push(performance.now() - t0);
    } catch (err) {
      stats.errors++;
      stats.lastError = err instanceof Error ? err.message : String(err);
      await sleep(200);
    }
  }
}

const backendPids = new WeakMap<pg.PoolClient, number>();

/** The pid of `client`'s PostgreSQL backend (asked once per connection). */
async function backendPid(client: pg.PoolClient): Promise<number> {
  const known = backendPids.get(client);
  if (known !== undefined) return known;
  const r = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
  const pid = r.rows[0]?.pid;
  if (pid === undefined) throw new Error('pg_backend_pid() answered no row');
  backendPids.set(client, pid);
  return pid;
}

const reniced = new WeakSet<pg.PoolClient>();

/** Lowers the CPU priority of `client`'s PostgreSQL backend (once per connection). */
async function renice(client: pg.PoolClient): Promise<void> {
  if (reniced.has(client)) return;
  const pid = await backendPid(client);
  await new Promise<void>((res, rej) =>
    execFile('renice', ['-n', '19', '-p', String(pid)], (err) => (err ? rej(err) : res())),
  );
  reniced.add(client);
}

interface HandoffResult {
  n: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  calls: number;
  loopP99Ms: number;
}

interface HandoffLine {
  metric?: string;
  n?: number;
  p50Ms?: number;
  p99Ms?: number;
  maxMs?: number;
  calls?: number;
}

/** The bench:handoff child running now (stopped on SIGINT / SIGTERM). */
let handoffChild: ChildProcess | null = null;

/**
 * bench:handoff in a child process on the primary; its hand-off and event-loop rows. With --pin
 * it starts under `taskset -c`, so that it and everything it starts run on the real-time CPUs.
 */
function runHandoff(onPid: (pid: number) => void): Promise<HandoffResult> {
  const root = resolve(import.meta.dirname, '../..');
  const nodeArgs = [
    process.execPath,
    '--import',
    'tsx',
    'bench/handoff/run.ts',
    '--json',
    '--agents',
    String(AGENTS),
    '--seconds',
    String(SECONDS),
    '--speed',
    String(SPEED),
  ];
  const [cmd, ...args] = PIN_PLAN
    ? ['taskset', '-c', formatCpuList(PIN_PLAN.realtime), ...nodeArgs]
    : nodeArgs;
  const child = spawn(cmd ?? process.execPath, args, {
    cwd: root,
    env: { ...process.env, TEST_DATABASE_URL: PRIMARY_URL },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  handoffChild = child;
  if (child.pid !== undefined) onPid(child.pid);
  let out = '';
  let err = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (err += b.toString()));
  return new Promise((res, rej) => {
    child.once('exit', (code) => {
      handoffChild = null;
      const lines = out
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as HandoffLine);
      const h = lines.find((l) => l.metric?.startsWith('AMD decision'));
      const loop = lines.find((l) => l.metric?.startsWith('event-loop'));
      if (code !== 0 || !h) {
        rej(
          new Error(`bench:handoff exited ${code}: ${err.trim().split('\n').slice(-3).join(' ')}`),
        );
        return;
      }
      res({
        n: h.n ?? 0,
        p50Ms: h.p50Ms ?? NaN,
        p99Ms: h.p99Ms ?? NaN,
        maxMs: h.maxMs ?? NaN,
        calls: h.calls ?? 0,
        loopP99Ms: loop?.p99Ms ?? NaN,
      });
    });
  });
}

interface Row {
  bench: 'report-load';
  kind: 'run';
  mode: Mode;
  load: Load | '-';
  run: number;
  agents: number;
  seconds: number;
  speed: number;
  calls: number;
  handoffs: number;
  handoffP50Ms: number;
  handoffP99Ms: number;
  handoffMaxMs: number;
  eventLoopP99Ms: number;
  reportRuns: number;
  reportMeanMs: number | null;
  reportErrors: number;
  reportRows: number;
  replicaLagMaxMs: number | null;
  load1mStart: number;
  load1mEnd: number;
  cores: number;
  reniced: boolean;
  /** --pin: the CPUs of the real-time side and of the replica side; null without --pin. */
  realtimeCpus: string | null;
  replicaCpus: string | null;
  /** --pin: how many processes each pinned group had at the start of this run. */
  pinnedProcesses: Record<string, number> | null;
  /** The server the scan's backends belonged to (their parent postmaster), when local. */
  reportServer: 'primary' | 'standby' | 'other' | null;
  /** The CPUs the scan's backends / the hand-off process were seen on, sampled every 0.5 s. */
  reportCpusSeen: Record<string, number> | null;
  handoffCpusSeen: Record<string, number> | null;
}

/** The local postmasters of --primary-url and --replica-url (null when not on this machine). */
const postmasters: { primary: number | null; standby: number | null } = {
  primary: null,
  standby: null,
};

/** The postmaster pid behind `url` when that server runs on this machine, else null. */
async function findPostmaster(url: string): Promise<number | null> {
  const pool = createPool(url, { max: 1 });
  try {
    const r = await pool.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const backend = r.rows[0]?.pid;
    const parent = backend === undefined ? null : parentOf(backend);
    // The backend's pid is only meaningful here if it is a postgres process on this machine.
    if (backend === undefined || parent === null) return null;
    if (!(commOf(backend) ?? '').startsWith('postgres')) return null;
    return parent;
  } finally {
    await pool.end();
  }
}

function countCpu(seen: Record<string, number>, pid: number): void {
  const cpu = lastCpu(pid);
  if (cpu !== null) seen[String(cpu)] = (seen[String(cpu)] ?? 0) + 1;
}

async function one(
  mode: Mode,
  load: Load,
  run: number,
  pinnedProcesses: Record<string, number> | null,
): Promise<Row> {
  const url = mode === 'replica' ? REPLICA_URL : PRIMARY_URL;
  const pool = mode === 'none' || !url ? null : createPool(url, { max: CONCURRENCY + 1 });
  const stats: LoadStats = {
    runs: 0,
    errors: 0,
    ms: [],
    lastError: null,
    maxLagMs: null,
    rowsScanned: 0,
    backends: new Map(),
  };
  const reportCpusSeen: Record<string, number> = {};
  const handoffCpusSeen: Record<string, number> = {};
  let handoffPid: number | null = null;
  const cpuTimer = setInterval(() => {
    for (const pid of stats.backends.keys()) countCpu(reportCpusSeen, pid);
    if (handoffPid !== null) countCpu(handoffCpusSeen, handoffPid);
  }, 500);
  const stop = { done: false };
  const loops: Promise<void>[] = [];
  let lagTimer: NodeJS.Timeout | undefined;
  if (pool) {
    const repo = new ReportsRepository(pool);
    const database =
      mode === 'replica'
        ? new ReplicaReportsDatabase({ pool, queries: repo, fallback: null })
        : reportsOnPrimary(repo);
    const service = new ReportsService(database, systemClock);
    for (let i = 0; i < CONCURRENCY; i++) loops.push(reportLoop(pool, load, service, stop, stats));
    if (mode === 'replica') {
      lagTimer = setInterval(() => {
        void readFreshness(pool)
          .then((f) => {
            if (f.lagMs !== null) stats.maxLagMs = Math.max(stats.maxLagMs ?? 0, f.lagMs);
          })
          .catch(() => undefined);
      }, 1_000);
    }
  }
  const load1mStart = loadavg()[0] ?? NaN;
  log(`run ${run}, ${mode}${pool ? ` (${load})` : ''}: bench:handoff ${SECONDS} s...`);
  try {
    const h = await runHandoff((pid) => (handoffPid = pid));
    const parents = new Set(stats.backends.values());
    const reportServer =
      stats.backends.size === 0
        ? null
        : parents.size === 1 && postmasters.primary !== null && parents.has(postmasters.primary)
          ? 'primary'
          : parents.size === 1 && postmasters.standby !== null && parents.has(postmasters.standby)
            ? 'standby'
            : 'other';
    return {
      bench: 'report-load',
      kind: 'run',
      mode,
      load: pool ? load : '-',
      run,
      agents: AGENTS,
      seconds: SECONDS,
      speed: SPEED,
      calls: h.calls,
      handoffs: h.n,
      handoffP50Ms: h.p50Ms,
      handoffP99Ms: h.p99Ms,
      handoffMaxMs: h.maxMs,
      eventLoopP99Ms: h.loopP99Ms,
      reportRuns: stats.runs,
      reportMeanMs: stats.ms.length
        ? Math.round(stats.ms.reduce((a, b) => a + b, 0) / stats.ms.length)
        : null,
      reportErrors: stats.errors,
      reportRows: stats.rowsScanned,
      replicaLagMaxMs: stats.maxLagMs,
      load1mStart: Number(load1mStart.toFixed(2)),
      load1mEnd: Number((loadavg()[0] ?? NaN).toFixed(2)),
      cores: cpus().length,
      reniced: NICE,
      realtimeCpus: PIN_PLAN ? formatCpuList(PIN_PLAN.realtime) : null,
      replicaCpus: PIN_PLAN ? formatCpuList(PIN_PLAN.replica) : null,
      pinnedProcesses,
      reportServer,
      reportCpusSeen: stats.backends.size ? reportCpusSeen : null,
      handoffCpusSeen: handoffPid === null ? null : handoffCpusSeen,
    };
  } finally {
    clearInterval(cpuTimer);
    stop.done = true;
    clearInterval(lagTimer);
    await Promise.all(loops);
    if (stats.lastError) log(`report errors (${stats.errors}), last: ${stats.lastError}`);
    await pool?.end();
  }
}

/** The spread of the runs of one mode and load. */
interface SummaryRow {
  bench: 'report-load';
  kind: 'summary';
  mode: Mode;
  load: Load | '-';
  runs: number;
  handoffP99MinMs: number;
  handoffP99MedianMs: number;
  handoffP99MaxMs: number;
  reportRuns: number;
  realtimeCpus: string | null;
  replicaCpus: string | null;
}

function summarise(rows: Row[]): SummaryRow[] {
  const out: SummaryRow[] = [];
  const keys = [...new Set(rows.map((r) => `${r.mode}|${r.load}`))];
  for (const k of keys) {
    const rs = rows.filter((r) => `${r.mode}|${r.load}` === k);
    const p99 = rs.map((r) => r.handoffP99Ms).sort((a, b) => a - b);
    const first = rs[0];
    if (!first) continue;
    out.push({
      bench: 'report-load',
      kind: 'summary',
      mode: first.mode,
      load: first.load,
      runs: rs.length,
      handoffP99MinMs: p99[0] ?? NaN,
      handoffP99MedianMs: nearestRank(p99, 50) ?? NaN,
      handoffP99MaxMs: p99.at(-1) ?? NaN,
      reportRuns: rs.reduce((a, r) => a + r.reportRuns, 0),
      realtimeCpus: first.realtimeCpus,
      replicaCpus: first.replicaCpus,
    });
  }
  return out;
}

function printTable(rows: Row[], summary: SummaryRow[]): void {
  const head = [
    'mode',
    'load',
    'run',
    'calls',
    'hand-offs',
    'p50 ms',
    'p99 ms',
    'max ms',
    'loop p99',
    'reports',
    'report ms',
    'errors',
    'lag max ms',
    'report on (cpu:samples)',
    'hand-off cpu',
    'load 1m',
  ];
  const body = rows.map((r) => [
    r.mode,
    r.load,
    String(r.run),
    String(r.calls),
    String(r.handoffs),
    r.handoffP50Ms.toFixed(1),
    r.handoffP99Ms.toFixed(1),
    r.handoffMaxMs.toFixed(1),
    r.eventLoopP99Ms.toFixed(1),
    String(r.reportRuns),
    r.reportMeanMs === null ? '-' : String(r.reportMeanMs),
    String(r.reportErrors),
    r.replicaLagMaxMs === null ? '-' : String(r.replicaLagMaxMs),
    r.reportServer === null ? '-' : `${r.reportServer} ${formatCpuSeen(r.reportCpusSeen)}`,
    formatCpuSeen(r.handoffCpusSeen),
    `${r.load1mStart} -> ${r.load1mEnd}`,
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => (b[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i] ?? 0)).join('  ');
  console.log(
    `bench:report-load: ${AGENTS} bot agents, ${SECONDS} s at speed ${SPEED} per run, ` +
      `${CONCURRENCY} report loop(s)${NICE ? ' (reniced to 19)' : ''}, ${cpus().length} cores`,
  );
  console.log(
    PIN_PLAN
      ? `pinned (--pin), every mode: bench:handoff and the primary PostgreSQL` +
          `${values['pin-redis'] ? ' and Redis' : ''} on CPU ${formatCpuList(PIN_PLAN.realtime)}; ` +
          `the standby PostgreSQL and the report's client on CPU ${formatCpuList(PIN_PLAN.replica)}`
      : 'not pinned: every process may run on every CPU',
  );
  console.log(line(head));
  for (const b of body) console.log(line(b));
  console.log('');
  console.log('hand-off p99 over the runs (min / median / max):');
  for (const s of summary) {
    console.log(
      `  ${s.mode.padEnd(8)} ${s.load.padEnd(7)} ${s.handoffP99MinMs.toFixed(1)} / ` +
        `${s.handoffP99MedianMs.toFixed(1)} / ${s.handoffP99MaxMs.toFixed(1)} ms ` +
        `(${s.runs} runs, ${s.reportRuns} reports)`,
    );
  }
}

/**
 * The --pin groups: the primary's and the standby's postmasters with all their children, this
 * process, and with --pin-redis the Redis server. Fails unless both PostgreSQL servers run here
 * (the baseline needs the standby pinned too, or the real-time side's CPUs would differ).
 */
async function makePinner(plan: PinPlan): Promise<Pinner> {
  if (postmasters.primary === null) fail('--pin: the primary PostgreSQL is not on this machine');
  if (REPLICA_URL && postmasters.standby === null) {
    fail('--pin: the standby PostgreSQL is not on this machine');
  }
  if (postmasters.standby !== null && postmasters.standby === postmasters.primary) {
    fail('--pin: --primary-url and --replica-url are the same PostgreSQL server');
  }
  const groups: PinGroup[] = [
    { name: 'primary', rootPid: postmasters.primary, tree: true, cpus: plan.realtime },
    { name: 'self', rootPid: process.pid, tree: false, cpus: plan.replica },
  ];
  if (postmasters.standby !== null) {
    groups.push({ name: 'standby', rootPid: postmasters.standby, tree: true, cpus: plan.replica });
  }
  if (values['pin-redis']) {
    const redis = new Redis(REDIS_URL);
    try {
      const pid = parseRedisPid(await redis.info('server'));
      if (!(commOf(pid) ?? '').startsWith('redis')) {
        fail(`--pin-redis: Redis (pid ${pid}) is not on this machine`);
      }
      groups.push({ name: 'redis', rootPid: pid, tree: false, cpus: plan.realtime });
    } finally {
      redis.disconnect();
    }
  }
  return new Pinner(groups);
}

async function main(): Promise<void> {
  const probe = createPool(PRIMARY_URL, { max: 1 });
  try {
    const r = await probe.query<{ n: string }>(
      `SELECT reltuples::bigint::text AS n FROM pg_class WHERE relname = 'call_log'
         AND relnamespace = 'public'::regnamespace`,
    );
    log(`call_log on the primary: about ${r.rows[0]?.n ?? 0} rows`);
  } finally {
    await probe.end();
  }
  postmasters.primary = await findPostmaster(PRIMARY_URL);
  postmasters.standby = REPLICA_URL ? await findPostmaster(REPLICA_URL) : null;
  log(
    `postmasters on this machine: primary ${postmasters.primary ?? '-'}, ` +
      `standby ${postmasters.standby ?? '-'}`,
  );
  const pinner = PIN_PLAN ? await makePinner(PIN_PLAN) : null;
  const onSignal = (signal: NodeJS.Signals) => {
    handoffChild?.kill('SIGTERM');
    pinner?.restore();
    process.stderr.write(`bench:report-load: ${signal}, affinities restored\n`);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const rows: Row[] = [];
  try {
    for (let run = 1; run <= RUNS; run++) {
      for (const mode of MODES) {
        for (const load of mode === 'none' ? (['scan'] as Load[]) : LOADS) {
          // Again before each run: a process forked since (autovacuum, a new backend of a
          // server whose postmaster was pinned later) is picked up.
          const pinned = pinner ? pinner.apply() : null;
          if (pinned) log(`pinned: ${JSON.stringify(pinned)}`);
          const row = await one(mode, load, run, pinned);
          rows.push(row);
          if (values.json) process.stdout.write(`${JSON.stringify(row)}\n`);
        }
      }
    }
  } finally {
    pinner?.restore();
    if (pinner) log('affinities restored');
  }
  const summary = summarise(rows);
  if (values.json) for (const s of summary) process.stdout.write(`${JSON.stringify(s)}\n`);
  else printTable(rows, summary);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:report-load: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
