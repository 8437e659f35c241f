import type pg from 'pg';
import type { DncRow, DncRows } from '../../ports/dialer.js';

/** The dnc table in id order, for the dialer's DNC sets in Redis (services/dialer/dnc-cache.ts). */
export class PgDncRows implements DncRows {
  constructor(private readonly pool: pg.Pool) {}

  async after(afterId: string, limit: number): Promise<DncRow[]> {
    const r = await this.pool.query<{ id: string; phone: string; campaign_id: string | null }>(
      'SELECT id, phone, campaign_id FROM dnc WHERE id > $1 ORDER BY id LIMIT $2',
      [afterId, limit],
    );
    return r.rows.map((x) => ({ id: x.id, phone: x.phone, campaignId: x.campaign_id }));
  }
}
