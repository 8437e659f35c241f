import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';

const run = promisify(execFile);

/**
 * The local cluster's default ports (and 10000 above each, the cluster bus): 7000-7005, the
 * cluster test's. Other users pass their own six (`ports`): the chaos test 7100-7105, bench:chaos
 * 7200-7205.
 */
export const CLUSTER_PORTS = [7000, 7001, 7002, 7003, 7004, 7005] as const;
const HOST = '127.0.0.1';

export interface ClusterNodeInfo {
  id: string;
  port: number;
  role: 'master' | 'replica';
  /** The master's id, for a replica. */
  masterId: string | null;
  /** Slot ranges served, for a master: [from, to] inclusive. */
  slots: Array<[number, number]>;
  failed: boolean;
}

export interface LocalRedisCluster {
  /** The seed nodes, for REDIS_CLUSTER_NODES. */
  nodes: Array<{ host: string; port: number }>;
  /** CLUSTER NODES as seen by a live node. */
  topology(): Promise<ClusterNodeInfo[]>;
  /** The master serving `slot`. */
  masterOf(slot: number): Promise<ClusterNodeInfo>;
  /** A plain (non-cluster) connection to one node; closed by stop(). */
  node(port: number): Redis;
  /** kill -9 of one node's process. */
  kill9(port: number): void;
  /**
   * Starts a killed node again with its nodes.conf (its data is gone: no RDB, no AOF); it rejoins
   * the cluster, as a replica when its slots went to another node meanwhile.
   */
  restart(port: number): Promise<void>;
  /** Resolves when every live node reports cluster_state:ok and agrees on the masters. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every node (SIGKILL: nothing is persisted) and removes their directory. */
  stop(): Promise<void>;
}

export interface StartClusterOptions {
  /** cluster-node-timeout (ms): how long a master may be unreachable before its replica takes over. */
  nodeTimeoutMs?: number;
  /** Six ports, three masters and their replicas (default CLUSTER_PORTS). */
  ports?: readonly number[];
}

/**
 * Three masters with one replica each, `redis-server --cluster-enabled yes` on 127.0.0.1:7000-7005
 * (or `ports`)
 * in a temporary directory (no RDB, no AOF), joined with `redis-cli --cluster create
 * --cluster-replicas 1`. Fails at once, naming the port, when one of the ports is taken (another
 * run's cluster left behind, or another program).
 */
