/**
 * The chaos floor (issue 16, point 4), shared by `npm run bench:chaos` (run.ts) and the CI tests
 * (apps/server/test/chaos/): a Redis Cluster of three masters and their replicas on six given
 * ports, a fresh database (`chaos_<id>`) and REDIS_PREFIX (`chaos_<id>`), two simulated PBXes
 * linked by a trunk (pbx-fleet-process.ts, one process), every production role twice, each in its
 * own process as deployed (`main.ts api|ari-worker|dialer|scheduler`, the fleet in ARI_URL, the
 * cluster in REDIS_CLUSTER_NODES), and bot agents through both api processes (apps/sim bots).
 * Fault injectors (kill -9 and restart a role process, fail a Redis master over, take a PBX away
 * and bring it back), each fault time-stamped; drain() and check() for the invariants
 * (checks.ts). stop() removes everything, whatever state start() reached.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import type { Redis } from 'ioredis';
import type { CampaignId } from '@ringside/protocol';
import { startBotAgents, type CustomerProfile, type RunningBots } from '@ringside/sim';
import {
  startRedisCluster,
  type LocalRedisCluster,
} from '../../apps/server/test/helpers/redis-cluster.js';
import { connectRedis } from '../../apps/server/src/adapters/redis/connect.js';
import { RedisKeys } from '../../apps/server/src/adapters/redis/keys.js';
import { RedisStateStore } from '../../apps/server/src/adapters/redis/state-store.js';
import { createPool } from '../../apps/server/src/adapters/postgres/pool.js';
import { freePort, stopChild } from '../common/processes.js';
import { parseFloorArgs } from '../floor/args.js';
import { databaseUrl, onMaintenanceDb } from '../floor/database.js';
import { repoRoot, startRole, type Proc } from '../floor/processes.js';
import {
  abandonmentInFaults,
  doubledLeads,
  lostLeads,
  recoveryMs,
  stuckAgents,
  type CallRow,
  type Fault,
  type FaultKind,
} from './checks.js';
import { seedChaosDatabase } from './database.js';

export const ROLES = ['api', 'ari-worker', 'dialer', 'scheduler'] as const;
export type Role = (typeof ROLES)[number];
const PASSWORD = 'ringside-demo';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface ChaosOptions {
  agents: number;
  leads: number;
  /** The simulated PBXes' speed (virtual time per wall-clock time). */
  speed: number;
  seed: number;
  /** The customers (virtual ms). */
  profile: Partial<CustomerProfile>;
  /** The bots' wrap-up time, wall-clock ms. */
  wrapMs: number;
  dialMethod: 'predictive' | 'ratio';
  dialLevel: number;
  dropWaitMs: number;
  ringTimeoutS: number;
  /** Six Redis Cluster ports (the cluster bus is 10000 above each). */
  clusterPorts: readonly number[];
  /** FLEET_REHOME_AFTER_MS of the roles. */
  rehomeAfterMs: number;
  log: (msg: string) => void;
}

interface RoleSlot {
  /** `dialer-1`, `dialer-2`... */
  name: string;
  role: Role;
  port: number;
  env: Record<string, string>;
  proc: Proc | null;
}

/** The fleet process's answer to a command. */
interface PbxReply {
  re: string;
  error?: string;
  originates?: Array<Record<string, number>>;
}

/**
 * The bots' HTTP client: each request says it comes from an address of its own (X-Forwarded-For,
 * believed with TRUST_PROXY=true), so the login rate limit per address does not throttle the
 * floor's logins from one loopback address (bench:floor does the same).
 */
let clientNo = 0;
const proxiedFetch: typeof fetch = (input, init) => {
  const n = ++clientNo;
  const headers = new Headers(init?.headers);
  headers.set('x-forwarded-for', `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`);
  return fetch(input, { ...init, headers });
};

export interface ChaosCheck {
  doubled: string[];
  lost: string[];
  leftLive: string[];
  stuck: string[];
  calls: number;
  humans: number;
  drops: number;
  /** Abandonment over the calls originated in the fault windows (checks.ts). */
  faultHumans: number;
  faultDrops: number;
  faultAbandonmentPct: number | null;
  faults: Fault[];
}

