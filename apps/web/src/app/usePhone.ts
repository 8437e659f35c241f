import { useCallback, useEffect, useReducer, useRef } from 'react';
import type { Me } from '@ringside/protocol';
import { ApiError, refusalMessage, type ApiClient, type PhoneConfig } from '../core/api.js';
import {
  describePhone,
  phoneReduce,
  type PhoneAction,
  type PhoneStatus,
  type PhoneView,
} from '../phone/phone-state.js';
import type { Softphone } from '../phone/softphone.js';

/** performance.mark at the campaign-login click; the leg's set-up time is measured from it. */
export const LOGIN_MARK = 'ringside:campaign-login';
/** performance.measure from LOGIN_MARK to the line being up (read by the e2e test). */
export const LEG_MEASURE = 'ringside:login-to-leg';

function loginMarkMs(): number | null {
  return performance.getEntriesByName(LOGIN_MARK, 'mark').at(-1)?.startTime ?? null;
}

/** Measures once per login: a later reconnection of the line is not a login. */
function measureLeg(): void {
  if (loginMarkMs() === null) return;
  performance.measure(LEG_MEASURE, LOGIN_MARK);
  performance.clearMarks(LOGIN_MARK);
}

export interface PhoneController {
  status: PhoneStatus;
  view: PhoneView;
  mode: PhoneConfig['mode'] | null;
  run(action: PhoneAction): void;
  /** Local microphone mute (softphone only); false when the server must mute instead. */
  setLocalMute(on: boolean): boolean;
}

/**
 * Brings the agent's audio leg up while the agent is logged in to a campaign: the WebRTC
 * softphone when the server gives a SIP account, the simulated leg through the API on the
 * simulated PBX, and for an external SIP phone the same API call, which has Asterisk ring it
 * (users.sip_endpoint): a phone it cannot reach shows the server's reason and *Try again*.
 */
export function usePhone(
  api: ApiClient,
  me: Me,
  loggedIn: boolean,
  audio: React.RefObject<HTMLAudioElement | null>,
  /** The server paused the agent for want of a line (core/panel/describe.ts `lineLost`). */
  serverLostLine = false,
  /**
   * Times the server moved the agent to another Asterisk (PanelState.rehomed): each change asks
   * for the phone again, so a browser phone registers at its new home.
   */
  rehomed = 0,
): PhoneController {
  const [status, dispatch] = useReducer(phoneReduce, { kind: 'off' } as PhoneStatus);
  const soft = useRef<Softphone | null>(null);
  const mode = useRef<PhoneConfig['mode'] | null>(null);

  const connectSim = useCallback(async () => {
    dispatch({ type: 'leg_connecting', atMs: loginMarkMs() ?? performance.now() });
    try {
      const r = await api.phoneConnect();
      if (r.leg === 'up') {
        measureLeg();
        dispatch({ type: 'leg_up', atMs: performance.now() });
      } else dispatch({ type: 'leg_down', cause: 'the server could not bring the line up' });
    } catch (err) {
      // No phone route: the server nails the leg up itself at session login.
      if (err instanceof ApiError && err.status === 404) dispatch({ type: 'managed' });
      else dispatch({ type: 'unavailable', reason: refusalMessage(err) });
    }
  }, [api]);

  const startPhone = useCallback(async () => {
    let cfg: PhoneConfig;
    try {
      cfg = await api.phone();
    } catch (err) {
      // A server without the phone route: an external phone stays external, others use the
      // simulated leg (the only other kind of PBX the API can run without SIP settings).
      if (err instanceof ApiError && err.status === 404) {
        cfg = { mode: me.phoneType === 'sip' ? 'external' : 'sim', sip: null };
      } else {
        dispatch({ type: 'unavailable', reason: refusalMessage(err) });
        return;
      }
    }
    mode.current = cfg.mode;
    if (cfg.mode === 'external') {
      dispatch({ type: 'external' });
      await connectSim();
      return;
    }
    if (cfg.mode === 'sim' || !cfg.sip) {
      await connectSim();
      return;
    }
    const el = audio.current;
    if (!el) return;
    soft.current?.stop();
    // JsSIP is loaded only for agents who use the softphone.
    const { Softphone } = await import('../phone/softphone.js');
    soft.current = new Softphone({
      account: {
        wsUri: cfg.sip.wsUri,
        uri: cfg.sip.uri,
        password: cfg.sip.password,
        loginExten: cfg.sip.loginExten,
        iceServers: cfg.sip.iceServers,
      },
      audio: el,
      onInput: (i) => {
        if (i.type === 'leg_up') measureLeg();
        dispatch(i);
      },
    });
    await soft.current.start();
  }, [api, me.phoneType, audio, connectSim]);

  useEffect(() => {
    if (!loggedIn) return;
    void startPhone();
    return () => {
      soft.current?.stop();
      soft.current = null;
      if (mode.current === 'sim') void api.phoneDisconnect().catch(() => undefined);
      mode.current = null;
      dispatch({ type: 'reset' });
    };
  }, [loggedIn, startPhone, api, rehomed]);

  // A leg the server saw go (the simulated leg, an external phone) may still read "Line up"
  // here: show it down, with *Reconnect line*, so the agent can bring it back and go ready.
  useEffect(() => {
    if (serverLostLine && status.kind === 'leg_up') {
      dispatch({ type: 'leg_down', cause: 'the phone server lost your line' });
    }
  }, [serverLostLine, status.kind]);

  useEffect(() => {
    const off = () => dispatch({ type: 'offline' });
    const on = () => {
      dispatch({ type: 'online' });
      soft.current?.reconnect();
    };
    window.addEventListener('offline', off);
    window.addEventListener('online', on);
    return () => {
      window.removeEventListener('offline', off);
      window.removeEventListener('online', on);
    };
  }, []);

  const run = useCallback(
    (action: PhoneAction) => {
      const s = soft.current;
      switch (action) {
        case 'retry_mic':
          void (s ? s.start() : startPhone());
          return;
        case 'register':
          s?.register();
          return;
        case 'reconnect_leg':
          if (s) s.reconnectLeg();
          else void connectSim();
          return;
        case 'reconnect':
          if (s) s.reconnect();
          else void startPhone();
          return;
      }
    },
    [startPhone, connectSim],
  );

  const setLocalMute = useCallback((on: boolean) => {
    if (!soft.current) return false;
    soft.current.setMuted(on);
    return true;
  }, []);

  return { status, view: describePhone(status), mode: mode.current, run, setLocalMute };
}
