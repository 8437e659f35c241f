import { z } from 'zod';
import { Count } from './fields.js';
import { NumericId } from './http.js';

/**
 * Report filters and results (issue 6). The server validates every report request with these,
 * the browser renders the same types. Instants travel as epoch milliseconds in results and as
 * ISO 8601 strings (with an offset or Z) in query strings; ranges are half-open [from, to).
 */

/** The longest range a report accepts: a year (366 days covers a leap year). */
export const REPORT_MAX_RANGE_DAYS = 366;
export const REPORT_MAX_RANGE_MS = REPORT_MAX_RANGE_DAYS * 86_400_000;
/** The compliance report's rolling window (US rule: 30 days). */
export const COMPLIANCE_WINDOW_DAYS = 30;

const Instant = z.iso
  .datetime({ offset: true })
  .transform((s) => Date.parse(s))
  .describe('ISO 8601 instant, e.g. 2026-01-01T00:00:00Z');

export const ReportFormat = z.enum(['json', 'csv']);
export type ReportFormat = z.infer<typeof ReportFormat>;

/** Common filters; each report says which ones apply (others are refused, never ignored). */
const ReportFilterFields = z.object({
  from: Instant,
  to: Instant,
  campaignId: NumericId.optional(),
  listId: NumericId.optional(),
  teamId: NumericId.optional(),
  agentId: NumericId.optional(),
  format: ReportFormat.default('json'),
});

/** A range must be forward and at most a year long: never a runaway query. */
function checkRange(f: { from: number; to: number }, ctx: z.RefinementCtx): void {
  if (!(f.to > f.from)) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'to must be after from' });
  } else if (f.to - f.from > REPORT_MAX_RANGE_MS) {
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: `the range may span at most ${REPORT_MAX_RANGE_DAYS} days`,
    });
  }
}

export const ReportFilters = ReportFilterFields.superRefine(checkRange);
/** Parsed filters: instants as epoch ms. */
export type ReportFilters = z.output<typeof ReportFilters>;

export const OutboundGroupBy = z.enum(['hour', 'list', 'campaign']);
export type OutboundGroupBy = z.infer<typeof OutboundGroupBy>;

export const OutboundQuery = ReportFilterFields.extend({
  groupBy: OutboundGroupBy.default('hour'),
}).superRefine(checkRange);
export type OutboundQuery = z.output<typeof OutboundQuery>;

export const ComplianceQuery = z.object({
  /** End of the 30-day window (exclusive); default: now. */
  to: Instant.optional(),
  campaignId: NumericId.optional(),
  format: ReportFormat.default('json'),
});
export type ComplianceQuery = z.output<typeof ComplianceQuery>;

export const LeadHistoryQuery = z.object({ format: ReportFormat.default('json') });
export type LeadHistoryQuery = z.output<typeof LeadHistoryQuery>;

// ---------------------------------------------------------------------------------------------
// Results

const Ms = z.number().int().nonnegative();
const Pct = z.number().nonnegative().nullable().describe('percent; null when the base is 0');

export const AgentTimeRow = z.object({
  agentId: NumericId,
  agentName: z.string(),
  teamId: NumericId.nullable(),
  /** Every state but LOGGED_OUT. */
  loginMs: Ms,
  /** READY and RESERVED (waiting for, or being offered, a call). */
  waitMs: Ms,
  talkMs: Ms,
  wrapMs: Ms,
  /** DEAD: the customer hung up, the agent has not yet. */
  deadMs: Ms,
  pauseMs: Ms,
  /** PAUSED time by pause code ('' = no code). */
  pauseByCodeMs: z.record(z.string(), Ms),
  occupancyPct: Pct,
});
export type AgentTimeRow = z.infer<typeof AgentTimeRow>;
/**
 * Which database answered a report and how fresh its data is (docs/reports.md, "Reading from a
 * replica"). On the primary the data is live: `replayedAtMs` and `lagMs` are null. On a replica
 * (REPORTS_DATABASE_URL) they come from pg_last_xact_replay_timestamp(): the commit instant of
 * the last transaction replayed, and how far behind the primary that is (0 when everything
 * received has been replayed; null when the database is not a standby or has replayed nothing).
 */
export const ReportFreshness = z.object({
  source: z.enum(['primary', 'replica']),
  replayedAtMs: z.number().int().nullable(),
  lagMs: z.number().int().nonnegative().nullable(),
  /** The replica failed and REPORTS_FALLBACK_TO_PRIMARY let the primary answer instead. */
  fellBack: z.boolean(),
});
export type ReportFreshness = z.infer<typeof ReportFreshness>;

export const AgentTimeReport = z.object({
  rows: z.array(AgentTimeRow),
  freshness: ReportFreshness.optional(),
});
export type AgentTimeReport = z.infer<typeof AgentTimeReport>;

