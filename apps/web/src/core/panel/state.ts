import type {
  AgentState,
  AgentStatusView,
  CallOutcome,
  CallStage,
  DomainEvent,
  LiveCallView,
  RecordingActor,
  RecordingState,
  SnapshotData,
} from '@ringside/protocol';
import type { Lead, LeadLogEntry } from '../api.js';
import type { RealtimeStatus } from '../realtime.js';

/** The agent panel's state, its inputs and effects: the shapes the reducer works on. */

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

/**
 * The recording of the agent's call as the server's `recording.changed` events tell it (issue 15;
 * core/panel/recording.ts words it). Null: no event yet for this call (not recorded, as far as
 * the panel knows).
 */
export interface RecordingInfo {
  callId: string;
  recordingId: string;
  state: RecordingState;
  /** The segment (one per agent's part of the call), when the event names one. */
  segment: number | null;
  by: RecordingActor;
  /** The server's short cause for failed / mismatch. */
  error: string | null;
  /** The last change (server clock, epoch ms). */
  atMs: number;
  /** When the current pause began (server clock); null unless paused. */
  pausedAtMs: number | null;
  /** Paused time of the pauses already ended on this call, ms. */
  pausedMs: number;
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
  /**
   * How the campaign's default disposition reads ("Not interested (NI)"), told by the wrap-up
   * panel: the message after an automatic disposition names it. Null: not known.
   */
  wrapupDefault: string | null;
  /** The recording of the current call (recording.changed); null when none is known. */
  recording: RecordingInfo | null;
  /**
   * How many times the server moved this agent to another Asterisk because its home went down
   * (agent.homed `server_lost`): the phone registers again, at its new home, when it changes.
   */
  rehomed: number;
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
  | { type: 'wrapup_default'; label: string | null }
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
  wrapupDefault: null,
  recording: null,
  rehomed: 0,
};

/** States in which the agent is not on or finishing a call. */
export const IDLE_STATES: ReadonlySet<AgentState> = new Set(['LOGGED_OUT', 'READY', 'PAUSED']);

export function stateOf(s: PanelState): AgentState {
  return s.agent?.state ?? 'LOGGED_OUT';
}

/**
 * When the server's wrap-up timer fires (epoch ms, server clock): in DEAD or WRAPUP, the state's
 * start plus the campaign's wrap-up time, or the deadline the agent's extension set. Null when
 * no timer runs (another state, or a campaign without a wrap-up limit).
 */
export function wrapupDeadlineMs(s: PanelState, wrapupS: number): number | null {
  const st = stateOf(s);
  if ((st !== 'WRAPUP' && st !== 'DEAD') || !s.agent || wrapupS <= 0) return null;
  return s.agent.wrapupUntilMs ?? s.agent.sinceMs + wrapupS * 1000;
}

/** A call known only by its id; `over` fills in what is known. */
export function newCall(callId: string, over: Partial<CallInfo> = {}): CallInfo {
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
