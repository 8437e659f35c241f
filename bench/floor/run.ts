/**
 * npm run bench:floor [-- --scenario S1 --scenarios file.json --speed 10 --agents N --minutes 3
 *                        --runs 1 --parity --pacing-days 5 --cpu-prof dir --seed 1 --json]
 *
 * The running dialer, measured (issue 14, point 2): the production roles each in its own process
 * as deployed (`tsx apps/server/src/main.ts api|ari-worker|dialer|scheduler`, each with its own
 * METRICS_PORT), a fresh database and a unique REDIS_PREFIX on the real PostgreSQL and Redis, the
 * simulated PBX in a process of its own playing a pacing scenario's distributions at `--speed`,
 * and `--agents` bot agents (apps/sim/src/bots) in this process, through the real HTTP API and
 * WebSocket, that wait for the customer to hang up (the scenario's talk time, played by the PBX)
 * and wrap for the scenario's wrap time. A supervisor WebSocket client measures how stale the
 * dashboard is. After `--minutes` of wall clock it prints occupancy, abandonment, dials and
 * connects per agent-hour, hand-off p50/p99 and push p99 (from the roles' Prometheus metrics),
 * supervisor staleness, CPU and RSS per process. `--parity` runs S1 and S2 (`--runs` times each,
 * default 2) and compares them with bench:pacing's own simulator on the same scenario.
 * Everything it made (database, Redis keys, processes) is removed at the end, on an error, and on
 * SIGINT/SIGTERM. docs/pacing.md ("Floor benchmark") says what --speed scales and what it cannot.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import pg from 'pg';
import { ApiClient, gatewayUrl, RealtimeClient } from '@ringside/web/core';
import { nodeSocket, startBotAgents, type RunningBots } from '@ringside/sim';
import {
  histogramDelta,
  histogramQuantile,
  readHistogram,
  type HistogramView,
} from '../../apps/server/src/adapters/metrics/parse.js';
import { migrate } from '../../apps/server/src/adapters/postgres/migrate.js';
import { createPool } from '../../apps/server/src/adapters/postgres/pool.js';
import { seedDemo } from '../../apps/server/src/services/admin/demo-seed.js';
import { deleteKeysWithPrefix } from '../index.js';
import type { Scenario } from '../pacing/scenario.js';
import { runOne } from '../pacing/tasks.js';
import { ArgsError, parseFloorArgs, type FloorArgs } from './args.js';
import {
  formatTable,
  jsonLines,
  parityRow,
  type FloorRow,
  type ReportRow,
  type RoleRow,
} from './report.js';
import { floorPlay, loadScenario, ScenarioFileError } from './scenario.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const ROLES = ['api', 'ari-worker', 'dialer', 'scheduler'] as const;
const BASE_DB_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ringside';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const PASSWORD = 'ringside-demo';
/** Zones tried for the leads, so that they are inside the 08:00-21:00 window now. */
const ZONES = [
  'America/New_York',
  'America/Chicago',
  'America/Denver',
  'America/Los_Angeles',
  'America/Anchorage',
  'Pacific/Honolulu',
  'Pacific/Guam',
  'America/Puerto_Rico',
];
const CLK_TCK = 100;
/** Dialing before the measured stretch (hopper filled, first decisions), wall-clock ms. */
const WARMUP_MS = 5_000;

/** The maintenance database, to create and drop the run's own. */
const adminUrl = () => BASE_DB_URL.replace(/\/[^/?]*(\?|$)/, '/postgres$1');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (msg: string) => process.stderr.write(`bench:floor: ${msg}\n`);

function localHour(zone: string, at: Date): number {
  const h = new Intl.DateTimeFormat('en-US', { timeZone: zone, hour: 'numeric', hourCycle: 'h23' })
    .formatToParts(at)
    .find((p) => p.type === 'hour')?.value;
  return Number(h);
}

/** The zone whose local time now is nearest to 14:00 (inside any US calling window). */
export function zoneInWindow(at: Date): string {
  let best = ZONES[0] as string;
  let bestD = Infinity;
  for (const z of ZONES) {
    const d = Math.abs(localHour(z, at) - 14);
    if (d < bestD) {
      best = z;
      bestD = d;
    }
  }
  return best;
}

