import { loadavg } from 'node:os';
import {
  histogramDelta,
  histogramQuantile,
  readHistogram,
  type HistogramView,
} from '../../apps/server/src/adapters/metrics/parse.js';
import { createPool } from '../../apps/server/src/adapters/postgres/pool.js';
import type { Scenario } from '../pacing/scenario.js';
import { procCpuMs, procRssMb } from '../common/processes.js';
import { nearestRank } from '../common/stats.js';
import type { FloorArgs } from './args.js';
import { scrape } from './processes.js';
import type { FloorRow, ReportRow, RoleRow } from './report.js';
import { log, sleep, type FloorResources } from './resources.js';
import type { FloorPlay } from './scenario.js';

/** Dialing before the measured stretch (hopper filled, first decisions), wall-clock ms. */

/** The supervisor's view: how stale each agent state change was on arrival, while measuring. */
export interface Staleness {
  measuring: boolean;
  samplesMs: number[];
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

/**
 * The measured stretch of a floor whose roles and bots are up: the campaign on, a warm-up, then
 * `args.minutes` of wall clock; the campaign off, the calls of the stretch left to end and the
 * bots logged out; then the figures from call_log, agent_log and the roles' metrics, and the CPU
 * and memory of every process. `interrupted()` is polled to give up early.
 */
export async function measureStretch(
  args: FloorArgs,
  sc: Scenario,
  runNo: number,
  agents: number,
  play: FloorPlay,
  res: FloorResources,
  campaignId: string,
  staleness: Staleness,
  interrupted: () => boolean,
): Promise<ReportRow[]> {
  const db = createPool(res.dbUrl, { max: 2 });
  try {
    await db.query(`UPDATE campaigns SET active = true WHERE id = $1`, [campaignId]);
    // A warm-up (hopper filled, first decisions; with --warmup, the start burst), not measured.
    await sleep(args.warmupS * 1000);
    const before = await scrape(res.procs);
    const cpu0 = res.procs.map((p) => procCpuMs(p.child.pid ?? 0));
    const selfCpu0 = process.cpuUsage();
    const t0 = new Date();
    const load0 = loadavg()[0] ?? NaN;
    staleness.measuring = true;
    log(`${sc.id} run ${runNo}: measuring ${args.minutes} min at speed ${args.speed}...`);
    const until = Date.now() + args.minutes * 60_000;
    while (Date.now() < until && !interrupted()) await sleep(Math.min(1000, until - Date.now()));
    if (interrupted()) throw new Error('interrupted');
    staleness.measuring = false;
    const t1 = new Date();
    const wallS = (t1.getTime() - t0.getTime()) / 1000;
    const after = await scrape(res.procs);
    const cpu1 = res.procs.map((p) => procCpuMs(p.child.pid ?? 0));
    const selfCpu = process.cpuUsage(selfCpu0);
    const load1 = loadavg()[0] ?? NaN;
    const rss = res.procs.map((p) => procRssMb(p.child.pid ?? 0));
    // Stop dialing, let the calls of the stretch end, then log the bots out (their last
    // states are written to agent_log on logout).
    await db.query(`UPDATE campaigns SET active = false WHERE id = $1`, [campaignId]);
    await sleep(Math.max(3_000, (play.dropWaitMs + 2_000) / args.speed));
    await Promise.all(res.bots.map((b) => b.stop().catch(() => undefined)));
    res.bots = [];
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
    const stale = [...staleness.samplesMs].sort((a, b) => a - b);
    const floor: FloorRow = {
      kind: 'floor',
      scenario: sc.id,
      run: runNo,
      agents,
      speed: args.speed,
      minutes: args.minutes,
      warmupS: args.warmupS,
      occupancy: busy + idle > 0 ? busy / (busy + idle) : null,
      abandonmentPct: c.humans > 0 ? (100 * c.drops) / c.humans : null,
      dialsPerAgentHour: agentHours > 0 ? c.n / agentHours : null,
      connectsPerAgentHour: agentHours > 0 ? c.connects / agentHours : null,
      handoffP50Ms: quantileMs(handoffAfter, handoffBefore, 0.5),
      handoffP99Ms: quantileMs(handoffAfter, handoffBefore, 0.99),
      handoffs: handoffAfter ? histogramDelta(handoffAfter, handoffBefore).count : 0,
      pushP99Ms: quantileMs(pushAfter, pushBefore, 0.99),
      stalenessP99Ms: nearestRank(stale, 99) ?? null,
      stalenessMaxMs: nearestRank(stale, 100) ?? null,
      calls: c.n,
      loadStart: load0,
      loadEnd: load1,
    };
    const roles: RoleRow[] = res.procs.map((p, i) => ({
      kind: 'role',
      scenario: sc.id,
      run: runNo,
      role: p.name,
      cpuCores: ((cpu1[i] ?? NaN) - (cpu0[i] ?? NaN)) / 1000 / wallS,
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
}
