import {
  COMPLIANCE_WINDOW_DAYS,
  REPORT_MAX_RANGE_DAYS,
  REPORT_MAX_RANGE_MS,
  type AgentPerformanceReport,
  type AgentTimeReport,
  type ComplianceCampaign,
  type ComplianceDrop,
  type ComplianceQuery,
  type ComplianceReport,
  type LeadHistoryReport,
  type OutboundQuery,
  type OutboundReport,
  type ReportFilters,
  type ReportFreshness,
} from '@ringside/protocol';
import { NotFoundError, ValidationError } from '../../errors.js';
import type { Clock } from '../../ports/clock.js';
import type { ReportRange, ReportsDatabase, ReportsQueries } from '../../ports/reports.js';
import { csvLines, isoOrEmpty, pctOrEmpty } from './csv.js';

type FilterName = 'campaignId' | 'listId' | 'teamId' | 'agentId';

/** Which filters each report understands; any other is refused rather than silently ignored. */
const APPLICABLE: Record<'agentTime' | 'agentPerformance' | 'outbound', readonly FilterName[]> = {
  // Agent time is not per list (an agent works a campaign), nor is a handled call in the rollup.
  agentTime: ['campaignId', 'teamId', 'agentId'],
  agentPerformance: ['campaignId', 'teamId', 'agentId'],
  // Dials belong to lists and campaigns; most have no agent.
  outbound: ['campaignId', 'listId'],
};

/** Rows per page of the drop list (keyset paging while exporting). */
const DROP_PAGE = 5_000;

/** A CSV export: its lines, produced as they are read, and how fresh the data behind them is. */
export interface ReportCsv {
  lines: AsyncIterable<string>;
  freshness: ReportFreshness;
}

/**
 * Report use cases: filter validation (the range and which filters apply), the queries, and CSV
 * export streamed row by row. The HTTP schemas already validate; the checks here hold for every
 * other caller too (a report must never run unbounded).
 */
export class ReportsService {
  /**
   * `database` is where the reports read: the primary (reportsOnPrimary) or a replica
   * (REPORTS_DATABASE_URL); every answer says which, and how fresh (`freshness`).
   */
  constructor(
    private readonly database: ReportsDatabase,
    private readonly clock: Clock,
  ) {}

  async agentTime(f: ReportFilters): Promise<AgentTimeReport & { freshness: ReportFreshness }> {
    const range = this.range(f, 'agentTime');
    const { queries, freshness } = await this.database.open();
    return { rows: await queries.agentTime(range), freshness };
  }

  async agentPerformance(
    f: ReportFilters,
  ): Promise<AgentPerformanceReport & { freshness: ReportFreshness }> {
    const range = this.range(f, 'agentPerformance');
    const { queries, freshness } = await this.database.open();
    return { rows: await queries.agentPerformance(range), freshness };
  }

  async outbound(q: OutboundQuery): Promise<OutboundReport & { freshness: ReportFreshness }> {
    const range = this.range(q, 'outbound');
    const { queries, freshness } = await this.database.open();
    return { groupBy: q.groupBy, rows: await queries.outbound(range, q.groupBy), freshness };
  }

  /** The 30 days before `to` (default now), per campaign, with every drop listed. */
  async compliance(q: ComplianceQuery): Promise<ComplianceReport & { freshness: ReportFreshness }> {
    const { fromMs, toMs } = this.complianceWindow(q);
    const { queries, freshness } = await this.database.open();
    const campaigns = await queries.complianceTotals(fromMs, toMs, q.campaignId);
    const drops: ComplianceDrop[] = [];
    for await (const d of complianceDrops(queries, fromMs, toMs, q.campaignId)) drops.push(d);
    return { fromMs, toMs, windowDays: COMPLIANCE_WINDOW_DAYS, campaigns, drops, freshness };
  }

  async leadHistory(leadId: string): Promise<LeadHistoryReport & { freshness: ReportFreshness }> {
    const { queries, freshness } = await this.database.open();
    if (!(await queries.leadExists(leadId))) {
      throw new NotFoundError(`lead ${leadId} not found`);
    }
    return { leadId, events: await queries.leadHistory(leadId), freshness };
  }

  // -------------------------------------------------------------------------------------------
  // CSV exports. Each validates and runs its query before resolving, so a bad filter is a 400
  // rather than a broken attachment; the lines are then produced as the consumer reads them.