export class ChaosFloor {
  readonly id = randomBytes(4).toString('hex');
  readonly dbName = `chaos_${this.id}`;
  readonly prefix = `chaos_${this.id}`;
  readonly keys = new RedisKeys(this.prefix);
  campaignId = '' as CampaignId;
  cluster: LocalRedisCluster | null = null;
  redis: Redis | null = null;
  store: RedisStateStore | null = null;
  pool: ReturnType<typeof createPool> | null = null;
  readonly slots: RoleSlot[] = [];
  readonly faults: Fault[] = [];
  /** The fleet's ARI server ids (`127.0.0.1:<port>`) in ARI_URL order. */
  serverIds: string[] = [];
  apiUrls: string[] = [];
  startedMs = 0;
  private pbx: ChildProcess | null = null;
  private pbxReplies: Array<(r: PbxReply) => void> = [];
  private bots: RunningBots[] = [];
  private stopping: Promise<void> | null = null;
  private readonly floorArgs = parseFloorArgs([], '');
  private readonly pbxAway = new Set<number>();

  constructor(readonly o: ChaosOptions) {}

  /** Everything up and the bots ready; the campaign still inactive (go() starts it). */
  async start(): Promise<void> {
    const t0 = Date.now();
    const step = (what: string) => this.o.log(`${what} (${Date.now() - t0} ms)`);
    const [clusterUp, seeded] = await Promise.allSettled([
      startRedisCluster({ ports: this.o.clusterPorts }),
      seedChaosDatabase(this.dbName, {
        agents: this.o.agents,
        leads: this.o.leads,
        password: PASSWORD,
        dialMethod: this.o.dialMethod,
        dialLevel: this.o.dialLevel,
        dropWaitMs: this.o.dropWaitMs,
        ringTimeoutS: this.o.ringTimeoutS,
      }),
    ]);
    if (clusterUp.status === 'fulfilled') this.cluster = clusterUp.value;
    if (clusterUp.status === 'rejected') throw clusterUp.reason;
    if (seeded.status === 'rejected') throw seeded.reason;
    const cluster = clusterUp.value;
    this.campaignId = seeded.value as CampaignId;
    this.pool = createPool(databaseUrl(this.dbName), { max: 3 });
    this.redis = connectRedis({ redisUrl: 'redis://127.0.0.1', redisClusterNodes: cluster.nodes });
    this.store = new RedisStateStore(this.redis, { prefix: this.prefix });
    step(`Redis Cluster on ${this.o.clusterPorts.join(',')}, database ${this.dbName}`);

    const ariUrls = await this.startPbx();
    this.serverIds = ariUrls.map((u) => {
      const url = new URL(u);
      return `${url.hostname}:${url.port}`;
    });
    step(`two simulated PBXes: ${ariUrls.join(', ')}`);

    const secret = randomBytes(32).toString('hex');
    const apiPorts = [await freePort(), await freePort()];
    this.apiUrls = apiPorts.map((p) => `http://127.0.0.1:${p}`);
    for (const role of ROLES) {
      for (const n of [1, 2]) {
        const port = role === 'api' ? (apiPorts[n - 1] as number) : await freePort();
        this.slots.push({
          name: `${role}-${n}`,
          role,
          port,
          proc: null,
          env: {
            NODE_ENV: 'production',
            LOG_LEVEL: process.env.FLOOR_LOG_LEVEL ?? 'warn',
            DATABASE_URL: databaseUrl(this.dbName),
            REDIS_URL: 'redis://127.0.0.1',
            REDIS_CLUSTER_NODES: cluster.nodes.map((x) => `${x.host}:${x.port}`).join(','),
            REDIS_PREFIX: this.prefix,
            ARI_URL: ariUrls.join(','),
            ARI_DIAL_TEMPLATE: 'Local/{digits}@sim-customers',
            ARI_MAX_CALLS: '10000',
            FLEET_REHOME_AFTER_MS: String(this.o.rehomeAfterMs),
            HTTP_PORT: String(port),
            SESSION_SECRET: secret,
            METRICS_TOKEN: '',
            TRUST_PROXY: 'true',
          },
        });
      }
    }
    await Promise.all(this.slots.map((s) => this.startSlot(s)));
    step('every role twice');

    const groups = Math.min(8, this.o.agents);
    const per = Math.ceil(this.o.agents / groups);
    await Promise.all(
      Array.from({ length: groups }, async (_, g) => {
        const count = Math.min(per, this.o.agents - g * per);
        if (count <= 0) return;
        const bots = await startBotAgents({
          baseUrl: this.apiUrls[g % 2] as string,
          campaignId: this.campaignId,
          count,
          first: 1 + g * per,
          password: PASSWORD,
          hangup: 'customer',
          wrapMs: this.o.wrapMs,
          random: () => 0.5,
          staggerMs: 0,
          fetchFn: proxiedFetch,
        });
        this.bots.push(bots);
      }),
    );
    step(`${this.o.agents} bot agents ready on both api processes`);
  }

