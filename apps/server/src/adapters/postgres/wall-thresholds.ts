import type pg from 'pg';
import { WallThresholds } from '@ringside/protocol';
import type { WallThresholdsRepo } from '../../ports/supervisor.js';

/**
 * The wall's thresholds per campaign in campaign_wall_thresholds (0115). A row that no longer
 * parses (a schema that grew a state since it was written) counts as not set: the defaults apply.
 */
export function createWallThresholdsRepo(pool: pg.Pool): WallThresholdsRepo {
  return {
    async forCampaigns(campaignIds) {
      const out = new Map<string, WallThresholds>();
      if (campaignIds.length === 0) return out;
      const r = await pool.query<{ campaign_id: string; thresholds: unknown }>(
        `SELECT campaign_id::text AS campaign_id, thresholds
           FROM campaign_wall_thresholds WHERE campaign_id = ANY($1::bigint[])`,
        [campaignIds],
      );
      for (const row of r.rows) {
        const parsed = WallThresholds.safeParse(row.thresholds);
        if (parsed.success) out.set(row.campaign_id, parsed.data);
      }
      return out;
    },
    async put(campaignId, thresholds) {
      await pool.query(
        `INSERT INTO campaign_wall_thresholds (campaign_id, thresholds) VALUES ($1, $2)
         ON CONFLICT (campaign_id) DO UPDATE SET thresholds = EXCLUDED.thresholds, updated_at = now()`,
        [campaignId, JSON.stringify(thresholds)],
      );
    },
  };
}
