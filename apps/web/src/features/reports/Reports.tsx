import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import {
  COMPLIANCE_WINDOW_DAYS,
  type AgentPerformanceReport,
  type AgentTimeReport,
  type ComplianceReport,
  type Me,
  type OutboundGroupBy,
  type OutboundReport,
} from '@ringside/protocol';
import { ApiError, refusalMessage } from '../../core/api.js';
import { AgentPerformanceView, AgentTimeView } from './AgentReports.js';
import { ReportsApi } from './api.js';
import { ComplianceView } from './ComplianceView.js';
import { StateRulesInForce } from './StateRulesInForce.js';
import { FilterBar, type FilterOptions } from './FilterBar.js';
import {
  buildQuery,
  defaultFilters,
  fieldErrors,
  parseSection,
  REPORTS,
  type FieldErrors,
  type FilteredReport,
  type FilterState,
} from './filters.js';
import { LeadHistoryView } from './LeadHistoryView.js';
import { QualityView } from '../quality/QualityView.js';
import { RecordingsSearch } from '../recordings/RecordingsSearch.js';
import { OutboundView } from './OutboundView.js';
import { formatFreshness } from './format.js';
import { REPORTS_CSS } from './styles.js';

const DAY_MS = 86_400_000;

/** A report's answer with what it was asked (for the chart's time axis and the CSV link). */
type Loaded = { csvUrl: string; fromMs: number | null; toMs: number; askedAtMs: number } & (
  | { report: 'agent-time'; data: AgentTimeReport }
  | { report: 'agent-performance'; data: AgentPerformanceReport }
  | { report: 'outbound'; data: OutboundReport }
  | { report: 'compliance'; data: ComplianceReport; prior: ComplianceReport | null }
);

/** Suggestions learnt from answers: agents, teams and lists that appeared in a report. */
interface Seen {
  agents: Map<string, string>;
  teams: Set<string>;
  lists: Set<string>;
}

function learn(seen: Seen, l: Loaded): Seen {
  const next: Seen = {
    agents: new Map(seen.agents),
    teams: new Set(seen.teams),
    lists: new Set(seen.lists),
  };
  if (l.report === 'agent-time' || l.report === 'agent-performance') {
    for (const r of l.data.rows) {
      next.agents.set(r.agentId, r.agentName);
      if (r.teamId) next.teams.add(r.teamId);
    }
  } else if (l.report === 'outbound') {
    for (const r of l.data.rows) if (r.listId) next.lists.add(r.listId);
  } else {
    for (const d of l.data.drops) next.lists.add(d.listId);
  }
  return next;
}

/**
 * Reports (supervisors and admins): one screen per report under `#/reports/<report>`, a common
 * filter bar, tables, charts where a trend reads better, and the server's CSV export of the
 * same query. Filters are checked in the browser with the server's schemas before sending; a
 * refusal either way is shown next to the field.
 */