  async agentTimeCsv(f: ReportFilters): Promise<ReportCsv> {
    const { rows, freshness } = await this.agentTime(f);
    const codes = [...new Set(rows.flatMap((r) => Object.keys(r.pauseByCodeMs)))].sort();
    const lines = csvLines(
      [
        'agent_id',
        'agent',
        'team_id',
        'login_s',
        'wait_s',
        'talk_s',
        'wrap_s',
        'dead_s',
        'pause_s',
        ...codes.map((c) => `pause_${c === '' ? 'uncoded' : c}_s`),
        'occupancy_pct',
      ],
      rows,
      (r) => [
        r.agentId,
        r.agentName,
        r.teamId,
        sec(r.loginMs),
        sec(r.waitMs),
        sec(r.talkMs),
        sec(r.wrapMs),
        sec(r.deadMs),
        sec(r.pauseMs),
        ...codes.map((c) => sec(r.pauseByCodeMs[c] ?? 0)),
        pctOrEmpty(r.occupancyPct),
      ],
    );
    return { lines, freshness };
  }

  async agentPerformanceCsv(f: ReportFilters): Promise<ReportCsv> {
    const { rows, freshness } = await this.agentPerformance(f);
    const codes = [...new Set(rows.flatMap((r) => Object.keys(r.byDisposition)))].sort();
    const lines = csvLines(
      [
        'agent_id',
        'agent',
        'team_id',
        'calls',
        'talk_s',
        'wrap_s',
        'aht_s',
        'sales',
        'callbacks',
        'dnc',
        'final',
        'human_answered',
        'undisposed',
        'conversion_pct',
        ...codes.map((c) => `dispo_${c}`),
      ],
      rows,
      (r) => [
        r.agentId,
        r.agentName,
        r.teamId,
        r.calls,
        sec(r.talkMs),
        sec(r.wrapMs),
        r.ahtMs === null ? null : sec(r.ahtMs),
        r.sales,
        r.callbacks,
        r.dnc,
        r.final,
        r.humanAnswered,
        r.undisposed,
        pctOrEmpty(r.conversionPct),
        ...codes.map((c) => r.byDisposition[c] ?? 0),
      ],
    );
    return { lines, freshness };
  }

  async outboundCsv(q: OutboundQuery): Promise<ReportCsv> {
    const { rows, freshness } = await this.outbound(q);
    const lines = csvLines(
      [
        'hour_utc',
        'campaign_id',
        'list_id',
        'dials',
        'answers',
        'human_answers',
        'machines',
        'drops',
        'drop_pct',
        'connected',
        'asa_ms',
      ],
      rows,
      (r) => [
        isoOrEmpty(r.hourAtMs),
        r.campaignId,
        r.listId,
        r.dials,
        r.answers,
        r.humanAnswers,
        r.machines,
        r.drops,
        pctOrEmpty(r.dropPct),
        r.connected,
        r.asaMs,
      ],
    );
    return { lines, freshness };
  }

  /**
   * The auditor's export: a summary block per campaign, then every drop with its answer
   * instant, wait and safe-harbor playback. The drops stream page by page.
   */
  async complianceCsv(q: ComplianceQuery): Promise<ReportCsv> {
    const { fromMs, toMs } = this.complianceWindow(q);
    const { queries, freshness } = await this.database.open();
    const campaigns = await queries.complianceTotals(fromMs, toMs, q.campaignId);
    return {
      lines: this.complianceLines(queries, fromMs, toMs, q.campaignId, campaigns),
      freshness,
    };
  }

