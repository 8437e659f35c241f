/**
 * The phone status line (pure). Whatever carries the agent's audio, the panel shows one status,
 * and every failure comes with a way back (an action the agent can take). Inputs come from the
 * JsSIP driver (softphone.ts), from the simulated leg through the API (sim mode), or from the
 * browser (online/offline).
 */

export type PhoneMode = 'webrtc' | 'sim' | 'external' | 'none';

export type PhoneStatus =
  | { kind: 'off' }
  | { kind: 'external' }
  | { kind: 'mic_pending' }
  | { kind: 'mic_denied' }
  | { kind: 'no_device' }
  | { kind: 'connecting' }
  | { kind: 'registering' }
  | { kind: 'registered' }
  | { kind: 'registration_failed'; cause: string }
  | { kind: 'registration_expired' }
  | { kind: 'leg_connecting'; startedAtMs: number }
  | { kind: 'leg_up'; setupMs: number | null }
  | { kind: 'leg_down'; cause: string }
  | { kind: 'ice_failed' }
  | { kind: 'network_lost' }
  | { kind: 'reconnecting'; attempt: number }
  /** The phone server's WebSocket never opened: the server is down or its certificate refused. */
  | { kind: 'server_unreachable'; server: string }
  | { kind: 'unavailable'; reason: string }
  /** The server sets the line up itself (no phone route to call): nothing to show but that. */
  | { kind: 'managed' };

export type PhoneInput =
  | { type: 'reset' }
  | { type: 'external' }
  | { type: 'unavailable'; reason: string }
  | { type: 'managed' }
  | { type: 'mic_requested' }
  | { type: 'mic_ok' }
  /** getUserMedia's error name: NotAllowedError/SecurityError, NotFoundError/OverconstrainedError... */
  | { type: 'mic_error'; name: string }
  | { type: 'ws_connecting'; attempt: number }
  | { type: 'ws_connected' }
  /**
   * The SIP WebSocket closed. `everConnected` false: it never opened since the phone started (a
   * browser cannot tell a refused certificate from a server that is down: both are named).
   */
  | { type: 'ws_disconnected'; server?: string; everConnected?: boolean }
  | { type: 'registered' }
  | { type: 'unregistered' }
  | { type: 'registration_failed'; cause: string }
  | { type: 'leg_connecting'; atMs: number }
  | { type: 'leg_up'; atMs: number }
  | { type: 'leg_down'; cause: string }
  | { type: 'ice_failed' }
  | { type: 'offline' }
  | { type: 'online' };

/** What the agent can click to recover. */
export type PhoneAction = 'retry_mic' | 'reconnect' | 'register' | 'reconnect_leg';

export interface PhoneView {
  text: string;
  tone: 'ok' | 'busy' | 'problem';
  action: { id: PhoneAction; label: string } | null;
}