export const AgentPerformanceRow = z.object({
  agentId: NumericId,
  agentName: z.string(),
  teamId: NumericId.nullable(),
  /** Calls the agent was connected to. */
  calls: Count,
  talkMs: Ms,
  wrapMs: Ms,
  /** Average handle time: (talk + wrap-up) / calls; null without calls. */
  ahtMs: Ms.nullable(),
  /** Calls whose disposition carries each flag. */
  sales: Count,
  callbacks: Count,
  dnc: Count,
  final: Count,
  humanAnswered: Count,
  /** Calls not disposed yet (or with a code no longer defined). */
  undisposed: Count,
  /** sales / calls. */
  conversionPct: Pct,
  byDisposition: z.record(z.string(), Count),
});
export type AgentPerformanceRow = z.infer<typeof AgentPerformanceRow>;
export const AgentPerformanceReport = z.object({
  rows: z.array(AgentPerformanceRow),
  freshness: ReportFreshness.optional(),
});
export type AgentPerformanceReport = z.infer<typeof AgentPerformanceReport>;

export const OutboundRow = z.object({
  /** Start of the UTC hour (groupBy hour), else null. */
  hourAtMs: Ms.nullable(),
  campaignId: NumericId.nullable(),
  listId: NumericId.nullable(),
  dials: Count,
  answers: Count,
  humanAnswers: Count,
  machines: Count,
  drops: Count,
  /** drops / human answers. */
  dropPct: Pct,
  connected: Count,
  /** Average speed of answer: answer to agent connection, over connected calls. */
  asaMs: Ms.nullable(),
});
export type OutboundRow = z.infer<typeof OutboundRow>;
export const OutboundReport = z.object({
  groupBy: OutboundGroupBy,
  rows: z.array(OutboundRow),
  freshness: ReportFreshness.optional(),
});
export type OutboundReport = z.infer<typeof OutboundReport>;

export const ComplianceDrop = z.object({
  callId: z.string(),
  campaignId: NumericId,
  listId: NumericId,
  leadId: NumericId,
  answeredAtMs: Ms,
  /** How long the answered party waited before the call was dropped (ms). */
  dropWaitMs: Ms.nullable(),
  /** When the safe-harbor message started; null: none was played. */
  safeHarborAtMs: Ms.nullable(),
  endedAtMs: Ms.nullable(),
});
export type ComplianceDrop = z.infer<typeof ComplianceDrop>;

export const ComplianceCampaign = z.object({
  campaignId: NumericId,
  campaignName: z.string(),
  capPct: z.number().nonnegative(),
  humanAnswers: Count,
  drops: Count,
  dropPct: Pct,
  /**
   * People answering machine detection judged machines (docs/pacing.md, "AMD errors"): the
   * expected abandoned people among MACHINE verdicts hung up on or dropped, and the expected
   * people among MACHINE verdicts agents got, from the campaign's AMD error estimate. Apart from
   * the counted drops; 0 when the campaign has no estimate.
   */
  estimatedDrops: z.number().nonnegative(),
  estimatedAnswers: z.number().nonnegative(),
  /** The rate the dialer budgets for: (drops + estimated) over (answers + both estimates). */
  dropPctWithEstimates: Pct,
  /** Over the cap with the estimated drops counted (the same as counted alone without them). */
  overCap: z.boolean(),
  /** Per UTC day of the window, by answer instant. */
  days: z.array(
    z.object({
      dayAtMs: Ms,
      humanAnswers: Count,
      drops: Count,
      estimatedDrops: z.number().nonnegative(),
    }),
  ),
});
export type ComplianceCampaign = z.infer<typeof ComplianceCampaign>;

export const ComplianceReport = z.object({
  fromMs: Ms,
  toMs: Ms,
  windowDays: z.number().int().positive(),
  campaigns: z.array(ComplianceCampaign),
  drops: z.array(ComplianceDrop),
  freshness: ReportFreshness.optional(),
});
export type ComplianceReport = z.infer<typeof ComplianceReport>;

export const LeadTimelineEvent = z.discriminatedUnion('source', [
  z.object({
    source: z.literal('call'),
    atMs: Ms,
    callId: z.string(),
    campaignId: NumericId,
    agentId: NumericId.nullable(),
    outcome: z.string().nullable(),
    answeredAtMs: Ms.nullable(),
    endedAtMs: Ms.nullable(),
    disposition: z.string().nullable(),
    disposedAtMs: Ms.nullable(),
  }),
  z.object({
    source: z.literal('log'),
    atMs: Ms,
    kind: z.string(),
    callId: z.string().nullable(),
    agentId: NumericId.nullable(),
    detail: z.record(z.string(), z.unknown()),
  }),
  z.object({
    source: z.literal('callback'),
    atMs: Ms,
    callbackId: NumericId,
    dueAtMs: Ms,
    agentId: NumericId.nullable(),
    status: z.string(),
  }),
]);
export type LeadTimelineEvent = z.infer<typeof LeadTimelineEvent>;
export const LeadHistoryReport = z.object({
  leadId: NumericId,
  events: z.array(LeadTimelineEvent),
  freshness: ReportFreshness.optional(),
});
export type LeadHistoryReport = z.infer<typeof LeadHistoryReport>;
