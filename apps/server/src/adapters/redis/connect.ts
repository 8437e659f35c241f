import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';
import type { RedisNodeAddress } from '../../config.js';
import type { Logger } from '../../logger.js';

export type { RedisNodeAddress };

/**
 * Where the roles' Redis is (config.ts): REDIS_URL alone is one Redis; with REDIS_CLUSTER_NODES
 * the nodes are the seeds of a Redis Cluster (REDIS_URL then gives only the credentials and TLS);
 * with REDIS_SENTINELS the Sentinels are asked for the primary named REDIS_SENTINEL_NAME.
 */
export interface RedisTarget {
  redisUrl: string;
  redisClusterNodes?: readonly RedisNodeAddress[] | null;
  redisSentinels?: { nodes: readonly RedisNodeAddress[]; name: string } | null;
}

export interface ConnectOptions {
  /** CLIENT SETNAME of every connection (on a cluster, of each node's connection). */
  connectionName?: string;
  /**
   * Retries of one command while the connection is down before it fails; null: wait forever
   * (BullMQ's blocking connections and the event bus's readers want null). ioredis's default: 20.
   */
  maxRetriesPerRequest?: number | null;
  lazyConnect?: boolean;
  /** Connection faults are logged here, once per outage (see logFaultsOnce). */
  logger?: Logger;
}

/**
 * The one place a Redis connection is made (every role, the scheduler's BullMQ queue and worker,
 * the CLIs). On a cluster it is an ioredis Cluster: it follows MOVED and ASK redirections, retries
 * TRYAGAIN and CLUSTERDOWN, and after a failover refreshes its slot map and reconnects.
 *
 * The adapters are typed with ioredis's `Redis`; a Cluster offers the same commands, pipelines
 * (one node per pipeline) and defineCommand, so it is returned under that type. The few calls
 * whose signatures differ (duplicate with options) go through duplicateConnection below.
 */
export function connectRedis(target: RedisTarget | string, opts: ConnectOptions = {}): Redis {
  const t: RedisTarget = typeof target === 'string' ? { redisUrl: target } : target;
  const base = nodeOptions(t.redisUrl, opts);
  let conn: Redis | Cluster;
  if (t.redisClusterNodes && t.redisClusterNodes.length > 0) {
    const seeds: ClusterNode[] = t.redisClusterNodes.map((n) => ({ host: n.host, port: n.port }));
    conn = new Cluster(seeds, clusterOptions(base));
  } else if (t.redisSentinels && t.redisSentinels.nodes.length > 0) {
    conn = new Redis({
      ...base,
      sentinels: t.redisSentinels.nodes.map((n) => ({ host: n.host, port: n.port })),
      name: t.redisSentinels.name,
      // Told of a failover by the Sentinels (+switch-master) rather than by a failed command.
      failoverDetector: true,
      // A primary turned replica answers writes with READONLY: reconnect (asking the Sentinels
      // anew) and send the command again.
      reconnectOnError: (err: Error) => (err.message.startsWith('READONLY') ? 2 : false),
    });
  } else {
    conn = new Redis(t.redisUrl, base);
  }
  logFaultsOnce(conn, opts.logger, describeTarget(t));
  return conn as Redis;
}

/** The connection is a Redis Cluster client. */
export function isCluster(redis: Redis | Cluster): redis is Cluster {
  return (redis as Cluster).isCluster === true;
}

/**
 * A new connection to the same Redis (or cluster) with other options: for a blocking command
 * (XREAD BLOCK holds its connection; on a cluster, the node connection of its slot).
 */
export function duplicateConnection(
  redis: Redis | Cluster,
  opts: Pick<ConnectOptions, 'connectionName' | 'maxRetriesPerRequest'>,
): Redis {
  if (isCluster(redis)) {
    const o = redis.options;
    const copy = redis.duplicate([], {
      ...o,
      redisOptions: {
        ...o.redisOptions,
        ...(opts.connectionName !== undefined ? { connectionName: opts.connectionName } : {}),
        ...('maxRetriesPerRequest' in opts
          ? { maxRetriesPerRequest: opts.maxRetriesPerRequest }
          : {}),
      },
    });
    return copy as unknown as Redis;
  }
  return redis.duplicate(opts);
}