export async function startRedisCluster(o: StartClusterOptions = {}): Promise<LocalRedisCluster> {
  const ports = o.ports ?? CLUSTER_PORTS;
  if (ports.length !== 6)
    throw new Error('redis cluster: six ports (three masters, three replicas)');
  for (const port of ports) {
    if (await listening(port))
      throw new Error(`redis cluster: port ${port} is in use on ${HOST}; stop what holds it`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'ringside-redis-cluster-'));
  const procs = new Map<number, ChildProcess>();
  const conns = new Map<number, Redis>();
  const stop = async () => {
    for (const c of conns.values()) c.disconnect();
    conns.clear();
    await Promise.all(
      [...procs.values()].map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGKILL');
          }),
      ),
    );
    procs.clear();
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const spawnNode = (port: number) => {
      const p = spawn(
        'redis-server',
        [
          '--port', String(port),
          '--bind', HOST,
          '--cluster-enabled', 'yes',
          '--cluster-config-file', `nodes-${port}.conf`,
          '--cluster-node-timeout', String(o.nodeTimeoutMs ?? 2_000),
          '--save', '',
          '--appendonly', 'no',
          '--dir', dir,
          '--dbfilename', `dump-${port}.rdb`,
          '--logfile', join(dir, `${port}.log`),
          '--daemonize', 'no',
        ], // prettier-ignore
        { stdio: 'ignore' },
      );
      procs.set(port, p);
    };
    for (const port of ports) spawnNode(port);
    const node = (port: number): Redis => {
      let c = conns.get(port);
      if (!c) {
        c = new Redis({ host: HOST, port, lazyConnect: false, maxRetriesPerRequest: 1 });
        c.on('error', () => undefined);
        conns.set(port, c);
      }
      return c;
    };
    for (const port of ports)
      await waitFor(async () => (await node(port).ping()) === 'PONG', 10_000, `node ${port} up`);
    await run('redis-cli', [
      '--cluster', 'create',
      ...ports.map((p) => `${HOST}:${p}`),
      '--cluster-replicas', '1',
      '--cluster-yes',
    ]); // prettier-ignore

    const alive = () =>
      ports.filter((p) => procs.get(p)?.exitCode === null && procs.get(p)?.signalCode === null);
    const topology = async (): Promise<ClusterNodeInfo[]> => {
      const [first] = alive();
      if (first === undefined) throw new Error('redis cluster: no node alive');
      return parseClusterNodes(String(await node(first).call('CLUSTER', 'NODES')));
    };
    const cluster: LocalRedisCluster = {
      nodes: ports.map((port) => ({ host: HOST, port })),
      topology,
      async masterOf(slot) {
        const m = (await topology()).find(
          (n) =>
            n.role === 'master' && !n.failed && n.slots.some(([a, b]) => slot >= a && slot <= b),
        );
        if (!m) throw new Error(`redis cluster: no master serves slot ${slot}`);
        return m;
      },
      node,
      kill9(port) {
        conns.get(port)?.disconnect();
        conns.delete(port);
        procs.get(port)?.kill('SIGKILL');
      },
      async restart(port) {
        const p = procs.get(port);
        if (p && p.exitCode === null && p.signalCode === null)
          throw new Error(`redis cluster: node ${port} is running`);
        spawnNode(port);
        await waitFor(async () => (await node(port).ping()) === 'PONG', 10_000, `node ${port} up`);
      },
      async waitHealthy(timeoutMs = 20_000) {
        await waitFor(
          async () => {
            for (const port of alive()) {
              const info = String(await node(port).call('CLUSTER', 'INFO'));
              if (!info.includes('cluster_state:ok')) return false;
            }
            // Every master has a replica in sync, so a failover has somewhere to go.
            const t = await topology();
            const masters = t.filter((n) => n.role === 'master' && !n.failed && n.slots.length > 0);
            for (const m of masters) {
              const replica = t.find((n) => n.masterId === m.id && !n.failed);
              if (!replica) return false;
              const repl = String(await node(replica.port).call('INFO', 'replication'));
              if (!repl.includes('master_link_status:up')) return false;
            }
            return masters.length === 3;
          },
          timeoutMs,
          'cluster_state:ok with every replica in sync',
        );
      },
      stop,
    };
    await cluster.waitHealthy();
    return cluster;
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Parses CLUSTER NODES (one line per node: id addr flags master ping pong epoch link slots...). */
export function parseClusterNodes(text: string): ClusterNodeInfo[] {
  const out: ClusterNodeInfo[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(' ');
    if (f.length < 8 || !f[0] || !f[1] || !f[2] || !f[3]) continue;
    const port = Number(/:(\d+)@/.exec(f[1])?.[1] ?? 0);
    const flags = f[2].split(',');
    const slots: Array<[number, number]> = [];
    for (const s of f.slice(8)) {
      if (s.startsWith('[')) continue; // a slot being imported or migrated
      const [a, b] = s.split('-').map(Number);
      if (a !== undefined && !Number.isNaN(a)) slots.push([a, b ?? a]);
    }
    out.push({
      id: f[0],
      port,
      role: flags.includes('master') ? 'master' : 'replica',
      masterId: f[3] === '-' ? null : f[3],
      slots,
      failed: flags.includes('fail') || flags.includes('fail?'),
    });
  }
  return out;
}

async function waitFor(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  let last: unknown = null;
  for (;;) {
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end)
      throw new Error(`redis cluster: no ${what} within ${ms} ms`, { cause: last });
    await new Promise((r) => setTimeout(r, 100));
  }
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: HOST, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