  private async startPbx(): Promise<string[]> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/chaos/pbx-fleet-process.ts'], {
      cwd: repoRoot,
      env: {
        ...process.env,
        CHAOS_SIM_OPTIONS: JSON.stringify({
          speed: this.o.speed,
          seed: this.o.seed,
          anyEndpoint: true,
          defaultProfile: this.o.profile,
          omitEvents: ['DeviceStateChanged'],
        }),
      },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    this.pbx = child;
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    return new Promise((res, rej) => {
      let first = true;
      lines.on('line', (line) => {
        const msg = JSON.parse(line) as PbxReply & { ariUrls?: string[] };
        if (first) {
          first = false;
          res(msg.ariUrls ?? []);
        } else this.pbxReplies.shift()?.(msg);
      });
      child.once('exit', (code) => rej(new Error(`simulated PBX fleet exited (${code})`)));
    });
  }

  private pbxCommand(cmd: string): Promise<PbxReply> {
    return new Promise((res, rej) => {
      if (!this.pbx?.stdin) return rej(new Error('no PBX process'));
      this.pbxReplies.push((r) => (r.error ? rej(new Error(r.error)) : res(r)));
      this.pbx.stdin.write(`${cmd}\n`);
    });
  }

  private async startSlot(s: RoleSlot): Promise<void> {
    await startRole(this.floorArgs, s.role, s.port, s.env, (p) => {
      p.name = s.name;
      s.proc = p;
    });
  }

  /** The campaign on (or off). */
  async setActive(active: boolean): Promise<void> {
    await this.pool?.query(`UPDATE campaigns SET active = $2 WHERE id = $1`, [
      this.campaignId,
      active,
    ]);
  }

  async go(): Promise<void> {
    this.startedMs = Date.now();
    await this.setActive(true);
  }

  /** Hand-offs so far (call_log.agent_connected_at set). */
  async handoffs(sinceMs = 0): Promise<number> {
    const r = await this.db().query<{ n: number }>(
      `SELECT count(*)::int AS n FROM call_log
        WHERE campaign_id = $1 AND agent_connected_at IS NOT NULL AND originated_at >= $2`,
      [this.campaignId, new Date(sinceMs)],
    );
    return r.rows[0]?.n ?? 0;
  }

  private db(): NonNullable<ChaosFloor['pool']> {
    if (!this.pool) throw new Error('chaos floor not started');
    return this.pool;
  }

  private rds(): Redis {
    if (!this.redis) throw new Error('chaos floor not started');
    return this.redis;
  }

  /** The process that holds a lease whose owner id is `host:pid:random`. */
  holderOf(owner: string | null): RoleSlot | undefined {
    const pid = owner?.split(':')[1];
    return this.slots.find((s) => s.proc && String(s.proc.child.pid) === pid);
  }

  /** Which slot holds the campaign's dialer lease, and each server's ari-worker lease. */
  async leaseHolders(): Promise<{ dialer?: RoleSlot; ari: Array<RoleSlot | undefined> }> {
    const r = this.rds();
    const dialer = this.holderOf(await r.get(this.keys.dialerLease(this.campaignId)));
    const ari = await Promise.all(
      this.serverIds.map(async (id) => this.holderOf(await r.get(this.keys.ariLease(id)))),
    );
    return { ...(dialer ? { dialer } : {}), ari };
  }

  // --- faults ----------------------------------------------------------------------------------

  /**
   * kill -9 of role processes (by slot name), all at the same instant, each started again with
   * the same settings after `restartAfterMs`. Resolves once they serve their metrics again. One
   * fault each, `kill <role>`.
   */
  async killRoles(names: readonly string[], restartAfterMs: number): Promise<Fault[]> {
    const holders = await this.leaseHolders().catch(() => ({ ari: [] }) as { ari: [] });
    const slots = names.map((n) => {
      const s = this.slots.find((x) => x.name === n);
      if (!s?.proc) throw new Error(`no running role ${n}`);
      return s;
    });
    const atMs = Date.now();
    const faults = slots.map((s): Fault => {
      const held: string[] = [];
      if ('dialer' in holders && holders.dialer === s) held.push('campaign lease');
      holders.ari.forEach((h, i) => {
        if (h === s) held.push(`server ${i + 1} lease`);
      });
      return {
        kind: `kill ${s.role}` as FaultKind,
        target: s.name,
        note: held.length
          ? `held ${held.join(', ')}`
          : s.role === 'dialer' || s.role === 'ari-worker'
            ? 'standby'
            : 'no lease',
        atMs,
        endMs: null,
        recoveredMs: null,
      };
    });
    this.faults.push(...faults);
    await Promise.all(
      slots.map(async (s) => {
        const child = (s.proc as Proc).child;
        const gone = new Promise<void>((r) =>
          child.exitCode !== null || child.signalCode !== null
            ? r()
            : child.once('exit', () => r()),
        );
        child.kill('SIGKILL');
        await gone;
        s.proc = null;
      }),
    );
    await sleep(Math.max(0, atMs + restartAfterMs - Date.now()));
    await Promise.all(
      slots.map(async (s, i) => {
        await this.startSlot(s);
        (faults[i] as Fault).endMs = Date.now();
      }),
    );
    return faults;
  }

  /**
   * A Redis master fails over to its replica: the master serving `key`'s slot (or a random one)
   * is killed with SIGKILL; once its replica serves the slots the old node is started again (it
   * rejoins as a replica) and the cluster waits until every master has a replica in sync again.
   */
  async failoverRedis(key: string | null, random: () => number): Promise<Fault> {
    const cluster = this.cluster;
    if (!cluster) throw new Error('chaos floor not started');
    const topology = await cluster.topology();
    const masters = topology.filter((n) => n.role === 'master' && !n.failed && n.slots.length);
    let master = masters[Math.floor(random() * masters.length)];
    if (key !== null) {
      const slot = Number(await this.rds().call('CLUSTER', 'KEYSLOT', key));
      master = await cluster.masterOf(slot);
    }
    if (!master) throw new Error('redis cluster: no master');
    const slot = master.slots[0]?.[0] ?? 0;
    const fault: Fault = {
      kind: 'redis failover',
      target: String(master.port),
      note: `master of slots ${master.slots.map(([a, b]) => `${a}-${b}`).join(',')}`,
      atMs: Date.now(),
      endMs: null,
      recoveredMs: null,
    };
    this.faults.push(fault);
    cluster.kill9(master.port);
    const until = Date.now() + 60_000;
    for (;;) {
      try {
        const now = await cluster.masterOf(slot);
        if (now.port !== master.port) break;
      } catch {
        // the cluster is down for the slot until the replica is promoted
      }
      if (Date.now() > until) throw new Error(`redis failover: slot ${slot} not served in 60 s`);
      await sleep(100);
    }
    fault.note += `; replica ${(await cluster.masterOf(slot)).port} promoted after ${Date.now() - fault.atMs} ms`;
    await cluster.restart(master.port);
    await cluster.waitHealthy(60_000);
    fault.endMs = Date.now();
    return fault;
  }

  /**
   * One PBX (0 or 1, ARI_URL order) goes away as a crashed Asterisk does and comes back, fresh,
   * after `awayMs`. The agents homed on it when it went are what its recovery is measured on.
   */
  async pbxAwayAndBack(i: number, awayMs: number): Promise<{ fault: Fault; homed: Set<string> }> {
    const serverId = this.serverIds[i] as string;
    const homes = await this.rds().hgetall(this.keys.agentHomes());
    const homed = new Set(
      Object.entries(homes)
        .filter(([, s]) => s === serverId)
        .map(([a]) => a),
    );
    const fault: Fault = {
      kind: 'pbx away',
      target: `pbx ${i + 1}`,
      note: `${homed.size} agents homed there`,
      atMs: Date.now(),
      endMs: null,
      recoveredMs: null,
    };
    this.faults.push(fault);
    this.homedAtFault.set(fault, homed);
    this.pbxAway.add(i);
    await this.pbxCommand(`away ${i}`);
    await sleep(Math.max(0, fault.atMs + awayMs - Date.now()));
    await this.pbxCommand(`back ${i}`);
    this.pbxAway.delete(i);
    fault.endMs = Date.now();
    return { fault, homed };
  }

  private readonly homedAtFault = new Map<Fault, Set<string>>();

  /** Agents by state and by home server now (for the run's log). */
  async snapshot(): Promise<string> {
    const store = this.store as RedisStateStore;
    const [agents, homes, calls, live] = await Promise.all([
      store.listAgents(this.campaignId),
      this.rds().hgetall(this.keys.agentHomes()),
      store.listCalls(this.campaignId),
      this.rds().hget(this.keys.dialerLive, this.campaignId),
    ]);
    let status = '';
    try {
      const e = (JSON.parse(live ?? 'null') as { e?: { state?: string; reason?: string } } | null)
        ?.e;
      status = e ? `; dialer ${e.state}: ${e.reason}` : '';
    } catch {
      status = '';
    }
    const count = (xs: readonly string[]) => {
      const m = new Map<string, number>();
      for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
      return [...m].map(([k, n]) => `${k} ${n}`).join(', ');
    };
    const server = (id: string | undefined) =>
      id === undefined ? 'none' : `pbx ${this.serverIds.indexOf(id) + 1}`;
    return `agents: ${count(agents.map((a) => a.state))}; homes: ${count(
      agents.map((a) => server(homes[a.agentId])),
    )}; live calls: ${calls.length}${status}`;
  }

  // --- checks ----------------------------------------------------------------------------------

  /** Every call of the campaign so far. */
  async calls(): Promise<CallRow[]> {
    const r = await this.db().query<{
      lead_id: string;
      digits: string;
      server_id: string;
      agent_id: string | null;
      outcome: string | null;
      originated_at: Date;
      agent_connected_at: Date | null;
      dropped: boolean;
      human: boolean;
    }>(
      `SELECT lead_id::text, regexp_replace(phone, '\\D', '', 'g') AS digits, server_id,
              agent_id::text, outcome, originated_at, agent_connected_at, dropped,
              (dropped OR (agent_connected_at IS NOT NULL
                           AND amd_result IS DISTINCT FROM 'MACHINE')) AS human
         FROM call_log WHERE campaign_id = $1 AND NOT manual`,
      [this.campaignId],
    );
    return r.rows.map((c) => ({
      leadId: c.lead_id,
      digits: c.digits,
      serverId: c.server_id,
      agentId: c.agent_id,
      outcome: c.outcome,
      originatedMs: c.originated_at.getTime(),
      connectedMs: c.agent_connected_at?.getTime() ?? null,
      dropped: c.dropped,
      human: c.human,
    }));
  }

  /** Fills in each fault's recovery (checks.ts recoveryMs) from call_log. */
  async measureRecovery(): Promise<void> {
    const calls = await this.calls();
    for (const f of this.faults)
      if (f.recoveredMs === null) f.recoveredMs = recoveryMs(f, calls, this.homedAtFault.get(f));
  }

  /** Waits (at most `ms`) for a hand-off of a call originated after `fault` (its recovery). */
  async waitRecovered(fault: Fault, ms: number): Promise<number | null> {
    const until = Date.now() + ms;
    for (;;) {
      const calls = await this.calls();
      const r = recoveryMs(fault, calls, this.homedAtFault.get(fault));
      if (r !== null) {
        fault.recoveredMs = r;
        return r;
      }
      if (Date.now() > until) return null;
      await sleep(250);
    }
  }

  /**
   * The campaign off, then waits (at most `ms`) until no call of it is live in state and every
   * agent is READY, PAUSED or LOGGED_OUT; then `graceMs` more. Returns how long it took.
   */
  async drain(ms: number, graceMs: number): Promise<number> {
    const t0 = Date.now();
    await this.setActive(false);
    const store = this.store as RedisStateStore;
    const until = t0 + ms;
    while (Date.now() < until) {
      try {
        const [calls, agents] = await Promise.all([
          store.listCalls(this.campaignId),
          store.listAgents(this.campaignId),
        ]);
        if (calls.length === 0 && stuckAgents(agents).length === 0) break;
      } catch {
        // Redis failing over: try again
      }
      await sleep(250);
    }
    await sleep(graceMs);
    return Date.now() - t0;
  }

  /** The invariants now (after drain()); see checks.ts for each definition. */
  async check(): Promise<ChaosCheck> {
    const store = this.store as RedisStateStore;
    const [calls, originates, liveCalls, agents, entries, marked] = await Promise.all([
      this.calls(),
      this.pbxCommand('originates').then((r) => r.originates ?? []),
      store.listCalls(this.campaignId),
      store.listAgents(this.campaignId),
      this.rds().hkeys(this.keys.hopper(this.campaignId).entries),
      this.db().query<{ lead_id: string; digits: string }>(
        `SELECT l.id::text AS lead_id, regexp_replace(l.phone, '\\D', '', 'g') AS digits
           FROM leads l JOIN lists li ON li.id = l.list_id
          WHERE li.campaign_id = $1 AND l.hopper_at IS NOT NULL`,
        [this.campaignId],
      ),
    ]);
    await this.measureRecovery();
    const ab = abandonmentInFaults(this.faults, calls, Date.now());
    return {
      doubled: doubledLeads(originates, calls),
      lost: lostLeads(
        marked.rows.map((m) => ({ leadId: m.lead_id, digits: m.digits })),
        new Set(entries),
        calls,
        originates,
      ),
      leftLive: liveCalls.map((c) => `${c.callId}:${c.stage}`),
      stuck: stuckAgents(agents),
      calls: calls.length,
      humans: calls.filter((c) => c.human).length,
      drops: calls.filter((c) => c.dropped).length,
      faultHumans: ab.humans,
      faultDrops: ab.drops,
      faultAbandonmentPct: ab.pct,
      faults: this.faults,
    };
  }

  /** Stops the dialers gracefully (before the final check: nothing pops a lead any more). */
  async stopDialers(): Promise<void> {
    await Promise.all(
      this.slots
        .filter((s) => s.role === 'dialer' && s.proc)
        .map(async (s) => {
          await stopChild((s.proc as Proc).child);
          s.proc = null;
        }),
    );
  }

  /** Removes everything (bots, processes, Redis Cluster, database); once, whoever asks first. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    await Promise.race([
      Promise.all(this.bots.map((b) => b.stop().catch(() => undefined))),
      sleep(15_000),
    ]);
    await Promise.all(
      this.slots.filter((s) => s.proc).map((s) => stopChild((s.proc as Proc).child)),
    );
    if (this.pbx) await stopChild(this.pbx);
    this.redis?.disconnect();
    await this.pool?.end().catch(() => undefined);
    await this.cluster?.stop().catch(() => undefined);
    try {
      await onMaintenanceDb(`DROP DATABASE IF EXISTS "${this.dbName}" WITH (FORCE)`);
    } catch (err) {
      this.o.log(`could not drop database ${this.dbName}: ${(err as Error).message}`);
    }
  }
}
