import type pg from 'pg';
import { splitRange } from './range.js';
import { inTransaction } from '../transaction.js';

/** Runs one report statement (readOnlyQuery in production). */
export type RunQuery = <R extends pg.QueryResultRow>(
  sql: string,
  params: unknown[],
) => Promise<pg.QueryResult<R>>;

/**
 * Runs a report query in a read-only transaction without JIT: the planner's row estimates for
 * the rollup unions are pessimistic enough to trigger JIT compilation, which costs more
 * (100-200 ms) than these queries take; with a larger work_mem for the aggregates.
 */
export function readOnlyQuery(pool: pg.Pool): RunQuery {
  return <R extends pg.QueryResultRow>(sql: string, params: unknown[]) =>
    inTransaction(
      pool,
      async (client) => {
        await client.query('SET LOCAL jit = off');
        // Enough for the aggregates to hash in memory rather than sort on disk (a report runs
        // rarely and for supervisors only).
        await client.query(`SET LOCAL work_mem = '64MB'`);
        return client.query<R>(sql, params);
      },
      'BEGIN READ ONLY',
    );
}

/** Positional parameters built alongside the SQL text. */
export class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

export const ts = (ms: number) => new Date(ms);
export const ms = (d: Date | null) => (d === null ? null : d.getTime());
export const num = (v: string | number | null) => (v === null ? 0 : Number(v));

/** ` AND col = $n` for each filter that is set, in order (an empty string when none is). */
export function andEquals(p: Params, filters: ReadonlyArray<[string, string | undefined]>): string {
  return filters
    .filter(([, v]) => v !== undefined)
    .map(([col, v]) => ` AND ${col} = ${p.add(v)}`)
    .join('');
}

/** SQL for "col within either raw edge" of a split range. */
export function rawEdges(p: Params, col: string, s: ReturnType<typeof splitRange>): string {
  return `((${col} >= ${p.add(ts(s.rawHead[0]))} AND ${col} < ${p.add(ts(s.rawHead[1]))})
        OR (${col} >= ${p.add(ts(s.rawTail[0]))} AND ${col} < ${p.add(ts(s.rawTail[1]))}))`;
}

/** Numeric ids compare by length first, so "9" sorts before "10". */
export function cmpId(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
