import type {
  AgentPerformanceRow,
  AgentTimeRow,
  ComplianceCampaign,
  ComplianceDrop,
  LeadTimelineEvent,
  OutboundGroupBy,
  OutboundRow,
  ReportFreshness,
} from '@ringside/protocol';

/** Which page of the compliance drops to read: the campaign, the key to start after, its size. */
export interface ComplianceDropsPage {
  campaignId?: string | undefined;
  after?: { atMs: number; callId: string };
  limit: number;
}

/** The filters a report query takes; which apply to which report is the service's business. */
export interface ReportRange {
  /** Range [fromMs, toMs), epoch ms. */
  fromMs: number;
  toMs: number;
  campaignId?: string | undefined;
  listId?: string | undefined;
  teamId?: string | undefined;
  agentId?: string | undefined;
}

/**
 * The report queries (adapters/postgres/reports ReportsRepository; a fake in unit tests). Every
 * answer equals the same query over the raw logs, whatever the rollups hold.
 */
export interface ReportsQueries {
  /** Agent time detail: per agent, login / wait / talk / wrap / dead / pause (ms). */
  agentTime(f: ReportRange): Promise<AgentTimeRow[]>;
  /** Per agent: calls, talk, wrap-up, sales and the KPIs computed from them. */
  agentPerformance(f: ReportRange): Promise<AgentPerformanceRow[]>;
  /** Outbound calling: dials, answers, humans, machines, drops, by hour, list or campaign. */
  outbound(f: ReportRange, groupBy: OutboundGroupBy): Promise<OutboundRow[]>;
  /** Drop-rate compliance per campaign over [fromMs, toMs), counted by answer instant. */
  complianceTotals(
    fromMs: number,
    toMs: number,
    campaignId?: string,
  ): Promise<ComplianceCampaign[]>;
  /**
   * One page of the drops in [fromMs, toMs), by answer instant then call id, after the key
   * `after` (keyset paging: an export of any size streams in constant memory).
   */
  complianceDrops(
    fromMs: number,
    toMs: number,
    opts: ComplianceDropsPage,
  ): Promise<ComplianceDrop[]>;
  /** Whether a lead exists (a history of an unknown lead is a 404, not an empty list). */
  leadExists(leadId: string): Promise<boolean>;
  /** The timeline of one lead: its calls, lead_log events and callbacks, oldest first. */
  leadHistory(leadId: string, limit?: number): Promise<LeadTimelineEvent[]>;
}

/** The queries one report runs on, and how fresh the data behind them is. */
export interface ReportsSession {
  queries: ReportsQueries;
  freshness: ReportFreshness;
}

/**
 * Where reports read (adapters/postgres/reports/reports-database.ts): the primary, or a replica
 * named by REPORTS_DATABASE_URL. open() is called once per report; it throws UnavailableError
 * when the replica cannot answer (unless falling back to the primary is configured).
 */
export interface ReportsDatabase {
  open(): Promise<ReportsSession>;
}
