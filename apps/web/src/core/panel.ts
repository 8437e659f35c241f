import type {
  AgentMonitorStarted,
  AgentState,
  AgentStatusView,
  CallOutcome,
  CallStage,
  DomainEvent,
  LiveCallView,
  SnapshotData,
} from '@ringside/protocol';
import { NO_LINE_PAUSE_CODES } from '@ringside/protocol';
import type { Lead, LeadLogEntry } from './api.js';
import type { RealtimeStatus } from './realtime.js';

/**
 * The agent panel's client state machine (pure): `reduce(state, input) -> {state, effects}`.
 * Only what the server says moves the agent: the snapshot on (re)subscribe, pushed domain events,
 * and the answers of the agent's own HTTP actions. The panel never guesses a state from a click.
 * `guard()` tells, before a request is sent, whether an action makes sense now and, if not,
 * the message to show; the server checks again and its refusal is shown the same way.
 */

/** What the panel knows of the agent's current (or just-ended) call. */
export interface CallInfo {
  callId: string;
  leadId: string | null;
  campaignId: string | null;
  phone: string | null;
  stage: CallStage | null;
  manual: boolean;
  bridgedAtMs: number | null;
  endedAtMs: number | null;
  outcome: CallOutcome | null;
  /**
   * Who ended the call: 'customer' when it ended while the agent was still on it; 'server' when
   * Ringside ended it as a failure (call.ended with a reason: the phone server removed it).
   */
  endedBy: 'customer' | 'agent' | 'server' | null;
  /** AMD's verdict: MACHINE on a dialer call means the agent may mark it (AMD audit). */
  amdResult?: 'HUMAN' | 'MACHINE' | 'NOTSURE' | null;
}

export interface LeadSlot {
  leadId: string;
  status: 'loading' | 'loaded' | 'failed';
  lead: Lead | null;
  log: LeadLogEntry[];
  error: string | null;
}

export interface Notice {
  id: number;
  kind: 'info' | 'refusal' | 'error';
  text: string;
}

/**
 * A supervisor the agent hears on the current call: whisper (only the agent hears them) or barge
 * (the customer hears them too). A supervisor listening is never shown (the server does not even
 * send it to the agent).
 */
export interface MonitorInfo {
  mode: 'whisper' | 'barge';
  supervisorId: string;
  supervisorName: string;
  callId: string;
}

export interface PanelState {
  conn: RealtimeStatus;
  /** The server's view of this agent; null when logged out of every campaign (or not known). */
  agent: AgentStatusView | null;
  call: CallInfo | null;
  /** The call whose disposition is owed: set when it ends, cleared when the server moves on. */
  dispositionDue: string | null;
  /** The agent asked to hang up this call (so its end is the agent's, not the customer's). */
  hangupRequested: string | null;
  hold: boolean;
  muted: boolean;
  lead: LeadSlot | null;
  notice: Notice | null;
  /** The number of the last notice, so the UI can announce a repeated message again. */
  noticeSeq: number;
  /** A supervisor whispering to or barged in on the agent's call; null when none. */
  monitor: MonitorInfo | null;
}

export type PanelInput =
  | { type: 'conn'; status: RealtimeStatus }
  | { type: 'snapshot'; data: SnapshotData }
  | { type: 'event'; event: DomainEvent }
  /** The answer of the agent's own session action (login, ready, pause, disposition...). */
  | { type: 'session'; agent: AgentStatusView | null }
  | { type: 'call_loaded'; call: LiveCallView }
  | { type: 'lead_loaded'; leadId: string; lead: Lead; log: LeadLogEntry[] }
  | { type: 'lead_failed'; leadId: string; message: string }
  | { type: 'hangup_requested'; callId: string }
  | { type: 'disposed'; callId: string }
  | { type: 'hold_set'; on: boolean }
  | { type: 'mute_set'; on: boolean }
  | { type: 'notice'; kind: Notice['kind']; text: string }
  | { type: 'dismiss_notice' };

/** Work for the shell: reads the reducer cannot do itself. */
export type PanelEffect =
  { type: 'load_call'; callId: string } | { type: 'load_lead'; leadId: string };

