import type pg from 'pg';
import { CampaignId, E164, LeadId, ListId } from '@ringside/protocol';
import { parseTimeOfDay } from '../../domain/calling-window.js';
import type {
  HopperCampaign,
  HopperPriority,
  HopperSource,
  TakenLead,
} from '../../ports/hopper.js';

const PRIORITY: Record<number, HopperPriority> = { 0: 'callback', 1: 'recycle', 2: 'new' };

/**
 * The eligible leads of one slot (list, tz_key) whose next_eligible_at passes `due`, locked,
 * oldest first: the recycled and the fresh class differ only in `due`.
 */
const slotLeads = (due: string) => `  FROM slot CROSS JOIN LATERAL (
    SELECT l.id FROM leads l
    WHERE l.list_id = slot.list_id AND l.tz_key = slot.tz_key
      AND NOT l.final AND l.hopper_at IS NULL
      AND ${due}
      AND l.attempts < LEAST($5, coalesce((SELECT cap FROM rule WHERE rule.status = l.status), $5))
      AND NOT EXISTS (SELECT 1 FROM dnc d
                      WHERE d.phone = l.phone AND coalesce(d.campaign_id, 0) IN (0, $1))
      AND NOT EXISTS (SELECT 1 FROM callbacks w WHERE w.lead_id = l.id AND w.status = 'PENDING')
    ORDER BY l.next_eligible_at
    LIMIT $4
    FOR UPDATE OF l SKIP LOCKED
  ) x`;

/**
 * The eligible-lead query, in one statement that also marks what it takes (hopper_at), so two
 * fillers running at once never take the same lead: each candidate row is locked with
 * FOR UPDATE SKIP LOCKED (a row another filler holds is skipped, and one it has just taken no
 * longer passes `hopper_at IS NULL` when re-checked), then updated.
 *
 * Eligible: in an active list of the campaign, not final, not in a hopper, in a dialable tz_key
 * (the caller computes them with domain/calling-window), under the attempt cap (the campaign's,
 * or lower for its last status), not on the system or the campaign DNC list, and either a due
 * callback (for any agent), or (with no callback pending) recycled (next_eligible_at has passed; it is set when an attempt
 * ends), or new (next_eligible_at = '-infinity', never dialed). Callbacks first, then recycled,
 * then new. Recycled and new leads are read per (list, tz_key) slot with a LATERAL subquery
 * ordered like leads_hopper_idx (list_id, tz_key, next_eligible_at), so each is an index range
 * scan that stops as soon as the limit is reached, whatever the size of the list (a plain
 * `tz_key = ANY(...)` lets the planner pick a sequential scan that re-reads every lead already
 * taken). The DNC checks probe dnc_phone_campaign_idx. Within a class, slots are drained in
 * list then tz_key order. Each class only reads (and locks) what the classes before it left of
 * the limit: locking a row writes to its heap page, so rows locked and not taken cost as much
 * as rows taken.
 */
export const TAKE_LEADS_SQL = `
WITH rule AS (
  SELECT * FROM unnest($6::text[], $7::int[]) AS r(status, cap)
),
slot AS (
  SELECT s.list_id, k.tz_key
  FROM unnest($2::bigint[]) AS s(list_id) CROSS JOIN unnest($3::text[]) AS k(tz_key)
),
cb AS (
  SELECT c.id AS callback_id, l.id, 0 AS prio
  FROM callbacks c
  JOIN leads l ON l.id = c.lead_id
  WHERE c.campaign_id = $1 AND c.status = 'PENDING' AND c.agent_id IS NULL AND c.due_at <= $8
    AND l.list_id = ANY($2::bigint[]) AND l.tz_key = ANY($3::text[])
    AND NOT l.final AND l.hopper_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM dnc d
                    WHERE d.phone = l.phone AND coalesce(d.campaign_id, 0) IN (0, $1))
  ORDER BY c.due_at
  LIMIT $4
  FOR UPDATE OF l, c SKIP LOCKED
),
rec AS (
  SELECT x.id, 1 AS prio
${slotLeads(`l.next_eligible_at > '-infinity' AND l.next_eligible_at <= $8`)}
  LIMIT GREATEST(0, $4 - (SELECT count(*) FROM cb))
),
fresh AS (
  SELECT x.id, 2 AS prio
${slotLeads(`l.next_eligible_at = '-infinity'`)}
  LIMIT GREATEST(0, $4 - (SELECT count(*) FROM cb) - (SELECT count(*) FROM rec))
),
picked AS (
  SELECT id, prio FROM (
    SELECT DISTINCT ON (id) id, prio
    FROM (SELECT id, prio FROM cb UNION ALL SELECT id, prio FROM rec
          UNION ALL SELECT id, prio FROM fresh) u
    ORDER BY id, prio
  ) d
  ORDER BY prio
  LIMIT $4
),
queued AS (
  UPDATE callbacks c SET status = 'QUEUED'
  FROM cb JOIN picked p ON p.id = cb.id AND p.prio = 0
  WHERE c.id = cb.callback_id
)
UPDATE leads l SET hopper_at = $8
FROM picked p
WHERE l.id = p.id
RETURNING l.id::text AS id, l.list_id::text AS list_id, l.phone, l.tz_candidates, l.tz_key,
          l.attempts, p.prio, l.state, l.postal_code, l.country`;

