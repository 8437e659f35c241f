import { useEffect, useState } from 'react';
import type { StateRulesResponse } from '@ringside/protocol';
import { refusalMessage } from '../../core/api.js';
import { describeDays } from '../admin/state-rules/StateRulesSection.js';
import type { ReportsApi } from './api.js';

/**
 * The state calling rules in force, under the compliance report: what the dialer applied on top
 * of the federal 08:00-21:00 (docs/dialer.md, "State rules").
 */
export function StateRulesInForce(props: { api: Pick<ReportsApi, 'stateRules'> }) {
  const [data, setData] = useState<StateRulesResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    props.api
      .stateRules(ctl.signal)
      .then(setData)
      .catch((err: unknown) => {
        if (!ctl.signal.aborted) setError(refusalMessage(err));
      });
    return () => ctl.abort();
  }, [props.api]);
  return (
    <section aria-label="State calling rules in force">
      <h3>State calling rules in force</h3>
      {error && <p role="alert">{error}</p>}
      {data && (
        <>
          <p className="hint">{data.note}</p>
          <table>
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Calling hours (local)</th>
                <th scope="col">Calls per number per 24 h</th>
                <th scope="col">Statute</th>
              </tr>
            </thead>
            <tbody>
              {data.rules.map((r) => (
                <tr key={r.state}>
                  <td>{r.state}</td>
                  <td>{describeDays(r.days)}</td>
                  <td>{r.maxAttemptsPer24h ?? 'no cap'}</td>
                  <td>{r.statute}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}
