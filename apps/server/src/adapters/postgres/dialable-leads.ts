import type pg from 'pg';
import type { ListId } from '@ringside/protocol';

/**
 * Due leads outside the hopper, for the supervisors' "dialable leads": in the given (active)
 * lists and dialable tz_keys, not final, not in a hopper, next attempt due at `at` (new leads
 * have next_eligible_at = '-infinity'; a lead out of attempts is never due again). The predicate
 * is leads_hopper_idx's own, so this is an index(-only) range scan per (list, tz_key); DNC and
 * per-status attempt caps are left to the hopper query (a count, not a promise to dial).
 */
export const COUNT_DIALABLE_SQL = `
SELECT count(*)::bigint AS n
  FROM leads
 WHERE list_id = ANY($1::bigint[]) AND tz_key = ANY($2::text[])
   AND NOT final AND hopper_at IS NULL AND next_eligible_at <= $3`;

export class PgDialableLeads {
  constructor(private readonly pool: pg.Pool) {}

  async count(listIds: ReadonlyArray<ListId>, tzKeys: ReadonlyArray<string>, at: Date) {
    if (listIds.length === 0 || tzKeys.length === 0) return 0;
    const r = await this.pool.query<{ n: string }>(COUNT_DIALABLE_SQL, [listIds, tzKeys, at]);
    return Number(r.rows[0]?.n ?? 0);
  }
}
