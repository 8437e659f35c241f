import { useEffect, useId, useState } from 'react';
import type { ApiClient, Lead } from '../../core/api.js';
import { guard } from '../../core/panel/index.js';
import { localTime } from '../../core/timezone.js';
import type { PanelController } from '../../app/usePanel.js';
import type { Focusers } from './controls.js';
import { ActionButton, EnterInput } from './controls.js';

const DIALING = 'Dialing…';

/**
 * Manual dial, preview dialing and lead search. The server checks DNC and the calling window on
 * every dial and refuses with a message, which is shown as it is. During a call (when none of it
 * can be used) it folds into one button, `collapsed`, which `onExpand` opens.
 */
export function DialPanel(props: {
  api: ApiClient;
  panel: PanelController;
  focus: Focusers;
  collapsed: boolean;
  onExpand(open: boolean): void;
  /** Whether the agent can fold it (during a call). */
  foldable: boolean;
}) {
  const { api, panel, focus, collapsed, onExpand, foldable } = props;
  const bodyId = useId();
  const { state, act, dispatch } = panel;
  const [number, setNumber] = useState('');
  const [preview, setPreview] = useState<Lead | null>(null);
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Lead[] | null>(null);

  // "Dialing…" is over once the call is on screen: it would otherwise sit above the call.
  const callId = state.call?.callId ?? null;
  const dialingShown = state.notice?.text === DIALING;
  useEffect(() => {
    if (callId && dialingShown) dispatch({ type: 'dismiss_notice' });
  }, [callId, dialingShown, dispatch]);

  const dial = (target: { leadId: string } | { phone: string }) =>
    void act('dial', async () => {
      await api.dial(target);
      setPreview(null);
      dispatch({ type: 'notice', kind: 'info', text: DIALING });
    });

  const dialNumber = () => {
    const n = number.replace(/[\s()-]/g, '');
    if (!/^\+[1-9]\d{6,14}$/.test(n)) {
      dispatch({
        type: 'notice',
        kind: 'refusal',
        text: 'Enter the number in international form, such as +14155550123.',
      });
      return;
    }
    dial({ phone: n });
  };

  const loadPreview = () =>
    void act('preview', async () => {
      const r = await api.preview();
      setPreview(r.lead);
      if (!r.lead) dispatch({ type: 'notice', kind: 'info', text: 'No lead to preview now.' });
    });

  const search = async () => {
    if (query.trim().length < 2) return;
    try {
      setResults((await api.searchLeads(query)).leads);
    } catch (err) {
      setResults([]);
      dispatch({
        type: 'notice',
        kind: 'refusal',
        text: err instanceof Error ? err.message : String(err),
      });
    }
  };

  const dialRefusal = guard(state, 'dial');
  const toggle = foldable && (
    <button
      type="button"
      className="fold"
      aria-expanded={!collapsed}
      aria-controls={bodyId}
      onClick={() => onExpand(collapsed)}
    >
      {collapsed ? 'Show manual dial and search' : 'Hide manual dial and search'}
    </button>
  );
  if (collapsed) {
    return (
      <div className="card dial-panel folded" id={bodyId}>
        {toggle}
      </div>
    );
  }
  return (
    <div className="dial-panel" id={bodyId}>
      {toggle}
      <section aria-label="Manual dial" className="card">
        <h2>Manual dial</h2>
        <div className="row">
          <EnterInput
            label="Number"
            inputRef={focus.dial}
            value={number}
            placeholder="+14155550123"
            onChange={setNumber}
            onEnter={dialNumber}
          />
          <ActionButton refusal={dialRefusal} onClick={dialNumber} shortcut="Alt+D">
            Dial
          </ActionButton>
        </div>
        <div className="row">
          <ActionButton refusal={guard(state, 'preview')} onClick={loadPreview}>
            Preview next lead
          </ActionButton>
        </div>
        {preview && (
          <div aria-label="Preview">
            <p>
              {[preview.firstName, preview.lastName].filter(Boolean).join(' ') || 'Unknown name'} ·{' '}
              {preview.phone} ·{' '}
              {preview.timeZone
                ? `${localTime(preview.timeZone, Date.now()) ?? '?'} local time (${preview.timeZone})`
                : 'time zone unknown'}
            </p>
            <div className="row">
              <ActionButton refusal={dialRefusal} onClick={() => dial({ leadId: preview.id })}>
                Dial this lead
              </ActionButton>
              <button type="button" onClick={() => setPreview(null)}>
                Skip
              </button>
            </div>
          </div>
        )}
      </section>
      <section aria-label="Lead search" className="card">
        <h2>Lead search</h2>
        <form
          className="row"
          role="search"
          onSubmit={(e) => {
            e.preventDefault();
            void search();
          }}
        >
          <label>
            Name or +number
            <input ref={focus.search} value={query} onChange={(e) => setQuery(e.target.value)} />
          </label>
          <button type="submit">Search</button>
        </form>
        {results && (
          <ul aria-label="Search results">
            {results.length === 0 && <li>No lead found.</li>}
            {results.map((l) => (
              <li key={l.id}>
                {[l.firstName, l.lastName].filter(Boolean).join(' ') || 'Unknown'} · {l.phone} ·{' '}
                {l.status ?? ''}{' '}
                <ActionButton refusal={dialRefusal} onClick={() => dial({ leadId: l.id })}>
                  Dial
                </ActionButton>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
