import type { AgentPerformanceRow, AgentTimeRow } from '@ringside/protocol';
import { agentTimeTotals, ahtMs, conversionPct, occupancyPct } from '../../../domain/kpi/index.js';
import type { ReportRange } from '../../../ports/reports.js';
import { DAY_MS, splitRange } from './range.js';
import { andEquals, cmpId, num, Params, rawEdges, ts, type RunQuery } from './sql.js';

/** Agent reports: time per state and performance per agent (agent_log, call_log, rollups). */

/** Agent time detail (agent_log): per agent, login / wait / talk / wrap / dead / pause. */
export async function agentTime(run: RunQuery, f: ReportRange): Promise<AgentTimeRow[]> {
  const s = splitRange(f.fromMs, f.toMs, DAY_MS);
  const p = new Params();
  const where = (campaignCol: string) =>
    andEquals(p, [
      [campaignCol, f.campaignId],
      ['agent_id', f.agentId],
    ]);
  const sql = `
    WITH src AS (
      SELECT agent_id, state, pause_code, duration_ms
        FROM report_agent_state_daily
       WHERE day >= ${p.add(ts(s.rollupFromMs))} AND day < ${p.add(ts(s.rollupToMs))}
             ${where('campaign_id')}
      UNION ALL
      SELECT agent_id, state, coalesce(pause_code, ''), duration_ms
        FROM agent_log
       WHERE ${rawEdges(p, 'started_at', s)} ${where('campaign_id')}
    ),
    -- Sum per agent, state and code first (a hash aggregate over the union), then name the
    -- few hundred resulting rows.
    agg AS (
      SELECT agent_id, state, pause_code, sum(duration_ms)::bigint AS duration_ms
        FROM src GROUP BY 1, 2, 3
    )
    SELECT agg.agent_id::text AS agent_id, u.display_name, u.team_id::text AS team_id,
           agg.state, agg.pause_code, agg.duration_ms
      FROM agg LEFT JOIN users u ON u.id = agg.agent_id
     WHERE true ${f.teamId !== undefined ? `AND u.team_id = ${p.add(f.teamId)}` : ''}`;
  const r = await run<{
    agent_id: string;
    display_name: string | null;
    team_id: string | null;
    state: string;
    pause_code: string;
    duration_ms: string;
  }>(sql, p.values);

  const byAgent = new Map<
    string,
    {
      name: string;
      teamId: string | null;
      intervals: { state: string; pauseCode: string; durationMs: number }[];
    }
  >();
  for (const row of r.rows) {
    let a = byAgent.get(row.agent_id);
    if (!a) {
      a = { name: row.display_name ?? '', teamId: row.team_id, intervals: [] };
      byAgent.set(row.agent_id, a);
    }
    a.intervals.push({
      state: row.state,
      pauseCode: row.pause_code,
      durationMs: num(row.duration_ms),
    });
  }
  const rows: AgentTimeRow[] = [];
  for (const [agentId, a] of byAgent) {
    const t = agentTimeTotals(a.intervals);
    if (t.loginMs === 0) continue; // only LOGGED_OUT time in the range
    rows.push({
      agentId,
      agentName: a.name,
      teamId: a.teamId,
      ...t,
      occupancyPct: occupancyPct(t),
    });
  }
  return rows.sort((x, y) => x.agentName.localeCompare(y.agentName) || cmpId(x.agentId, y.agentId));
}

/**
 * Agent performance (call_log + call_handoffs + dispositions): calls, AHT, conversions by
 * disposition flag. Each agent who handled a transferred call counts its own part.
 */
