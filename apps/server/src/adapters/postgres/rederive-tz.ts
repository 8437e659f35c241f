import type pg from 'pg';
import { deriveTimeZone } from '../../domain/timezone/index.js';
import type { Logger } from '../../logger.js';

/**
 * The version of the time-zone tables; change it whenever generated/ or the area-code tables
 * change what a lead derives, so stored leads are re-derived (docs/dialer.md, "Time zones").
 */
export const TZ_DATA_VERSION = '2026-12-zcta-rings-1';

/**
 * Re-derives the candidate zones of every lead whose zone was derived (not given by hand,
 * tz_source <> 'manual'), in id order, `batch` leads per statement, and records the version.
 * Idempotent; a lead whose zones do not change is not written. Returns how many changed.
 */
export async function rederiveTimeZones(
  pool: pg.Pool,
  opts: { batch?: number; logger?: Logger } = {},
): Promise<number> {
  const batch = opts.batch ?? 5_000;
  let after = '0';
  let changed = 0;
  for (;;) {
    const r = await pool.query<{
      id: string;
      phone: string;
      postal_code: string | null;
      country: string;
      tz_key: string;
    }>(
      `SELECT id::text, phone, postal_code, country, tz_key FROM leads
        WHERE id > $1 AND tz_source <> 'manual' ORDER BY id LIMIT $2`,
      [after, batch],
    );
    if (r.rows.length === 0) break;
    const ids: string[] = [];
    const zones: string[] = [];
    const sources: string[] = [];
    for (const l of r.rows) {
      const tz = deriveTimeZone({ phone: l.phone, postalCode: l.postal_code, country: l.country });
      if (tz.key === l.tz_key) continue;
      ids.push(l.id);
      zones.push(tz.key);
      sources.push(tz.source);
    }
    if (ids.length > 0) {
      const u = await pool.query(
        `UPDATE leads l
            SET tz_candidates = CASE WHEN d.k = '' THEN '{}'::text[] ELSE string_to_array(d.k, ',') END,
                tz_key = d.k,
                time_zone = CASE WHEN d.k <> '' AND position(',' in d.k) = 0 THEN d.k END,
                tz_source = d.s, updated_at = now()
           FROM unnest($1::bigint[], $2::text[], $3::text[]) AS d(id, k, s)
          WHERE l.id = d.id`,
        [ids, zones, sources],
      );
      changed += u.rowCount ?? 0;
    }
    after = r.rows[r.rows.length - 1]?.id ?? after;
    if (r.rows.length < batch) break;
  }
  await pool.query(
    `INSERT INTO tz_data_version (id, version) VALUES (true, $1)
     ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version, applied_at = now()`,
    [TZ_DATA_VERSION],
  );
  opts.logger?.info({ changed, version: TZ_DATA_VERSION }, 'lead time zones re-derived');
  return changed;
}

/**
 * Re-derives when the stored version is not this code's (scheduler start); true when it ran.
 * With two schedulers starting together only one runs it: a session advisory lock (keyed by the
 * schema, so tests in their own schemas do not meet) is tried first, and the version is read
 * under it; the other process returns false at once, the holder finishes the work.
 */
export async function rederiveIfStale(
  pool: pg.Pool,
  opts: { batch?: number; logger?: Logger } = {},
): Promise<boolean> {
  const client = await pool.connect();
  try {
    const lock = await client.query<{ ok: boolean }>(
      `SELECT pg_try_advisory_lock(hashtext(current_schema() || ':tz-rederive')) AS ok`,
    );
    if (!lock.rows[0]?.ok) {
      opts.logger?.info('lead time zones: another scheduler is re-deriving them');
      return false;
    }
    try {
      const r = await client.query<{ version: string }>('SELECT version FROM tz_data_version');
      if (r.rows[0]?.version === TZ_DATA_VERSION) return false;
      await rederiveTimeZones(pool, opts);
      return true;
    } finally {
      await client.query(`SELECT pg_advisory_unlock(hashtext(current_schema() || ':tz-rederive'))`);
    }
  } finally {
    client.release();
  }
}
