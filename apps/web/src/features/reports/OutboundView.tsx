import type { OutboundReport, OutboundRow } from '@ringside/protocol';
import { LineChart } from './charts/LineChart.js';
import { formatCount, formatDay, formatHour, formatPct, formatSeconds } from './format.js';
import { outboundSeries } from './series.js';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

function groupLabel(
  r: OutboundRow,
  groupBy: OutboundReport['groupBy'],
  campaignName: (id: string) => string,
): string {
  if (groupBy === 'hour') return r.hourAtMs === null ? '-' : `${formatHour(r.hourAtMs)} UTC`;
  if (groupBy === 'list') return r.listId === null ? '-' : `list ${r.listId}`;
  return r.campaignId === null ? '-' : campaignName(r.campaignId);
}

/** Outbound calling by hour, list or campaign; by hour also as lines (dials, humans, drops). */
export function OutboundView(props: {
  data: OutboundReport;
  fromMs: number;
  toMs: number;
  /** When the report was asked for: the chart stops at the current hour (the future is not zero). */
  nowMs: number;
  campaignName(id: string): string;
}) {
  const { groupBy, rows } = props.data;
  const endMs = Math.max(
    props.fromMs + 1,
    Math.min(props.toMs, Math.ceil(props.nowMs / HOUR_MS) * HOUR_MS),
  );
  const series = groupBy === 'hour' ? outboundSeries(rows, props.fromMs, endMs) : null;
  let chart = null;
  if (series && series.points.length > 0) {
    const per = series.bucketMs === DAY_MS ? 'day' : 'hour';
    const sum = (k: 'dials' | 'humanAnswers' | 'drops') =>
      series.points.reduce((s, p) => s + p[k], 0);
    const busiest = series.points.reduce((a, b) => (b.dials > a.dials ? b : a));
    const summary =
      `Outbound calls per ${per} from ${formatDay(props.fromMs)} to ${formatDay(props.toMs - 1)} (UTC): ` +
      `${formatCount(sum('dials'))} dials, ${formatCount(sum('humanAnswers'))} human answers, ` +
      `${formatCount(sum('drops'))} drops` +
      (busiest.dials > 0
        ? `; busiest ${per} ${per === 'day' ? formatDay(busiest.atMs) : formatHour(busiest.atMs)} with ${formatCount(busiest.dials)} dials`
        : '');
    chart = (
      <LineChart
        title={`Dials, human answers and drops per ${per}`}
        summary={summary}
        xs={series.points.map((p) => p.atMs)}
        xLabel={`${per} (UTC)`}
        formatX={(t) =>
          series.bucketMs === DAY_MS || t % DAY_MS === 0
            ? formatDay(t).slice(5)
            : formatHour(t).slice(11)
        }
        yLabel="calls"
        series={[
          { name: 'Dials', color: '#2f6fd6', values: series.points.map((p) => p.dials) },
          {
            name: 'Human answers',
            color: '#3a9a4a',
            values: series.points.map((p) => p.humanAnswers),
          },
          { name: 'Drops', color: '#c62828', values: series.points.map((p) => p.drops) },
        ]}
      />
    );
  }
  return (
    <>
      {chart}
      <table className="rp-table">
        <thead>
          <tr>
            <th scope="col">
              {groupBy === 'hour' ? 'Hour' : groupBy === 'list' ? 'List' : 'Campaign'}
            </th>
            {groupBy === 'list' && <th scope="col">Campaign</th>}
            <th scope="col">Dials</th>
            <th scope="col">Answers</th>
            <th scope="col">Human answers</th>
            <th scope="col">Machines</th>
            <th scope="col">Drops</th>
            <th scope="col">Drop % of human answers</th>
            <th scope="col">Connected</th>
            <th scope="col">ASA</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr
              key={`${r.hourAtMs ?? ''}-${r.campaignId ?? ''}-${r.listId ?? ''}-${i}`}
              className="rp-outbound-row"
            >
              <th scope="row">{groupLabel(r, groupBy, props.campaignName)}</th>
              {groupBy === 'list' && (
                <td>{r.campaignId === null ? '-' : props.campaignName(r.campaignId)}</td>
              )}
              <td>{formatCount(r.dials)}</td>
              <td>{formatCount(r.answers)}</td>
              <td>{formatCount(r.humanAnswers)}</td>
              <td>{formatCount(r.machines)}</td>
              <td>{formatCount(r.drops)}</td>
              <td>{formatPct(r.dropPct)}</td>
              <td>{formatCount(r.connected)}</td>
              <td>{formatSeconds(r.asaMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p>No calls were dialed in this range.</p>}
    </>
  );
}
