import { useEffect, useId, useState, type FormEvent } from 'react';
import type { RecordingView, ReviewsOfRecording } from '@ringside/protocol';
import { ApiError, refusalMessage } from '../../core/api.js';
import type { RecordingsApi } from '../recordings/api.js';

/**
 * The review beside the player: each criterion of the campaign's scorecard (yes/no, or 1-5),
 * a comment, Save. One review per reviewer and recording: opening it again shows the saved one,
 * and saving replaces it. Other reviewers' scores are listed under it.
 */
export function ReviewPanel(props: { api: RecordingsApi; rec: RecordingView; meId: string }) {
  const { api, rec, meId } = props;
  const uid = useId();
  const [data, setData] = useState<ReviewsOfRecording | null>(null);
  const [values, setValues] = useState<Record<string, number>>({});
  const [comment, setComment] = useState('');
  const [status, setStatus] = useState<string | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const ctl = new AbortController();
    api
      .reviews(rec.id, ctl.signal)
      .then((d) => {
        setData(d);
        const mine = d.reviews.find((r) => r.reviewerId === meId);
        if (mine && mine.scorecardId === d.scorecard.id) {
          setValues(Object.fromEntries(mine.scores.map((s) => [s.criterionId, s.value])));
          setComment(mine.comment);
        }
      })
      .catch((err: unknown) => {
        if (!ctl.signal.aborted) setErrors({ form: refusalMessage(err) });
      });
    return () => ctl.abort();
  }, [api, rec.id, meId]);

  if (!data) return errors.form ? <p className="rec-error">{errors.form}</p> : null;
  const card = data.scorecard;
  if (card.criteria.length === 0)
    return (
      <p className="rec-msg">
        Campaign {rec.campaignId} has no scorecard yet: an admin sets one up under Reports, Quality.
      </p>
    );

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const missing = card.criteria.filter((c) => values[c.id] === undefined);
    if (missing.length) {
      setErrors({ form: `Score every criterion: ${missing.map((c) => c.label).join(', ')}.` });
      return;
    }
    setBusy(true);
    setErrors({});
    setStatus(null);
    try {
      const saved = await api.saveReview(rec.id, {
        scores: card.criteria.map((c) => ({ criterionId: c.id, value: values[c.id] ?? 0 })),
        comment,
      });
      setStatus(`Review saved: ${saved.scorePct} %.`);
      setData({
        ...data,
        reviews: [saved, ...data.reviews.filter((r) => r.reviewerId !== meId)],
      });
    } catch (err) {
      if (err instanceof ApiError && err.issues.length) {
        const byField: Record<string, string> = { form: err.message };
        for (const i of err.issues) {
          const m = /^scores\.(\d+)\./.exec(i.path);
          const c = m ? card.criteria[Number(m[1])] : undefined;
          if (c) byField[c.id] = i.message;
        }
        setErrors(byField);
      } else setErrors({ form: refusalMessage(err) });
    } finally {
      setBusy(false);
    }
  };

  const others = data.reviews.filter((r) => r.reviewerId !== meId);
  return (
    <form
      className="rec-review"
      onSubmit={(e) => void submit(e)}
      aria-label={`Review of recording ${rec.id}`}
    >
      <h3>Review (scorecard v{card.version})</h3>
      {card.criteria.map((c) => {
        const name = `${uid}-${c.id}`;
        const options =
          c.kind === 'yes_no'
            ? [
                { v: 1, label: 'Yes' },
                { v: 0, label: 'No' },
              ]
            : [1, 2, 3, 4, 5].map((v) => ({ v, label: String(v) }));
        return (
          <fieldset
            key={c.id}
            aria-describedby={errors[c.id] ? `${name}-err` : undefined}
            aria-invalid={errors[c.id] ? true : undefined}
          >
            <legend>
              {c.label} <small>(weight {c.weight})</small>
            </legend>
            {options.map((o) => (
              <label key={o.v}>
                <input
                  type="radio"
                  name={name}
                  value={o.v}
                  checked={values[c.id] === o.v}
                  onChange={() => setValues({ ...values, [c.id]: o.v })}
                />{' '}
                {o.label}{' '}
              </label>
            ))}
            {errors[c.id] && (
              <span className="rec-error" id={`${name}-err`}>
                {errors[c.id]}
              </span>
            )}
          </fieldset>
        );
      })}
      <label>
        Comment
        <textarea
          rows={3}
          maxLength={4000}
          value={comment}
          onChange={(e) => setComment(e.target.value)}
        />
      </label>
      <p>
        <button type="submit" disabled={busy}>
          Save review
        </button>{' '}
        <span role="status">{status}</span>
      </p>
      {errors.form && (
        <p className="rec-error" role="alert">
          {errors.form}
        </p>
      )}
      {others.length > 0 && (
        <ul aria-label="Other reviews">
          {others.map((r) => (
            <li key={r.id}>
              {r.reviewerName}: {r.scorePct} %{r.comment ? `, “${r.comment}”` : ''}
            </li>
          ))}
        </ul>
      )}
    </form>
  );
}
