import type pg from 'pg';
import type {
  AgentPerformanceRow,
  AgentTimeRow,
  ComplianceCampaign,
  ComplianceDrop,
  LeadTimelineEvent,
  OutboundGroupBy,
  OutboundRow,
} from '@ringside/protocol';
import {
  agentTimeTotals,
  ahtMs,
  asaMs,
  conversionPct,
  dropRatePct,
  occupancyPct,
} from '../../../domain/kpi/index.js';
import { DAY_MS, HOUR_MS, splitRange } from './range.js';

/**
 * Report queries (issue 6), explicit SQL. Whole buckets come from the exact rollups of
 * migration 0100_reports.sql, the partial buckets at the edges of a range from the raw logs, so
 * every answer equals the same query over the raw logs alone (the integration tests check it).
 * KPIs are computed by domain/kpi from the summed totals.
 */

/** The filters a query takes; which apply to which report is the service's business. */
export interface ReportRange {
  fromMs: number;
  toMs: number;
  campaignId?: string | undefined;
  listId?: string | undefined;
  teamId?: string | undefined;
  agentId?: string | undefined;
}

/** Positional parameters built alongside the SQL text. */
class Params {
  readonly values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

const ts = (ms: number) => new Date(ms);
const ms = (d: Date | null) => (d === null ? null : d.getTime());
const num = (v: string | number | null) => (v === null ? 0 : Number(v));

/** SQL for "col within either raw edge" of a split range. */
function rawEdges(p: Params, col: string, s: ReturnType<typeof splitRange>): string {
  return `((${col} >= ${p.add(ts(s.rawHead[0]))} AND ${col} < ${p.add(ts(s.rawHead[1]))})
        OR (${col} >= ${p.add(ts(s.rawTail[0]))} AND ${col} < ${p.add(ts(s.rawTail[1]))}))`;
}

export class ReportsRepository {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Runs a report query in a read-only transaction without JIT: the planner's row estimates for
   * the rollup unions are pessimistic enough to trigger JIT compilation, which costs more
   * (100-200 ms) than these queries take; with a larger work_mem for the aggregates.
   */
  private async query<R extends pg.QueryResultRow>(
    sql: string,
    params: unknown[],
  ): Promise<pg.QueryResult<R>> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN READ ONLY');
      await client.query('SET LOCAL jit = off');
      // Enough for the aggregates to hash in memory rather than sort on disk (a report runs
      // rarely and for supervisors only).
      await client.query(`SET LOCAL work_mem = '64MB'`);
      const r = await client.query<R>(sql, params);
      await client.query('COMMIT');
      return r;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  /** Agent time detail (agent_log): per agent, login / wait / talk / wrap / dead / pause. */
  async agentTime(f: ReportRange): Promise<AgentTimeRow[]> {
    const s = splitRange(f.fromMs, f.toMs, DAY_MS);
    const p = new Params();
    const where = (campaignCol: string) =>
      [
        f.campaignId !== undefined ? `${campaignCol} = ${p.add(f.campaignId)}` : null,
        f.agentId !== undefined ? `agent_id = ${p.add(f.agentId)}` : null,
      ]
        .filter((x) => x !== null)
        .map((x) => ` AND ${x}`)
        .join('');
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
    const r = await this.query<{
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
    return rows.sort(
      (x, y) => x.agentName.localeCompare(y.agentName) || cmpId(x.agentId, y.agentId),
    );
  }

  /**
   * Agent performance (call_log + call_handoffs + dispositions): calls, AHT, conversions by
   * disposition flag. Each agent who handled a transferred call counts its own part.
   */
  async agentPerformance(f: ReportRange): Promise<AgentPerformanceRow[]> {
    const s = splitRange(f.fromMs, f.toMs, DAY_MS);
    const p = new Params();
    const where = () =>
      [
        f.campaignId !== undefined ? `campaign_id = ${p.add(f.campaignId)}` : null,
        f.agentId !== undefined ? `agent_id = ${p.add(f.agentId)}` : null,
      ]
        .filter((x) => x !== null)
        .map((x) => ` AND ${x}`)
        .join('');
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
    const r = await this.query<{
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
    return rows.sort(
      (x, y) => x.agentName.localeCompare(y.agentName) || cmpId(x.agentId, y.agentId),
    );
  }

  /** Outbound calling: dials, answers, humans, machines, drops, by hour, list or campaign. */
  async outbound(f: ReportRange, groupBy: OutboundGroupBy): Promise<OutboundRow[]> {
    const s = splitRange(f.fromMs, f.toMs, HOUR_MS);
    const p = new Params();
    const where = () =>
      [
        f.campaignId !== undefined ? `campaign_id = ${p.add(f.campaignId)}` : null,
        f.listId !== undefined ? `list_id = ${p.add(f.listId)}` : null,
      ]
        .filter((x) => x !== null)
        .map((x) => ` AND ${x}`)
        .join('');
    const key =
      groupBy === 'hour'
        ? { select: 'hour, NULL::bigint AS campaign_id, NULL::bigint AS list_id', by: 'hour' }
        : groupBy === 'campaign'
          ? {
              select: 'NULL::timestamptz AS hour, campaign_id, NULL::bigint AS list_id',
              by: 'campaign_id',
            }
          : {
              select: 'NULL::timestamptz AS hour, campaign_id, list_id',
              by: 'campaign_id, list_id',
            };
    const sql = `
      WITH src AS (
        SELECT hour, campaign_id, list_id, dials, answers, humans, machines, drops, connected,
               answer_wait_ms
          FROM report_call_hourly
         WHERE hour >= ${p.add(ts(s.rollupFromMs))} AND hour < ${p.add(ts(s.rollupToMs))} ${where()}
        UNION ALL
        SELECT date_trunc('hour', originated_at, 'UTC'), campaign_id, list_id, 1,
               (answered_at IS NOT NULL)::int, coalesce(outcome IN ('HUMAN', 'DROPPED'), false)::int,
               coalesce(outcome = 'MACHINE', false)::int, coalesce(outcome = 'DROPPED', false)::int,
               (agent_connected_at IS NOT NULL)::int,
               CASE WHEN agent_connected_at IS NOT NULL AND answered_at IS NOT NULL
                    THEN round(extract(epoch FROM agent_connected_at - answered_at) * 1000)::bigint
                    ELSE 0 END
          FROM call_log
         WHERE ${rawEdges(p, 'originated_at', s)} ${where()}
      )
      SELECT ${key.select}, sum(dials)::bigint AS dials, sum(answers)::bigint AS answers,
             sum(humans)::bigint AS humans, sum(machines)::bigint AS machines,
             sum(drops)::bigint AS drops, sum(connected)::bigint AS connected,
             sum(answer_wait_ms)::bigint AS answer_wait_ms
        FROM src GROUP BY ${key.by} HAVING sum(dials) <> 0 ORDER BY ${key.by}`;
    const r = await this.query<{
      hour: Date | null;
      campaign_id: string | null;
      list_id: string | null;
      dials: string;
      answers: string;
      humans: string;
      machines: string;
      drops: string;
      connected: string;
      answer_wait_ms: string;
    }>(sql, p.values);
    return r.rows.map((row) => {
      const humans = num(row.humans);
      const drops = num(row.drops);
      const connected = num(row.connected);
      return {
        hourAtMs: ms(row.hour),
        campaignId: row.campaign_id,
        listId: row.list_id,
        dials: num(row.dials),
        answers: num(row.answers),
        humanAnswers: humans,
        machines: num(row.machines),
        drops,
        dropPct: dropRatePct({ drops, humanAnswers: humans }),
        connected,
        asaMs: asaMs({ answerWaitMs: num(row.answer_wait_ms), connectedCalls: connected }),
      };
    });
  }

  /**
   * Drop-rate compliance per campaign over [fromMs, toMs), counted by answer instant: human
   * answers (HUMAN and DROPPED outcomes) and drops, in total and per UTC day. Whole days come
   * from report_answer_daily, the partial days at the edges from call_log.
   */
  async complianceTotals(
    fromMs: number,
    toMs: number,
    campaignId?: string,
  ): Promise<ComplianceCampaign[]> {
    const s = splitRange(fromMs, toMs, DAY_MS);
    const p = new Params();
    const sql = `
      SELECT c.id::text AS id, c.name, c.drop_rate_cap_pct::text AS cap, x.day, x.humans, x.drops
        FROM campaigns c
        LEFT JOIN LATERAL (
          SELECT day, sum(humans)::bigint AS humans, sum(drops)::bigint AS drops FROM (
            SELECT day, humans, drops FROM report_answer_daily
             WHERE campaign_id = c.id
               AND day >= ${p.add(ts(s.rollupFromMs))} AND day < ${p.add(ts(s.rollupToMs))}
            UNION ALL
            SELECT date_trunc('day', answered_at, 'UTC'), 1, (outcome = 'DROPPED')::int
              FROM call_log
             WHERE campaign_id = c.id AND outcome IN ('HUMAN', 'DROPPED')
               AND ${rawEdges(p, 'answered_at', s)}
          ) u GROUP BY day HAVING sum(humans) <> 0) x ON true
       ${campaignId !== undefined ? `WHERE c.id = ${p.add(campaignId)}` : ''}
       ORDER BY c.id, x.day`;
    const r = await this.query<{
      id: string;
      name: string;
      cap: string;
      day: Date | null;
      humans: string | null;
      drops: string | null;
    }>(sql, p.values);
    const byCampaign = new Map<string, ComplianceCampaign>();
    for (const row of r.rows) {
      let c = byCampaign.get(row.id);
      if (!c) {
        c = {
          campaignId: row.id,
          campaignName: row.name,
          capPct: Number(row.cap),
          humanAnswers: 0,
          drops: 0,
          dropPct: null,
          overCap: false,
          days: [],
        };
        byCampaign.set(row.id, c);
      }
      if (row.day === null) continue;
      const humans = num(row.humans);
      const drops = num(row.drops);
      c.humanAnswers += humans;
      c.drops += drops;
      c.days.push({ dayAtMs: row.day.getTime(), humanAnswers: humans, drops });
    }
    const out = [...byCampaign.values()];
    for (const c of out) {
      c.dropPct = dropRatePct({ drops: c.drops, humanAnswers: c.humanAnswers });
      c.overCap = c.dropPct !== null && c.dropPct > c.capPct;
    }
    return out;
  }

  /**
   * One page of the drops in [fromMs, toMs), by answer instant then call id, after the key
   * `after` (keyset paging, so an auditor's export of any size streams in constant memory).
   */
  async complianceDrops(
    fromMs: number,
    toMs: number,
    opts: {
      campaignId?: string | undefined;
      after?: { atMs: number; callId: string };
      limit: number;
    },
  ): Promise<ComplianceDrop[]> {
    const p = new Params();
    const conds = [
      `campaign_id = c.id`,
      `answered_at >= ${p.add(ts(fromMs))}`,
      `answered_at < ${p.add(ts(toMs))}`,
      `outcome = 'DROPPED'`,
    ];
    if (opts.after) {
      conds.push(
        `(answered_at, id) > (${p.add(ts(opts.after.atMs))}, ${p.add(opts.after.callId)})`,
      );
    }
    const campaignWhere =
      opts.campaignId !== undefined ? `WHERE c.id = ${p.add(opts.campaignId)}` : '';
    const limit = p.add(opts.limit);
    const r = await this.query<{
      id: string;
      campaign_id: string;
      list_id: string;
      lead_id: string;
      answered_at: Date;
      drop_wait_ms: number | null;
      safe_harbor_at: Date | null;
      ended_at: Date | null;
    }>(
      `SELECT x.* FROM campaigns c
         CROSS JOIN LATERAL (
           SELECT id, campaign_id::text AS campaign_id, list_id::text AS list_id,
                  lead_id::text AS lead_id, answered_at, drop_wait_ms, safe_harbor_at, ended_at
             FROM call_log WHERE ${conds.join(' AND ')}
            ORDER BY answered_at, id LIMIT ${limit}) x
        ${campaignWhere}
        ORDER BY x.answered_at, x.id LIMIT ${limit}`,
      p.values,
    );
    return r.rows.map((row) => ({
      callId: row.id,
      campaignId: row.campaign_id,
      listId: row.list_id,
      leadId: row.lead_id,
      answeredAtMs: row.answered_at.getTime(),
      dropWaitMs: row.drop_wait_ms,
      safeHarborAtMs: ms(row.safe_harbor_at),
      endedAtMs: ms(row.ended_at),
    }));
  }

  /** Whether a lead exists (a history of an unknown lead is a 404, not an empty list). */
  async leadExists(leadId: string): Promise<boolean> {
    const r = await this.pool.query('SELECT 1 FROM leads WHERE id = $1', [leadId]);
    return (r.rowCount ?? 0) > 0;
  }

  /** The timeline of one lead: its calls, its lead_log events and its callbacks, oldest first. */
  async leadHistory(leadId: string, limit = 2_000): Promise<LeadTimelineEvent[]> {
    const [calls, logs, callbacks] = await Promise.all([
      this.pool.query<{
        id: string;
        campaign_id: string;
        agent_id: string | null;
        outcome: string | null;
        originated_at: Date;
        answered_at: Date | null;
        ended_at: Date | null;
        disposition: string | null;
        disposed_at: Date | null;
      }>(
        `SELECT id, campaign_id::text AS campaign_id, agent_id::text AS agent_id, outcome,
                originated_at, answered_at, ended_at, disposition, disposed_at
           FROM call_log WHERE lead_id = $1 ORDER BY originated_at LIMIT $2`,
        [leadId, limit],
      ),
      this.pool.query<{
        at: Date;
        kind: string;
        call_id: string | null;
        agent_id: string | null;
        detail: Record<string, unknown>;
      }>(
        `SELECT at, kind, call_id, agent_id::text AS agent_id, detail
           FROM lead_log WHERE lead_id = $1 ORDER BY at LIMIT $2`,
        [leadId, limit],
      ),
      this.pool.query<{
        id: string;
        created_at: Date;
        due_at: Date;
        agent_id: string | null;
        status: string;
      }>(
        `SELECT id::text AS id, created_at, due_at, agent_id::text AS agent_id, status
           FROM callbacks WHERE lead_id = $1 ORDER BY created_at LIMIT $2`,
        [leadId, limit],
      ),
    ]);
    const events: LeadTimelineEvent[] = [
      ...calls.rows.map((c): LeadTimelineEvent => ({
        source: 'call',
        atMs: c.originated_at.getTime(),
        callId: c.id,
        campaignId: c.campaign_id,
        agentId: c.agent_id,
        outcome: c.outcome,
        answeredAtMs: ms(c.answered_at),
        endedAtMs: ms(c.ended_at),
        disposition: c.disposition,
        disposedAtMs: ms(c.disposed_at),
      })),
      ...logs.rows.map((l): LeadTimelineEvent => ({
        source: 'log',
        atMs: l.at.getTime(),
        kind: l.kind,
        callId: l.call_id,
        agentId: l.agent_id,
        detail: l.detail,
      })),
      ...callbacks.rows.map((b): LeadTimelineEvent => ({
        source: 'callback',
        atMs: b.created_at.getTime(),
        callbackId: b.id,
        dueAtMs: b.due_at.getTime(),
        agentId: b.agent_id,
        status: b.status,
      })),
    ];
    // Stable by instant, then calls before the log lines and callbacks they caused.
    const order = { call: 0, log: 1, callback: 2 } as const;
    return events
      .sort((a, b) => a.atMs - b.atMs || order[a.source] - order[b.source])
      .slice(0, limit);
  }
}

function cmpId(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
