import type { ComplianceCampaign, ComplianceReport } from '@ringside/protocol';
import { LineChart } from './charts/LineChart.js';
import { formatCount, formatDay, formatInstant, formatPct, formatSeconds } from './format.js';
import { Table, type Column } from '../../app/ui.js';
import { dropRateSeries } from './series.js';

/** Drops listed on the page; the CSV export has every one. */
export const DROPS_SHOWN = 200;

function CampaignTrend(props: {
  campaign: ComplianceCampaign;
  /** The same campaign's days in the previous window (for the first days' rolling rate). */
  priorDays: ComplianceCampaign['days'];
  fromMs: number;
  toMs: number;
  windowDays: number;
}) {
  const c = props.campaign;
  const points = dropRateSeries(
    [...props.priorDays, ...c.days],
    props.fromMs,
    props.toMs,
    props.windowDays,
  );
  const worst = points.reduce<(typeof points)[number] | null>(
    (a, p) => (p.dailyPct !== null && (a === null || (a.dailyPct ?? -1) < p.dailyPct) ? p : a),
    null,
  );
  const summary =
    `${c.campaignName}: ${props.windowDays}-day drop rate ${formatPct(c.dropPct)} against a cap of ${formatPct(c.capPct)}` +
    (c.estimatedDrops > 0
      ? ` (${formatPct(c.dropPctWithEstimates)} with ${c.estimatedDrops.toFixed(1)} estimated AMD drops)`
      : '') +
    `${c.overCap ? ', over the cap' : ', within the cap'}` +
    (worst
      ? `; highest daily rate ${formatPct(worst.dailyPct)} on ${formatDay(worst.dayAtMs)}`
      : '; no human answers');
  return (
    <LineChart
      title={`${c.campaignName}: drop rate per day against the cap`}
      summary={summary}
      xs={points.map((p) => p.dayAtMs)}
      xLabel="day (UTC)"
      formatX={(t) => formatDay(t).slice(5)}
      yLabel="drops per human answer (%)"
      formatY={(v) => `${v}`}
      series={[
        { name: 'Daily', color: '#7aa6e8', values: points.map((p) => p.dailyPct) },
        {
          name: `Rolling ${props.windowDays} days`,
          color: '#1d4e9e',
          values: points.map((p) => p.rollingPct),
        },
      ]}
      refLines={[{ name: `Cap ${c.capPct} %`, value: c.capPct, color: '#c62828' }]}
      height={240}
    />
  );
}

type DropRow = ComplianceReport['drops'][number];

const CAMPAIGN_COLUMNS: ReadonlyArray<Column<ComplianceCampaign>> = [
  { header: 'Campaign', cell: (c) => c.campaignName },
  { header: 'Human answers', cell: (c) => formatCount(c.humanAnswers) },
  { header: 'Drops', cell: (c) => formatCount(c.drops) },
  { header: 'Drop rate', cell: (c) => formatPct(c.dropPct) },
  // People AMD judged machines, expected from the campaign's AMD error estimate: apart from
  // the counted drops, and in the rate the dialer budgets for (docs/pacing.md, AMD errors).
  { header: 'Estimated AMD drops', cell: (c) => c.estimatedDrops.toFixed(1) },
  { header: 'Rate with estimates', cell: (c) => formatPct(c.dropPctWithEstimates) },
  { header: 'Cap', cell: (c) => formatPct(c.capPct) },
  { header: 'Status', cell: (c) => (c.overCap ? 'OVER CAP' : 'within cap') },
];

/** The drops table; `names` gives a campaign's name by id. */
function dropColumns(names: ReadonlyMap<string, string>): ReadonlyArray<Column<DropRow>> {
  return [
    { header: 'Answered at (UTC)', cell: (x) => formatInstant(x.answeredAtMs) },
    { header: 'Campaign', cell: (x) => names.get(x.campaignId) ?? x.campaignId },
    { header: 'List', cell: (x) => x.listId },
    {
      header: 'Lead',
      cell: (x) => <a href={`#/reports/lead-history/${x.leadId}`}>{x.leadId}</a>,
    },
    { header: 'Call', cell: (x) => x.callId },
    { header: 'Wait', cell: (x) => formatSeconds(x.dropWaitMs) },
    {
      header: 'Safe harbor at (UTC)',
      cell: (x) => (x.safeHarborAtMs === null ? 'none played' : formatInstant(x.safeHarborAtMs)),
    },
    { header: 'Ended at (UTC)', cell: (x) => formatInstant(x.endedAtMs) },
  ];
}

/**
 * 30-day drop-rate compliance: per campaign against its cap (table and chart), then every drop
 * with its answer instant, how long the person waited, and when safe harbor started.
 */
export function ComplianceView(props: {
  data: ComplianceReport;
  /** The window before (same campaigns), or null when it could not be read. */
  prior: ComplianceReport | null;
}) {
  const d = props.data;
  const prior = new Map((props.prior?.campaigns ?? []).map((c) => [c.campaignId, c.days]));
  const names = new Map(d.campaigns.map((c) => [c.campaignId, c.campaignName]));
  return (
    <>
      <p>
        {d.windowDays} days from {formatInstant(d.fromMs)} to {formatInstant(d.toMs)} UTC, by answer
        instant.
        {props.prior === null &&
          ' (The rolling rate of the first days counts only days inside this window.)'}
      </p>
      <Table
        className="rp-table"
        rowHeader
        columns={CAMPAIGN_COLUMNS}
        rows={d.campaigns}
        rowKey={(c) => c.campaignId}
        rowAttrs={(c) => ({ className: c.overCap ? 'rp-over' : undefined })}
      />
      {d.campaigns.map((c) => (
        <CampaignTrend
          key={c.campaignId}
          campaign={c}
          priorDays={prior.get(c.campaignId) ?? []}
          fromMs={d.fromMs}
          toMs={d.toMs}
          windowDays={d.windowDays}
        />
      ))}
      <h3>
        Drops ({formatCount(d.drops.length)}
        {d.drops.length > DROPS_SHOWN
          ? `, the first ${DROPS_SHOWN} shown; the CSV export lists every one`
          : ''}
        )
      </h3>
      <Table
        className="rp-table"
        rowHeader
        columns={dropColumns(names)}
        rows={d.drops.slice(0, DROPS_SHOWN)}
        rowKey={(x) => x.callId}
      />
    </>
  );
}
