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
import type { ReportRange, ReportsQueries } from '../../../ports/reports.js';
import { agentPerformance, agentTime } from './agent-reports.js';
import { complianceDrops, complianceTotals, outbound } from './call-reports.js';
import { ms, readOnlyQuery, type RunQuery } from './sql.js';

/**
 * Report queries (issue 6), explicit SQL. Whole buckets come from the exact rollups of
 * migration 0100_reports.sql, the partial buckets at the edges of a range from the raw logs, so
 * every answer equals the same query over the raw logs alone (the integration tests check it).
 * KPIs are computed by domain/kpi from the summed totals. The agent reports are in
 * agent-reports.ts, the call reports in call-reports.ts; the lead timeline is here.
 */
export class ReportsRepository implements ReportsQueries {
  private readonly run: RunQuery;

  constructor(private readonly pool: pg.Pool) {
    this.run = readOnlyQuery(pool);
  }

  agentTime(f: ReportRange): Promise<AgentTimeRow[]> {
    return agentTime(this.run, f);
  }

  agentPerformance(f: ReportRange): Promise<AgentPerformanceRow[]> {
    return agentPerformance(this.run, f);
  }

  outbound(f: ReportRange, groupBy: OutboundGroupBy): Promise<OutboundRow[]> {
    return outbound(this.run, f, groupBy);
  }

  complianceTotals(
    fromMs: number,
    toMs: number,
    campaignId?: string,
  ): Promise<ComplianceCampaign[]> {
    return complianceTotals(this.run, fromMs, toMs, campaignId);
  }

  complianceDrops(
    fromMs: number,
    toMs: number,
    opts: Parameters<ReportsQueries['complianceDrops']>[2],
  ): Promise<ComplianceDrop[]> {
    return complianceDrops(this.run, fromMs, toMs, opts);
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
