import type pg from 'pg';
import type { CampaignId } from '@ringside/protocol';
import type { WhyNotDialedLead, WhyNotDialedSource } from '../../ports/compliance.js';

/** The lead with its list, campaign and recycle rules, in one row. */
const LEAD_SQL = `
SELECT l.id::text, l.phone, l.state, l.postal_code, l.country, l.tz_candidates, l.status, l.final,
       l.attempts, l.hopper_at,
       CASE WHEN isfinite(l.next_eligible_at) THEN l.next_eligible_at END AS next_eligible_at,
       CASE WHEN l.next_eligible_at = 'infinity' THEN 1
            WHEN l.next_eligible_at = '-infinity' THEN -1 ELSE 0 END AS next_eligible_inf,
       s.id::text AS list_id, s.name AS list_name, s.active AS list_active,
       c.id::text AS campaign_id, c.name AS campaign_name, c.active AS campaign_active,
       c.window_start::text, c.window_end::text, c.max_attempts,
       coalesce((SELECT json_agg(json_build_object('status', r.status, 'delay_s', r.delay_s,
                                                   'max_attempts', r.max_attempts))
                 FROM campaign_recycle_rules r WHERE r.campaign_id = c.id), '[]') AS rules
  FROM leads l JOIN lists s ON s.id = l.list_id JOIN campaigns c ON c.id = s.campaign_id
 WHERE l.id = $1`;

/** What "why is this lead not being dialed?" reads from PostgreSQL (the api role's screens). */
export class PgWhyNotDialedSource implements WhyNotDialedSource {
  constructor(private readonly pool: pg.Pool) {}

  async lead(leadId: string): Promise<WhyNotDialedLead | null> {
    const r = await this.pool.query<WhyNotDialedLead>(LEAD_SQL, [leadId]);
    return r.rows[0] ?? null;
  }

  async dncEntries(
    phone: string,
    campaignId: CampaignId,
  ): Promise<Array<{ campaign_id: string | null; source: string; added_at: Date }>> {
    const r = await this.pool.query<{ campaign_id: string | null; source: string; added_at: Date }>(
      `SELECT campaign_id::text, source, added_at FROM dnc
          WHERE phone = $1 AND (campaign_id IS NULL OR campaign_id = $2) ORDER BY campaign_id NULLS FIRST`,
      [phone, campaignId],
    );
    return r.rows;
  }

  async openCallbacks(
    leadId: string,
  ): Promise<Array<{ due_at: Date; agent_id: string | null; status: string }>> {
    const r = await this.pool.query<{ due_at: Date; agent_id: string | null; status: string }>(
      `SELECT due_at, agent_id::text, status FROM callbacks
          WHERE lead_id = $1 AND status IN ('PENDING', 'QUEUED') ORDER BY due_at`,
      [leadId],
    );
    return r.rows;
  }

  async scrubsNationalDnc(campaignId: string): Promise<boolean> {
    const r = await this.pool.query<{ scrub: boolean }>(
      'SELECT national_dnc_scrub AS scrub FROM campaigns WHERE id = $1',
      [campaignId],
    );
    return r.rows[0]?.scrub !== false;
  }
}