export interface PanelResult {
  state: PanelState;
  effects: PanelEffect[];
}

export const initialPanel: PanelState = {
  conn: 'idle',
  agent: null,
  call: null,
  dispositionDue: null,
  hangupRequested: null,
  hold: false,
  muted: false,
  lead: null,
  notice: null,
  noticeSeq: 0,
  monitor: null,
};

/** States in which the agent is not on or finishing a call. */
const IDLE_STATES: ReadonlySet<AgentState> = new Set(['LOGGED_OUT', 'READY', 'PAUSED']);

export function stateOf(s: PanelState): AgentState {
  return s.agent?.state ?? 'LOGGED_OUT';
}

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

function newCall(callId: string, over: Partial<CallInfo> = {}): CallInfo {
  return {
    callId,
    leadId: null,
    campaignId: null,
    phone: null,
    stage: null,
    manual: false,
    bridgedAtMs: null,
    endedAtMs: null,
    outcome: null,
    endedBy: null,
    ...over,
  };
}

function fromView(v: LiveCallView): CallInfo {
  return newCall(v.callId, {
    leadId: v.leadId,
    campaignId: v.campaignId,
    phone: v.phone,
    stage: v.stage,
    manual: v.manual,
    bridgedAtMs: v.bridgedAtMs,
    endedAtMs: v.endedAtMs,
    amdResult: v.amdResult ?? null,
  });
}

/** Clears everything tied to a call. */
function withoutCall(s: PanelState): PanelState {
  return {
    ...s,
    call: null,
    lead: null,
    dispositionDue: null,
    hangupRequested: null,
    hold: false,
    muted: false,
    monitor: null,
  };
}

/** The monitoring the agent should see, from an event or a snapshot (listen: none). */
function monitorOf(e: AgentMonitorStarted | null | undefined): MonitorInfo | null {
  if (!e || e.mode === 'listen') return null;
  return {
    mode: e.mode,
    supervisorId: e.supervisorId,
    supervisorName: e.supervisorName,
    callId: e.callId,
  };
}

/** The banner text: who is on the agent's call, and who hears them. */
export function describeMonitor(m: MonitorInfo): string {
  const who = m.supervisorName.trim() ? `Supervisor ${m.supervisorName.trim()}` : 'A supervisor';
  return m.mode === 'whisper'
    ? `${who} is whispering (only you hear them)`
    : `${who} has joined the call (the customer hears them too)`;
}

/**
 * Applies an agent status (from a snapshot, an event or an HTTP answer) and derives what follows
 * for the call: a new call id means a new screen pop; DEAD and WRAPUP mean a disposition is owed;
 * READY, PAUSED and LOGGED_OUT mean the server is done with the last call.
 */
function applyAgent(
  s0: PanelState,
  next: AgentStatusView | null,
  effects: PanelEffect[],
): PanelState {
  if (!next || next.state === 'LOGGED_OUT') return { ...withoutCall(s0), agent: next };
  let s: PanelState = { ...s0, agent: next };
  if (IDLE_STATES.has(next.state)) {
    s = withoutCall(s);
    // A manual dial is placed from PAUSED; its call id may arrive with the INCALL move.
    return { ...s, agent: { ...next, callId: null } };
  }
  const callId = next.callId ?? s.call?.callId ?? null;
  if (callId && s.call?.callId !== callId) {
    s = { ...withoutCall(s), agent: next, call: newCall(callId) };
    effects.push({ type: 'load_call', callId });
  }
  if (next.state === 'DEAD' && s.call) {
    s = {
      ...s,
      call: { ...s.call, endedBy: s.call.endedBy ?? 'customer' },
      hold: false,
      muted: false,
    };
  }
  if ((next.state === 'DEAD' || next.state === 'WRAPUP') && callId) {
    s = { ...s, dispositionDue: callId };
  }
  return s;
}

/** Whether a status is at least as new as the one held (an HTTP answer may arrive late). */
function isCurrent(held: AgentStatusView | null, next: AgentStatusView | null): boolean {
  if (!held || !next) return true;
  return next.sinceMs >= held.sinceMs;
}

