import { useEffect, useState, type FormEvent } from 'react';
import { WALL_STATES, WallThresholds, type WallState } from '@ringside/protocol';
import { refusalMessage } from '../../core/api.js';
import { SupervisorApi } from './api.js';
import { THRESHOLDS_CSS } from './styles.js';

type Draft = { states: Record<WallState, { warnS: string; alertS: string }>; dropWarnPct: string };

const STATE_LABEL: Record<WallState, string> = {
  READY: 'Ready',
  RESERVED: 'Reserved',
  INCALL: 'On call',
  DEAD: 'Dead air',
  WRAPUP: 'Wrap-up',
  PAUSED: 'Paused',
};

function toDraft(t: WallThresholds): Draft {
  const states = {} as Draft['states'];
  for (const s of WALL_STATES)
    states[s] = { warnS: String(t.states[s].warnS), alertS: String(t.states[s].alertS) };
  return { states, dropWarnPct: String(t.dropWarnPct) };
}

const num = (v: string) => (v.trim() ? Number(v) : NaN);

function fromDraft(d: Draft): unknown {
  const states: Record<string, unknown> = {};
  for (const s of WALL_STATES)
    states[s] = { warnS: num(d.states[s].warnS), alertS: num(d.states[s].alertS) };
  return { states, dropWarnPct: num(d.dropWarnPct) };
}

/**
 * A campaign's wall thresholds (time in state per state, drop-rate warning), loaded from and
 * saved to /api/supervisor/campaigns/:id/thresholds: on the admin campaign form and on the wall.
 * Checked with the server's schema first, so a mistake is named next to its field.
 */
export function ThresholdsEditor(props: {
  campaignId: string;
  campaignName: string;
  onSaved?(t: WallThresholds): void;
}) {
  const [api] = useState(() => new SupervisorApi());
  const [draft, setDraft] = useState<Draft | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [status, setStatus] = useState('');
  useEffect(() => {
    let live = true;
    api
      .thresholds(props.campaignId)
      .then((t) => live && setDraft(toDraft(t)))
      .catch((err: unknown) => live && setStatus(refusalMessage(err)));
    return () => {
      live = false;
    };
  }, [api, props.campaignId]);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!draft) return;
    const parsed = WallThresholds.safeParse(fromDraft(draft));
    if (!parsed.success) {
      setErrors(Object.fromEntries(parsed.error.issues.map((i) => [i.path.join('.'), i.message])));
      setStatus('Not saved: see the fields marked.');
      return;
    }
    setErrors({});
    setStatus('Saving…');
    api
      .setThresholds(props.campaignId, parsed.data)
      .then((t) => {
        setStatus('Thresholds saved.');
        props.onSaved?.(t);
      })
      .catch((err: unknown) => setStatus(`Not saved: ${refusalMessage(err)}`));
  };

  const id = (k: string) => `th-${props.campaignId}-${k.replace('.', '-')}`;
  const field = (key: string, label: string, value: string, set: (v: string) => void) => (
    <span className="sv-th-field">
      <label htmlFor={id(key)}>{label}</label>
      <input
        id={id(key)}
        inputMode="decimal"
        value={value}
        aria-invalid={errors[key] ? true : undefined}
        aria-describedby={errors[key] ? `${id(key)}-err` : undefined}
        onChange={(e) => set(e.target.value)}
      />
      {errors[key] && (
        <span id={`${id(key)}-err`} className="sv-th-error">
          {errors[key]}
        </span>
      )}
    </span>
  );

  return (
    <form
      className="sv-thresholds"
      aria-label={`Wall thresholds of ${props.campaignName}`}
      noValidate
      onSubmit={submit}
    >
      <style>{THRESHOLDS_CSS}</style>
      {!draft ? (
        <p>{status || 'Loading…'}</p>
      ) : (
        <>
          <table className="sv-th-table">
            <caption>
              Time in state before a row turns amber (warn) and red (alert), seconds
            </caption>
            <thead>
              <tr>
                <th scope="col">State</th>
                <th scope="col">Warn after (s)</th>
                <th scope="col">Alert after (s)</th>
              </tr>
            </thead>
            <tbody>
              {WALL_STATES.map((s) => (
                <tr key={s}>
                  <th scope="row">{STATE_LABEL[s]}</th>
                  {(['warnS', 'alertS'] as const).map((k) => (
                    <td key={k}>
                      {field(
                        `states.${s}.${k}`,
                        `${STATE_LABEL[s]}: ${k === 'warnS' ? 'warn' : 'alert'} after (s)`,
                        draft.states[s][k],
                        (v) =>
                          setDraft({
                            ...draft,
                            states: { ...draft.states, [s]: { ...draft.states[s], [k]: v } },
                          }),
                      )}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {field(
            'dropWarnPct',
            'Drop rate warning from (%, red at the cap)',
            draft.dropWarnPct,
            (v) => setDraft({ ...draft, dropWarnPct: v }),
          )}
          <button type="submit">Save thresholds</button>
          <span role="status" className="sv-th-status">
            {status}
          </span>
        </>
      )}
    </form>
  );
}
