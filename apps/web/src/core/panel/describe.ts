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
  // An extended wrap-up carries its new deadline (POST /api/agent/session/wrapup/extend).
  const untilMs = s.agent.wrapupUntilMs ?? s.agent.sinceMs + wrapupS * 1000;
  return Math.max(0, untilMs - (nowMs + skewMs));
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

/** `ms` as m:ss, or h:mm:ss from an hour on (negative counts as zero). */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const ss = String(s % 60).padStart(2, '0');
  if (s < 3600) return `${Math.floor(s / 60)}:${ss}`;
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${ss}`;
}

/** The state banner's look: its colour (tone), icon and word. */
export type BannerTone = 'off' | 'paused' | 'ready' | 'call' | 'hold' | 'ended' | 'wrap';
export type BannerIcon = 'off' | 'pause' | 'check' | 'ring' | 'phone' | 'hold' | 'ended' | 'wrap';
export interface Banner {
  tone: BannerTone;
  icon: BannerIcon;
  /** One or two words, read at a glance: Ready, Paused, On call, Wrap-up... */
  word: string;
}

/** What the banner adds to its word (the pause code, what to do next), or null when nothing. */
export function bannerDetail(s: PanelState): string | null {
  switch (stateOf(s)) {
    case 'LOGGED_OUT':
      return 'Not logged in to a campaign';
    case 'PAUSED':
      if (lineLost(s)) return 'Your phone line dropped. Reconnect it, then go ready';
      return s.agent?.pauseCode ? `Code ${s.agent.pauseCode}` : null;
    case 'READY':
      return 'Waiting for a call';
    case 'RESERVED':
      return 'A call is being connected';
    case 'INCALL':
      return s.call?.endedAtMs && callLost(s) ? 'The phone server removed it' : null;
    case 'DEAD':
      return callLost(s)
        ? 'The phone server removed it: choose a disposition'
        : 'Choose a disposition';
    case 'WRAPUP':
      return s.dispositionDue ? 'Choose a disposition' : null;
  }
}

/**
 * The banner of the agent's state: never colour alone, always a word and an icon too (a pause
 * sign, a tick, a phone...), so it reads the same for a colour-blind agent.
 */
export function describeBanner(s: PanelState): Banner {
  switch (stateOf(s)) {
    case 'LOGGED_OUT':
      return { tone: 'off', icon: 'off', word: 'Logged out' };
    case 'PAUSED':
      return { tone: 'paused', icon: 'pause', word: 'Paused' };
    case 'READY':
      return { tone: 'ready', icon: 'check', word: 'Ready' };
    case 'RESERVED':
      return { tone: 'call', icon: 'ring', word: 'Connecting' };
    case 'INCALL':
      if (s.call?.endedAtMs) return { tone: 'ended', icon: 'ended', word: 'Call ended' };
      if (s.hold) return { tone: 'hold', icon: 'hold', word: 'On hold' };
      return { tone: 'call', icon: 'phone', word: 'On call' };
    case 'DEAD':
      return callLost(s)
        ? { tone: 'ended', icon: 'ended', word: 'Call lost' }
        : { tone: 'ended', icon: 'ended', word: 'Customer hung up' };
    case 'WRAPUP':
      return { tone: 'wrap', icon: 'wrap', word: 'Wrap-up' };
  }
}

/**
 * "0:12 in state": how long the agent has been in its state, labelled; null when logged out
 * (no state, so no timer) or before the server's state is known.
 */
export function timeInStateLabel(s: PanelState, nowMs: number): string | null {
  if (stateOf(s) === 'LOGGED_OUT' || !s.agent) return null;
  return `${formatDuration(nowMs - s.agent.sinceMs)} in state`;
}

/** Talk time of the call on screen: from the customer bridged in to its end (or now); else null. */
export function talkMs(s: PanelState, nowMs: number): number | null {
  const c = s.call;
  if (!c?.bridgedAtMs) return null;
  return Math.max(0, (c.endedAtMs ?? nowMs) - c.bridgedAtMs);
}

/** The tab's title for the agent's desk: its state first, so a glance at the tab tells it. */
export function deskTitle(s: PanelState): string {
  return `${describeBanner(s).word} — Ringside agent`;
}
