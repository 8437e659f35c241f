/**
 * npm run bench:realtime [-- --agents 1000 --mode calls --rate 100 --duration 15 --supervisors 0 --json]
 *
 * 1,000 agent WebSocket clients (this process) connected to the gateway (a child process: the
 * real app on the real Redis adapters) while state changes are written to Redis through the
 * RedisStateStore (Lua: state + event in one step):
 * - mode `calls` (default): `--rate` calls per second flow through the agents: reserve the
 *   longest-ready agent, call bridged, agent INCALL, call ended, WRAPUP, READY (6 events that
 *   reach the agent per call);
 * - mode `states`: `--rate` READY/PAUSED toggles per second, round robin.
 * For every event an agent receives: the latency from just before its write to Redis to the
 * moment the agent's client has parsed it; plus the gateway's CPU.
 * Goal (issue 5): p99 <= 50 ms at 1,000 agents on 2 cores.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpus, loadavg } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import WebSocket from 'ws';
import type {
  AgentId,
  AgentState,
  CallId,
  CampaignId,
  DomainEvent,
  E164,
  LeadId,
  ListId,
  ServerMessage,
} from '@ringside/protocol';
import { ensureDatabase, migrate } from '../../apps/server/src/adapters/postgres/migrate.js';
import { createPool } from '../../apps/server/src/adapters/postgres/pool.js';
import { RedisStateStore } from '../../apps/server/src/adapters/redis/state-store.js';
import { signSession } from '../../apps/server/src/http/session.js';
import { newLiveCall } from '../../apps/server/src/services/telephony/index.js';
import type { AgentStatus, LiveCall } from '../../apps/server/src/ports/state-store.js';
import { deleteKeysWithPrefix } from '../common/redis.js';
import { nearestRank } from '../common/stats.js';
import { formatKeyValues } from '../common/table.js';

interface Args {
  mode: 'calls' | 'states';
  agents: number;
  supervisors: number;
  /** State changes per second. */
  rate: number;
  durationS: number;
  json: boolean;
}

function parseArgs(argv: string[]): Args {
  const a: Args = {
    mode: 'calls',
    agents: 1000,
    supervisors: 0,
    rate: 0,
    durationS: 15,
    json: false,
  };
  const numeric: Record<string, 'agents' | 'supervisors' | 'rate' | 'durationS'> = {
    '--agents': 'agents',
    '--supervisors': 'supervisors',
    '--rate': 'rate',
    '--duration': 'durationS',
  };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i] ?? '';
    const field = numeric[k];
    if (k === '--json') a.json = true;
    else if (k === '--mode') {
      const m = argv[++i];
      if (m !== 'calls' && m !== 'states') throw new Error('--mode is calls or states');
      a.mode = m;
    } else if (field) a[field] = Number(argv[++i]);
    else throw new Error(`unknown argument ${k}`);
  }
  for (const [k, v] of Object.entries(a)) {
    if (typeof v === 'number' && !(Number.isFinite(v) && v >= 0)) throw new Error(`bad --${k}`);
  }
  if (a.rate === 0) a.rate = a.mode === 'calls' ? 100 : 200;
  return a;
}

const args = parseArgs(process.argv.slice(2));
const DATABASE_URL =
  process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ringside_bench';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const SECRET = randomBytes(32).toString('hex');
const tag = randomBytes(4).toString('hex');
const schema = `bench_rt_${tag}`;
const prefix = `benchrt_${tag}`;
const CAMPAIGN = '1' as CampaignId;
const nowPrecise = () => performance.timeOrigin + performance.now();
const log = (msg: string) => {
  if (!args.json) console.error(msg);
};

const percentile = (sorted: number[], p: number): number => nearestRank(sorted, p) ?? NaN;

