import type pg from 'pg';
import type { ReportFreshness } from '@ringside/protocol';
import { RingsideError, UnavailableError } from '../../../errors.js';
import type { ReportsDatabase, ReportsQueries, ReportsSession } from '../../../ports/reports.js';

/** What a report on the primary says about its data: live. */
export const PRIMARY_FRESHNESS: ReportFreshness = {
  source: 'primary',
  replayedAtMs: null,
  lagMs: null,
  fellBack: false,
};

/** Reports on the primary (no REPORTS_DATABASE_URL): the same queries every time, live data. */
export function reportsOnPrimary(queries: ReportsQueries): ReportsDatabase {
  const session: ReportsSession = { queries, freshness: PRIMARY_FRESHNESS };
  return { open: () => Promise.resolve(session) };
}

/**
 * SQLSTATE classes and codes that mean "this database cannot answer now" rather than "this query
 * is wrong": connection exceptions (08), insufficient resources (53), operator intervention (57:
 * shutdown, a statement cancelled, a standby's recovery conflict 57P04 / 40001 below), invalid
 * authorization (28), the database missing (3D000).
 */
const UNAVAILABLE_CLASSES = ['08', '28', '53', '57'];
const UNAVAILABLE_CODES = new Set(['3D000', '40001']);
const NODE_NET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
]);

/** Whether a PostgreSQL (or socket) error says the database is unavailable rather than a bug. */
export function isDatabaseUnavailable(err: unknown): boolean {
  if (err instanceof RingsideError || typeof err !== 'object' || err === null) return false;
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NODE_NET_CODES.has(code) || UNAVAILABLE_CODES.has(code)) return true;
    if (/^[0-9A-Z]{5}$/.test(code) && UNAVAILABLE_CLASSES.includes(code.slice(0, 2))) return true;
  }
  // node-postgres's own words when the socket goes away mid-query or at connect.
  const message = err instanceof Error ? err.message : '';
  return /Connection terminated|connection timeout|timeout exceeded when trying to connect/i.test(
    message,
  );
}

/** The replica failed: a 503 naming the setting, never a silent answer from elsewhere. */
export class ReportsReplicaUnavailableError extends UnavailableError {
  constructor(cause: unknown) {
    const detail =
      typeof cause === 'object' && cause !== null && 'code' in cause
        ? String((cause as { code: unknown }).code)
        : cause instanceof Error
          ? cause.message
          : 'error';
    super(
      `the reports database (REPORTS_DATABASE_URL) is unavailable (${detail}); ` +
        'reports do not fall back to the primary unless REPORTS_FALLBACK_TO_PRIMARY=true',
      { cause },
    );
  }
}

interface FreshnessRow {
  standby: boolean;
  replayed_ms: number | null;
  caught_up: boolean | null;
  now_ms: number;
}

/**
 * How fresh a database's data is, in one cheap statement: on a standby, the commit instant of
 * the last replayed transaction and the lag behind the primary (0 when everything received is
 * replayed: an idle primary sends nothing, so the replay timestamp alone would read as lag);
 * on a database that is not a standby, null (it is its own primary, or a copy fed otherwise).
 */
export async function readFreshness(pool: pg.Pool): Promise<ReportFreshness> {
  const { rows } = await pool.query<FreshnessRow>(
    `SELECT pg_is_in_recovery() AS standby,
            (extract(epoch FROM pg_last_xact_replay_timestamp()) * 1000)::float8 AS replayed_ms,
            pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() AS caught_up,
            (extract(epoch FROM now()) * 1000)::float8 AS now_ms`,
  );
  const r = rows[0];
  if (!r?.standby) return { source: 'replica', replayedAtMs: null, lagMs: null, fellBack: false };
  const replayedAtMs = r.replayed_ms === null ? null : Math.round(r.replayed_ms);
  const lagMs =
    r.caught_up === true
      ? 0
      : replayedAtMs === null
        ? null
        : Math.max(0, Math.round(r.now_ms) - replayedAtMs);
  return { source: 'replica', replayedAtMs, lagMs, fellBack: false };
}

/** Each query of `q`, with an unavailable-class error turned into ReportsReplicaUnavailableError. */
function guarded(q: ReportsQueries): ReportsQueries {
  const wrap = async <T>(run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw isDatabaseUnavailable(err) ? new ReportsReplicaUnavailableError(err) : err;
    }
  };
  return {
    agentTime: (f) => wrap(() => q.agentTime(f)),
    agentPerformance: (f) => wrap(() => q.agentPerformance(f)),
    outbound: (f, g) => wrap(() => q.outbound(f, g)),
    complianceTotals: (a, b, c) => wrap(() => q.complianceTotals(a, b, c)),
    complianceDrops: (a, b, o) => wrap(() => q.complianceDrops(a, b, o)),
    leadExists: (id) => wrap(() => q.leadExists(id)),
    leadHistory: (id, limit) => wrap(() => q.leadHistory(id, limit)),
  };
}

export interface ReplicaReportsOptions {
  /** The pool on REPORTS_DATABASE_URL (its own pool: reports never take the primary's). */
  pool: pg.Pool;
  /** The report queries over that pool. */
  queries: ReportsQueries;
  /** REPORTS_FALLBACK_TO_PRIMARY: the primary's queries, used when the replica cannot answer. */
  fallback: ReportsQueries | null;
  /** Told once per fall-back or refusal (the api logs it). */
  onUnavailable?: (err: unknown, fellBack: boolean) => void;
  /** Told when the replica answers (the api logs that it is back after a failure). */
  onAvailable?: () => void;
}

/**
 * Reports on a replica (REPORTS_DATABASE_URL). Each report first reads the replica's freshness
 * (one cheap statement, which also proves it answers); if the replica is unavailable the report
 * is refused with a 503 naming the setting, or, only with REPORTS_FALLBACK_TO_PRIMARY, answered
 * by the primary and marked `fellBack`. An error in the middle of a report on the replica (a
 * standby cancelling a long query for a recovery conflict) is a 503 too, never retried elsewhere.
 */
export class ReplicaReportsDatabase implements ReportsDatabase {
  private readonly replica: ReportsQueries;

  constructor(private readonly opts: ReplicaReportsOptions) {
    this.replica = guarded(opts.queries);
  }

  async open(): Promise<ReportsSession> {
    try {
      const freshness = await readFreshness(this.opts.pool);
      this.opts.onAvailable?.();
      return { queries: this.replica, freshness };
    } catch (err) {
      if (!isDatabaseUnavailable(err)) throw err;
      const fallback = this.opts.fallback;
      this.opts.onUnavailable?.(err, fallback !== null);
      if (!fallback) throw new ReportsReplicaUnavailableError(err);
      return { queries: fallback, freshness: { ...PRIMARY_FRESHNESS, fellBack: true } };
    }
  }
}
