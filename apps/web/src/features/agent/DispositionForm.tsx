import { useState, type FormEvent } from 'react';
import type { ApiClient, Disposition } from '../../core/api.js';
import { refusalMessage } from '../../core/api.js';
import { epochToZoned, zonedToEpochMs } from '../../core/timezone.js';
import type { PanelController } from '../../app/usePanel.js';

/** Where the agent goes once the disposition is saved. */
const AFTER = [
  ['ready', 'Then go ready'],
  ['pause', 'Then pause'],
] as const;

/**
 * The disposition the agent owes for the call that ended. It must be submitted before the agent
 * can be offered another call. A DNC disposition adds the number to the DNC list (server side);
 * a callback one schedules the lead again at a time in the lead's time zone, for this agent only
 * or for anyone on the campaign.
 */
export function DispositionForm(props: {
  api: ApiClient;
  panel: PanelController;
  dispositions: Disposition[];
  headingRef: React.RefObject<HTMLHeadingElement | null>;
  /** The lead's IANA zone; the browser's when the lead has none. */
  timeZone: string | null;
}) {
  const { api, panel, dispositions, headingRef } = props;
  const zone = props.timeZone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
  const { state, act, dispatch, applySession } = panel;
  const [code, setCode] = useState('');
  const [note, setNote] = useState('');
  const [after, setAfter] = useState<'ready' | 'pause'>('ready');
  const [when, setWhen] = useState(() => epochToZoned(Date.now() + 24 * 3600_000, zone));
  const [agentOnly, setAgentOnly] = useState(true);
  const [busy, setBusy] = useState(false);
  const callId = state.dispositionDue;
  const chosen = dispositions.find((d) => d.code === code) ?? null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!callId || busy) return;
    if (!chosen) {
      dispatch({ type: 'notice', kind: 'refusal', text: 'Choose a disposition.' });
      return;
    }
    let callbackAtMs: number | undefined;
    if (chosen.callback) {
      const at = zonedToEpochMs(when, zone);
      if (at === null || at <= Date.now()) {
        dispatch({
          type: 'notice',
          kind: 'refusal',
          text: 'Choose a callback time in the future.',
        });
        return;
      }
      callbackAtMs = at;
    }
    setBusy(true);
    await act('dispose', async () => {
      const r = await api.dispose({
        callId,
        code: chosen.code,
        ...(note.trim() ? { note: note.trim() } : {}),
        ...(callbackAtMs !== undefined ? { callbackAtMs, callbackAgentOnly: agentOnly } : {}),
      });
      dispatch({ type: 'disposed', callId });
      applySession(r.agent);
      const now = r.agent?.state;
      try {
        if (after === 'ready' && now !== 'READY') applySession((await api.ready()).agent);
        if (after === 'pause' && now === 'READY') applySession((await api.pause('BREAK')).agent);
      } catch (err) {
        dispatch({ type: 'notice', kind: 'refusal', text: refusalMessage(err) });
      }
    });
    setBusy(false);
  };

  return (
    <form className="card" aria-label="Disposition" onSubmit={(e) => void submit(e)}>
      <h2 tabIndex={-1} ref={headingRef}>
        Disposition (required)
      </h2>
      <fieldset>
        <legend>Outcome of the call</legend>
        {dispositions.map((d) => (
          <label key={d.code} style={{ display: 'flex' }}>
            <input
              type="radio"
              name="disposition"
              value={d.code}
              checked={code === d.code}
              onChange={() => setCode(d.code)}
            />
            {d.name} ({d.code}){d.dnc ? ' · adds to DNC' : ''}
            {d.callback ? ' · schedules a callback' : ''}
          </label>
        ))}
      </fieldset>
      {chosen?.dnc && (
        <p className="tone-problem">This number will be added to the do-not-call list.</p>
      )}
      {chosen?.callback && (
        <fieldset>
          <legend>Callback</legend>
          <label>
            When (lead&apos;s time, {zone})
            <input
              type="datetime-local"
              value={when}
              onChange={(e) => setWhen(e.target.value)}
              required
            />
          </label>
          <label>
            <input
              type="checkbox"
              checked={agentOnly}
              onChange={(e) => setAgentOnly(e.target.checked)}
            />
            Only me (otherwise any agent of the campaign)
          </label>
        </fieldset>
      )}
      <div className="row">
        <label>
          Note
          <textarea value={note} maxLength={2000} onChange={(e) => setNote(e.target.value)} />
        </label>
      </div>
      <div className="row" role="radiogroup" aria-label="After submitting">
        {AFTER.map(([value, label]) => (
          <label key={value}>
            <input
              type="radio"
              name="after"
              checked={after === value}
              onChange={() => setAfter(value)}
            />
            {label}
          </label>
        ))}
      </div>
      <button className="primary" type="submit" disabled={busy}>
        Submit disposition
      </button>
    </form>
  );
}
