import { useEffect, useState, type FormEvent, type KeyboardEvent } from 'react';
import type { ApiClient, Disposition } from '../../core/api.js';
import { refusalMessage } from '../../core/api.js';
import { zonedToEpochMs } from '../../core/timezone.js';
import type { PanelController } from '../../app/usePanel.js';
import {
  CallbackPicker,
  callbackRefusal,
  firstCallable,
  type CallableHours,
} from './CallbackPicker.js';

/** Where the agent goes once the disposition is saved. */
const AFTER = [
  ['ready', 'Then go ready'],
  ['pause', 'Then pause'],
] as const;

/** Legal calling hours, used until the campaign's own window is known. */
const LEGAL_HOURS: CallableHours = { start: '08:00', end: '21:00' };

/** Fields where a digit is typed, not a disposition picked. */
function typesDigits(t: EventTarget | null): boolean {
  if (t instanceof HTMLTextAreaElement || t instanceof HTMLSelectElement) return true;
  if (!(t instanceof HTMLInputElement)) return false;
  return !['radio', 'checkbox', 'button', 'submit'].includes(t.type);
}

/**
 * The disposition the agent owes for the call that ended. Number keys 1-9 pick the disposition
 * shown with that number (the campaign's most used first, as the server orders them). It must be submitted before the agent
 * can be offered another call. A DNC disposition adds the number to the DNC list (server side);
 * a callback one schedules the lead again at a time in the lead's time zone (inside its callable
 * hours: the campaign's calling window), for this agent only or for anyone on the campaign.
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
  const [hours, setHours] = useState<CallableHours>(LEGAL_HOURS);
  const [when, setWhen] = useState(() => firstCallable(Date.now() + 3600_000, zone, LEGAL_HOURS));
  const [agentOnly, setAgentOnly] = useState(true);
  const [busy, setBusy] = useState(false);
  const callId = state.dispositionDue;
  const chosen = dispositions.find((d) => d.code === code) ?? null;
  const campaignId = state.agent?.campaignId ?? null;

  // The lead's callable hours are the campaign's calling window, in the lead's zone.
  useEffect(() => {
    if (!campaignId) return;
    let live = true;
    api
      .campaign(campaignId)
      .then((c) => {
        if (!live) return;
        const h = { start: c.windowStart, end: c.windowEnd };
        setHours(h);
        setWhen((w) =>
          callbackRefusal(w, zone, h, Date.now())
            ? firstCallable(Date.now() + 3600_000, zone, h)
            : w,
        );
      })
      .catch(() => undefined); // the legal hours stay in use
    return () => {
      live = false;
    };
  }, [api, campaignId, zone]);

  /** 1-9 pick the disposition shown with that number, unless the key is typed into a field. */
  const onKeyDown = (e: KeyboardEvent<HTMLFormElement>) => {
    if (e.altKey || e.ctrlKey || e.metaKey || !/^[1-9]$/.test(e.key)) return;
    if (typesDigits(e.target)) return;
    const d = dispositions[Number(e.key) - 1];
    if (!d) return;
    e.preventDefault();
    setCode(d.code);
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!callId || busy) return;
    if (!chosen) {
      dispatch({ type: 'notice', kind: 'refusal', text: 'Choose a disposition.' });
      return;
    }
    let callbackAtMs: number | undefined;
    if (chosen.callback) {
      const problem = callbackRefusal(when, zone, hours, Date.now());
      const at = zonedToEpochMs(when, zone);
      if (problem || at === null) {
        dispatch({ type: 'notice', kind: 'refusal', text: problem ?? 'Choose a callback time.' });
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
    <form
      className="card"
      aria-label="Disposition"
      onSubmit={(e) => void submit(e)}
      onKeyDown={onKeyDown}
    >
      <h2 tabIndex={-1} ref={headingRef}>
        Disposition (required)
      </h2>
      <fieldset>
        <legend>Outcome of the call (keys 1-{Math.min(9, dispositions.length)})</legend>
        {dispositions.map((d, i) => (
          <label key={d.code} className="disposition-choice" style={{ display: 'flex', gap: 6 }}>
            <input
              type="radio"
              name="disposition"
              value={d.code}
              checked={code === d.code}
              onChange={() => setCode(d.code)}
              aria-keyshortcuts={i < 9 ? String(i + 1) : undefined}
            />
            {i < 9 && <kbd aria-hidden="true">{i + 1}</kbd>}
            {d.name} ({d.code}){d.dnc ? ' · adds to DNC' : ''}
            {d.callback ? ' · schedules a callback' : ''}
          </label>
        ))}
      </fieldset>
      {chosen?.dnc && (
        <p className="tone-problem">This number will be added to the do-not-call list.</p>
      )}
      {chosen?.callback && (
        <CallbackPicker
          zone={zone}
          hours={hours}
          value={when}
          onChange={setWhen}
          agentOnly={agentOnly}
          onAgentOnly={setAgentOnly}
        />
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
