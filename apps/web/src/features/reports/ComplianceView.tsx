import type { ComplianceCampaign, ComplianceReport } from '@ringside/protocol';
import { LineChart } from './charts/LineChart.js';
import { formatCount, formatDay, formatInstant, formatPct, formatSeconds } from './format.js';
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
      <table className="rp-table">
        <thead>
          <tr>
            <th scope="col">Campaign</th>
            <th scope="col">Human answers</th>
            <th scope="col">Drops</th>
            <th scope="col">Drop rate</th>
            <th scope="col">Cap</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {d.campaigns.map((c) => (
            <tr key={c.campaignId} className={c.overCap ? 'rp-over' : undefined}>
              <th scope="row">{c.campaignName}</th>
              <td>{formatCount(c.humanAnswers)}</td>
              <td>{formatCount(c.drops)}</td>
              <td>{formatPct(c.dropPct)}</td>
              <td>{formatPct(c.capPct)}</td>
              <td>{c.overCap ? 'OVER CAP' : 'within cap'}</td>
            </tr>
          ))}
        </tbody>
      </table>
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
      <table className="rp-table">
        <thead>
          <tr>
            <th scope="col">Answered at (UTC)</th>
            <th scope="col">Campaign</th>
            <th scope="col">List</th>
            <th scope="col">Lead</th>
            <th scope="col">Call</th>
            <th scope="col">Wait</th>
            <th scope="col">Safe harbor at (UTC)</th>
            <th scope="col">Ended at (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {d.drops.slice(0, DROPS_SHOWN).map((x) => (
            <tr key={x.callId}>
              <th scope="row">{formatInstant(x.answeredAtMs)}</th>
              <td>{names.get(x.campaignId) ?? x.campaignId}</td>
              <td>{x.listId}</td>
              <td>
                <a href={`#/reports/lead-history/${x.leadId}`}>{x.leadId}</a>
              </td>
              <td>{x.callId}</td>
              <td>{formatSeconds(x.dropWaitMs)}</td>
              <td>{x.safeHarborAtMs === null ? 'none played' : formatInstant(x.safeHarborAtMs)}</td>
              <td>{formatInstant(x.endedAtMs)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