export interface LocalRedisSentinel {
  /** The Sentinels, for REDIS_SENTINELS. */
  sentinels: Array<{ host: string; port: number }>;
  /** The name they monitor the primary under. */
  name: string;
  /** The port of the primary the Sentinels report now. */
  primaryPort(): Promise<number>;
  /** A plain connection to one process (primary, replica or Sentinel); closed by stop(). */
  node(port: number): Redis;
  /** kill -9 of one process. */
  kill9(port: number): void;
  stop(): Promise<void>;
}

/**
 * A primary on 127.0.0.1:7000, its replica on 7001 and three Sentinels on 7002-7004 watching it
 * as `mymaster` (quorum 2, down after 1 s), in a temporary directory. Resolves when the Sentinels
 * know the replica, so that a failover has somewhere to go.
 */
export async function startRedisSentinel(): Promise<LocalRedisSentinel> {
  const [primary, replica, ...sentinelPorts] = [7000, 7001, 7002, 7003, 7004];
  if (primary === undefined || replica === undefined) throw new Error('unreachable');
  for (const port of [primary, replica, ...sentinelPorts]) {
    if (await listening(port))
      throw new Error(`redis sentinel: port ${port} is in use on ${HOST}; stop what holds it`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'ringside-redis-sentinel-'));
  const procs = new Map<number, ChildProcess>();
  const conns = new Map<number, Redis>();
  const node = (port: number): Redis => {
    let c = conns.get(port);
    if (!c) {
      c = new Redis({ host: HOST, port, maxRetriesPerRequest: 1 });
      c.on('error', () => undefined);
      conns.set(port, c);
    }
    return c;
  };
  const stop = async () => {
    for (const c of conns.values()) c.disconnect();
    conns.clear();
    await Promise.all(
      [...procs.values()].map(
        (p) =>
          new Promise<void>((resolve) => {
            if (p.exitCode !== null || p.signalCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGKILL');
          }),
      ),
    );
    await rm(dir, { recursive: true, force: true });
  };
  const server = (port: number, extra: string[]) =>
    procs.set(
      port,
      spawn(
        'redis-server',
        ['--port', String(port), '--bind', HOST, '--save', '', '--appendonly', 'no', '--dir', dir,
          '--dbfilename', `dump-${port}.rdb`, '--logfile', join(dir, `${port}.log`), ...extra], // prettier-ignore
        { stdio: 'ignore' },
      ),
    );
  try {
    server(primary, []);
    server(replica, ['--replicaof', HOST, String(primary)]);
    for (const port of sentinelPorts) {
      const conf = join(dir, `sentinel-${port}.conf`);
      await writeFile(
        conf,
        [
          `port ${port}`,
          `bind ${HOST}`,
          `dir ${dir}`,
          `logfile ${join(dir, `sentinel-${port}.log`)}`,
          `sentinel monitor mymaster ${HOST} ${primary} 2`,
          'sentinel down-after-milliseconds mymaster 1000',
          'sentinel failover-timeout mymaster 5000',
          '',
        ].join('\n'),
      );
      procs.set(port, spawn('redis-server', [conf, '--sentinel'], { stdio: 'ignore' }));
    }
    await waitFor(
      async () =>
        String(await node(replica).call('INFO', 'replication')).includes('master_link_status:up'),
      10_000,
      'replica in sync',
    );
    for (const port of sentinelPorts) {
      await waitFor(
        async () => {
          const replicas = (await node(port).call(
            'SENTINEL',
            'REPLICAS',
            'mymaster',
          )) as string[][];
          return replicas.some(
            (r) => r.includes(String(replica)) && !r.join(' ').includes('s_down'),
          );
        },
        15_000,
        `sentinel ${port} knowing the replica`,
      );
    }
    const first = sentinelPorts[0] ?? 0;
    return {
      sentinels: sentinelPorts.map((port) => ({ host: HOST, port })),
      name: 'mymaster',
      async primaryPort() {
        const r = (await node(first).call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', 'mymaster')) as [
          string,
          string,
        ];
        return Number(r[1]);
      },
      node,
      kill9(port) {
        conns.get(port)?.disconnect();
        conns.delete(port);
        procs.get(port)?.kill('SIGKILL');
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