let clientNo = 0;
/**
 * The bots' HTTP client: each request says it comes from an address of its own
 * (X-Forwarded-For, believed with TRUST_PROXY=true), as a floor of people behind a proxy would,
 * so that the login rate limit per address (20 a minute) does not throttle hundreds of bots
 * logging in from one loopback address.
 */
const proxiedFetch: typeof fetch = (input, init) => {
  const n = ++clientNo;
  const headers = new Headers(init?.headers);
  headers.set('x-forwarded-for', `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`);
  return fetch(input, { ...init, headers });
};

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => res(port));
    });
  });
}

/** utime + stime of a process, seconds (Linux /proc). */
function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK;
  } catch {
    return NaN;
  }
}

function rssMb(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function pct(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return (
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ??
    null
  );
}

interface Proc {
  name: string;
  child: ChildProcess;
  metricsUrl: string | null;
}

/** Everything one run made, undone by cleanup() whatever state the run reached. */
class Run {
  procs: Proc[] = [];
  bots: RunningBots[] = [];
  supervisor: RealtimeClient | null = null;
  dbName: string;
  prefix: string;
  private cleaning: Promise<void> | null = null;

  constructor(readonly id: string) {
    this.dbName = `ringside_floor_${id}`;
    this.prefix = `floor_${id}`;
  }

  get dbUrl(): string {
    return BASE_DB_URL.replace(/\/[^/?]*(\?|$)/, `/${this.dbName}$1`);
  }

  /** Once, whoever asks first (the run's finally, a signal); every caller waits for the end. */
  cleanup(): Promise<void> {
    this.cleaning ??= this.doCleanup();
    return this.cleaning;
  }

  private async doCleanup(): Promise<void> {
    this.supervisor?.stop();
    await Promise.race([
      Promise.all(this.bots.map((b) => b.stop().catch(() => undefined))),
      sleep(15_000),
    ]);
    await Promise.all(this.procs.map((p) => stopChild(p.child)));
    const admin = new pg.Client({ connectionString: adminUrl() });
    try {
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "${this.dbName}" WITH (FORCE)`);
    } catch (err) {
      log(`could not drop database ${this.dbName}: ${(err as Error).message}`);
    } finally {
      await admin.end().catch(() => undefined);
    }
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
    try {
      await redis.connect();
      await deleteKeysWithPrefix(redis, this.prefix);
    } catch (err) {
      log(`could not delete Redis keys ${this.prefix}*: ${(err as Error).message}`);
    } finally {
      redis.disconnect();
    }
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((res) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), 8_000);
    child.once('exit', () => {
      clearTimeout(kill);
      res();
    });
    child.kill('SIGTERM');
  });
}

const active = new Set<Run>();
/** Every row so far: a failed or interrupted run still prints the runs before it. */
const rows: ReportRow[] = [];
let tablePrinted = false;
let interrupted = false;
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (interrupted) return;
    interrupted = true;
    log(`${sig}: cleaning up`);
    void Promise.all([...active].map((r) => r.cleanup())).finally(() => process.exit(130));
  });
}

function nodeArgs(args: FloorArgs, name: string): string[] {
  // One directory per process: tsx's loader thread writes a profile of its own beside the
  // main thread's (the larger file).
  const prof = args.cpuProf
    ? ['--cpu-prof', `--cpu-prof-dir=${join(args.cpuProf, `${name}.${process.pid}`)}`]
    : [];
  return [...prof, '--import', 'tsx'];
}

function startPbx(args: FloorArgs, options: object): Promise<{ proc: Proc; ariUrl: string }> {
  const child = spawn(
    process.execPath,
    [...nodeArgs(args, 'sim-pbx'), 'bench/floor/pbx-process.ts'],
    {
      cwd: repoRoot,
      env: { ...process.env, FLOOR_SIM_OPTIONS: JSON.stringify(options) },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const proc: Proc = { name: 'sim-pbx', child, metricsUrl: null };
  return new Promise((res, rej) => {
    let buf = '';
    child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString('utf8');
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        const line = JSON.parse(buf.slice(0, nl)) as { ariUrl: string };
        res({ proc, ariUrl: line.ariUrl });
      }
    });
    child.once('exit', (code) => rej(new Error(`simulated PBX exited (${code})`)));
  });
}

async function waitHttp(url: string, child: ChildProcess, name: string): Promise<void> {
  const until = Date.now() + 90_000;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}`);
    try {
      const r = await fetch(url);
      if (r.ok) return;
    } catch {
      // not up yet
    }
    await sleep(300);
  }
  throw new Error(`${name} did not serve ${url} within 90 s`);
}

async function scrape(procs: readonly Proc[]): Promise<string> {
  const texts = await Promise.all(
    procs
      .filter((p) => p.metricsUrl)
      .map((p) =>
        fetch(p.metricsUrl as string)
          .then((r) => r.text())
          .catch(() => ''),
      ),
  );
  return texts.join('\n');
}

function quantileMs(
  after: HistogramView | null,
  before: HistogramView | null,
  q: number,
): number | null {
  if (!after) return null;
  const v = histogramQuantile(histogramDelta(after, before), q);
  return v === null ? null : v * 1000;
}

/** One floor run of `sc`: its figures and its processes' CPU and memory. */
async function runFloor(args: FloorArgs, sc: Scenario, runNo: number): Promise<ReportRow[]> {
  const agents = args.agents ?? sc.agents;
  const play = floorPlay(sc);
  const run = new Run(randomBytes(4).toString('hex'));
  active.add(run);
  try {
    // --- database: fresh, migrated, seeded -------------------------------------------------
    const admin = new pg.Client({ connectionString: adminUrl() });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${run.dbName}"`);
    await admin.end();
    const pool = createPool(run.dbUrl, { max: 4 });
    // Leads for the stretch: bench:pacing's dial rate (~120 dials per agent-hour in S1) with room.
    const virtualHours = (args.minutes * args.speed) / 60;
    const leads = Math.min(100_000, Math.max(2_000, Math.ceil(agents * virtualHours * 300)));
    let campaignId: string;
    try {
      await migrate(pool);
      const seeded = await seedDemo(pool, {
        agents: Math.min(agents, 500),
        leads,
        campaignName: `Floor ${sc.id}`,
        // An external phone each, which the simulated PBX answers (anyEndpoint).
        agentPhone: (username) => `PJSIP/${username}`,
      });
      campaignId = seeded.campaignId;
      if (agents > 500) {
        // seedDemo stops at 500 agents: the rest copy agent1 (same password hash, team).
        await pool.query(
          `INSERT INTO users (username, display_name, role, password_hash, team_id, phone_type,
                              sip_endpoint)
           SELECT 'agent' || g, 'Agent ' || g, 'agent', u.password_hash, u.team_id, u.phone_type,
                  'PJSIP/agent' || g
             FROM generate_series(501, $1) g, users u WHERE u.username = 'agent1'`,
          [agents],
        );
      }
      const zone = zoneInWindow(new Date());
      await pool.query(
        `UPDATE leads SET time_zone = $1, tz_key = $1, tz_candidates = ARRAY[$1]::text[]`,
        [zone],
      );
      // The dialer's clock is the wall clock: the scenario's drop wait and ring timeout in real
      // time are divided by the speed (the ring timeout cannot go under the schema's 15 s).
      await pool.query(
        `UPDATE campaigns SET drop_wait_ms = $2, ring_timeout_s = $3, hopper_size = $4,
                              window_start = '08:00', window_end = '21:00', active = false
          WHERE id = $1`,
        [
          campaignId,
          Math.min(2000, Math.round(play.dropWaitMs / args.speed)),
          Math.max(15, Math.min(120, Math.round(sc.ringTimeoutS / args.speed))),
          Math.max(200, agents * 10),
        ],
      );
    } finally {
      await pool.end();
    }

    // --- the simulated PBX, then the roles ------------------------------------------------
    if (args.cpuProf) mkdirSync(args.cpuProf, { recursive: true });
    const pbx = await startPbx(args, {
      speed: args.speed,
      seed: args.seed * 1000 + runNo,
      anyEndpoint: true,
      defaultProfile: play.profile,
      omitEvents: ['DeviceStateChanged'],
    });
    run.procs.push(pbx.proc);
    const httpPort = await freePort();
    const baseUrl = `http://127.0.0.1:${httpPort}`;
    const secret = randomBytes(32).toString('hex');
    for (const role of ROLES) {
      const metricsPort = role === 'api' ? httpPort : await freePort();
      const child = spawn(
        process.execPath,
        [...nodeArgs(args, role), 'apps/server/src/main.ts', role],
        {
          cwd: repoRoot,
          env: {
            ...process.env,
            NODE_ENV: 'production',
            LOG_LEVEL: process.env.FLOOR_LOG_LEVEL ?? 'warn',
            DATABASE_URL: run.dbUrl,
            REDIS_URL,
            REDIS_PREFIX: run.prefix,
            ARI_URL: pbx.ariUrl,
            ARI_DIAL_TEMPLATE: 'Local/{digits}@sim-customers',
            ARI_MAX_CALLS: '10000',
            HTTP_PORT: String(httpPort),
            METRICS_PORT: String(metricsPort),
            SESSION_SECRET: secret,
            METRICS_TOKEN: '',
            // The bench stands as the reverse proxy in front of the api (see proxiedFetch).
            TRUST_PROXY: 'true',
          },
          // The roles' logs (pino, stdout) go to this process's stderr when FLOOR_LOG_LEVEL asks.
          stdio: ['ignore', process.env.FLOOR_LOG_LEVEL ? 'pipe' : 'ignore', 'inherit'],
        },
      );
      child.stdout?.pipe(process.stderr);
      const proc: Proc = {
        name: role,
        child,
        metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
      };
      run.procs.push(proc);
      await waitHttp(proc.metricsUrl as string, child, role);
    }
    if (interrupted) throw new Error('interrupted');

    // --- the supervisor's dashboard and the bots -------------------------------------------
    const staleness: number[] = [];
    let measuring = false;
    const supApi = new ApiClient({ baseUrl, fetchFn: proxiedFetch });
    const supLogin = await supApi.login('supervisor', PASSWORD);
    await new Promise<void>((res) => {
      run.supervisor = new RealtimeClient({
        url: gatewayUrl(baseUrl),
        createSocket: (url) => nodeSocket(url, supLogin.token),
        handlers: {
          onSnapshot: () => res(),
          onEvent: (data) => {
            const e = data.event;
            if (measuring && e.type === 'agent.state_changed') staleness.push(Date.now() - e.atMs);
          },
          onStatus: () => undefined,
          onServerError: () => undefined,
        },
      });
      run.supervisor.start();
    });
    log(
      `${sc.id} run ${runNo}: database ${run.dbName}, Redis prefix ${run.prefix}; ${agents} bot agents logging in...`,
    );
    // Eight groups log in side by side (each one after the other: argon2 is slow on purpose).
    const groups = Math.min(8, agents);
    const per = Math.ceil(agents / groups);
    await Promise.all(
      Array.from({ length: groups }, async (_, g) => {
        const count = Math.min(per, agents - g * per);
        if (count <= 0) return;
        const bots = await startBotAgents({
          baseUrl,
          campaignId,
          count,
          first: 1 + g * per,
          password: PASSWORD,
          hangup: 'customer',
          wrapMs: Math.max(1, Math.round(play.wrapMs / args.speed)),
          // 0.5: no jitter (the wrap is the scenario's), always the same disposition.
          random: () => 0.5,
          staggerMs: 0,
          fetchFn: proxiedFetch,
          ...(process.env.FLOOR_LOG_LEVEL
            ? {
                onLog: (msg: string, f: Record<string, unknown>) =>
                  log(`${msg} ${JSON.stringify(f)}`),
              }
            : {}),
        });
        run.bots.push(bots);
      }),
    );
    if (interrupted) throw new Error('interrupted');

    // --- the measured stretch --------------------------------------------------------------
    const db = createPool(run.dbUrl, { max: 2 });
    try {
      await db.query(`UPDATE campaigns SET active = true WHERE id = $1`, [campaignId]);
      // A short warm-up (hopper filled, first decisions), not measured.
      await sleep(WARMUP_MS);
      const before = await scrape(run.procs);
      const cpu0 = run.procs.map((p) => cpuSeconds(p.child.pid ?? 0));
      const selfCpu0 = process.cpuUsage();
      const t0 = new Date();
      const load0 = loadavg()[0] ?? NaN;
      measuring = true;
      log(`${sc.id} run ${runNo}: measuring ${args.minutes} min at speed ${args.speed}...`);
      const until = Date.now() + args.minutes * 60_000;
      while (Date.now() < until && !interrupted) await sleep(Math.min(1000, until - Date.now()));
      if (interrupted) throw new Error('interrupted');
      measuring = false;
      const t1 = new Date();
      const wallS = (t1.getTime() - t0.getTime()) / 1000;
      const after = await scrape(run.procs);
      const cpu1 = run.procs.map((p) => cpuSeconds(p.child.pid ?? 0));
      const selfCpu = process.cpuUsage(selfCpu0);
      const load1 = loadavg()[0] ?? NaN;
      const rss = run.procs.map((p) => rssMb(p.child.pid ?? 0));
      // Stop dialing, let the calls of the stretch end, then log the bots out (their last
      // states are written to agent_log on logout).
      await db.query(`UPDATE campaigns SET active = false WHERE id = $1`, [campaignId]);
      await sleep(Math.max(3_000, (play.dropWaitMs + 2_000) / args.speed));
      await Promise.all(run.bots.map((b) => b.stop().catch(() => undefined)));
      run.bots = [];
      await sleep(1_000);

      const calls = await db.query<{ n: number; humans: number; drops: number; connects: number }>(
        `SELECT count(*)::int AS n,
                count(*) FILTER (WHERE dropped OR (agent_connected_at IS NOT NULL
                                   AND amd_result IS DISTINCT FROM 'MACHINE'))::int AS humans,
                count(*) FILTER (WHERE dropped)::int AS drops,
                count(*) FILTER (WHERE agent_connected_at IS NOT NULL)::int AS connects
           FROM call_log WHERE campaign_id = $1 AND originated_at >= $2 AND originated_at < $3`,
        [campaignId, t0, t1],
      );
      const states = await db.query<{ state: string; s: number }>(
        `SELECT state, sum(greatest(0, extract(epoch FROM least(ended_at, $3) - greatest(started_at, $2))))::float8 AS s
           FROM agent_log WHERE campaign_id = $1 AND ended_at > $2 AND started_at < $3
          GROUP BY state`,
        [campaignId, t0, t1],
      );
      const byState = new Map(states.rows.map((r) => [r.state, r.s]));
      const st = (k: string) => byState.get(k) ?? 0;
      // Talk is INCALL; DEAD (the customer hung up, the bot wraps before disposing) is wrap-up,
      // as WRAPUP; waiting is READY and RESERVED (bench:pacing's wait). PAUSED is neither.
      const busy = st('INCALL');
      const idle = st('READY') + st('RESERVED');
      if (!args.json) {
        const parts = [...byState].map(([k, v]) => `${k} ${((v * args.speed) / 3600).toFixed(2)}`);
        log(`${sc.id} run ${runNo}: agent-hours by state: ${parts.join(', ')}`);
      }
      let loggedS = 0;
      for (const [k, v] of byState) if (k !== 'LOGGED_OUT') loggedS += v;
      const agentHours = (loggedS * args.speed) / 3600;
      const c = calls.rows[0] ?? { n: 0, humans: 0, drops: 0, connects: 0 };

      const handoffAfter = readHistogram(after, 'ringside_handoff_latency_seconds', {
        parked: 'false',
      });
      const handoffBefore = readHistogram(before, 'ringside_handoff_latency_seconds', {
        parked: 'false',
      });
      const pushAfter = readHistogram(after, 'ringside_ws_push_latency_seconds');
      const pushBefore = readHistogram(before, 'ringside_ws_push_latency_seconds');
      const stale = [...staleness].sort((a, b) => a - b);
      const floor: FloorRow = {
        kind: 'floor',
        scenario: sc.id,
        run: runNo,
        agents,
        speed: args.speed,
        minutes: args.minutes,
        occupancy: busy + idle > 0 ? busy / (busy + idle) : null,
        abandonmentPct: c.humans > 0 ? (100 * c.drops) / c.humans : null,
        dialsPerAgentHour: agentHours > 0 ? c.n / agentHours : null,
        connectsPerAgentHour: agentHours > 0 ? c.connects / agentHours : null,
        handoffP50Ms: quantileMs(handoffAfter, handoffBefore, 0.5),
        handoffP99Ms: quantileMs(handoffAfter, handoffBefore, 0.99),
        handoffs: handoffAfter ? histogramDelta(handoffAfter, handoffBefore).count : 0,
        pushP99Ms: quantileMs(pushAfter, pushBefore, 0.99),
        stalenessP99Ms: pct(stale, 99),
        stalenessMaxMs: pct(stale, 100),
        calls: c.n,
        loadStart: load0,
        loadEnd: load1,
      };
      const roles: RoleRow[] = run.procs.map((p, i) => ({
        kind: 'role',
        scenario: sc.id,
        run: runNo,
        role: p.name,
        cpuCores: ((cpu1[i] ?? NaN) - (cpu0[i] ?? NaN)) / wallS,
        rssMb: rss[i] ?? NaN,
      }));
      roles.push({
        kind: 'role',
        scenario: sc.id,
        run: runNo,
        role: 'bench (bots, supervisor)',
        cpuCores: (selfCpu.user + selfCpu.system) / 1e6 / wallS,
        rssMb: process.memoryUsage().rss / 2 ** 20,
      });
      return [floor, ...roles];
    } finally {
      await db.end().catch(() => undefined);
    }
  } finally {
    await run.cleanup();
    active.delete(run);
  }
}

/** Seeds of the short, cold-start reference (noisier than days of dialing: more of them). */
const SHORT_REFERENCE_SEEDS = 20;

/**
 * bench:pacing's own simulator (policy ours) on the same scenario, seeds averaged: over `days`
 * days per seed, or (`hours` given) over one stretch of that many scenario hours from a cold
 * start, as long as a floor run, on SHORT_REFERENCE_SEEDS seeds.
 */
function pacingReference(
  sc: Scenario,
  days: number,
  hours?: number,
): { occupancy: number; abandonmentPct: number } {
  const runs =
    hours === undefined
      ? sc.seeds.map((seed) => runOne(sc, 'ours', seed, Math.min(days, sc.days)))
      : Array.from({ length: SHORT_REFERENCE_SEEDS }, (_, i) =>
          runOne(
            {
              ...sc,
              days: 1,
              hoursPerDay: hours,
              agentSchedule: { ...sc.agentSchedule, loginAtS: 0, logoutAtS: hours * 3600 },
            },
            'ours',
            i + 1,
            1,
          ),
        );
  const avg = (f: (m: (typeof runs)[number]) => number) =>
    runs.reduce((s, m) => s + f(m), 0) / runs.length;
  return { occupancy: avg((m) => m.occupancy), abandonmentPct: avg((m) => m.abandonmentPct) };
}

async function main(): Promise<void> {
  const args = parseFloorArgs(
    process.argv.slice(2),
    resolve(repoRoot, '../shared/pacing/scenarios.json'),
  );
  const ids = args.parity ? ['S1', 'S2'] : [args.scenario];
  // Every scenario is read and checked before anything starts.
  const scenarios = ids.map((id) => loadScenario(args.scenariosFile, id));
  if (!args.json) {
    log(
      `${cpus().length} cores, load ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (a shared machine)`,
    );
  }
  for (const sc of scenarios) {
    const notes = floorPlay(sc).notes;
    if (notes.length && !args.json) log(`${sc.id}: ${notes.join('; ')}`);
    // The floor's stretch in scenario hours (warm-up included): the like-for-like reference.
    const hours = ((args.minutes * 60 + WARMUP_MS / 1000) * args.speed) / 3600;
    const refs = args.parity
      ? [
          { reference: 'same length', ...pacingReference(sc, args.pacingDays, hours) },
          {
            reference: `${Math.min(args.pacingDays, sc.days)} days`,
            ...pacingReference(sc, args.pacingDays),
          },
        ]
      : [];
    for (let r = 1; r <= args.runs; r++) {
      const out: ReportRow[] = await runFloor(args, sc, r);
      const floor = out.find((x): x is FloorRow => x.kind === 'floor');
      if (floor) for (const ref of refs) out.push(parityRow(floor, ref));
      rows.push(...out);
      if (args.json) process.stdout.write(jsonLines(out));
    }
  }
  if (!args.json) {
    tablePrinted = true;
    process.stdout.write(formatTable(rows));
  }
  // The verdict is the like-for-like one; the long reference is shown for what it says.
  if (rows.some((r) => r.kind === 'parity' && r.reference === 'same length' && !r.pass))
    process.exitCode = 1;
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err: unknown) => {
    if (err instanceof ScenarioFileError || err instanceof ArgsError) {
      process.stderr.write(`bench:floor: ${err.message}\n`);
      process.exit(2);
    }
    if (!tablePrinted && rows.length > 0 && !process.argv.includes('--json'))
      process.stdout.write(formatTable(rows));
    if (interrupted) {
      log('interrupted; cleaned up');
      process.exit(130);
    }
    process.stderr.write(
      `bench:floor failed: ${err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exit(1);
  },
);
