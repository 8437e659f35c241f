import {
  ComplianceQuery,
  OutboundQuery,
  ReportFilters,
  type OutboundGroupBy,
} from '@ringside/protocol';

/**
 * The report filter bar, without React: which filters each report takes, the query string it
 * sends, and where a refusal (the browser's own check or the server's 400) is shown. The range
 * is checked with the protocol's own schemas, so the browser refuses exactly what the server
 * would (over REPORT_MAX_RANGE_DAYS, or backwards) before sending anything.
 */

export type ReportId =
  | 'agent-time'
  | 'agent-performance'
  | 'outbound'
  | 'compliance'
  | 'lead-history'
  | 'recordings'
  | 'quality';
export type FilteredReport = Exclude<ReportId, 'lead-history' | 'recordings' | 'quality'>;
export type FilterField = 'from' | 'to' | 'campaignId' | 'listId' | 'teamId' | 'agentId';

export const REPORTS: ReadonlyArray<{ id: ReportId; label: string }> = [
  { id: 'agent-time', label: 'Agent time' },
  { id: 'agent-performance', label: 'Agent performance' },
  { id: 'outbound', label: 'Outbound calling' },
  { id: 'compliance', label: 'Drop-rate compliance' },
  { id: 'lead-history', label: 'Lead history' },
  { id: 'recordings', label: 'Recordings' },
  { id: 'quality', label: 'Quality' },
];

/**
 * The filters each report understands, as the server's ReportsService declares them: any other
 * is refused there with a 400, so the bar does not offer it. Compliance is always the 30 days
 * before `to`.
 */
export const APPLICABLE: Record<FilteredReport, readonly FilterField[]> = {
  'agent-time': ['from', 'to', 'campaignId', 'teamId', 'agentId'],
  'agent-performance': ['from', 'to', 'campaignId', 'teamId', 'agentId'],
  outbound: ['from', 'to', 'campaignId', 'listId'],
  compliance: ['to', 'campaignId'],
};

/** What the bar holds: UTC days as `YYYY-MM-DD` (both inclusive) and ids ('' = all). */
export interface FilterState {
  fromDay: string;
  toDay: string;
  campaignId: string;
  listId: string;
  teamId: string;
  agentId: string;
}

/** Refusal messages by field; `form` is for one that names no field of the bar. */
export type FieldErrors = Partial<Record<FilterField | 'form', string>>;

const DAY_MS = 86_400_000;

export function dayOf(atMs: number): string {
  return new Date(atMs).toISOString().slice(0, 10);
}

/** The last seven UTC days, today included. */
export function defaultFilters(nowMs: number): FilterState {
  return {
    fromDay: dayOf(nowMs - 6 * DAY_MS),
    toDay: dayOf(nowMs),
    campaignId: '',
    listId: '',
    teamId: '',
    agentId: '',
  };
}

/** `2026-05-10` -> its UTC midnight (ms), or null when it is not a calendar day. */
export function parseDay(day: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) || dayOf(ms) !== day ? null : ms;
}

/** The half-open range [from, to) of the bar: from the first day's midnight to after the last day. */
export function rangeOf(state: FilterState): { fromMs: number | null; toMs: number | null } {
  const from = parseDay(state.fromDay);
  const to = parseDay(state.toDay);
  return { fromMs: from, toMs: to === null ? null : to + DAY_MS };
}

export type BuiltQuery =
  | { ok: true; params: URLSearchParams; fromMs: number | null; toMs: number }
  | { ok: false; errors: FieldErrors };

/**
 * The query string of a report (without `format`), or the refusals that keep it from being
 * sent. Only the report's own filters are sent; empty ones mean "all".
 */
export function buildQuery(
  report: FilteredReport,
  state: FilterState,
  groupBy: OutboundGroupBy = 'hour',
): BuiltQuery {
  const fields = APPLICABLE[report];
  const errors: FieldErrors = {};
  const { fromMs, toMs } = rangeOf(state);
  if (fields.includes('from') && fromMs === null) errors.from = 'pick a day';
  if (toMs === null) errors.to = 'pick a day';
  if (Object.keys(errors).length > 0 || toMs === null) return { ok: false, errors };

  const raw: Record<string, string> = { to: new Date(toMs).toISOString() };
  if (fields.includes('from') && fromMs !== null) raw.from = new Date(fromMs).toISOString();
  for (const f of ['campaignId', 'listId', 'teamId', 'agentId'] as const) {
    const v = state[f].trim();
    if (fields.includes(f) && v !== '') raw[f] = v;
  }
  if (report === 'outbound') raw.groupBy = groupBy;
  const schema =
    report === 'outbound'
      ? OutboundQuery
      : report === 'compliance'
        ? ComplianceQuery
        : ReportFilters;
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      errors: fieldErrors(
        parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
      ),
    };
  }
  return {
    ok: true,
    params: new URLSearchParams(raw),
    fromMs: fields.includes('from') ? fromMs : null,
    toMs,
  };
}

const FIELDS: readonly string[] = ['from', 'to', 'campaignId', 'listId', 'teamId', 'agentId'];

/**
 * Server (or schema) issues -> the message to show next to each filter. The API prefixes query
 * fields (`query.to`); the report service names them bare (`listId`). An issue naming no filter
 * of the bar goes to `form`.
 */
export function fieldErrors(issues: ReadonlyArray<{ path: string; message: string }>): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of issues) {
    const name = issue.path.replace(/^(query|params)\./, '').split('.')[0] ?? '';
    const key = (FIELDS.includes(name) ? name : 'form') as FilterField | 'form';
    const text = key === 'form' && issue.path ? `${issue.path}: ${issue.message}` : issue.message;
    out[key] = out[key] ? `${out[key]}; ${text}` : text;
  }
  return out;
}

/** `#/reports/lead-history/42` gives section `lead-history/42` -> the report and its argument. */
export function parseSection(section: string): { report: ReportId; arg: string } {
  const [head = '', ...rest] = section.split('/');
  const found = REPORTS.find((r) => r.id === head);
  return { report: found ? found.id : 'agent-time', arg: found ? rest.join('/') : '' };
}