/**
 * The distinct tz_keys of a list's leads that may still enter a hopper: a loose index scan of
 * leads_hopper_idx (one index descent per key), fast on a list of millions.
 */
export const TZ_KEYS_SQL = `
WITH RECURSIVE k AS (
  (SELECT tz_key FROM leads
   WHERE list_id = $1 AND NOT final AND hopper_at IS NULL
   ORDER BY tz_key LIMIT 1)
  UNION ALL
  SELECT (SELECT tz_key FROM leads
          WHERE list_id = $1 AND NOT final AND hopper_at IS NULL AND tz_key > k.tz_key
          ORDER BY tz_key LIMIT 1)
  FROM k WHERE k.tz_key IS NOT NULL
)
SELECT tz_key FROM k WHERE tz_key IS NOT NULL`;

interface TakenRow {
  id: string;
  list_id: string;
  phone: string;
  tz_candidates: string[];
  tz_key: string;
  attempts: number;
  prio: number;
  state: string | null;
  postal_code: string | null;
  country: string | null;
}

/** PostgreSQL side of the hopper: which leads may enter, and their hopper_at marks. */
export class PgHopperSource implements HopperSource {
  constructor(private readonly pool: pg.Pool) {}

  /** Active campaigns with their active lists and recycle rules. */
  async activeCampaigns(): Promise<HopperCampaign[]> {
    const r = await this.pool.query<{
      id: string;
      hopper_size: number;
      window_start: string;
      window_end: string;
      max_attempts: number;
      list_ids: string[];
      rules: Array<{ status: string; delay_s: number; max_attempts: number }>;
    }>(`
      SELECT c.id::text, c.hopper_size, c.window_start::text, c.window_end::text, c.max_attempts,
             coalesce((SELECT array_agg(l.id::text ORDER BY l.id) FROM lists l
                       WHERE l.campaign_id = c.id AND l.active), '{}') AS list_ids,
             coalesce((SELECT json_agg(json_build_object('status', r.status, 'delay_s', r.delay_s,
                                                         'max_attempts', r.max_attempts))
                       FROM campaign_recycle_rules r WHERE r.campaign_id = c.id), '[]') AS rules
      FROM campaigns c WHERE c.active ORDER BY c.id`);
    return r.rows.map((row) => ({
      id: CampaignId.parse(row.id),
      hopperSize: row.hopper_size,
      window: {
        startMinute: parseTimeOfDay(row.window_start),
        endMinute: parseTimeOfDay(row.window_end),
      },
      maxAttempts: row.max_attempts,
      listIds: row.list_ids.map((id) => ListId.parse(id)),
      rules: Object.fromEntries(
        row.rules.map((x) => [x.status, { delayS: x.delay_s, maxAttempts: x.max_attempts }]),
      ),
    }));
  }

  /** Distinct tz_keys among the leads of these lists that are not final nor in a hopper. */
  async tzKeys(listIds: ReadonlyArray<ListId>): Promise<string[]> {
    const keys = new Set<string>();
    for (const listId of listIds) {
      const r = await this.pool.query<{ tz_key: string }>(TZ_KEYS_SQL, [listId]);
      for (const row of r.rows) keys.add(row.tz_key);
    }
    return [...keys].sort();
  }