function notice(s: PanelState, kind: Notice['kind'], text: string): PanelState {
  const id = s.noticeSeq + 1;
  return { ...s, notice: { id, kind, text }, noticeSeq: id };
}

function maybeLoadLead(s: PanelState, effects: PanelEffect[]): PanelState {
  const leadId = s.call?.leadId;
  if (!leadId || s.lead?.leadId === leadId) return s;
  effects.push({ type: 'load_lead', leadId });
  return { ...s, lead: { leadId, status: 'loading', lead: null, log: [], error: null } };
}

function onEvent(s: PanelState, e: DomainEvent, effects: PanelEffect[]): PanelState {
  switch (e.type) {
    case 'agent.state_changed': {
      if (s.agent && s.agent.agentId !== e.agentId) return s;
      // A phone-leg change is not a change of state: the state's clock keeps running.
      if (e.from === e.to && e.reason === 'system:leg' && s.agent) return s;
      const idle = IDLE_STATES.has(e.to);
      const next: AgentStatusView = {
        agentId: e.agentId,
        state: e.to,
        sinceMs: e.atMs,
        campaignId: e.to === 'LOGGED_OUT' ? null : e.campaignId,
        // The event carries the previous call id when the new state has none.
        callId: idle ? null : e.callId,
        pauseCode: e.to === 'PAUSED' ? e.pauseCode : null,
      };
      if (!isCurrent(s.agent, next)) return s;
      const s2 = applyAgent(s, next, effects);
      if (e.reason === 'system:heartbeat-lost') {
        return notice(s2, 'info', 'You were paused because the connection was lost.');
      }
      return s2;
    }
    case 'call.originated': {
      if (s.call && s.call.callId !== e.callId) return s;
      const call = s.call ?? newCall(e.callId);
      const s2 = {
        ...s,
        call: {
          ...call,
          leadId: e.leadId,
          campaignId: e.campaignId,
          manual: e.agentId !== null,
          stage: call.stage ?? 'DIALING',
        },
      };
      return maybeLoadLead(s2, effects);
    }
    case 'call.ringing':
    case 'call.answered':
    case 'call.waiting':
    case 'call.amd': {
      if (s.call?.callId !== e.callId || s.call.endedAtMs !== null) return s;
      const stage: CallStage =
        e.type === 'call.ringing' ? 'RINGING' : e.type === 'call.waiting' ? 'WAITING' : 'AMD';
      return { ...s, call: { ...s.call, stage } };
    }
    case 'call.bridged': {
      if (s.call?.callId === e.callId) {
        // A transfer's target is RESERVED for a call it may not read yet: now it is its own.
        if (!s.call.leadId) effects.push({ type: 'load_call', callId: e.callId });
        return { ...s, call: { ...s.call, stage: 'BRIDGED', bridgedAtMs: e.atMs } };
      }
      // The bridge event can come before the agent's move to INCALL: open the call now.
      const st = stateOf(s);
      if (st === 'READY' || st === 'RESERVED' || st === 'PAUSED') {
        effects.push({ type: 'load_call', callId: e.callId });
        return {
          ...withoutCall(s),
          call: newCall(e.callId, { stage: 'BRIDGED', bridgedAtMs: e.atMs }),
        };
      }
      return s;
    }
    case 'call.dropped':
    case 'call.safe_harbor':
      return s;
    case 'call.ended': {
      if (s.call?.callId !== e.callId) return s;
      const endedBy = e.reason
        ? 'server'
        : s.hangupRequested === e.callId
          ? 'agent'
          : (s.call.endedBy ?? 'customer');
      const st = stateOf(s);
      const wasConnected =
        s.call.bridgedAtMs !== null || st === 'INCALL' || st === 'DEAD' || st === 'WRAPUP';
      const s2: PanelState = e.reason ? notice(s, 'error', CALL_LOST_TEXT) : s;
      return {
        ...s2,
        call: { ...s.call, stage: 'ENDED', endedAtMs: e.atMs, outcome: e.outcome, endedBy },
        dispositionDue: wasConnected ? e.callId : s.dispositionDue,
        hold: false,
        muted: false,
        // Nobody whispers on an ended call (the server's agent.monitor.ended follows).
        monitor: null,
      };
    }
    case 'telephony.status':
      if (!e.up) return notice(s, 'error', 'The telephone system is unreachable; calls may fail.');
      return s;
    case 'agent.monitor.started': {
      if (s.agent && s.agent.agentId !== e.agentId) return s;
      const m = monitorOf(e);
      return m ? { ...s, monitor: m } : s;
    }
    case 'agent.monitor.ended':
      if (s.monitor?.callId !== e.callId || s.monitor.supervisorId !== e.supervisorId) return s;
      return { ...s, monitor: null };
    case 'dialer.status':
    case 'campaign.settings_changed':
    case 'compliance.state_rules_changed':
      return s;
  }
}