async function main(): Promise<void> {
  // --- PostgreSQL: the agents as users (the gateway checks every session against them).
  await ensureDatabase(DATABASE_URL);
  const admin = createPool(DATABASE_URL, { max: 1 });
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = createPool(DATABASE_URL, { schema, max: 4 });
  await migrate(pool);
  const total = args.agents + args.supervisors;
  const users = await pool.query<{ id: string; role: string }>(
    `INSERT INTO users (username, display_name, role, password_hash)
     SELECT 'bench' || g, 'Bench ' || g, CASE WHEN g <= $1 THEN 'agent' ELSE 'supervisor' END, 'x'
       FROM generate_series(1, $2) g RETURNING id::text AS id, role`,
    [args.agents, total],
  );
  const agentIds = users.rows.filter((u) => u.role === 'agent').map((u) => u.id as AgentId);
  const supervisorIds = users.rows.filter((u) => u.role === 'supervisor').map((u) => u.id);

  // --- Redis: every agent logged in: READY for calls, PAUSED for state toggles.
  const redis = new Redis(REDIS_URL);
  const store = new RedisStateStore(redis, { prefix });
  const state = new Map<AgentId, AgentStatus>();
  const t0 = Date.now();
  await Promise.all(
    agentIds.map(async (agentId) => {
      const initial: AgentState = args.mode === 'calls' ? 'READY' : 'PAUSED';
      const s: AgentStatus = {
        agentId,
        state: initial,
        sinceMs: t0,
        campaignId: CAMPAIGN,
        callId: null,
        pauseCode: initial === 'PAUSED' ? 'LOGIN' : null,
        bridgeId: null,
        legChannelId: null,
      };
      await store.transitionAgent(s, null, {
        type: 'agent.state_changed',
        agentId,
        campaignId: CAMPAIGN,
        from: 'LOGGED_OUT',
        to: initial,
        pauseCode: s.pauseCode,
        callId: null,
        reason: 'bench:setup',
        sinceMs: t0,
        atMs: t0,
      });
      state.set(agentId, s);
    }),
  );

  // --- The gateway, in its own process.
  const here = path.dirname(fileURLToPath(import.meta.url));
  const child = fork(
    path.join(here, 'gateway.ts'),
    [DATABASE_URL, schema, REDIS_URL, prefix, SECRET],
    { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
  );
  const request = <T>(type: string): Promise<T> =>
    new Promise((resolve) => {
      const on = (m: { type: string }) => {
        if (m.type === type) {
          child.off('message', on);
          resolve(m as T);
        }
      };
      child.on('message', on);
      if (type !== 'ready') child.send({ type });
    });
  const { port } = await request<{ port: number }>('ready');
  const url = `ws://127.0.0.1:${port}/ws`;

  // --- Clients.
  /** Write instant (precise epoch ms) per event key; see keyOf. */
  const sentAt = new Map<string, number>();
  /** Events the agents should receive. */
  let expected = 0;
  /** Bench agent events carry their key as reason; the dialer's reservation and call events are keyed by call. */
  const keyOf = (e: DomainEvent): string => {
    if (e.type === 'agent.state_changed') {
      return e.reason.startsWith('bench:') ? e.reason : `${e.callId ?? ''}:${e.to}`;
    }
    return 'callId' in e ? `${e.callId}:${e.type}` : e.type;
  };
  const agentLatencies: number[] = [];
  const supLatencies: number[] = [];
  let received = 0;
  let errors = 0;
  const token = (id: string, role: 'agent' | 'supervisor') =>
    signSession(SECRET, { sub: id, role, iatMs: Date.now(), expMs: Date.now() + 3_600_000 });

  const sockets: WebSocket[] = [];
  function connect(id: string, role: 'agent' | 'supervisor'): Promise<void> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token(id, role)}` } });
      let seq = 1;
      const send = (type: string, data: unknown) =>
        ws.send(JSON.stringify({ v: 1, type, seq: seq++, tsMs: Date.now(), data }));
      ws.on('message', (raw) => {
        const at = nowPrecise();
        const m = JSON.parse(String(raw)) as ServerMessage;
        if (m.type === 'snapshot') resolve();
        else if (m.type === 'error') errors++;
        else if (m.type === 'event') {
          const start = sentAt.get(keyOf(m.data.event));
          if (start === undefined) return;
          (role === 'agent' ? agentLatencies : supLatencies).push(at - start);
          received++;
        }
      });
      ws.once('open', () => {
        send('subscribe', {});
        // The client heartbeat a browser sends (every heartbeat interval).
        const t = setInterval(() => send('ping', {}), 10_000);
        ws.once('close', () => clearInterval(t));
      });
      ws.once('error', reject);
      ws.once('unexpected-response', (_q, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      sockets.push(ws);
    });
  }
  const connectStart = performance.now();
  const all = [
    ...agentIds.map((id) => ['agent', id] as const),
    ...supervisorIds.map((id) => ['supervisor', id] as const),
  ];
  for (let i = 0; i < all.length; i += 100) {
    await Promise.all(all.slice(i, i + 100).map(([role, id]) => connect(id, role)));
  }
  const connectMs = performance.now() - connectStart;
  log(`connected ${sockets.length} clients in ${connectMs.toFixed(0)} ms`);

  // --- The workload at the given rate.
  await new Promise((r) => setTimeout(r, 500));
  const cpu0 = await request<{ userUs: number; systemUs: number; atMs: number }>('cpu');
  let sample = 0;
  let writeFailures = 0;
  let noAgent = 0;
  const inFlight = new Set<Promise<void>>();
  const mark = (key: string) => {
    sentAt.set(key, nowPrecise());
    expected++;
  };
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  /** One agent state write with its event; the event key is its reason. */
  async function move(
    cur: AgentStatus,
    to: AgentState,
    over: Partial<AgentStatus>,
    key: string,
  ): Promise<AgentStatus> {
    const atMs = Date.now();
    const next: AgentStatus = { ...cur, state: to, sinceMs: atMs, ...over };
    mark(key);
    const env = await store.transitionAgent(next, cur.state, {
      type: 'agent.state_changed',
      agentId: cur.agentId,
      campaignId: CAMPAIGN,
      from: cur.state,
      to,
      pauseCode: next.pauseCode,
      callId: next.callId ?? cur.callId,
      reason: key,
      sinceMs: cur.sinceMs,
      atMs,
    });
    if (!env) writeFailures++;
    return next;
  }

  let next = 0;
  async function toggle(): Promise<void> {
    const agentId = agentIds[next++ % agentIds.length];
    const cur = agentId ? state.get(agentId) : undefined;
    if (!agentId || !cur) return;
    const to: AgentState = cur.state === 'READY' ? 'PAUSED' : 'READY';
    const pending = move(
      cur,
      to,
      { pauseCode: to === 'PAUSED' ? 'BREAK' : null },
      `bench:${++sample}`,
    );
    // Recorded before the write resolves, so the next toggle of this agent expects the new state.
    state.set(agentId, { ...cur, state: to, pauseCode: to === 'PAUSED' ? 'BREAK' : null });
    await pending;
  }

  /** One call through an agent: the events the dialer and the ARI worker would write. */
  async function call(): Promise<void> {
    const callId = `bc${++sample}` as CallId;
    mark(`${callId}:RESERVED`);
    const reserved = await store.reserveLongestReady(CAMPAIGN, callId, Date.now());
    if (!reserved) {
      sentAt.delete(`${callId}:RESERVED`);
      expected--;
      noAgent++;
      return;
    }
    const dial = {
      callId,
      campaignId: CAMPAIGN,
      leadId: '1' as LeadId,
      listId: '1' as ListId,
      phone: '+14155550100' as E164,
      attempt: 1,
      ringTimeoutS: 15,
    };
    const live: LiveCall = {
      ...newLiveCall(dial, 'bench', Date.now()),
      stage: 'BRIDGED',
      bridgeId: `bridge-${reserved.agentId}`,
      agentId: reserved.agentId,
      bridgedAtMs: Date.now(),
    };
    mark(`${callId}:call.bridged`);
    await store.putCall(live, {
      type: 'call.bridged',
      callId,
      agentId: reserved.agentId,
      bridgeId: live.bridgeId ?? '',
      atMs: Date.now(),
    });
    let a = await move(reserved, 'INCALL', {}, `bench:${callId}:INCALL`);
    await sleep(20);
    mark(`${callId}:call.ended`);
    await store.endCall(
      { ...live, stage: 'ENDED', endedAtMs: Date.now() },
      {
        type: 'call.ended',
        callId,
        campaignId: CAMPAIGN,
        leadId: live.leadId,
        outcome: 'HUMAN',
        hangupCause: 16,
        agentId: reserved.agentId,
        atMs: Date.now(),
      },
    );
    a = await move(a, 'WRAPUP', {}, `bench:${callId}:WRAPUP`);
    await sleep(20);
    await move(a, 'READY', { callId: null }, `bench:${callId}:READY`);
  }

  const tickMs = 10;
  const perTick = (args.rate * tickMs) / 1000;
  let credit = 0;
  const endAt = performance.now() + args.durationS * 1000;
  while (performance.now() < endAt) {
    const tickStart = performance.now();
    credit += perTick;
    while (credit >= 1) {
      credit -= 1;
      const p: Promise<void> = (args.mode === 'calls' ? call() : toggle())
        .catch(() => {
          writeFailures++;
        })
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    const wait = tickMs - (performance.now() - tickStart);
    if (wait > 0) await sleep(wait);
  }
  await Promise.all(inFlight);
  await new Promise((r) => setTimeout(r, 1000));
  const cpu1 = await request<{ userUs: number; systemUs: number; atMs: number }>('cpu');
  const { stats } = await request<{ stats: Record<string, number | null> }>('stats');

  const wallMs = cpu1.atMs - cpu0.atMs;
  const cpuMs = (cpu1.userUs + cpu1.systemUs - cpu0.userUs - cpu0.systemUs) / 1000;
  const sorted = agentLatencies.sort((a, b) => a - b);
  const supSorted = supLatencies.sort((a, b) => a - b);
  const result = {
    bench: 'realtime',
    agents: args.agents,
    supervisors: args.supervisors,
    connected: sockets.filter((s) => s.readyState === WebSocket.OPEN).length,
    connectMs: Math.round(connectMs),
    mode: args.mode,
    rate: args.rate,
    eventsToAgents: expected,
    eventsPerS: Math.round(expected / args.durationS),
    writeFailures,
    noReadyAgent: noAgent,
    received,
    lostToAgents: expected - agentLatencies.length,
    p50Ms: +percentile(sorted, 50).toFixed(2),
    p95Ms: +percentile(sorted, 95).toFixed(2),
    p99Ms: +percentile(sorted, 99).toFixed(2),
    maxMs: +(sorted.at(-1) ?? NaN).toFixed(2),
    supervisorP99Ms: supSorted.length ? +percentile(supSorted, 99).toFixed(2) : null,
    gatewayCpuPct: +((cpuMs / wallMs) * 100).toFixed(1),
    gatewayMessagesOut: stats.messagesOut ?? 0,
    /** Publication (envelope tsMs, ms clock) to the gateway's socket write: the gateway's share. */
    gatewayLagP50Ms: stats.lagP50Ms ?? null,
    gatewayLagP99Ms: stats.lagP99Ms ?? null,
    /** Other work on the machine skews latency: the 1-minute load average at the end, and cores. */
    loadAvg1m: +(loadavg()[0] ?? 0).toFixed(2),
    cores: cpus().length,
    wsErrors: errors,
    goalP99Ms: 50,
    pass: percentile(sorted, 99) <= 50,
  };

  if (args.json) {
    console.log(JSON.stringify(result));
  } else {
    const rows: Array<[string, string]> = [
      ['agents connected', `${result.connected} / ${args.agents + args.supervisors}`],
      ['connect time', `${result.connectMs} ms`],
      ['workload', `${args.mode} at ${args.rate}/s for ${args.durationS} s`],
      [
        'events to agents',
        `${result.eventsToAgents} (${result.eventsPerS}/s, ${writeFailures} writes refused)`,
      ],
      ['events lost', String(result.lostToAgents)],
      ['latency p50', `${result.p50Ms} ms`],
      ['latency p95', `${result.p95Ms} ms`],
      ['latency p99', `${result.p99Ms} ms (goal <= 50 ms: ${result.pass ? 'met' : 'MISSED'})`],
      ['latency max', `${result.maxMs} ms`],
      ...(result.supervisorP99Ms !== null
        ? ([['supervisor p99', `${result.supervisorP99Ms} ms`]] as Array<[string, string]>)
        : []),
      ['gateway CPU', `${result.gatewayCpuPct}% of one core`],
      [
        'publish -> gateway send',
        `p50 ${result.gatewayLagP50Ms} ms, p99 ${result.gatewayLagP99Ms} ms (Redis write + stream read + gateway; ms clock)`,
      ],
      ['machine load', `${result.loadAvg1m} (1 min average, ${result.cores} cores)`],
    ];
    console.log('\nrealtime gateway: Redis state change -> agent WebSocket');
    console.log(formatKeyValues(rows));
  }

  // --- Clean up.
  for (const s of sockets) s.terminate();
  child.send({ type: 'stop' });
  await new Promise((r) => child.once('exit', r));
  await deleteKeysWithPrefix(redis, `${prefix}:`);
  redis.disconnect();
  await pool.end();
  const drop = createPool(DATABASE_URL, { max: 1 });
  await drop.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await drop.end();
}

main().catch((err: unknown) => {
  console.error('bench:realtime failed:', err instanceof Error ? err.stack : err);
  process.exit(1);
});
