import { useCallback, useState } from 'react';
import type { WhyNotDialedResponse } from '@ringside/protocol';
import type { ReportsApi } from './api.js';
import { formatInstant } from './format.js';
import { useLeadData } from './useLeadData.js';

/** The panel's words for a rule code. */
const TITLES: Record<string, string> = {
  DNC: 'Do-not-call list',
  CALLING_WINDOW: 'Calling window',
  TIME_ZONE_UNKNOWN: 'Time zone unknown',
  STATE_WINDOW: 'State calling hours',
  STATE_ATTEMPTS: 'State attempt cap',
  MAX_ATTEMPTS: 'Attempts used up',
  RECYCLE_DELAY: 'Recycle delay',
  FINAL: 'Final status',
  LIST_INACTIVE: 'List inactive',
  CAMPAIGN_INACTIVE: 'Campaign inactive',
  CALLBACK_PENDING: 'Callback pending',
  IN_HOPPER: 'In the hopper',
};

/**
 * "Why is this lead not being dialed?" for the lead screen (supervisor, admin): every rule
 * holding the lead back now, its candidate zones with their local time (the deciding zone
 * marked), the states whose rules apply, attempts and the hopper (docs/dialer.md).
 */
export function WhyNotDialedPanel(props: {
  api: Pick<ReportsApi, 'whyNotDialed'>;
  leadId: string;
}) {
  const [tick, setTick] = useState(0);
  const load = useCallback(
    (leadId: string, signal: AbortSignal) => props.api.whyNotDialed(leadId, signal),
    [props.api],
  );
  // A refresh keeps the last answer on screen until the next one arrives.
  const { data, error } = useLeadData(props.leadId, load, { keepWhileLoading: true, tick });

  return (
    <section className="why-not-dialed" aria-label="Why is this lead not being dialed?">
      <h2>
        Why not dialed?{' '}
        <button type="button" onClick={() => setTick((t) => t + 1)}>
          Refresh
        </button>
      </h2>
      {error && <p role="alert">{error}</p>}
      {data && <WhyNotDialedView data={data} />}
    </section>
  );
}

/** The answer, rendered (pure: the panel fetches, this draws). */
export function WhyNotDialedView({ data }: { data: WhyNotDialedResponse }) {
  return (
    <>
      <p className="wnd-summary">
        {data.dialable
          ? 'Nothing holds this lead back: the dialer may call it when the hopper takes it.'
          : `${data.reasons.filter((r) => r.code !== 'IN_HOPPER').length} rule(s) hold this lead back (as of ${formatInstant(data.atMs)} UTC).`}
      </p>
      {data.reasons.length > 0 && (
        <ul className="wnd-reasons" aria-label="Rules">
          {data.reasons.map((r, i) => (
            <li key={i} data-code={r.code}>
              <strong>{TITLES[r.code] ?? r.code}</strong>: {r.message}
              {r.untilMs !== null && <> (until {formatInstant(r.untilMs)} UTC)</>}
            </li>
          ))}
        </ul>
      )}
      <table className="wnd-zones" aria-label="Time zones">
        <thead>
          <tr>
            <th>Zone</th>
            <th>Local time</th>
            <th>In window {data.timeZone.window ?? ''}</th>
            <th>From</th>
          </tr>
        </thead>
        <tbody>
          {data.timeZone.candidates.map((z) => (
            <tr
              key={z.zone}
              aria-current={z.zone === data.timeZone.decidingZone ? 'true' : undefined}
            >
              <td>
                {z.zone}
                {z.zone === data.timeZone.decidingZone && ' (decides)'}
              </td>
              <td>{z.localTime ?? '?'}</td>
              <td>{z.inside ? 'yes' : 'no'}</td>
              <td>{z.sources.join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {data.states.length > 0 && (
        <ul className="wnd-states" aria-label="State rules">
          {data.states.map((s) => (
            <li key={s.state}>
              {s.state} ({s.sources.join(', ')}):{' '}
              {s.rule
                ? `today ${s.rule.window}${s.rule.maxAttemptsPer24h ? `, at most ${s.rule.maxAttemptsPer24h} calls per 24 h` : ''} (${s.rule.statute})`
                : 'no state rule beyond the federal hours'}
            </li>
          ))}
        </ul>
      )}
      <p className="wnd-attempts">
        Attempts {data.attempts.made}
        {data.attempts.max !== null ? ` of ${data.attempts.max}` : ''}; dialed{' '}
        {data.attempts.last24h} time(s) in the last 24 h
        {data.dnc.length > 0 ? `; DNC: ${data.dnc.join('; ')}` : ''}
        {data.hopper.position !== null
          ? `; hopper position ${data.hopper.position} of ${data.hopper.size}`
          : ''}
        .
      </p>
    </>
  );
}