  /**
   * Takes up to `limit` eligible leads and marks them (hopper_at = now) in one statement.
   * `dialableKeys` are the tz_keys inside the calling window now (never '').
   */
  async take(
    c: HopperCampaign,
    dialableKeys: ReadonlyArray<string>,
    limit: number,
    now: Date,
  ): Promise<TakenLead[]> {
    if (limit <= 0 || dialableKeys.length === 0 || c.listIds.length === 0) return [];
    const statuses = Object.keys(c.rules);
    const caps = statuses.map((s) => c.rules[s]?.maxAttempts ?? c.maxAttempts);
    const r = await this.pool.query<TakenRow>(TAKE_LEADS_SQL, [
      c.id,
      c.listIds,
      dialableKeys,
      limit,
      c.maxAttempts,
      statuses,
      caps,
      now,
    ]);
    return r.rows.map((row) => ({
      leadId: LeadId.parse(row.id),
      listId: ListId.parse(row.list_id),
      phone: E164.parse(row.phone),
      tzCandidates: row.tz_candidates,
      tzKey: row.tz_key,
      attempts: row.attempts,
      priority: PRIORITY[row.prio] ?? 'new',
      state: row.state,
      postalCode: row.postal_code,
      country: row.country,
    }));
  }

  /**
   * Leads just taken that a state rule keeps from being dialed now: their marks are cleared and
   * they wait until the rule allows them (next_eligible_at, and the due time of a queued
   * callback, moved to `untilMs` at the earliest), so the next fill does not take them again.
   */
  async defer(leads: ReadonlyArray<{ leadId: LeadId; untilMs: number }>): Promise<number> {
    if (leads.length === 0) return 0;
    const r = await this.pool.query(
      `WITH d AS (
         SELECT * FROM unnest($1::bigint[], $2::timestamptz[]) AS d(id, until)
       ),
       cb AS (
         UPDATE callbacks c SET status = 'PENDING', due_at = GREATEST(c.due_at, d.until)
         FROM d WHERE c.lead_id = d.id AND c.status = 'QUEUED'
       )
       UPDATE leads l SET hopper_at = NULL,
              next_eligible_at = GREATEST(l.next_eligible_at, d.until), updated_at = now()
       FROM d WHERE l.id = d.id`,
      [leads.map((l) => l.leadId), leads.map((l) => new Date(l.untilMs))],
    );
    return r.rowCount ?? 0;
  }

  /**
   * Clears the hopper_at marks of leads that left the hopper undialed (window closed, add
   * failed), and puts their queued callbacks back to PENDING. Returns how many leads.
   */
  async clearMarks(leadIds: ReadonlyArray<LeadId>): Promise<number> {
    if (leadIds.length === 0) return 0;
    const r = await this.pool.query(
      `WITH cb AS (
         UPDATE callbacks SET status = 'PENDING'
         WHERE status = 'QUEUED' AND lead_id = ANY($1::bigint[])
       )
       UPDATE leads SET hopper_at = NULL WHERE id = ANY($1::bigint[]) AND hopper_at IS NOT NULL`,
      [leadIds],
    );
    return r.rowCount ?? 0;
  }

  /**
   * Clears every mark of a campaign except those of `keep` (the leads still in its Redis hopper):
   * its hopper is gone (Redis lost it) or the campaign stopped. Uses leads_in_hopper_idx.
   */
  async clearCampaignMarks(
    campaignId: CampaignId,
    keep: ReadonlyArray<LeadId> = [],
  ): Promise<number> {
    const r = await this.pool.query(
      `WITH cb AS (
         UPDATE callbacks SET status = 'PENDING'
         WHERE status = 'QUEUED' AND campaign_id = $1 AND NOT (lead_id = ANY($2::bigint[]))
       )
       UPDATE leads SET hopper_at = NULL
       WHERE hopper_at IS NOT NULL
         AND list_id IN (SELECT id FROM lists WHERE campaign_id = $1)
         AND NOT (id = ANY($2::bigint[]))`,
      [campaignId, keep],
    );
    return r.rowCount ?? 0;
  }

  /**
   * The dialer dialed these leads (after Hopper.ack): counts the attempt, clears the mark and
   * holds the lead back for `provisionalDelayMs` until the call's outcome sets the real
   * next_eligible_at (so a lost outcome never strands a lead). Queued callbacks become DONE.
   */
  async markDialed(
    leadIds: ReadonlyArray<LeadId>,
    now: Date,
    provisionalDelayMs = 3_600_000,
  ): Promise<number> {
    if (leadIds.length === 0) return 0;
    const r = await this.pool.query(
      `WITH cb AS (
         UPDATE callbacks SET status = 'DONE'
         WHERE status = 'QUEUED' AND lead_id = ANY($1::bigint[])
       )
       UPDATE leads SET hopper_at = NULL, attempts = attempts + 1, last_called_at = $2,
                        next_eligible_at = $2::timestamptz + make_interval(secs => $3 / 1000.0),
                        updated_at = now()
       WHERE id = ANY($1::bigint[])`,
      [leadIds, now, provisionalDelayMs],
    );
    return r.rowCount ?? 0;
  }
}