  private async *complianceLines(
    queries: ReportsQueries,
    fromMs: number,
    toMs: number,
    campaignId: string | undefined,
    campaigns: ComplianceCampaign[],
  ): AsyncGenerator<string> {
    yield* csvLines(
      [
        'window_from_utc',
        'window_to_utc',
        'campaign_id',
        'campaign',
        'human_answers',
        'drops',
        'drop_pct',
        'estimated_amd_drops',
        'estimated_amd_answers',
        'drop_pct_with_estimates',
        'cap_pct',
        'over_cap',
      ],
      campaigns,
      (c) => [
        isoOrEmpty(fromMs),
        isoOrEmpty(toMs),
        c.campaignId,
        c.campaignName,
        c.humanAnswers,
        c.drops,
        pctOrEmpty(c.dropPct),
        c.estimatedDrops.toFixed(3),
        c.estimatedAnswers.toFixed(3),
        pctOrEmpty(c.dropPctWithEstimates),
        c.capPct,
        c.overCap,
      ],
    );
    yield '\r\n';
    yield* csvLines(
      [
        'call_id',
        'campaign_id',
        'list_id',
        'lead_id',
        'answered_at_utc',
        'drop_wait_ms',
        'safe_harbor_played',
        'safe_harbor_at_utc',
        'ended_at_utc',
      ],
      complianceDrops(queries, fromMs, toMs, campaignId),
      (d) => [
        d.callId,
        d.campaignId,
        d.listId,
        d.leadId,
        isoOrEmpty(d.answeredAtMs),
        d.dropWaitMs,
        d.safeHarborAtMs !== null,
        isoOrEmpty(d.safeHarborAtMs),
        isoOrEmpty(d.endedAtMs),
      ],
    );
  }

  /** The CSV of a history already read (leadHistory), so an unknown lead is a 404 first. */
  leadHistoryCsv(history: LeadHistoryReport): AsyncIterable<string> {
    return csvLines(
      [
        'at_utc',
        'source',
        'kind',
        'call_id',
        'agent_id',
        'outcome',
        'disposition',
        'due_at_utc',
        'status',
      ],
      history.events,
      (e) => {
        switch (e.source) {
          case 'call':
            return [
              isoOrEmpty(e.atMs),
              'call',
              'dialed',
              e.callId,
              e.agentId,
              e.outcome,
              e.disposition,
              '',
              '',
            ];
          case 'log':
            return [isoOrEmpty(e.atMs), 'log', e.kind, e.callId, e.agentId, '', '', '', ''];
          case 'callback':
            return [
              isoOrEmpty(e.atMs),
              'callback',
              'scheduled',
              '',
              e.agentId,
              '',
              '',
              isoOrEmpty(e.dueAtMs),
              e.status,
            ];
        }
      },
    );
  }

  // -------------------------------------------------------------------------------------------

  private complianceWindow(q: ComplianceQuery): { fromMs: number; toMs: number } {
    const toMs = q.to ?? this.clock.nowMs();
    return { fromMs: toMs - COMPLIANCE_WINDOW_DAYS * 86_400_000, toMs };
  }

  private range(
    f: ReportFilters,
    report: 'agentTime' | 'agentPerformance' | 'outbound',
  ): ReportRange {
    if (!Number.isFinite(f.from) || !Number.isFinite(f.to) || !(f.to > f.from)) {
      throw new ValidationError('to: to must be after from', [
        { path: 'to', message: 'to must be after from' },
      ]);
    }
    if (f.to - f.from > REPORT_MAX_RANGE_MS) {
      const message = `the range may span at most ${REPORT_MAX_RANGE_DAYS} days`;
      throw new ValidationError(`to: ${message}`, [{ path: 'to', message }]);
    }
    const allowed = APPLICABLE[report];
    for (const name of ['campaignId', 'listId', 'teamId', 'agentId'] as const) {
      if (f[name] !== undefined && !allowed.includes(name)) {
        const message = `${name} does not apply to this report (filters: ${allowed.join(', ')})`;
        throw new ValidationError(`${name}: ${message}`, [{ path: name, message }]);
      }
    }
    return {
      fromMs: f.from,
      toMs: f.to,
      campaignId: f.campaignId,
      listId: f.listId,
      teamId: f.teamId,
      agentId: f.agentId,
    };
  }
}

/** Every drop in [fromMs, toMs), page by page (keyset), on the one database a report opened. */
async function* complianceDrops(
  queries: ReportsQueries,
  fromMs: number,
  toMs: number,
  campaignId: string | undefined,
): AsyncGenerator<ComplianceDrop> {
  let after: { atMs: number; callId: string } | undefined;
  for (;;) {
    const page = await queries.complianceDrops(fromMs, toMs, {
      campaignId,
      ...(after ? { after } : {}),
      limit: DROP_PAGE,
    });
    yield* page;
    const last = page.at(-1);
    if (page.length < DROP_PAGE || !last) return;
    after = { atMs: last.answeredAtMs, callId: last.callId };
  }
}

/** Seconds with millisecond precision, for spreadsheets. */
const sec = (msValue: number): number => Math.round(msValue) / 1000;