export function phoneReduce(s: PhoneStatus, i: PhoneInput): PhoneStatus {
  switch (i.type) {
    case 'reset':
      return { kind: 'off' };
    case 'external':
      return { kind: 'external' };
    case 'unavailable':
      return { kind: 'unavailable', reason: i.reason };
    case 'managed':
      return { kind: 'managed' };
    case 'mic_requested':
      return { kind: 'mic_pending' };
    case 'mic_ok':
      return { kind: 'connecting' };
    case 'mic_error':
      return i.name === 'NotAllowedError' || i.name === 'SecurityError'
        ? { kind: 'mic_denied' }
        : { kind: 'no_device' };
    case 'ws_connecting':
      // Reconnecting after a loss keeps saying so; the first attempt is plain connecting.
      // JsSIP counts retries from 0 (a new connection after "Reconnect now" starts at 0 again).
      // The server never answered: keep naming the likely causes while JsSIP keeps trying.
      if (s.kind === 'server_unreachable') return s;
      if (s.kind === 'network_lost' || s.kind === 'reconnecting' || i.attempt > 1) {
        return { kind: 'reconnecting', attempt: Math.max(1, i.attempt) };
      }
      return s.kind === 'off' || s.kind === 'connecting' ? { kind: 'connecting' } : s;
    case 'ws_connected':
      return { kind: 'registering' };
    case 'ws_disconnected':
      if (s.kind === 'mic_denied' || s.kind === 'no_device' || s.kind === 'off') return s;
      if (i.everConnected === false) return { kind: 'server_unreachable', server: i.server ?? '' };
      return { kind: 'network_lost' };
    case 'registered':
      // Registration renewals arrive while the leg is up: they change nothing shown.
      if (s.kind === 'leg_up' || s.kind === 'leg_connecting') return s;
      return { kind: 'registered' };
    case 'unregistered':
      // JsSIP also reports "unregistered" right after a lost connection: that is the news.
      if (s.kind === 'off' || s.kind === 'network_lost' || s.kind === 'reconnecting') return s;
      return { kind: 'registration_expired' };
    case 'registration_failed':
      return { kind: 'registration_failed', cause: i.cause };
    case 'leg_connecting':
      return { kind: 'leg_connecting', startedAtMs: i.atMs };
    case 'leg_up':
      return {
        kind: 'leg_up',
        setupMs: s.kind === 'leg_connecting' ? Math.round(i.atMs - s.startedAtMs) : null,
      };
    case 'leg_down':
      if (s.kind === 'ice_failed' || s.kind === 'network_lost') return s;
      return { kind: 'leg_down', cause: i.cause };
    case 'ice_failed':
      return { kind: 'ice_failed' };
    case 'offline':
      return s.kind === 'off' || s.kind === 'external' ? s : { kind: 'network_lost' };
    case 'online':
      return s.kind === 'network_lost' ? { kind: 'reconnecting', attempt: 1 } : s;
  }
}

/** A status line with no action, in the `ok` or `busy` tone. */
const ok = (text: string): PhoneView => ({ text, tone: 'ok', action: null });
const busy = (text: string): PhoneView => ({ text, tone: 'busy', action: null });
/** A problem, with the one action that may fix it. */
const problem = (text: string, id: PhoneAction, label: string): PhoneView => ({
  text,
  tone: 'problem',
  action: { id, label },
});

export function describePhone(s: PhoneStatus): PhoneView {
  switch (s.kind) {
    case 'off':
      return busy('Phone off (log in to a campaign)');
    case 'external':
      return ok('Using your external SIP phone');
    case 'unavailable':
      return problem(`Phone unavailable: ${s.reason}`, 'reconnect', 'Try again');
    case 'managed':
      return ok('Line set up by the server');
    case 'mic_pending':
      return busy('Waiting for microphone permission…');
    case 'mic_denied':
      return problem(
        'Microphone blocked: allow it in the browser (lock icon in the address bar)',
        'retry_mic',
        'Retry microphone',
      );
    case 'no_device':
      return problem('No microphone found: plug in a headset', 'retry_mic', 'Retry microphone');
    case 'connecting':
      return busy('Connecting to the phone server…');
    case 'registering':
      return busy('Registering the softphone…');
    case 'registered':
      return busy('Softphone registered; connecting your line…');
    case 'registration_failed':
      return problem(`Registration refused (${s.cause})`, 'register', 'Register again');
    case 'registration_expired':
      return problem('Registration expired', 'register', 'Register again');
    case 'leg_connecting':
      return busy('Connecting your line…');
    case 'leg_up':
      return ok(s.setupMs === null ? 'Line up' : `Line up (set up in ${s.setupMs} ms)`);
    case 'leg_down':
      return problem(`Line down (${s.cause})`, 'reconnect_leg', 'Reconnect line');
    case 'ice_failed':
      return problem(
        'Audio path failed (ICE): a firewall may block media',
        'reconnect_leg',
        'Reconnect line',
      );
    case 'network_lost':
      return problem('Network lost: waiting for it to come back', 'reconnect', 'Reconnect now');
    case 'server_unreachable':
      return problem(
        `Cannot reach the phone server ${s.server}: it is down, or this browser does not trust ` +
          'its certificate (ask your administrator)',
        'reconnect',
        'Reconnect now',
      );
    case 'reconnecting':
      return {
        text: `Reconnecting the phone (attempt ${s.attempt})…`,
        tone: 'busy',
        action: { id: 'reconnect', label: 'Reconnect now' },
      };
  }
}