function nodeOptions(redisUrl: string, opts: ConnectOptions): RedisOptions {
  const o: RedisOptions = {};
  if (opts.connectionName !== undefined) o.connectionName = opts.connectionName;
  if ('maxRetriesPerRequest' in opts) o.maxRetriesPerRequest = opts.maxRetriesPerRequest;
  if (opts.lazyConnect !== undefined) o.lazyConnect = opts.lazyConnect;
  // Credentials and TLS of REDIS_URL apply to every node of a cluster or Sentinel setup.
  const u = new URL(redisUrl);
  if (u.username) o.username = decodeURIComponent(u.username);
  if (u.password) o.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') o.tls = {};
  return o;
}

function clusterOptions(node: RedisOptions): ConstructorParameters<typeof Cluster>[1] {
  const { lazyConnect, ...redisOptions } = node;
  return {
    redisOptions,
    ...(lazyConnect !== undefined ? { lazyConnect } : {}),
    // After a master dies its slots answer nothing until a replica is promoted (cluster-node-
    // timeout plus an election, seconds): commands wait for the new slot map instead of failing.
    retryDelayOnFailover: 200,
    retryDelayOnClusterDown: 300,
    retryDelayOnTryAgain: 100,
    // With the seed nodes all unreachable: retried every 0.1-2 s, for ever (a role must not exit
    // because Redis is late); the first failure is logged, naming the nodes.
    clusterRetryStrategy: (times: number) => Math.min(100 * times, 2_000),
    // Every retry above counts as a redirection: 200 of them let a command wait out a failover of
    // about 40 s (cluster-node-timeout, 15 s by default, plus the election) instead of failing.
    maxRedirections: 200,
  };
}

/**
 * Logs a connection's faults once per outage, not on every reconnect attempt: the first error,
 * naming the node (`host:port`), at warn; the return to service at info. On a cluster each node
 * is followed on its own ('node error' names it), and a failure to reach any seed at start is
 * one line listing the error of the last node tried. An 'error' listener is always attached, so
 * ioredis never prints its own "Unhandled error event".
 */
export function logFaultsOnce(
  conn: Redis | Cluster,
  logger: Logger | undefined,
  where: string,
): void {
  let down = false;
  let logged = false;
  const failing = new Set<string>();
  conn.on('error', (err: Error) => {
    if (down) return;
    down = true;
    // On a cluster, a node that could not be reached was named by its own line already.
    if (!logger || failing.size > 0) return;
    logged = true;
    const cause = (err as Error & { lastNodeError?: Error }).lastNodeError;
    logger.warn(
      { err: err.message, ...(cause ? { cause: cause.message } : {}), node: where },
      'redis unreachable; retrying',
    );
  });
  conn.on('ready', () => {
    // Back after reaching nothing at all: one line, and the nodes' faults are forgotten.
    if (down && (logged || failing.size > 0))
      logger?.info({ node: where }, 'redis connection restored');
    if (down) failing.clear();
    down = logged = false;
  });
  if (!isCluster(conn)) return;
  conn.on('node error', (err: Error, node: string) => {
    if (failing.has(node)) return;
    failing.add(node);
    logger?.warn({ err: err.message, node }, 'redis cluster node unreachable; retrying');
  });
  conn.on('+node', (n: Redis) => {
    const key = `${n.options.host ?? ''}:${n.options.port ?? ''}`;
    n.on('ready', () => {
      if (failing.delete(key)) logger?.info({ node: key }, 'redis cluster node reachable again');
    });
  });
}

/** The nodes a target names, for logs (never its credentials). */
export function describeTarget(t: RedisTarget): string {
  const list = (nodes: readonly RedisNodeAddress[]) =>
    nodes.map((n) => `${n.host}:${n.port}`).join(',');
  if (t.redisClusterNodes && t.redisClusterNodes.length > 0) return list(t.redisClusterNodes);
  if (t.redisSentinels && t.redisSentinels.nodes.length > 0)
    return `${t.redisSentinels.name}@${list(t.redisSentinels.nodes)}`;
  const u = new URL(t.redisUrl);
  return `${u.hostname}:${u.port || '6379'}`;
}
