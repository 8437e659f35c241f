import type pg from 'pg';
import type { Metrics } from '../../ports/metrics.js';

/** Anything that emits 'error' like an ioredis connection (Redis, Cluster, a duplicate). */
interface ErrorEmitter {
  on(event: 'error', listener: (err: Error) => void): unknown;
}

/** Counts each error a Redis connection reports (ringside_redis_errors_total). */
export function countRedisErrors(metrics: Metrics, ...connections: ErrorEmitter[]): void {
  for (const c of connections) c.on('error', () => metrics.redisError());
}

const COUNTED = Symbol('ringside.metrics.counted');

type QueryFn = (...args: unknown[]) => unknown;

/**
 * Counts PostgreSQL errors of a pool (ringside_postgres_errors_total): `connection` when a
 * connection cannot be opened or drops, `query` when the server refuses a statement (any
 * SQLSTATE, including the unique violations that become 409s). Wraps the pool's connect(), and
 * each client's query() once when the pool opens it, so Kysely and plain pool.query are both
 * seen; the result or the error reaches the caller unchanged.
 */
export function countPostgresErrors(metrics: Metrics, pool: pg.Pool): void {
  pool.on('error', () => metrics.postgresError('connection'));
  // A connection that cannot be opened never reaches 'connect': count the failed checkout.
  const connect = pool.connect.bind(pool) as (
    cb?: (err: unknown, ...rest: unknown[]) => void,
  ) => unknown;
  (pool as unknown as { connect: typeof connect }).connect = (cb) => {
    if (cb) {
      return connect((err, ...rest) => {
        if (err) metrics.postgresError('connection');
        cb(err, ...rest);
      });
    }
    const r = connect() as Promise<unknown>;
    r.then(undefined, () => metrics.postgresError('connection'));
    return r;
  };
  pool.on('connect', (client) => {
    const c = client as pg.PoolClient & { [COUNTED]?: true };
    if (c[COUNTED]) return;
    c[COUNTED] = true;
    c.on('error', () => metrics.postgresError('connection'));
    const query = c.query.bind(c) as QueryFn;
    const counted: QueryFn = (...args) => {
      const last = args[args.length - 1];
      if (typeof last === 'function') {
        // Callback style (pool.query uses it): count the error handed to the callback.
        const cb = last as (err: unknown, ...rest: unknown[]) => void;
        args[args.length - 1] = (err: unknown, ...rest: unknown[]) => {
          if (err) metrics.postgresError(isConnectionError(err) ? 'connection' : 'query');
          cb(err, ...rest);
        };
        return query(...args);
      }
      const r = query(...args);
      if (r && typeof (r as Promise<unknown>).then === 'function') {
        (r as Promise<unknown>).then(undefined, (err: unknown) => {
          metrics.postgresError(isConnectionError(err) ? 'connection' : 'query');
        });
      }
      return r;
    };
    (c as unknown as { query: QueryFn }).query = counted;
  });
}

/** A server error carries a SQLSTATE `code`; a lost or refused connection does not. */
function isConnectionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || code.startsWith('08');
}
