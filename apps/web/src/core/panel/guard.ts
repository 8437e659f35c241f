import { callLost } from './describe.js';
import { stateOf, type PanelState } from './state.js';

/** What the agent may do now: each action's refusal, or null when it makes sense. */

export type PanelAction =
  | 'ready'
  | 'pause'
  | 'logout'
  | 'hangup'
  | 'hold'
  | 'mute'
  | 'transfer'
  | 'dtmf'
  | 'dial'
  | 'preview'
  | 'dispose';

const DISPOSE_FIRST = 'Submit the disposition of the last call first.';

/** null when the action makes sense now; otherwise the message that says why not. */
export function guard(s: PanelState, action: PanelAction): string | null {
  const st = stateOf(s);
  if (s.conn !== 'live' && action !== 'dispose') {
    return 'Not connected to the server: wait for the connection to come back.';
  }
  if (st === 'LOGGED_OUT') return 'Log in to a campaign first.';
  const onCall = st === 'INCALL' && s.call !== null && s.call.endedAtMs === null;
  switch (action) {
    case 'ready':
      if (s.dispositionDue) return DISPOSE_FIRST;
      if (st === 'READY') return 'You are already ready.';
      if (st === 'PAUSED' || st === 'WRAPUP') return null;
      return 'You are on a call.';
    case 'pause':
      if (s.dispositionDue) return `${DISPOSE_FIRST} The form can pause you after it.`;
      if (st === 'READY' || st === 'PAUSED' || st === 'WRAPUP') return null;
      return 'You cannot pause during a call.';
    case 'logout':
      if (s.dispositionDue) return DISPOSE_FIRST;
      if (st === 'READY' || st === 'PAUSED' || st === 'WRAPUP') return null;
      return 'You cannot log out during a call.';
    case 'hangup':
      if (st === 'INCALL' || st === 'DEAD') return null;
      return 'There is no call to hang up.';
    case 'hold':
    case 'mute':
    case 'transfer':
    case 'dtmf':
      if (onCall) return null;
      if (st === 'DEAD' && callLost(s)) return 'The call was lost.';
      if (st === 'DEAD') return 'The customer has hung up.';
      return 'There is no call in progress.';
    case 'dial':
    case 'preview':
      if (st === 'WRAPUP' || s.dispositionDue) {
        return 'You cannot dial during wrap-up: submit the disposition first.';
      }
      if (st === 'PAUSED') return null;
      if (st === 'READY') return 'Pause first: while ready, the dialer sends you calls.';
      return 'You are on a call.';
    case 'dispose':
      return s.dispositionDue ? null : 'There is no call to disposition.';
  }
}