export async function agentPerformance(
  run: RunQuery,
  f: ReportRange,
): Promise<AgentPerformanceRow[]> {
  const s = splitRange(f.fromMs, f.toMs, DAY_MS);
  const p = new Params();
  const where = () =>
    andEquals(p, [
      ['campaign_id', f.campaignId],
      ['agent_id', f.agentId],
    ]);
  const sql = `
    WITH src AS (
      SELECT agent_id, campaign_id, disposition, calls, talk_ms, wrap_ms
        FROM report_agent_call_daily
       WHERE day >= ${p.add(ts(s.rollupFromMs))} AND day < ${p.add(ts(s.rollupToMs))} ${where()}
      UNION ALL
      -- The last agent's part of a transferred call starts at agent_since_at (0101 migration).
      SELECT agent_id, campaign_id, coalesce(disposition, ''), 1,
             coalesce(round(extract(epoch FROM
               ended_at - coalesce(agent_since_at, agent_connected_at)) * 1000)::bigint, 0),
             coalesce(round(extract(epoch FROM disposed_at - ended_at) * 1000)::bigint, 0)
        FROM call_log
       WHERE agent_id IS NOT NULL AND agent_connected_at IS NOT NULL
         AND ${rawEdges(p, 'originated_at', s)} ${where()}
      UNION ALL
      -- The parts of agents who transferred a call, each under its own disposition.
      SELECT agent_id, campaign_id, coalesce(disposition, ''), 1,
             round(extract(epoch FROM handed_at - connected_at) * 1000)::bigint,
             coalesce(round(extract(epoch FROM disposed_at - handed_at) * 1000)::bigint, 0)
        FROM call_handoffs
       WHERE ${rawEdges(p, 'originated_at', s)} ${where()}
    ), agg AS (
      SELECT agent_id, campaign_id, disposition, sum(calls)::bigint AS calls,
             sum(talk_ms)::bigint AS talk_ms, sum(wrap_ms)::bigint AS wrap_ms
        FROM src GROUP BY 1, 2, 3
    )
    SELECT agg.agent_id::text AS agent_id, u.display_name, u.team_id::text AS team_id,
           agg.disposition, d.found, d.sale, d.callback, d.dnc, d.final, d.human_answered,
           sum(agg.calls)::bigint AS calls, sum(agg.talk_ms)::bigint AS talk_ms,
           sum(agg.wrap_ms)::bigint AS wrap_ms
      FROM agg
      LEFT JOIN users u ON u.id = agg.agent_id
      -- The campaign's own disposition wins over a system-wide one with the same code.
      LEFT JOIN LATERAL (
        SELECT true AS found, sale, callback, dnc, final, human_answered FROM dispositions d
         WHERE d.code = agg.disposition
           AND (d.campaign_id = agg.campaign_id OR d.campaign_id IS NULL)
         ORDER BY d.campaign_id NULLS LAST LIMIT 1) d ON true
     WHERE agg.calls <> 0 ${f.teamId !== undefined ? `AND u.team_id = ${p.add(f.teamId)}` : ''}
     GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10`;
  const r = await run<{
    agent_id: string;
    display_name: string | null;
    team_id: string | null;
    disposition: string;
    found: boolean | null;
    sale: boolean | null;
    callback: boolean | null;
    dnc: boolean | null;
    final: boolean | null;
    human_answered: boolean | null;
    calls: string;
    talk_ms: string;
    wrap_ms: string;
  }>(sql, p.values);

  const byAgent = new Map<string, AgentPerformanceRow>();
  for (const row of r.rows) {
    let a = byAgent.get(row.agent_id);
    if (!a) {
      a = {
        agentId: row.agent_id,
        agentName: row.display_name ?? '',
        teamId: row.team_id,
        calls: 0,
        talkMs: 0,
        wrapMs: 0,
        ahtMs: null,
        sales: 0,
        callbacks: 0,
        dnc: 0,
        final: 0,
        humanAnswered: 0,
        undisposed: 0,
        conversionPct: null,
        byDisposition: {},
      };
      byAgent.set(row.agent_id, a);
    }
    const calls = num(row.calls);
    a.calls += calls;
    a.talkMs += num(row.talk_ms);
    a.wrapMs += num(row.wrap_ms);
    if (row.disposition !== '') {
      a.byDisposition[row.disposition] = (a.byDisposition[row.disposition] ?? 0) + calls;
    }
    if (!row.found) {
      a.undisposed += calls;
      continue;
    }
    if (row.sale) a.sales += calls;
    if (row.callback) a.callbacks += calls;
    if (row.dnc) a.dnc += calls;
    if (row.final) a.final += calls;
    if (row.human_answered) a.humanAnswered += calls;
  }
  const rows = [...byAgent.values()];
  for (const a of rows) {
    a.ahtMs = ahtMs({ talkMs: a.talkMs, wrapMs: a.wrapMs, handledCalls: a.calls });
    a.conversionPct = conversionPct({ sales: a.sales, handledCalls: a.calls });
  }
  return rows.sort((x, y) => x.agentName.localeCompare(y.agentName) || cmpId(x.agentId, y.agentId));
}