export function reduce(s: PanelState, input: PanelInput): PanelResult {
  const effects: PanelEffect[] = [];
  let next: PanelState;
  switch (input.type) {
    case 'conn':
      next = { ...s, conn: input.status };
      break;
    case 'snapshot': {
      // The snapshot replaces what the panel knew about the agent and its call; what the panel
      // had loaded for the same call (the lead) is kept so a reconnect does not blank the screen.
      const agentCallId = input.data.agent?.callId ?? null;
      const view = input.data.calls.find((c) => c.callId === agentCallId) ?? input.data.calls[0];
      const callId = view?.callId ?? agentCallId;
      let base: PanelState = { ...s, agent: null };
      if (callId && s.call?.callId === callId) {
        const kept = s.call;
        base = {
          ...base,
          call: view
            ? {
                ...fromView(view),
                endedBy: kept.endedBy,
                outcome: kept.outcome,
                endedAtMs: view.endedAtMs ?? kept.endedAtMs,
              }
            : kept,
        };
      } else {
        base = { ...withoutCall(base), call: view ? fromView(view) : null };
      }
      next = maybeLoadLead(applyAgent(base, input.data.agent, effects), effects);
      next = { ...next, monitor: monitorOf(input.data.monitor) };
      break;
    }
    case 'event':
      next = onEvent(s, input.event, effects);
      break;
    case 'session':
      next = isCurrent(s.agent, input.agent) ? applyAgent(s, input.agent, effects) : s;
      break;
    case 'call_loaded': {
      if (s.call?.callId !== input.call.callId) return { state: s, effects };
      const v = fromView(input.call);
      next = maybeLoadLead(
        {
          ...s,
          call: {
            ...s.call,
            leadId: v.leadId,
            campaignId: v.campaignId,
            phone: v.phone,
            manual: v.manual,
            stage: s.call.endedAtMs !== null ? s.call.stage : v.stage,
            bridgedAtMs: s.call.bridgedAtMs ?? v.bridgedAtMs,
            amdResult: v.amdResult ?? null,
          },
        },
        effects,
      );
      break;
    }
    case 'lead_loaded':
      if (s.lead?.leadId !== input.leadId) return { state: s, effects };
      next = {
        ...s,
        lead: { ...s.lead, status: 'loaded', lead: input.lead, log: input.log, error: null },
      };
      break;
    case 'lead_failed':
      if (s.lead?.leadId !== input.leadId) return { state: s, effects };
      next = { ...s, lead: { ...s.lead, status: 'failed', error: input.message } };
      break;
    case 'hangup_requested':
      next = { ...s, hangupRequested: input.callId };
      break;
    case 'disposed':
      // The server's session answer that follows moves the agent; the form closes now.
      next = s.dispositionDue === input.callId ? withoutCall(s) : s;
      break;
    case 'hold_set':
      next = { ...s, hold: input.on };
      break;
    case 'mute_set':
      next = { ...s, muted: input.on };
      break;
    case 'notice':
      next = notice(s, input.kind, input.text);
      break;
    case 'dismiss_notice':
      next = { ...s, notice: null };
      break;
  }
  return { state: next, effects };
}

// ---------------------------------------------------------------------------------------------
// What the agent may do now

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
