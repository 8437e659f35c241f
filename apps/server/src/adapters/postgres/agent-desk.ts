import type pg from 'pg';
import type { AgentId } from '@ringside/protocol';
import type { AgentDayFigures, AgentDeskReads } from '../../ports/agents.js';

/**
 * The agent desk's reads: dispositions' usage per campaign (call_log, index
 * call_log_campaign_time_idx) and an agent's day (call_log by call_log_agent_time_idx, agent_log
 * by agent_log_agent_time_idx). A call counts on the day it was dialed; a state on agent_log
 * counts for the part of it inside the range.
 */
export class PgAgentDeskReads implements AgentDeskReads {
  constructor(private readonly pool: pg.Pool) {}

  async dispositionUsage(campaignId: string, sinceMs: number): Promise<Map<string, number>> {
    const r = await this.pool.query<{ code: string; n: string }>(
      `SELECT disposition AS code, count(*)::text AS n
         FROM call_log
        WHERE campaign_id = $1 AND originated_at >= $2 AND disposition IS NOT NULL
        GROUP BY disposition`,
      [campaignId, new Date(sinceMs)],
    );
    return new Map(r.rows.map((row) => [row.code, Number(row.n)]));
  }

  async callableHours(
    leadId: string,
    campaignId: string,
  ): Promise<{ zone: string | null; start: string; end: string } | null> {
    const r = await this.pool.query<{ zone: string | null; start: string; end: string }>(
      `SELECT l.time_zone AS zone, to_char(c.window_start, 'HH24:MI') AS start,
              to_char(c.window_end, 'HH24:MI') AS "end"
         FROM leads l, campaigns c WHERE l.id = $1 AND c.id = $2`,
      [leadId, campaignId],
    );
    return r.rows[0] ?? null;
  }

  async agentDay(agentId: AgentId, fromMs: number, toMs: number): Promise<AgentDayFigures> {
    const from = new Date(fromMs);
    const to = new Date(toMs);
    const calls = await this.pool.query<{ calls: string; talk_ms: string; sales: string }>(
      `SELECT count(*)::text AS calls,
              coalesce(sum(extract(epoch FROM (least(coalesce(c.ended_at, $3), $3)
                                               - c.agent_connected_at)) * 1000), 0)::bigint::text
                AS talk_ms,
              count(*) FILTER (WHERE d.sale)::text AS sales
         FROM call_log c
         LEFT JOIN LATERAL (
           SELECT x.sale FROM dispositions x
            WHERE x.code = c.disposition
              AND (x.campaign_id = c.campaign_id OR x.campaign_id IS NULL)
            ORDER BY x.campaign_id NULLS LAST
            LIMIT 1) d ON true
        WHERE c.agent_id = $1 AND c.originated_at >= $2 AND c.originated_at < $3
          AND c.agent_connected_at IS NOT NULL`,
      [agentId, from, to],
    );
    // A state that began up to a day before the range may end inside it.
    const states = await this.pool.query<{ state: string; code: string | null; ms: string }>(
      `SELECT state, pause_code AS code,
              sum(extract(epoch FROM (least(ended_at, $3) - greatest(started_at, $2))) * 1000)
                ::bigint::text AS ms
         FROM agent_log
        WHERE agent_id = $1 AND started_at >= $2::timestamptz - interval '1 day'
          AND started_at < $3 AND ended_at > $2
          AND state IN ('PAUSED', 'DEAD', 'WRAPUP')
        GROUP BY state, pause_code`,
      [agentId, from, to],
    );
    let wrapMs = 0;
    const pauses: Array<{ code: string; usedMs: number }> = [];
    for (const s of states.rows) {
      const ms = Math.max(0, Number(s.ms));
      if (s.state === 'PAUSED') pauses.push({ code: s.code ?? '', usedMs: ms });
      else wrapMs += ms;
    }
    const c = calls.rows[0];
    return {
      calls: Number(c?.calls ?? 0),
      talkMs: Math.max(0, Number(c?.talk_ms ?? 0)),
      wrapMs,
      sales: Number(c?.sales ?? 0),
      pauses,
    };
  }
}
