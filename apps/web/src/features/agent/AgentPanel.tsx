import { MyTwoFactor } from '../../app/MyTwoFactor.js';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Campaign, Me } from '@ringside/protocol';
import {
  refusalMessage,
  type ApiClient,
  type Disposition,
  type PauseCode,
} from '../../core/api.js';
import {
  describeMonitor,
  describeState,
  lineLost,
  guard,
  stateOf,
  wrapupRemainingMs,
  type PanelAction,
} from '../../core/panel/index.js';
import { matchShortcut, SHORTCUTS, type ShortcutAction } from '../../core/shortcuts.js';
import { usePanel } from '../../app/usePanel.js';
import { LOGIN_MARK, usePhone } from '../../app/usePhone.js';
import { CallPanel } from './CallPanel.js';
import { DialPanel } from './DialPanel.js';
import { ActionButton, type Focusers } from './controls.js';
import { DispositionForm } from './DispositionForm.js';

function useNow(active: boolean, everyMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(t);
  }, [active, everyMs]);
  return now;
}

function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

/** The supervisor banner: amber like a warning, readable at a glance during a call. */
const MONITOR_BANNER_STYLE = {
  background: '#fff4d6',
  border: '1px solid #c98a00',
  borderRadius: 4,
  color: '#4a3200',
  fontWeight: 600,
  margin: '8px 16px',
  padding: '8px 12px',
} as const;

