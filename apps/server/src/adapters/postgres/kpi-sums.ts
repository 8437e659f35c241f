import type pg from 'pg';
import type { CampaignId } from '@ringside/protocol';
import { zeroKpiSums, type KpiSums } from '../../domain/kpi/index.js';

/** A day before the window: a call dialed yesterday may be connected or end today. */
const LOOKBACK = "interval '1 day'";

/**
 * One day's KPI sums per campaign from call_log and agent_log, with the definitions the live
 * counting uses (services/dialer/status-publisher.ts `KpiTracker`): a call connected to an agent
 * in the window adds one connected call and its answer-to-agent wait; a connected call that ended
 * in the window adds one handled call and its talk (end - connect); a wrap-up that ended in the
 * window adds its length, and so do READY / RESERVED and INCALL / DEAD intervals (occupancy's wait
 * and talk). For refilling Redis after it lost the day's sums (state-rebuild.ts).
 * Campaigns without activity are absent.
 */
export async function kpiSumsOfWindow(
  pool: pg.Pool,
  campaignIds: readonly CampaignId[],
  fromMs: number,
  toMs: number,
): Promise<Map<CampaignId, KpiSums>> {
  const out = new Map<CampaignId, KpiSums>();
  if (campaignIds.length === 0) return out;
  const args = [campaignIds, new Date(fromMs), new Date(toMs)];
  const calls = await pool.query<{
    campaign_id: string;
    connected: string;
    answer_wait_ms: string;
    handled: string;
    talk_ms: string;
  }>(
    `WITH w AS (
       SELECT campaign_id, answered_at, agent_connected_at, ended_at,
              agent_connected_at >= $2 AND agent_connected_at < $3 AND answered_at IS NOT NULL
                AS connected_in,
              ended_at >= $2 AND ended_at < $3 AND agent_connected_at IS NOT NULL AS handled_in
         FROM call_log
        WHERE campaign_id = ANY($1::bigint[])
          AND originated_at >= $2::timestamptz - ${LOOKBACK} AND originated_at < $3
     )
     SELECT campaign_id::text AS campaign_id,
            count(*) FILTER (WHERE connected_in) AS connected,
            coalesce(round(sum(greatest(0, extract(epoch FROM agent_connected_at - answered_at)
              * 1000)) FILTER (WHERE connected_in)), 0) AS answer_wait_ms,
            count(*) FILTER (WHERE handled_in) AS handled,
            coalesce(round(sum(greatest(0, extract(epoch FROM ended_at - agent_connected_at)
              * 1000)) FILTER (WHERE handled_in)), 0) AS talk_ms
       FROM w
      WHERE connected_in OR handled_in
      GROUP BY campaign_id`,
    args,
  );
  const wraps = await pool.query<{
    campaign_id: string;
    wrap_ms: string;
    wait_ms: string;
    in_call_ms: string;
  }>(
    `SELECT campaign_id::text AS campaign_id,
            coalesce(sum(duration_ms) FILTER (WHERE state = 'WRAPUP'), 0) AS wrap_ms,
            coalesce(sum(duration_ms) FILTER (WHERE state IN ('READY', 'RESERVED')), 0) AS wait_ms,
            coalesce(sum(duration_ms) FILTER (WHERE state IN ('INCALL', 'DEAD')), 0) AS in_call_ms
       FROM agent_log
      WHERE campaign_id = ANY($1::bigint[])
        AND state IN ('WRAPUP', 'READY', 'RESERVED', 'INCALL', 'DEAD')
        AND started_at >= $2::timestamptz - ${LOOKBACK} AND ended_at >= $2 AND ended_at < $3
      GROUP BY campaign_id`,
    args,
  );
  const of = (id: string): KpiSums => {
    const c = id as CampaignId;
    let s = out.get(c);
    if (!s) {
      s = zeroKpiSums();
      out.set(c, s);
    }
    return s;
  };
  for (const r of calls.rows) {
    const s = of(r.campaign_id);
    s.connectedCalls = Number(r.connected);
    s.answerWaitMs = Number(r.answer_wait_ms);
    s.handledCalls = Number(r.handled);
    s.talkMs = Number(r.talk_ms);
  }
  for (const r of wraps.rows) {
    const s = of(r.campaign_id);
    s.wrapMs = Number(r.wrap_ms);
    // Occupancy's sums are optional (KpiSums): set only when something was counted.
    if (Number(r.wait_ms) > 0) s.waitMs = Number(r.wait_ms);
    if (Number(r.in_call_ms) > 0) s.inCallMs = Number(r.in_call_ms);
  }
  return out;
}
