import { useCallback, useEffect, useMemo, useState, type FormEvent } from 'react';
import {
  type AmdReviewList,
  type CriterionKind,
  type Me,
  type QualityScores,
  type Scorecard,
} from '@ringside/protocol';
import { ApiError, refusalMessage } from '../../core/api.js';
import { RecordingsApi } from '../recordings/api.js';
import { scorecardBody, type Row } from './scorecard-form.js';
import { RECORDINGS_CSS } from '../recordings/styles.js';
import { WaveformPlayer } from '../recordings/WaveformPlayer.js';

/**
 * Reports, Quality (`#/reports/quality`): a campaign's review scores per agent and criterion, its
 * scorecard (admins edit it: criteria with weights adding up to 100, yes/no or 1-5), and the AMD
 * review list (MACHINE verdicts kept for a person to confirm; the marks feed the AMD estimate).
 */
export function QualityView(props: {
  me: Me;
  campaigns: ReadonlyArray<{ id: string; name: string }>;
}) {
  const api = useMemo(() => new RecordingsApi(), []);
  const [campaignId, setCampaignId] = useState('');
  const chosen = campaignId || props.campaigns[0]?.id || '';
  return (
    <div className="rec">
      <style>{RECORDINGS_CSS}</style>
      <form className="rp-filters" aria-label="Campaign" onSubmit={(e) => e.preventDefault()}>
        <label>
          Campaign
          <select value={chosen} onChange={(e) => setCampaignId(e.target.value)}>
            {props.campaigns.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </select>
        </label>
      </form>
      {chosen && (
        <>
          <ScoresSection api={api} campaignId={chosen} />
          <ScorecardEditor api={api} campaignId={chosen} editable={props.me.role === 'admin'} />
          <AmdReviewSection api={api} campaignId={chosen} />
        </>
      )}
    </div>
  );
}

function ScoresSection(props: { api: RecordingsApi; campaignId: string }) {
  const [data, setData] = useState<QualityScores | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const ctl = new AbortController();
    props.api
      .scores(new URLSearchParams({ campaignId: props.campaignId }), ctl.signal)
      .then(setData)
      .catch((err: unknown) => !ctl.signal.aborted && setError(refusalMessage(err)));
    return () => ctl.abort();
  }, [props.api, props.campaignId]);
  return (
    <section aria-labelledby="q-scores">
      <h3 id="q-scores">Review scores</h3>
      {error && <p className="rec-error">{error}</p>}
      {data && data.agents.length === 0 && <p>No reviews in this campaign yet.</p>}
      {data && data.agents.length > 0 && (
        <>
          <table className="rp-table" aria-label="Scores per agent">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Reviews</th>
                <th scope="col">Mean score</th>
              </tr>
            </thead>
            <tbody>
              {data.agents.map((a) => (
                <tr key={a.agentId}>
                  <th scope="row">{a.agentName}</th>
                  <td>{a.reviews}</td>
                  <td>{a.avgPct} %</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="rp-table" aria-label="Scores per criterion">
            <thead>
              <tr>
                <th scope="col">Criterion</th>
                <th scope="col">Kind</th>
                <th scope="col">Reviews</th>
                <th scope="col">Mean</th>
              </tr>
            </thead>
            <tbody>
              {data.criteria.map((c) => (
                <tr key={`${c.label}/${c.kind}`}>
                  <th scope="row">{c.label}</th>
                  <td>{c.kind === 'yes_no' ? 'yes/no' : '1-5'}</td>
                  <td>{c.reviews}</td>
                  <td>{c.avgPct} %</td>
                </tr>
              ))}
            </tbody>
          </table>
          <table className="rp-table" aria-label="Scores per agent and criterion">
            <thead>
              <tr>
                <th scope="col">Agent</th>
                <th scope="col">Criterion</th>
                <th scope="col">Reviews</th>
                <th scope="col">Mean</th>
              </tr>
            </thead>
            <tbody>
              {data.agentCriteria.map((c) => (
                <tr key={`${c.agentId}/${c.label}/${c.kind}`}>
                  <th scope="row">
                    {data.agents.find((a) => a.agentId === c.agentId)?.agentName ?? c.agentId}
                  </th>
                  <td>{c.label}</td>
                  <td>{c.reviews}</td>
                  <td>{c.avgPct} %</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

function ScorecardEditor(props: { api: RecordingsApi; campaignId: string; editable: boolean }) {
  const [card, setCard] = useState<Scorecard | null>(null);
  const [rows, setRows] = useState<Row[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState<string | null>(null);
  const load = useCallback(
    (signal?: AbortSignal) =>
      props.api
        .scorecard(props.campaignId, signal)
        .then((c) => {
          setCard(c);
          setRows(
            c.criteria.map((x) => ({ label: x.label, weight: String(x.weight), kind: x.kind })),
          );
        })
        .catch((err: unknown) => !signal?.aborted && setErrors({ form: refusalMessage(err) })),
    [props.api, props.campaignId],
  );
  useEffect(() => {
    const ctl = new AbortController();
    setStatus(null);
    setErrors({});
    void load(ctl.signal);
    return () => ctl.abort();
  }, [load]);
  if (!card) return null;
  const total = rows.reduce((a, r) => a + (Number(r.weight) || 0), 0);
  const set = (i: number, patch: Partial<Row>) =>
    setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setStatus(null);
    const built = scorecardBody(rows);
    if (!built.ok) {
      setErrors(built.errors);
      return;
    }
    try {
      const saved = await props.api.saveScorecard(props.campaignId, built.body.criteria);
      setErrors({});
      setCard(saved);
      setStatus(`Scorecard saved as version ${saved.version}.`);
    } catch (err) {
      const e2: Record<string, string> = { form: refusalMessage(err) };
      if (err instanceof ApiError) for (const i of err.issues) e2[i.path] ??= i.message;
      setErrors(e2);
    }
  };
  const err = (path: string) =>
    errors[path] ? (
      <span className="rp-error" role="alert">
        {errors[path]}
      </span>
    ) : null;
  return (
    <section aria-labelledby="q-card">
      <h3 id="q-card">Scorecard {card.version > 0 ? `(version ${card.version})` : '(none yet)'}</h3>
      {!props.editable ? (
        card.criteria.length === 0 ? (
          <p>An admin sets up this campaign's scorecard.</p>
        ) : (
          <ul>
            {card.criteria.map((c) => (
              <li key={c.id}>
                {c.label}: weight {c.weight}, {c.kind === 'yes_no' ? 'yes/no' : '1-5'}
              </li>
            ))}
          </ul>
        )
      ) : (
        <form onSubmit={(e) => void submit(e)} aria-label="Edit the scorecard">
          <table className="rp-table">
            <thead>
              <tr>
                <th scope="col">Criterion</th>
                <th scope="col">Weight</th>
                <th scope="col">Kind</th>
                <th scope="col">
                  <span className="sr-only">Remove</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i}>
                  <td>
                    <input
                      aria-label={`Criterion ${i + 1} label`}
                      value={r.label}
                      maxLength={120}
                      onChange={(e) => set(i, { label: e.target.value })}
                    />
                    {err(`criteria.${i}.label`)}
                  </td>
                  <td>
                    <input
                      aria-label={`Criterion ${i + 1} weight`}
                      inputMode="numeric"
                      value={r.weight}
                      size={4}
                      onChange={(e) => set(i, { weight: e.target.value })}
                    />
                    {err(`criteria.${i}.weight`)}
                  </td>
                  <td>
                    <select
                      aria-label={`Criterion ${i + 1} kind`}
                      value={r.kind}
                      onChange={(e) => set(i, { kind: e.target.value as CriterionKind })}
                    >
                      <option value="yes_no">yes/no</option>
                      <option value="scale_5">1-5</option>
                    </select>
                    {err(`criteria.${i}.kind`)}
                  </td>
                  <td>
                    <button type="button" onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                      Remove criterion {i + 1}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <p>
            Weights add up to {total} (they must add up to 100). {err('criteria')}
          </p>
          <p>
            <button
              type="button"
              onClick={() => setRows([...rows, { label: '', weight: '', kind: 'yes_no' }])}
            >
              Add criterion
            </button>{' '}
            <button type="submit">Save scorecard</button> <span role="status">{status}</span>
          </p>
          {errors.form && (
            <p className="rec-error" role="alert">
              {errors.form}
            </p>
          )}
        </form>
      )}
    </section>
  );
}

function AmdReviewSection(props: { api: RecordingsApi; campaignId: string }) {
  const [status, setStatus] = useState<'open' | 'marked'>('open');
  const [data, setData] = useState<AmdReviewList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const load = useCallback(
    (signal?: AbortSignal) =>
      props.api
        .amdReviews(new URLSearchParams({ campaignId: props.campaignId, status }), signal)
        .then(setData)
        .catch((err: unknown) => !signal?.aborted && setError(refusalMessage(err))),
    [props.api, props.campaignId, status],
  );
  useEffect(() => {
    const ctl = new AbortController();
    void load(ctl.signal);
    return () => ctl.abort();
  }, [load]);
  const mark = async (id: string, m: 'person' | 'machine') => {
    try {
      const r = await props.api.markAmd(id, m);
      setNote(`Recording ${id} marked ${m === 'person' ? 'a person' : 'a machine'} (${r.result}).`);
      await load();
    } catch (err) {
      setError(refusalMessage(err));
    }
  };
  return (
    <section aria-labelledby="q-amd">
      <h3 id="q-amd">AMD review</h3>
      <p>
        Calls the answering-machine detection judged a machine, kept for a person to confirm. Each
        mark counts in the campaign&apos;s AMD error estimate.
      </p>
      <label>
        Show{' '}
        <select value={status} onChange={(e) => setStatus(e.target.value as 'open' | 'marked')}>
          <option value="open">to review</option>
          <option value="marked">reviewed</option>
        </select>
      </label>
      <p role="status">{note}</p>
      {error && (
        <p className="rec-error" role="alert">
          {error}
        </p>
      )}
      {data && data.items.length === 0 && <p>Nothing to show.</p>}
      {data && data.items.length > 0 && (
        <ul className="rec-list" aria-label="AMD review list">
          {data.items.map((it) => (
            <li key={it.recording.id}>
              <div className="rec-head">
                <span>call {it.recording.callId}</span>
                <span>
                  {it.mark
                    ? `marked ${it.mark === 'person' ? 'a person' : 'a machine'}`
                    : 'not reviewed'}
                </span>
              </div>
              <WaveformPlayer api={props.api} rec={it.recording} />
              <button type="button" onClick={() => void mark(it.recording.id, 'person')}>
                A person
              </button>{' '}
              <button type="button" onClick={() => void mark(it.recording.id, 'machine')}>
                A machine
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