export function AgentPanel({
  api,
  me,
  onSignedOut,
}: {
  api: ApiClient;
  me: Me;
  onSignedOut(): void;
}) {
  const panel = usePanel(api);
  const { state, act, applySession, dispatch } = panel;
  const st = stateOf(state);
  const loggedIn = st !== 'LOGGED_OUT';
  const audio = useRef<HTMLAudioElement | null>(null);
  const phone = usePhone(api, me, loggedIn, audio, lineLost(state));

  const [campaigns, setCampaigns] = useState<Campaign[]>([]);
  const [picked, setPicked] = useState('');
  const [dispositions, setDispositions] = useState<Disposition[]>([]);
  const [pauseCodes, setPauseCodes] = useState<PauseCode[]>([]);
  const [pauseCode, setPauseCode] = useState('');
  const [showHelp, setShowHelp] = useState(false);
  const campaignId = state.agent?.campaignId ?? null;
  const campaign = useMemo(
    () => campaigns.find((c) => c.id === campaignId) ?? null,
    [campaigns, campaignId],
  );

  const focus: Focusers = {
    pause: useRef<HTMLSelectElement | null>(null),
    transfer: useRef<HTMLInputElement | null>(null),
    dtmf: useRef<HTMLInputElement | null>(null),
    dial: useRef<HTMLInputElement | null>(null),
    search: useRef<HTMLInputElement | null>(null),
    dispose: useRef<HTMLHeadingElement | null>(null),
  };

  useEffect(() => {
    api
      .campaigns()
      .then((r) => {
        setCampaigns(r.campaigns);
        const first = r.campaigns.find((c) => c.active) ?? r.campaigns[0];
        setPicked((p) => p || (first?.id ?? ''));
      })
      .catch(() => dispatch({ type: 'notice', kind: 'error', text: 'Could not load campaigns.' }));
  }, [api, dispatch]);

  // The campaign's settings (script, wrap-up time and action) are read again for every call, so a
  // change by an admin applies from the next call on.
  const currentCallId = state.call?.callId ?? null;
  useEffect(() => {
    if (!campaignId) return;
    api
      .campaign(campaignId)
      .then((c) => setCampaigns((all) => all.map((x) => (x.id === c.id ? c : x))))
      .catch(() => undefined); // the list read at sign-in stays in use
  }, [api, campaignId, currentCallId]);

  // The campaign's dispositions and pause codes (with the system-wide ones).
  useEffect(() => {
    if (!campaignId) return;
    const failed = (what: string) => (err: unknown) =>
      dispatch({
        type: 'notice',
        kind: 'error',
        text: `Could not load ${what}: ${refusalMessage(err)}`,
      });
    api
      .dispositions(campaignId)
      .then((r) => setDispositions(r.dispositions))
      .catch(failed('the dispositions'));
    api
      .pauseCodes(campaignId)
      .then((r) => {
        setPauseCodes(r.pauseCodes);
        setPauseCode((c) => c || (r.pauseCodes[0]?.code ?? ''));
      })
      .catch(failed('the pause codes'));
  }, [api, campaignId, dispatch]);

  const goReady = useCallback(
    () => void act('ready', async () => applySession((await api.ready()).agent)),
    [act, api, applySession],
  );
  const goPause = useCallback(
    () =>
      void act('pause', async () => applySession((await api.pause(pauseCode || 'BREAK')).agent)),
    [act, api, applySession, pauseCode],
  );
  const campaignLogin = async () => {
    if (!picked) return;
    // Start of the leg set-up budget (login click to the agent's line in its bridge: < 1 s).
    performance.mark(LOGIN_MARK);
    try {
      applySession((await api.sessionLogin(picked)).agent);
    } catch (err) {
      dispatch({
        type: 'notice',
        kind: 'refusal',
        text: err instanceof Error ? err.message : String(err),
      });
    }
  };
  const campaignLogout = () =>
    void act('logout', async () => applySession((await api.sessionLogout()).agent));

  const callId = state.call?.callId ?? null;
  const hangup = useCallback(
    () =>
      void act('hangup', async () => {
        if (!callId) return;
        dispatch({ type: 'hangup_requested', callId });
        await api.hangup(callId);
      }),
    [act, api, callId, dispatch],
  );
  const toggleHold = useCallback(
    () =>
      void act('hold', async () => {
        if (!callId) return;
        const on = !state.hold;
        await api.hold(callId, on);
        dispatch({ type: 'hold_set', on });
      }),
    [act, api, callId, dispatch, state.hold],
  );
  const toggleMute = useCallback(
    () =>
      void act('mute', async () => {
        if (!callId) return;
        const on = !state.muted;
        // The softphone mutes the microphone itself; other phones are muted by the server.
        if (!phone.setLocalMute(on)) await api.mute(callId, on);
        dispatch({ type: 'mute_set', on });
      }),
    [act, api, callId, dispatch, state.muted, phone],
  );

  // Wrap-up countdown only: the server applies the campaign's timeout action (its wrap-up
  // sweeper) and its agent.state_changed event moves the panel on.
  const now = useNow(st === 'WRAPUP');
  const wrapLeft = campaign ? wrapupRemainingMs(state, campaign.wrapupS, now) : null;

  useEffect(() => {
    if (state.dispositionDue) focus.dispose.current?.focus();
    // Focus moves once, when the form appears (the ref object itself never changes).
  }, [state.dispositionDue, focus.dispose]);

  // Keyboard shortcuts.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const action: ShortcutAction | null = matchShortcut(e);
      if (!action) return;
      e.preventDefault();
      const refuse = (a: PanelAction) => {
        const r = guard(state, a);
        if (r) dispatch({ type: 'notice', kind: 'refusal', text: r });
        return r !== null;
      };
      switch (action) {
        case 'ready':
          goReady();
          return;
        case 'pause':
          focus.pause.current?.focus();
          return;
        case 'hangup':
          hangup();
          return;
        case 'hold':
          toggleHold();
          return;
        case 'mute':
          toggleMute();
          return;
        case 'transfer':
          if (!refuse('transfer')) focus.transfer.current?.focus();
          return;
        case 'dtmf':
          if (!refuse('dtmf')) focus.dtmf.current?.focus();
          return;
        case 'dial':
          if (!refuse('dial')) focus.dial.current?.focus();
          return;
        case 'search':
          focus.search.current?.focus();
          return;
        case 'dispose':
          if (!refuse('dispose')) focus.dispose.current?.focus();
          return;
        case 'help':
          setShowHelp((v) => !v);
          return;
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  });

  const sinceNow = useNow(loggedIn);
  const inState = state.agent ? fmtDuration(sinceNow - state.agent.sinceMs) : '';
  const connText =
    state.conn === 'live'
      ? 'Connected'
      : state.conn === 'reconnecting'
        ? 'Connection lost: reconnecting…'
        : state.conn === 'unauthorized'
          ? 'Session ended: sign in again'
          : 'Connecting…';

  return (
    <main>
      <header className="bar">
        <h1>Ringside · {me.displayName}</h1>
        <span
          className="state"
          role="status"
          aria-label="Agent state"
          data-agent-state={st}
          data-conn={state.conn}
        >
          {describeState(state)}
        </span>
        {/* Outside the status region: a screen reader announces state changes, not every second. */}
        {inState && <span title="Time in this state">{inState}</span>}
        {wrapLeft !== null && (
          <span role="timer" aria-label="Wrap-up time left">
            Wrap-up {fmtDuration(wrapLeft)}
            {campaign?.wrapupTimeoutAction === 'pause' ? ' then pause' : ' then auto-disposition'}
          </span>
        )}
        <span
          aria-label="Connection"
          data-conn={state.conn}
          className={state.conn === 'live' ? 'tone-ok' : 'tone-problem'}
        >
          {connText}
        </span>
        {state.conn === 'unauthorized' && (
          <button type="button" onClick={onSignedOut}>
            Sign in again
          </button>
        )}
        <span
          aria-label="Phone"
          data-phone={phone.status.kind}
          className={`tone-${phone.view.tone}`}
        >
          {phone.view.text}
        </span>
        {phone.view.action && (
          <button
            type="button"
            onClick={() => phone.view.action && phone.run(phone.view.action.id)}
          >
            {phone.view.action.label}
          </button>
        )}
        <button type="button" onClick={() => setShowHelp((v) => !v)} aria-keyshortcuts="Alt+/">
          Shortcuts
        </button>
        <MyTwoFactor api={api} />
        <button type="button" onClick={onSignedOut}>
          Sign out
        </button>
      </header>

      {/* Always mounted, so screen readers announce the supervisor joining and leaving. */}
      <div
        role="status"
        aria-label="Supervisor on the call"
        className="monitor-banner"
        data-monitor-mode={state.monitor?.mode ?? 'none'}
        style={state.monitor ? MONITOR_BANNER_STYLE : undefined}
      >
        {state.monitor ? describeMonitor(state.monitor) : ''}
      </div>

      {state.notice && (
        <div className={`notice ${state.notice.kind}`} role="alert" key={state.notice.id}>
          <span>{state.notice.text}</span>
          <button type="button" onClick={() => dispatch({ type: 'dismiss_notice' })}>
            Dismiss
          </button>
        </div>
      )}

      {showHelp && (
        <section aria-label="Keyboard shortcuts">
          <h2>Keyboard shortcuts</h2>
          <ul>
            {SHORTCUTS.map((s) => (
              <li key={s.key}>
                <kbd>Alt+{s.key.toUpperCase()}</kbd> {s.label}
              </li>
            ))}
          </ul>
        </section>
      )}

      {!loggedIn ? (
        <section aria-label="Campaign login">
          <h2>Log in to a campaign</h2>
          <div className="row">
            <label>
              Campaign
              <select value={picked} onChange={(e) => setPicked(e.target.value)}>
                {campaigns.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                    {c.active ? '' : ' (inactive)'}
                  </option>
                ))}
              </select>
            </label>
            <button
              className="primary"
              type="button"
              onClick={() => void campaignLogin()}
              disabled={!picked || state.conn !== 'live'}
            >
              Log in to campaign
            </button>
          </div>
        </section>
      ) : (
        <>
          <section aria-label="Session">
            <div className="row">
              <span>Campaign: {campaign?.name ?? campaignId}</span>
              <ActionButton
                className="primary"
                refusal={guard(state, 'ready')}
                onClick={goReady}
                shortcut="Alt+R"
              >
                Ready
              </ActionButton>
              <label>
                Pause code
                <select
                  ref={focus.pause}
                  value={pauseCode}
                  onChange={(e) => setPauseCode(e.target.value)}
                >
                  {pauseCodes.map((p) => (
                    <option key={p.code} value={p.code}>
                      {p.name}
                    </option>
                  ))}
                </select>
              </label>
              <ActionButton refusal={guard(state, 'pause')} onClick={goPause} shortcut="Alt+P">
                Pause
              </ActionButton>
              <ActionButton refusal={guard(state, 'logout')} onClick={campaignLogout}>
                Log out of campaign
              </ActionButton>
            </div>
          </section>
          <div className="grid">
            <div>
              {state.dispositionDue && (
                <DispositionForm
                  api={api}
                  panel={panel}
                  dispositions={dispositions}
                  headingRef={focus.dispose}
                  timeZone={state.lead?.lead?.timeZone ?? null}
                />
              )}
              <CallPanel
                api={api}
                panel={panel}
                me={me}
                campaign={campaign}
                focus={focus}
                onHangup={hangup}
                onHold={toggleHold}
                onMute={toggleMute}
              />
            </div>
            <DialPanel api={api} panel={panel} focus={focus} />
          </div>
        </>
      )}
      <audio ref={audio} autoPlay aria-label="Call audio" />
    </main>
  );
}