export function Reports(props: { me: Me; section: string }) {
  const api = useMemo(() => new ReportsApi(), []);
  const { report, arg } = parseSection(props.section);
  const [filters, setFilters] = useState<FilterState>(() => defaultFilters(Date.now()));
  const [groupBy, setGroupBy] = useState<OutboundGroupBy>('hour');
  const [errors, setErrors] = useState<FieldErrors>({});
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [busy, setBusy] = useState(false);
  const [campaigns, setCampaigns] = useState<FilterOptions['campaigns']>([]);
  const [seen, setSeen] = useState<Seen>({ agents: new Map(), teams: new Set(), lists: new Set() });
  const inflight = useRef<AbortController | null>(null);
  const filtersRef = useRef(filters);
  filtersRef.current = filters;

  useEffect(() => {
    document.title = 'Reports — Ringside';
  }, []);
  useEffect(() => {
    const ctl = new AbortController();
    api
      .campaigns(ctl.signal)
      .then((r) => setCampaigns(r.campaigns.map((c) => ({ id: c.id, name: c.name }))))
      .catch(() => undefined);
    // Live agents' names and teams; a suggestion only, so a failure is ignored.
    api
      .roster(ctl.signal)
      .then((r) =>
        setSeen((s) => {
          const next: Seen = { ...s, agents: new Map(s.agents), teams: new Set(s.teams) };
          for (const a of r.agents) {
            next.agents.set(a.agentId, a.displayName);
            if (a.teamId) next.teams.add(a.teamId);
          }
          return next;
        }),
      )
      .catch(() => undefined);
    return () => ctl.abort();
  }, [api]);

  const run = useCallback(
    async (which: FilteredReport, f: FilterState, g: OutboundGroupBy) => {
      inflight.current?.abort();
      const built = buildQuery(which, f, g);
      if (!built.ok) {
        setErrors(built.errors);
        setLoaded(null);
        return;
      }
      const ctl = new AbortController();
      inflight.current = ctl;
      setErrors({});
      setBusy(true);
      const base = {
        csvUrl: api.csvUrl(which, built.params),
        fromMs: built.fromMs,
        toMs: built.toMs,
        askedAtMs: Date.now(),
      };
      try {
        let next: Loaded;
        if (which === 'agent-time') {
          next = { ...base, report: which, data: await api.agentTime(built.params, ctl.signal) };
        } else if (which === 'agent-performance') {
          next = {
            ...base,
            report: which,
            data: await api.agentPerformance(built.params, ctl.signal),
          };
        } else if (which === 'outbound') {
          next = { ...base, report: which, data: await api.outbound(built.params, ctl.signal) };
        } else {
          // The window before this one gives the first days their true 30-day rolling rate.
          const priorQ = new URLSearchParams(built.params);
          priorQ.set('to', new Date(built.toMs - COMPLIANCE_WINDOW_DAYS * DAY_MS).toISOString());
          const [data, prior] = await Promise.all([
            api.compliance(built.params, ctl.signal),
            api.compliance(priorQ, ctl.signal).catch(() => null),
          ]);
          next = { ...base, report: which, data, prior };
        }
        if (ctl.signal.aborted) return;
        setLoaded(next);
        setSeen((s) => learn(s, next));
      } catch (err) {
        if (ctl.signal.aborted) return;
        setLoaded(null);
        if (err instanceof ApiError && err.status === 400 && err.issues.length > 0) {
          setErrors(fieldErrors(err.issues));
        } else {
          setErrors({ form: refusalMessage(err) });
        }
      } finally {
        if (inflight.current === ctl) {
          inflight.current = null;
          setBusy(false);
        }
      }
    },
    [api],
  );

  // A new screen (or grouping) runs at once with the filters as they are.
  useEffect(() => {
    setLoaded(null);
    setErrors({});
    if (report !== 'lead-history' && report !== 'recordings' && report !== 'quality')
      void run(report, filtersRef.current, groupBy);
    return () => inflight.current?.abort();
  }, [report, groupBy, run]);

  const options: FilterOptions = {
    campaigns,
    agents: [...seen.agents]
      .map(([id, name]) => ({ id, name }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    teams: [...seen.teams].sort((a, b) => Number(a) - Number(b)),
    lists: [...seen.lists].sort((a, b) => Number(a) - Number(b)),
  };
  const campaignName = (id: string) => campaigns.find((c) => c.id === id)?.name ?? `campaign ${id}`;
  const current = REPORTS.find((r) => r.id === report);
  const shown = loaded?.report === report ? loaded : null;

  return (
    <main className="reports">
      <style>{REPORTS_CSS}</style>
      <h1>Reports</h1>
      <nav className="rp-nav" aria-label="Reports">
        {REPORTS.map((r) => (
          <a
            key={r.id}
            href={`#/reports/${r.id}`}
            aria-current={r.id === report ? 'page' : undefined}
          >
            {r.label}
          </a>
        ))}
      </nav>
      <section aria-labelledby="rp-title">
        <h2 id="rp-title">{current?.label}</h2>
        {report === 'lead-history' ? (
          <LeadHistoryView api={api} leadId={arg} me={props.me} />
        ) : report === 'recordings' ? (
          <RecordingsSearch me={props.me} campaigns={campaigns} />
        ) : report === 'quality' ? (
          <QualityView me={props.me} campaigns={campaigns} />
        ) : (
          <>
            <FilterBar
              report={report}
              value={filters}
              options={options}
              errors={errors}
              busy={busy}
              onChange={setFilters}
              onSubmit={() => void run(report, filters, groupBy)}
            >
              {report === 'outbound' && (
                <label>
                  Group by
                  <select
                    value={groupBy}
                    onChange={(e) => setGroupBy(e.target.value as OutboundGroupBy)}
                  >
                    <option value="hour">hour</option>
                    <option value="list">list</option>
                    <option value="campaign">campaign</option>
                  </select>
                </label>
              )}
            </FilterBar>
            {shown && (
              <div className="rp-result" aria-busy={busy}>
                <p>
                  <a className="rp-csv" href={shown.csvUrl} download>
                    Export CSV
                  </a>
                </p>
                {formatFreshness(shown.data.freshness) && (
                  <p className="rp-freshness" role="status">
                    {formatFreshness(shown.data.freshness)}
                  </p>
                )}
                {shown.report === 'agent-time' && <AgentTimeView data={shown.data} />}
                {shown.report === 'agent-performance' && <AgentPerformanceView data={shown.data} />}
                {shown.report === 'outbound' && (
                  <OutboundView
                    data={shown.data}
                    fromMs={shown.fromMs ?? shown.toMs - DAY_MS}
                    toMs={shown.toMs}
                    nowMs={shown.askedAtMs}
                    campaignName={campaignName}
                  />
                )}
                {shown.report === 'compliance' && (
                  <>
                    <ComplianceView data={shown.data} prior={shown.prior} />
                    <StateRulesInForce api={api} />
                  </>
                )}
              </div>
            )}
          </>
        )}
      </section>
    </main>
  );
}
