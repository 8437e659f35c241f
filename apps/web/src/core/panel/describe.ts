import { NO_LINE_PAUSE_CODES } from '@ringside/protocol';
import { stateOf, type MonitorInfo, type PanelState } from './state.js';

/** What the panel tells the agent: the state line, the call's end, the monitoring banner. */

/** Pause codes the server gives an agent whose phone leg is gone (defined in the protocol). */
export { NO_LINE_PAUSE_CODES };

/** What the agent is told when the phone server removed its call (call.ended with a reason). */
export const CALL_LOST_TEXT = 'Call lost: the phone server removed it';

/** The agent's last call was lost: Ringside ended it because the phone server removed it. */
export function callLost(s: PanelState): boolean {
  return s.call?.endedBy === 'server';
}

/**
 * The call screen's heading and message once the customer is gone while the agent is still on
 * the call screen (DEAD), or null otherwise.
 */
export function describeEnd(s: PanelState): { heading: string; message: string } | null {
  if (stateOf(s) !== 'DEAD') return null;
  if (callLost(s))
    return { heading: 'Call lost', message: `${CALL_LOST_TEXT}. Choose a disposition.` };
  return { heading: 'Customer hung up', message: 'The customer hung up. Choose a disposition.' };
}

/** The server paused the agent for want of a phone line: reconnect it, then go ready. */
export function lineLost(s: PanelState): boolean {
  return stateOf(s) === 'PAUSED' && NO_LINE_PAUSE_CODES.has(s.agent?.pauseCode ?? '');
}

/** The banner text: who is on the agent's call, and who hears them. */
export function describeMonitor(m: MonitorInfo): string {
  const who = m.supervisorName.trim() ? `Supervisor ${m.supervisorName.trim()}` : 'A supervisor';
  return m.mode === 'whisper'
    ? `${who} is whispering (only you hear them)`
    : `${who} has joined the call (the customer hears them too)`;
}

/**
 * Milliseconds of wrap-up left, or null when no timer runs (not in wrap-up, or the campaign has
 * no wrap-up limit). `skewMs` is the server's clock minus the browser's. Only a countdown: the
 * server applies the campaign's timeout action, and its agent.state_changed event ends wrap-up.
 */
export function wrapupRemainingMs(
  s: PanelState,
  wrapupS: number,
  nowMs: number,
  skewMs = 0,
): number | null {
  if (stateOf(s) !== 'WRAPUP' || !s.agent || wrapupS <= 0) return null;
  return Math.max(0, s.agent.sinceMs + wrapupS * 1000 - (nowMs + skewMs));
}

/** A one-line description of the agent's situation, for the status bar and screen readers. */
export function describeState(s: PanelState): string {
  const st = stateOf(s);
  switch (st) {
    case 'LOGGED_OUT':
      return 'Not logged in to a campaign';
    case 'PAUSED':
      if (lineLost(s)) return 'Paused: your phone line dropped. Reconnect it, then go ready';
      return s.agent?.pauseCode ? `Paused (${s.agent.pauseCode})` : 'Paused';
    case 'READY':
      return 'Ready: waiting for a call';
    case 'RESERVED':
      return 'A call is being connected';
    case 'INCALL':
      if (s.call?.endedAtMs) return callLost(s) ? CALL_LOST_TEXT : 'Call ended';
      return s.hold ? 'On a call (customer on hold)' : 'On a call';
    case 'DEAD':
      if (callLost(s)) return `${CALL_LOST_TEXT}: choose a disposition`;
      return 'The customer hung up: choose a disposition';
    case 'WRAPUP':
      return s.dispositionDue ? 'Wrap-up: choose a disposition' : 'Wrap-up';
  }
}
