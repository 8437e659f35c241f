import { MyTwoFactor } from '../../app/MyTwoFactor.js';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import type { Campaign, Me } from '@ringside/protocol';
import {
  refusalMessage,
  type ApiClient,
  type Disposition,
  type PauseCode,
} from '../../core/api.js';
import {
  describeBanner,
  describeEnd,
  describeMonitor,
  deskTitle,
  lineLost,
  guard,
  stateOf,
  type PanelAction,
} from '../../core/panel/index.js';
import {
  LOCAL_SHORTCUTS,
  matchShortcut,
  SHORTCUTS,
  type ShortcutAction,
} from '../../core/shortcuts.js';
import { usePanel } from '../../app/usePanel.js';
import { LOGIN_MARK, usePhone } from '../../app/usePhone.js';
import { CallControls, CallPanel } from './CallPanel.js';
import { DialPanel } from './DialPanel.js';
import type { Focusers } from './controls.js';
import { DispositionForm } from './DispositionForm.js';
import { WrapUp } from './WrapUp.js';
import { MyDay } from './MyDay.js';
import { AgentMessages } from './MessagesPanel.js';
import { focusAfter, type FocusTarget, type FocusView } from './desk/focus.js';
import { SessionActions } from './desk/SessionActions.js';
import { StateBanner } from './desk/StateBanner.js';
import { RecordingControls } from './recording/RecordingControls.js';

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
  const phone = usePhone(api, me, loggedIn, audio, lineLost(state), state.rehomed);

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
    campaign: useRef<HTMLSelectElement | null>(null),
    ready: useRef<HTMLButtonElement | null>(null),
    hangup: useRef<HTMLButtonElement | null>(null),
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
    (code?: string) =>
      void act('pause', async () =>
        applySession((await api.pause(code || pauseCode || 'BREAK')).agent),
      ),
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

  // During a call, manual dial and search fold into one button; a new call folds them again.
  const onCall = state.call !== null;
  const [dialOpen, setDialOpen] = useState(false);
  useEffect(() => setDialOpen(false), [callId]);

  // After every state change the focus goes to the next control that makes sense (sign-in and
  // campaign logout: the campaign picker; campaign login: Ready; the disposition form when it
  // appears; after it: Ready), and never stays on <body> when the control that had it goes.
  const dispositionDue = state.dispositionDue !== null;
  const shown = useRef<FocusView | null>(null);
  useEffect(() => {
    const prev = shown.current;
    if (prev && prev.state === st && prev.dispositionDue === dispositionDue) return;
    const next: FocusView = { state: st, dispositionDue };
    shown.current = next;
    const active = document.activeElement;
    const target = focusAfter(prev, next, !active || active === document.body);
    if (!target) return;
    const refs: Record<FocusTarget, { current: HTMLElement | null }> = {
      campaign: focus.campaign,
      ready: focus.ready,
      pause: focus.pause,
      dispose: focus.dispose,
      hangup: focus.hangup,
    };
    (refs[target].current ?? focus.ready.current ?? focus.campaign.current)?.focus();
    // The refs never change; only the state moves the focus.
  }, [st, dispositionDue]);

  // The tab's title says the screen and the agent's state.
  const title = loggedIn ? deskTitle(state) : 'Log in to a campaign — Ringside agent';
  useEffect(() => {
    document.title = title;
  }, [title]);

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
          // Folded during a call: open it first, then focus the field.
          if (!focus.search.current) flushSync(() => setDialOpen(true));
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
    // Capture phase: a list that handles its own keys (the transfer picker, an open select)
    // does not swallow the shortcuts.
    window.addEventListener('keydown', onKey, true);
    return () => window.removeEventListener('keydown', onKey, true);
  });

  const end = describeEnd(state);
  const connText =
    state.conn === 'live'
      ? 'Connected'
      : state.conn === 'reconnecting'
        ? 'Connection lost: reconnecting…'
        : state.conn === 'unauthorized'
          ? 'Session ended: sign in again'
          : 'Connecting…';

  const banner = describeBanner(state);
  return (
    <div className="desk" data-layout={!loggedIn ? 'login' : onCall ? 'call' : 'idle'}>
      <header className="bar">
        <h1>
          Ringside <span className="who">· {me.displayName}</span>
        </h1>
        <span
          aria-label="Connection"
          data-conn={state.conn}
          className={`bar-status ${state.conn === 'live' ? 'tone-ok' : 'tone-problem'}`}
          title={connText}
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
          className={`bar-status tone-${phone.view.tone}`}
          title={phone.view.text}
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
        <span className="bar-tools">
          <button type="button" onClick={() => setShowHelp((v) => !v)} aria-keyshortcuts="Alt+/">
            Shortcuts
          </button>
          <MyTwoFactor api={api} />
          <button type="button" onClick={onSignedOut}>
            Sign out
          </button>
        </span>
      </header>

      <div className="banner" data-tone={banner.tone}>
        <StateBanner state={state} campaign={campaign} />
        {loggedIn && (
          <SessionActions
            state={state}
            campaignName={campaign?.name ?? campaignId ?? ''}
            pauseCodes={pauseCodes}
            pauseCode={pauseCode}
            onPauseCode={setPauseCode}
            onReady={goReady}
            onPause={goPause}
            onLogout={campaignLogout}
            focus={focus}
            compact={onCall}
          />
        )}
      </div>

      <div className="desk-messages">
        {/* Live regions are always in the page (empty when quiet), so screen readers announce
            what appears in them. */}
        <div
          role="status"
          aria-label="Supervisor on the call"
          className="monitor-banner"
          data-monitor-mode={state.monitor?.mode ?? 'none'}
        >
          {state.monitor ? describeMonitor(state.monitor) : ''}
        </div>
        <div role="alert" className="notice-region">
          {state.notice && (
            <div className={`notice ${state.notice.kind}`} key={state.notice.id}>
              <span>{state.notice.text}</span>
              <button type="button" onClick={() => dispatch({ type: 'dismiss_notice' })}>
                Dismiss
              </button>
            </div>
          )}
        </div>
        <div role="alert" className="notice-region" data-region="call-end">
          {end && <p className="notice error">{end.message}</p>}
        </div>
        {showHelp && (
          <section aria-label="Keyboard shortcuts" className="card">
            <h2>Keyboard shortcuts</h2>
            <ul className="shortcut-list">
              {SHORTCUTS.map((s) => (
                <li key={s.key}>
                  <kbd>Alt+{s.key.toUpperCase()}</kbd> {s.label}
                </li>
              ))}
              {LOCAL_SHORTCUTS.map((s) => (
                <li key={s.keys}>
                  <kbd>{s.keys}</kbd> {s.label}
                </li>
              ))}
            </ul>
          </section>
        )}
      </div>

      {!loggedIn ? (
        <main className="desk-main">
          <section aria-label="Campaign login" className="card campaign-login">
            <h2>Log in to a campaign</h2>
            <div className="row">
              <label>
                Campaign
                <select
                  ref={focus.campaign}
                  className="pick"
                  value={picked}
                  onChange={(e) => setPicked(e.target.value)}
                >
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
        </main>
      ) : (
        <main className="desk-main">
          {onCall && (
            // Next to the call: the disposition (and wrap-up) once it is owed, the call controls
            // while the customer is on the line. Always in view; scrolls inside itself if needed.
            <div className="desk-col desk-act">
              <WrapUp api={api} panel={panel} campaign={campaign} dispositions={dispositions} />
              {state.dispositionDue && (
                <DispositionForm
                  api={api}
                  panel={panel}
                  dispositions={dispositions}
                  headingRef={focus.dispose}
                  timeZone={state.lead?.lead?.timeZone ?? null}
                />
              )}
              <CallControls
                api={api}
                panel={panel}
                focus={focus}
                onHangup={hangup}
                onHold={toggleHold}
                onMute={toggleMute}
                recording={
                  <RecordingControls state={state} dispatch={dispatch} campaign={campaign} />
                }
              />
            </div>
          )}
          <div className="desk-col desk-call">
            <CallPanel api={api} panel={panel} me={me} campaign={campaign} />
          </div>
          {/* Beside the call: the agent's day, messages, and dialing (folded during a call). */}
          <div className="desk-col desk-side">
            <MyDay api={api} panel={panel} />
            <AgentMessages realtime={panel.realtime} me={me} />
            <DialPanel
              api={api}
              panel={panel}
              focus={focus}
              foldable={onCall}
              collapsed={onCall && !dialOpen}
              onExpand={setDialOpen}
            />
          </div>
        </main>
      )}
      <audio ref={audio} autoPlay aria-label="Call audio" />
    </div>
  );
}
