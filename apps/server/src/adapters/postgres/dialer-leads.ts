import type pg from 'pg';
import type { CallId, CampaignId, E164, LeadId, ListId } from '@ringside/protocol';
import type { Logger } from '../../logger.js';
import type { DialLead, LeadRecycle, ManualDialLeads, UnsettledCall } from '../../ports/dialer.js';

/**
 * The dialer's lead writes, in PostgreSQL (leads and lead_log). They are history, not the
 * real-time path: each is queued behind the previous write of the same lead (so "dialed" always
 * lands before "ended") and runs in the background; a failure is logged, never thrown at the loop.
 */
export class PgDialerLeads implements ManualDialLeads {
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly logger: Logger,
  ) {}

  dialed(leadId: LeadId, callId: string, atMs: number): void {
    this.queue(leadId, async () => {
      await this.pool.query(
        `UPDATE leads SET attempts = attempts + 1, last_called_at = $2, last_call_id = $3,
                updated_at = now() WHERE id = $1`,
        [leadId, new Date(atMs), callId],
      );
      await this.log(leadId, 'dialed', atMs, callId, {});
    });
  }

  ended(leadId: LeadId, callId: string, outcome: string, atMs: number, r: LeadRecycle): void {
    this.queue(leadId, async () => {
      const next = new Date(r.eligibleAtMs);
      const max = r.maxAttempts;
      if (outcome === 'HUMAN') {
        // The agent's disposition decides the lead's status and next call; until it comes, the
        // lead must not be picked again, so it is held back by the fallback delay at least.
        await this.pool.query(
          `UPDATE leads SET hopper_at = NULL,
                  next_eligible_at = GREATEST(next_eligible_at, $2), updated_at = now()
            WHERE id = $1`,
          [leadId, next],
        );
      } else {
        await this.pool.query(
          `UPDATE leads SET status = $2, hopper_at = NULL,
                  next_eligible_at = CASE WHEN attempts >= $4 THEN 'infinity'::timestamptz ELSE $3 END,
                  updated_at = now()
            WHERE id = $1 AND NOT final`,
          [leadId, outcome, next, max],
        );
      }
      await this.log(leadId, outcome === 'DROPPED' ? 'dropped' : 'recycled', atMs, callId, {
        outcome,
      });
    });
  }

  skipped(leadId: LeadId, rule: string, atMs: number, retryAtMs: number | null): void {
    this.queue(leadId, async () => {
      await this.pool.query(
        `UPDATE leads SET hopper_at = NULL,
                next_eligible_at = GREATEST(next_eligible_at, COALESCE($2, next_eligible_at)),
                updated_at = now()
          WHERE id = $1`,
        [leadId, retryAtMs === null ? null : new Date(retryAtMs)],
      );
      await this.log(leadId, rule === 'DNC' ? 'dnc' : 'skipped', atMs, null, { rule });
    });
  }

  async unsettled(campaignId: CampaignId, sinceMs: number): Promise<UnsettledCall[]> {
    // call_log_campaign_time_idx bounds the calls to the recent ones, call_log_lead_idx is not
    // needed: each call's lead is one primary-key lookup.
    const r = await this.pool.query<{
      id: string;
      lead_id: string;
      outcome: string | null;
      ended_at: Date | null;
    }>(
      `SELECT c.id, c.lead_id::text AS lead_id, c.outcome, c.ended_at
         FROM call_log c JOIN leads l ON l.id = c.lead_id
        WHERE c.campaign_id = $1 AND c.originated_at >= $2 AND NOT c.manual
          AND l.hopper_at IS NOT NULL AND c.originated_at >= l.hopper_at
        ORDER BY c.originated_at`,
      [campaignId, new Date(sinceMs)],
    );
    return r.rows.map((x) => ({
      callId: x.id as CallId,
      leadId: x.lead_id as LeadId,
      outcome: x.outcome,
      endedAtMs: x.ended_at ? x.ended_at.getTime() : null,
    }));
  }

  async flush(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  private queue(leadId: string, fn: () => Promise<void>): void {
    const prev = this.chains.get(leadId) ?? Promise.resolve();
    const next = prev.then(fn).catch((err: unknown) => {
      this.logger.error({ err, leadId }, 'dialer lead write failed');
    });
    this.chains.set(leadId, next);
    void next.then(() => {
      if (this.chains.get(leadId) === next) this.chains.delete(leadId);
    });
  }

  private async log(
    leadId: string,
    kind: string,
    atMs: number,
    callId: string | null,
    detail: Record<string, string>,
  ): Promise<void> {
    await this.pool.query(
      'INSERT INTO lead_log (lead_id, at, kind, call_id, detail) VALUES ($1, $2, $3, $4, $5)',
      [leadId, new Date(atMs), kind, callId, JSON.stringify(detail)],
    );
  }

  /** A lead of one of the campaign's lists, for a manual dial. */
  async leadInCampaign(campaignId: string, leadId: string): Promise<DialLead | null> {
    if (!/^\d{1,18}$/.test(leadId)) return null;
    const r = await this.pool.query<LeadRow>(
      `SELECT l.id, l.list_id, s.campaign_id, l.phone, l.tz_candidates, l.attempts,
              l.state, l.postal_code, l.country
         FROM leads l JOIN lists s ON s.id = l.list_id
        WHERE l.id = $1 AND s.campaign_id = $2`,
      [leadId, campaignId],
    );
    return r.rows[0] ? toDialLead(r.rows[0]) : null;
  }

  /** The campaign's lead with this number (the most recent one), for a manual dial. */
  async leadByPhone(campaignId: string, phone: string): Promise<DialLead | null> {
    const r = await this.pool.query<LeadRow>(
      `SELECT l.id, l.list_id, s.campaign_id, l.phone, l.tz_candidates, l.attempts,
              l.state, l.postal_code, l.country
         FROM leads l JOIN lists s ON s.id = l.list_id
        WHERE l.phone = $1 AND s.campaign_id = $2
        ORDER BY l.id DESC LIMIT 1`,
      [phone, campaignId],
    );
    return r.rows[0] ? toDialLead(r.rows[0]) : null;
  }

  /**
   * Adds a lead for a number an agent dials by hand that no list of the campaign holds, to the
   * campaign's oldest active list (call_log needs a lead). Null when the campaign has no list.
   */
  async createManualLead(
    campaignId: string,
    phone: string,
    tz: { timeZone: string | null; candidates: string[]; key: string; source: string },
  ): Promise<DialLead | null> {
    const r = await this.pool.query<LeadRow>(
      `INSERT INTO leads (list_id, phone, time_zone, tz_candidates, tz_key, tz_source)
       SELECT s.id, $2, $3, $4, $5, $6 FROM lists s
        WHERE s.campaign_id = $1 AND s.active ORDER BY s.id LIMIT 1
       ON CONFLICT (list_id, phone) DO UPDATE SET updated_at = now()
       RETURNING id, list_id, $1::bigint AS campaign_id, phone, tz_candidates, attempts,
                 state, postal_code, country`,
      [campaignId, phone, tz.timeZone, tz.candidates, tz.key, tz.source],
    );
    return r.rows[0] ? toDialLead(r.rows[0]) : null;
  }
}

interface LeadRow {
  id: string;
  list_id: string;
  campaign_id: string;
  phone: string;
  tz_candidates: string[];
  attempts: number;
  state: string | null;
  postal_code: string | null;
  country: string | null;
}

function toDialLead(r: LeadRow): DialLead {
  return {
    id: String(r.id) as LeadId,
    listId: String(r.list_id) as ListId,
    campaignId: String(r.campaign_id) as CampaignId,
    phone: r.phone as E164,
    tzCandidates: r.tz_candidates,
    attempts: r.attempts,
    state: r.state,
    postalCode: r.postal_code,
    country: r.country,
  };
}
