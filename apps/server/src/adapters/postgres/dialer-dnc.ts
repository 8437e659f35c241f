import type pg from 'pg';
import type { DncRow, DncRows, DncTable } from '../../ports/dialer.js';

/** The dnc table in id order, for the dialer's DNC sets in Redis (services/dialer/dnc-cache.ts). */
export class PgDncRows implements DncRows, DncTable {
  constructor(private readonly pool: pg.Pool) {}

  async after(afterId: string, limit: number): Promise<DncRow[]> {
    const r = await this.pool.query<{ id: string; phone: string; campaign_id: string | null }>(
      'SELECT id, phone, campaign_id FROM dnc WHERE id > $1 ORDER BY id LIMIT $2',
      [afterId, limit],
    );
    return r.rows.map((x) => ({ id: x.id, phone: x.phone, campaignId: x.campaign_id }));
  }

  async listed(phone: string, campaignId: string): Promise<boolean> {
    const r = await this.pool.query(
      'SELECT 1 FROM dnc WHERE phone = $1 AND (campaign_id IS NULL OR campaign_id = $2) LIMIT 1',
      [phone, campaignId],
    );
    return (r.rowCount ?? 0) > 0;
  }
}
