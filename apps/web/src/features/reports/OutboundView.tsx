import type { OutboundReport, OutboundRow } from '@ringside/protocol';
import { LineChart } from './charts/LineChart.js';
import { formatCount, formatDay, formatHour, formatPct, formatSeconds } from './format.js';
import { Table, type Column } from '../../app/ui.js';
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

/** The table's columns: the group, its campaign when grouped by list, then the counts. */
function outboundColumns(
  groupBy: OutboundReport['groupBy'],
  campaignName: (id: string) => string,
): Array<Column<OutboundRow>> {
  return [
    {
      header: groupBy === 'hour' ? 'Hour' : groupBy === 'list' ? 'List' : 'Campaign',
      cell: (r) => groupLabel(r, groupBy, campaignName),
    },
    ...(groupBy === 'list'
      ? [
          {
            header: 'Campaign',
            cell: (r: OutboundRow) => (r.campaignId === null ? '-' : campaignName(r.campaignId)),
          },
        ]
      : []),
    { header: 'Dials', cell: (r) => formatCount(r.dials) },
    { header: 'Answers', cell: (r) => formatCount(r.answers) },
    { header: 'Human answers', cell: (r) => formatCount(r.humanAnswers) },
    { header: 'Machines', cell: (r) => formatCount(r.machines) },
    { header: 'Drops', cell: (r) => formatCount(r.drops) },
    { header: 'Drop % of human answers', cell: (r) => formatPct(r.dropPct) },
    { header: 'Connected', cell: (r) => formatCount(r.connected) },
    { header: 'ASA', cell: (r) => formatSeconds(r.asaMs) },
  ];
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
      <Table
        className="rp-table"
        rowHeader
        columns={outboundColumns(groupBy, props.campaignName)}
        rows={rows}
        rowKey={(r, i) => `${r.hourAtMs ?? ''}-${r.campaignId ?? ''}-${r.listId ?? ''}-${i}`}
        rowAttrs={() => ({ className: 'rp-outbound-row' })}
      />
      {rows.length === 0 && <p>No calls were dialed in this range.</p>}
    </>
  );
}
