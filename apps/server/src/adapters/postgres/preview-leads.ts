import type pg from 'pg';
import type { PreviewCandidate, PreviewLeads } from '../../ports/telephony.js';

/** Preview's lead search in PostgreSQL (services/telephony/agent-telephony.ts `preview`). */
export class PgPreviewLeads implements PreviewLeads {
  constructor(private readonly pool: pg.Pool) {}

  async campaign(
    campaignId: string,
  ): Promise<{ windowStart: string; windowEnd: string; manual: boolean } | null> {
    const c = await this.pool.query<{
      window_start: string;
      window_end: string;
      dial_method: string;
    }>('SELECT window_start::text, window_end::text, dial_method FROM campaigns WHERE id = $1', [
      campaignId,
    ]);
    const row = c.rows[0];
    if (!row) return null;
    return {
      windowStart: row.window_start,
      windowEnd: row.window_end,
      manual: row.dial_method === 'manual',
    };
  }

  /**
   * Not final, due, not queued in a hopper (unless `hopperToo`), not on a DNC list, not on a call
   * right now (a call_log row neither ended nor disposed, younger than an hour), not another
   * agent's callback; by next eligible time, 200 at most.
   */
  async candidates(q: {
    campaignId: string;
    agentId: string;
    nowMs: number;
    hopperToo: boolean;
  }): Promise<PreviewCandidate[]> {
    const r = await this.pool.query<{ id: string; tz_candidates: string[] }>(
      `SELECT l.id, l.tz_candidates FROM leads l JOIN lists s ON s.id = l.list_id
        WHERE s.campaign_id = $1 AND s.active AND NOT l.final AND (l.hopper_at IS NULL OR $4)
          AND l.next_eligible_at <= $2
          AND NOT EXISTS (SELECT 1 FROM dnc d WHERE d.phone = l.phone
                           AND (d.campaign_id IS NULL OR d.campaign_id = s.campaign_id))
          AND NOT EXISTS (SELECT 1 FROM call_log c WHERE c.lead_id = l.id AND c.ended_at IS NULL
                           AND c.disposition IS NULL AND c.originated_at > $2::timestamptz - interval '1 hour')
          AND NOT EXISTS (SELECT 1 FROM callbacks b WHERE b.lead_id = l.id AND b.status = 'PENDING'
                           AND b.agent_id IS NOT NULL AND b.agent_id::text <> $3)
        ORDER BY l.next_eligible_at, l.id LIMIT 200`,
      [q.campaignId, new Date(q.nowMs), q.agentId, q.hopperToo],
    );
    return r.rows.map((l) => ({ id: String(l.id), tzCandidates: l.tz_candidates }));
  }
}
