import type { AgentPerformanceReport, AgentTimeReport } from '@ringside/protocol';
import { StackedBarChart } from './charts/StackedBarChart.js';
import { Table, type Column } from '../../app/ui.js';
import { formatByCode, formatCount, formatDurationMs, formatPct } from './format.js';
import { AGENT_TIME_SEGMENTS, agentTimeBars } from './series.js';

const HOUR_MS = 3_600_000;
const CHART_AGENTS = 30;

type TimeRow = AgentTimeReport['rows'][number];
type PerformanceRow = AgentPerformanceReport['rows'][number];

const AGENT_TIME_COLUMNS: ReadonlyArray<Column<TimeRow>> = [
  { header: 'Agent', cell: (r) => r.agentName },
  { header: 'Team', cell: (r) => r.teamId ?? '-' },
  { header: 'Login', cell: (r) => formatDurationMs(r.loginMs) },
  { header: 'Wait', cell: (r) => formatDurationMs(r.waitMs) },
  { header: 'Talk', cell: (r) => formatDurationMs(r.talkMs) },
  { header: 'Wrap-up', cell: (r) => formatDurationMs(r.wrapMs) },
  { header: 'Dead', cell: (r) => formatDurationMs(r.deadMs) },
  { header: 'Pause', cell: (r) => formatDurationMs(r.pauseMs) },
  { header: 'Pause by code', cell: (r) => formatByCode(r.pauseByCodeMs, formatDurationMs) },
  { header: 'Occupancy', cell: (r) => formatPct(r.occupancyPct) },
];

const AGENT_PERFORMANCE_COLUMNS: ReadonlyArray<Column<PerformanceRow>> = [
  { header: 'Agent', cell: (r) => r.agentName },
  { header: 'Team', cell: (r) => r.teamId ?? '-' },
  { header: 'Calls', cell: (r) => formatCount(r.calls) },
  { header: 'Talk', cell: (r) => formatDurationMs(r.talkMs) },
  { header: 'Wrap-up', cell: (r) => formatDurationMs(r.wrapMs) },
  { header: 'AHT', cell: (r) => formatDurationMs(r.ahtMs) },
  { header: 'Sales', cell: (r) => formatCount(r.sales) },
  { header: 'Conversion', cell: (r) => formatPct(r.conversionPct) },
  { header: 'Callbacks', cell: (r) => formatCount(r.callbacks) },
  { header: 'DNC', cell: (r) => formatCount(r.dnc) },
  { header: 'Final', cell: (r) => formatCount(r.final) },
  { header: 'Human answered', cell: (r) => formatCount(r.humanAnswered) },
  { header: 'Undisposed', cell: (r) => formatCount(r.undisposed) },
  { header: 'By disposition', cell: (r) => formatByCode(r.byDisposition, formatCount) },
];

/** Agent time detail: who spent how long talking, waiting, wrapping up, paused, in dead air. */
export function AgentTimeView(props: { data: AgentTimeReport }) {
  const rows = props.data.rows;
  const bars = agentTimeBars(rows, CHART_AGENTS);
  const total = (k: (typeof AGENT_TIME_SEGMENTS)[number]['key']) =>
    rows.reduce((s, r) => s + r[k], 0);
  const summary =
    `Agent time of ${rows.length} agents${rows.length > CHART_AGENTS ? ` (the ${CHART_AGENTS} with the most login time shown)` : ''}: ` +
    AGENT_TIME_SEGMENTS.map(
      (s) => `${s.name.toLowerCase()} ${formatDurationMs(total(s.key))}`,
    ).join(', ');
  return (
    <>
      {rows.length > 0 && (
        <StackedBarChart
          title="Agent time by state"
          summary={summary}
          segments={AGENT_TIME_SEGMENTS}
          bars={bars}
          unitDivisor={HOUR_MS}
          xLabel="hours"
          formatValue={formatDurationMs}
        />
      )}
      <Table
        className="rp-table"
        rowHeader
        columns={AGENT_TIME_COLUMNS}
        rows={rows}
        rowKey={(r) => r.agentId}
        rowAttrs={(r) => ({ 'data-agent-id': r.agentId })}
      />
      {rows.length === 0 && <p>No agent time in this range.</p>}
    </>
  );
}

/** Agent performance: calls, handle time and outcomes by disposition flag and code. */
export function AgentPerformanceView(props: { data: AgentPerformanceReport }) {
  const rows = props.data.rows;
  return (
    <>
      <Table
        className="rp-table"
        rowHeader
        columns={AGENT_PERFORMANCE_COLUMNS}
        rows={rows}
        rowKey={(r) => r.agentId}
        rowAttrs={(r) => ({ 'data-agent-id': r.agentId })}
      />
      {rows.length === 0 && <p>No calls handled by agents in this range.</p>}
    </>
  );
}
