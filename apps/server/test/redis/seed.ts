import type pg from 'pg';

/** Test data for the hopper: one campaign with one active list (and an inactive one). */
export interface Seeded {
  campaignId: string;
  listId: string;
  inactiveListId: string;
}

export async function seedCampaign(
  pool: pg.Pool,
  opts: { hopperSize?: number; maxAttempts?: number; name?: string } = {},
): Promise<Seeded> {
  const c = await pool.query<{ id: string }>(
    `INSERT INTO campaigns (name, active, hopper_size, max_attempts, window_start, window_end)
     VALUES ($1, true, $2, $3, '09:00', '20:00') RETURNING id::text`,
    [opts.name ?? 'c', opts.hopperSize ?? 100, opts.maxAttempts ?? 3],
  );
  const campaignId = c.rows[0]?.id ?? '';
  const l = await pool.query<{ id: string }>(
    `INSERT INTO lists (campaign_id, name, active) VALUES ($1, 'a', true), ($1, 'b', false)
     RETURNING id::text`,
    [campaignId],
  );
  return { campaignId, listId: l.rows[0]?.id ?? '', inactiveListId: l.rows[1]?.id ?? '' };
}

export interface LeadSpec {
  phone: string;
  tz?: string[];
  listId: string;
  status?: string;
  final?: boolean;
  attempts?: number;
  nextEligibleAt?: string;
}

/** Inserts leads; returns their ids in order. */
export async function insertLeads(pool: pg.Pool, leads: LeadSpec[]): Promise<string[]> {
  const ids: string[] = [];
  for (const l of leads) {
    const tz = [...new Set(l.tz ?? ['America/New_York'])].sort();
    const r = await pool.query<{ id: string }>(
      `INSERT INTO leads (list_id, phone, tz_candidates, tz_key, status, final, attempts,
                          next_eligible_at, time_zone)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id::text`,
      [
        l.listId,
        l.phone,
        tz,
        tz.join(','),
        l.status ?? 'NEW',
        l.final ?? false,
        l.attempts ?? 0,
        l.nextEligibleAt ?? '-infinity',
        tz.length === 1 ? tz[0] : null,
      ],
    );
    ids.push(r.rows[0]?.id ?? '');
  }
  return ids;
}

/** n new leads in one set-based statement, phones +1212555xxxx, zones cycling through `zones`. */
export async function insertManyLeads(
  pool: pg.Pool,
  listId: string,
  n: number,
  zones: string[],
  phoneBase = 12_125_550_000,
): Promise<void> {
  await pool.query(
    `INSERT INTO leads (list_id, phone, tz_candidates, tz_key)
     SELECT $1, '+' || ($2::bigint + g)::text, ARRAY[($3::text[])[1 + g % array_length($3, 1)]],
            ($3::text[])[1 + g % array_length($3, 1)]
     FROM generate_series(0, $4 - 1) g`,
    [listId, phoneBase, zones, n],
  );
}
