/**
 * npm run bench:floor [-- --scenario S1 --scenarios file.json --speed 10 --agents N --minutes 3 --warmup 5
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
 * supervisor staleness, CPU and RSS per process. `--parity` runs S1 and S2, or the one `--scenario` names (`--runs` times each,
 * default 2) and compares them with bench:pacing's own simulator on the same scenario.
 * Everything it made (database, Redis keys, processes) is removed at the end, on an error, and on
 * SIGINT/SIGTERM. docs/pacing.md ("Floor benchmark") says what --speed scales and what it cannot.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { ApiClient, gatewayUrl, RealtimeClient } from '@ringside/web/core';
import { nodeSocket, startBotAgents } from '@ringside/sim';
import type { Scenario } from '../pacing/scenario.js';
import { freePort } from '../common/processes.js';
import { ArgsError, parseFloorArgs, type FloorArgs } from './args.js';
import { seedFloorDatabase } from './database.js';
import { measureStretch, type Staleness } from './measure.js';
import { REDIS_URL, repoRoot, startPbx, startRole } from './processes.js';
import { pacingReference } from './reference.js';
import { formatTable, jsonLines, parityRow, type FloorRow, type ReportRow } from './report.js';
import { FloorResources, log } from './resources.js';
import { floorPlay, loadScenario, ScenarioFileError } from './scenario.js';

const ROLES = ['api', 'ari-worker', 'dialer', 'scheduler'] as const;
const PASSWORD = 'ringside-demo';

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

const active = new Set<FloorResources>();
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

/** One floor run of `sc`: its figures and its processes' CPU and memory. */
async function runFloor(args: FloorArgs, sc: Scenario, runNo: number): Promise<ReportRow[]> {
  const agents = args.agents ?? sc.agents;
  const play = floorPlay(sc);
  const run = new FloorResources(randomBytes(4).toString('hex'));
  active.add(run);
  try {
    const campaignId = await seedFloorDatabase(run.dbName, args, sc, play, agents);

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
      const env = {
        NODE_ENV: 'production',
        LOG_LEVEL: process.env.FLOOR_LOG_LEVEL ?? 'warn',
        DATABASE_URL: run.dbUrl,
        REDIS_URL,
        REDIS_PREFIX: run.prefix,
        ARI_URL: pbx.ariUrl,
        ARI_DIAL_TEMPLATE: 'Local/{digits}@sim-customers',
        ARI_MAX_CALLS: '10000',
        HTTP_PORT: String(httpPort),
        SESSION_SECRET: secret,
        METRICS_TOKEN: '',
        // The bench stands as the reverse proxy in front of the api (see proxiedFetch).
        TRUST_PROXY: 'true',
      };
      await startRole(args, role, metricsPort, env, (proc) => run.procs.push(proc));
    }
    if (interrupted) throw new Error('interrupted');

    // --- the supervisor's dashboard and the bots -------------------------------------------
    const staleness: Staleness = { measuring: false, samplesMs: [] };
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
            if (staleness.measuring && e.type === 'agent.state_changed')
              staleness.samplesMs.push(Date.now() - e.atMs);
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
    return await measureStretch(
      args,
      sc,
      runNo,
      agents,
      play,
      run,
      campaignId,
      staleness,
      () => interrupted,
    );
  } finally {
    await run.cleanup();
    active.delete(run);
  }
}

async function main(): Promise<void> {
  const args = parseFloorArgs(
    process.argv.slice(2),
    resolve(repoRoot, '../shared/pacing/scenarios.json'),
  );
  const ids = args.parity ? args.parityIds : [args.scenario];
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
    const hours = ((args.minutes * 60 + args.warmupS) * args.speed) / 3600;
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
