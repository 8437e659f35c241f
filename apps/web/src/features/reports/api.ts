import {
  AgentPerformanceReport,
  AgentTimeReport,
  CampaignList,
  ComplianceReport,
  LeadHistoryReport,
  WhyNotDialedResponse,
  StateRulesResponse,
  OutboundReport,
  RosterResponse,
} from '@ringside/protocol';
import { ApiError, refusalError } from '../../core/api.js';
import type { FilteredReport } from './filters.js';

type Schema<T> = { parse(v: unknown): T };

/** The report endpoints: `/api/reports/<path>` (docs/reports.md). */
const PATHS: Record<FilteredReport, string> = {
  'agent-time': 'agent-time',
  'agent-performance': 'agent-performance',
  outbound: 'outbound',
  compliance: 'compliance',
};

/**
 * The reports' HTTP client (same origin, session cookie). Every answer is validated with the
 * protocol's schema before a screen sees it; a refusal becomes an ApiError carrying the
 * server's issues, which the filter bar shows next to the field they name.
 */
export class ReportsApi {
  constructor(
    private readonly baseUrl = '',
    private readonly fetchFn: typeof fetch = (...a) => fetch(...a),
  ) {}

  private async get<T>(path: string, schema: Schema<T>, signal?: AbortSignal): Promise<T> {
    let res: Response;
    try {
      res = await this.fetchFn(`${this.baseUrl}${path}`, {
        headers: { accept: 'application/json' },
        credentials: 'same-origin',
        signal,
      });
    } catch (err) {
      if (signal?.aborted) throw err;
      throw new ApiError(0, 'NETWORK', 'the server could not be reached');
    }
    const json: unknown = await res.json().catch(() => null);
    if (!res.ok) throw refusalError(res.status, json, `GET ${path}`);
    try {
      return schema.parse(json);
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err);
      throw new ApiError(res.status, 'BAD_RESPONSE', `GET ${path}: ${detail}`);
    }
  }

  campaigns(signal?: AbortSignal) {
    return this.get('/api/campaigns', CampaignList, signal);
  }
  /** Agents in the live state (names and teams) and campaigns: the filter bar's suggestions. */
  roster(signal?: AbortSignal) {
    return this.get('/api/supervisor/roster', RosterResponse, signal);
  }

  agentTime(q: URLSearchParams, signal?: AbortSignal) {
    return this.get(this.reportPath('agent-time', q), AgentTimeReport, signal);
  }
  agentPerformance(q: URLSearchParams, signal?: AbortSignal) {
    return this.get(this.reportPath('agent-performance', q), AgentPerformanceReport, signal);
  }
  outbound(q: URLSearchParams, signal?: AbortSignal) {
    return this.get(this.reportPath('outbound', q), OutboundReport, signal);
  }
  compliance(q: URLSearchParams, signal?: AbortSignal) {
    return this.get(this.reportPath('compliance', q), ComplianceReport, signal);
  }
  /** The state calling rules the dialer enforces (GET /api/admin/state-rules). */
  stateRules(signal?: AbortSignal) {
    return this.get('/api/admin/state-rules', StateRulesResponse, signal);
  }

  /** Every rule holding the lead back now (GET /api/leads/:id/why-not-dialed). */
  whyNotDialed(leadId: string, signal?: AbortSignal) {
    return this.get(
      `/api/leads/${encodeURIComponent(leadId)}/why-not-dialed`,
      WhyNotDialedResponse,
      signal,
    );
  }

  leadHistory(leadId: string, signal?: AbortSignal) {
    return this.get(
      `/api/reports/leads/${encodeURIComponent(leadId)}/history`,
      LeadHistoryReport,
      signal,
    );
  }

  private reportPath(report: FilteredReport, q: URLSearchParams): string {
    return `/api/reports/${PATHS[report]}?${q.toString()}`;
  }

  /**
   * The server's CSV export of the same query: a plain link (the session cookie goes with it;
   * the server streams a `text/csv` attachment), so an export of any size never passes through
   * the page's memory.
   */
  csvUrl(report: FilteredReport, q: URLSearchParams): string {
    const p = new URLSearchParams(q);
    p.set('format', 'csv');
    return `${this.baseUrl}${this.reportPath(report, p)}`;
  }
  leadHistoryCsvUrl(leadId: string): string {
    return `${this.baseUrl}/api/reports/leads/${encodeURIComponent(leadId)}/history?format=csv`;
  }
}
