import type pg from 'pg';
import {
  beginBulkLoad,
  dropSecondaryIndexes,
  generatedData,
  recordGenerated,
} from '../common/generated.js';

/**
 * Set-based generation of the hopper benchmark data: one active campaign, one list of N leads
 * with a mix of time zones (some split between two zones, some unknown), 10% recycled, 1% final,
 * and 1% of the phones on DNC (half system-wide, half campaign). Secondary indexes of `leads`
 * are dropped during the load and rebuilt after (much faster than maintaining them row by row),
 * from the definitions the migrations created, so the schema ends up identical.
 */

/** The benchmark's fixed "now": a Wednesday, 15:00 in New York, 10:00 in Honolulu. */
export const BENCH_NOW = new Date('2026-01-14T20:00:00Z');

/** Percent of leads per tz_key ('' = unknown zone); adds up to 100. */
export const ZONE_MIX: ReadonlyArray<[string, number]> = [
  ['America/New_York', 30],
  ['America/Chicago', 22],
  ['America/Denver', 7],
  ['America/Phoenix', 4],
  ['America/Los_Angeles', 20],
  ['America/Anchorage', 1],
  ['Pacific/Honolulu', 1],
  ['America/Puerto_Rico', 1],
  ['America/Chicago,America/New_York', 6],
  ['America/Denver,America/Los_Angeles', 3],
  ['', 5],
];

export interface BenchData {
  campaignId: string;
  listId: string;
  leads: number;
}

/** The data set already generated in this database, if its size matches. */
export async function existing(pool: pg.Pool, leads: number): Promise<BenchData | null> {
  const v = await generatedData<BenchData>(pool, 'hopper');
  return v && v.leads === leads ? v : null;
}

export async function generate(
  pool: pg.Pool,
  leads: number,
  log: (msg: string) => void,
): Promise<BenchData> {
  const client = await pool.connect();
  try {
    await beginBulkLoad(client, 'hopper', '1GB', 2);
    await client.query(
      `TRUNCATE leads, lists, campaigns, dnc, callbacks, campaign_recycle_rules CASCADE`,
    );
    const c = await client.query<{ id: string }>(
      `INSERT INTO campaigns (name, active, hopper_size, window_start, window_end, max_attempts)
       VALUES ('bench', true, 500, '08:00', '21:00', 6) RETURNING id::text`,
    );
    const campaignId = c.rows[0]?.id ?? '';
    const l = await client.query<{ id: string }>(
      `INSERT INTO lists (campaign_id, name) VALUES ($1, 'bench') RETURNING id::text`,
      [campaignId],
    );
    const listId = l.rows[0]?.id ?? '';
    await client.query(
      `INSERT INTO campaign_recycle_rules (campaign_id, status, delay_s, max_attempts)
       VALUES ($1, 'NA', 3600, 5), ($1, 'B', 600, 4)`,
      [campaignId],
    );

    // Keep the primary key (callbacks reference it); drop and later rebuild the rest.
    const indexes = await dropSecondaryIndexes(client, 'leads');
    const cons = await client.query<{ name: string; def: string }>(
      `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint
       WHERE conrelid = 'leads'::regclass AND contype = 'u'`,
    );
    for (const k of cons.rows) await client.query(`ALTER TABLE leads DROP CONSTRAINT ${k.name}`);

    const buckets: string[] = [];
    for (const [key, pct] of ZONE_MIX) for (let i = 0; i < pct; i++) buckets.push(key);
    const chunk = 1_000_000;
    for (let from = 0; from < leads; from += chunk) {
      const to = Math.min(leads, from + chunk) - 1;
      const t0 = Date.now();
      // b spreads zones, r picks the attempt history; both are cheap hashes of g.
      await client.query(
        `INSERT INTO leads (list_id, phone, tz_candidates, tz_key, time_zone, tz_source, status,
                            final, attempts, last_called_at, next_eligible_at)
         SELECT $1, '+1' || (2000000000 + g)::text,
                string_to_array(k, ','), k,
                CASE WHEN k <> '' AND position(',' IN k) = 0 THEN k END,
                CASE WHEN k = '' THEN 'unknown' ELSE 'area_code' END,
                CASE WHEN r < 10 THEN 'NA' WHEN r = 10 THEN 'SALE' ELSE 'NEW' END,
                r = 10,
                CASE WHEN r < 10 THEN 1 + r % 3 WHEN r = 10 THEN 1 ELSE 0 END,
                CASE WHEN r <= 10 THEN $4::timestamptz - make_interval(hours => 2 + r) END,
                CASE WHEN r < 10 THEN $4::timestamptz - make_interval(mins => 10 * (r + 1))
                     ELSE '-infinity' END
         FROM generate_series($2::bigint, $3::bigint) g,
              LATERAL (SELECT ($5::text[])[1 + ((g * 7919) % 100)::int] AS k,
                              ((g * 104729) % 100)::int AS r) x`,
        [listId, from, to, BENCH_NOW, buckets],
      );
      log(`leads ${to + 1}/${leads} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
    await client.query(
      `INSERT INTO dnc (phone, campaign_id, source)
       SELECT '+1' || (2000000000 + g)::text, CASE WHEN g % 200 = 0 THEN $1::bigint END, 'bench'
       FROM generate_series(0, $2::bigint - 1, 100) g`,
      [campaignId, leads],
    );
    log('dnc 1% done; rebuilding indexes');
    for (const k of cons.rows) {
      const t0 = Date.now();
      await client.query(`ALTER TABLE leads ADD CONSTRAINT ${k.name} ${k.def}`);
      log(`constraint ${k.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
    for (const i of indexes) {
      const t0 = Date.now();
      await client.query(i.def);
      log(`index ${i.name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
    await client.query('VACUUM (ANALYZE) leads');
    await client.query('VACUUM (ANALYZE) dnc');
    const data: BenchData = { campaignId, listId, leads };
    await recordGenerated(client, 'hopper', data);
    return data;
  } finally {
    client.release();
  }
}
