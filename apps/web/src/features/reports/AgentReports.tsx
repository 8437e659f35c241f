import type { AgentPerformanceReport, AgentTimeReport } from '@ringside/protocol';
import { StackedBarChart } from './charts/StackedBarChart.js';
import { formatByCode, formatCount, formatDurationMs, formatPct } from './format.js';
import { AGENT_TIME_SEGMENTS, agentTimeBars } from './series.js';

const HOUR_MS = 3_600_000;
const CHART_AGENTS = 30;

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
      <table className="rp-table">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Team</th>
            <th scope="col">Login</th>
            <th scope="col">Wait</th>
            <th scope="col">Talk</th>
            <th scope="col">Wrap-up</th>
            <th scope="col">Dead</th>
            <th scope="col">Pause</th>
            <th scope="col">Pause by code</th>
            <th scope="col">Occupancy</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.agentId} data-agent-id={r.agentId}>
              <th scope="row">{r.agentName}</th>
              <td>{r.teamId ?? '-'}</td>
              <td>{formatDurationMs(r.loginMs)}</td>
              <td>{formatDurationMs(r.waitMs)}</td>
              <td>{formatDurationMs(r.talkMs)}</td>
              <td>{formatDurationMs(r.wrapMs)}</td>
              <td>{formatDurationMs(r.deadMs)}</td>
              <td>{formatDurationMs(r.pauseMs)}</td>
              <td>{formatByCode(r.pauseByCodeMs, formatDurationMs)}</td>
              <td>{formatPct(r.occupancyPct)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p>No agent time in this range.</p>}
    </>
  );
}

/** Agent performance: calls, handle time and outcomes by disposition flag and code. */
export function AgentPerformanceView(props: { data: AgentPerformanceReport }) {
  const rows = props.data.rows;
  return (
    <>
      <table className="rp-table">
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Team</th>
            <th scope="col">Calls</th>
            <th scope="col">Talk</th>
            <th scope="col">Wrap-up</th>
            <th scope="col">AHT</th>
            <th scope="col">Sales</th>
            <th scope="col">Conversion</th>
            <th scope="col">Callbacks</th>
            <th scope="col">DNC</th>
            <th scope="col">Final</th>
            <th scope="col">Human answered</th>
            <th scope="col">Undisposed</th>
            <th scope="col">By disposition</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.agentId} data-agent-id={r.agentId}>
              <th scope="row">{r.agentName}</th>
              <td>{r.teamId ?? '-'}</td>
              <td>{formatCount(r.calls)}</td>
              <td>{formatDurationMs(r.talkMs)}</td>
              <td>{formatDurationMs(r.wrapMs)}</td>
              <td>{formatDurationMs(r.ahtMs)}</td>
              <td>{formatCount(r.sales)}</td>
              <td>{formatPct(r.conversionPct)}</td>
              <td>{formatCount(r.callbacks)}</td>
              <td>{formatCount(r.dnc)}</td>
              <td>{formatCount(r.final)}</td>
              <td>{formatCount(r.humanAnswered)}</td>
              <td>{formatCount(r.undisposed)}</td>
              <td>{formatByCode(r.byDisposition, formatCount)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p>No calls handled by agents in this range.</p>}
    </>
  );
}
