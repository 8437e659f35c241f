import type { RecordingChanged } from '@ringside/protocol';
import { stateOf, type PanelState, type RecordingInfo } from './state.js';

/**
 * The recording of the agent's call (issue 15, docs/recording.md): the reducer's part (the
 * `recording.changed` events, the only source of the state), what the agent may do (Record,
 * Pause recording, Resume) and how the desk words it. Pure.
 */

/** The campaign's recording policy as the desk needs it (from the campaign's settings). */
export interface DeskRecordingPolicy {
  mode: 'all' | 'none' | 'percent' | 'on_demand';
  /** Pause and resume only through the API (a payment integration), not the agent's buttons. */
  pauseApiOnly: boolean;
}

export type RecordingAction = 'record' | 'pause' | 'resume';

/** States in which a segment is being written on Asterisk. */
const LIVE_STATES = new Set<RecordingInfo['state']>(['recording', 'paused']);

/** Whether the call's recording is being written now (recording or paused). */
export function recordingLive(r: RecordingInfo | null): boolean {
  return r !== null && LIVE_STATES.has(r.state);
}

/**
 * Applies one `recording.changed`: only for the panel's call (or, between calls, a live recording
 * of this agent's segment: kept for the call about to open); a segment of
 * another agent (the other side of a transfer) and an event older than the one held are ignored.
 * A pause's length is counted from the events' own times.
 */
export function applyRecording(s: PanelState, e: RecordingChanged): PanelState {
  const mine = !e.agentId || !s.agent || e.agentId === s.agent.agentId;
  if (!mine) return s;
  const forCall = s.call?.callId === e.callId;
  const between = !s.call || s.call.endedAtMs !== null;
  if (!forCall && !(between && e.agentId && LIVE_STATES.has(e.state))) return s;
  const held = s.recording?.callId === e.callId ? s.recording : null;
  if (held && e.atMs < held.atMs) return s;
  let pausedAtMs = held?.pausedAtMs ?? null;
  let pausedMs = held?.pausedMs ?? 0;
  if (e.state === 'paused') pausedAtMs ??= e.atMs;
  else if (pausedAtMs !== null) {
    pausedMs += Math.max(0, e.atMs - pausedAtMs);
    pausedAtMs = null;
  }
  const recording: RecordingInfo = {
    callId: e.callId,
    recordingId: e.recordingId,
    state: e.state,
    segment: e.segment ?? held?.segment ?? null,
    by: e.by,
    error: e.error,
    atMs: e.atMs,
    pausedAtMs,
    pausedMs,
  };
  return { ...s, recording };
}

/** The recording held for `callId` (the panel's new call), else null. */
export function recordingFor(s: PanelState, callId: string): RecordingInfo | null {
  return s.recording?.callId === callId ? s.recording : null;
}

/** The recording of the call on screen, or null. */
export function callRecording(s: PanelState): RecordingInfo | null {
  return s.call ? recordingFor(s, s.call.callId) : null;
}

export const PAUSE_API_ONLY_TEXT =
  'This campaign pauses and resumes recording through its payment integration only.';

/** null when the recording action makes sense now; otherwise the message that says why not. */
export function recordingRefusal(
  s: PanelState,
  action: RecordingAction,
  policy: DeskRecordingPolicy | null,
): string | null {
  if (s.conn !== 'live')
    return 'Not connected to the server: wait for the connection to come back.';
  const call = s.call;
  if (stateOf(s) !== 'INCALL' || !call || call.endedAtMs !== null) {
    return 'There is no call in progress.';
  }
  const r = callRecording(s);
  switch (action) {
    case 'record':
      if (policy?.mode === 'none') return 'This campaign does not record calls.';
      if (recordingLive(r)) return 'This call is already being recorded.';
      return null;
    case 'pause':
      if (policy?.pauseApiOnly) return PAUSE_API_ONLY_TEXT;
      if (r?.state === 'paused') return 'Recording is already paused.';
      if (r?.state !== 'recording') return 'This call is not being recorded.';
      return null;
    case 'resume':
      if (policy?.pauseApiOnly) return PAUSE_API_ONLY_TEXT;
      if (r?.state !== 'paused') return 'Recording is not paused.';
      return null;
  }
}

export type RecordingTone = 'rec' | 'paused' | 'off' | 'problem';

/** What the desk shows of the call's recording: a short label, a tone and the sentence. */
export interface RecordingView {
  /** REC, Paused, Not recorded, ... (short, beside the dot). */
  label: string;
  tone: RecordingTone;
  /** The whole sentence, for screen readers and the tooltip. */
  text: string;
}

/** mm:ss (h:mm:ss past an hour). */
export function clock(ms: number): string {
  const t = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const sec = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${sec}` : `${m}:${sec}`;
}

/** Paused time of the call so far: the ended pauses plus the running one, ms. */
export function pausedSoFarMs(r: RecordingInfo, nowMs: number, skewMs = 0): number {
  const running = r.pausedAtMs === null ? 0 : Math.max(0, nowMs + skewMs - r.pausedAtMs);
  return r.pausedMs + running;
}

/**
 * The indicator: REC while recorded, Paused with the running pause time, and after the call what
 * became of the file (stored, waiting, failed). `nowMs` is the browser's clock; `skewMs` the
 * server's minus the browser's.
 */
export function describeRecording(
  r: RecordingInfo | null,
  policy: DeskRecordingPolicy | null,
  nowMs: number,
  skewMs = 0,
): RecordingView {
  if (!r) {
    if (policy?.mode === 'on_demand') {
      return { label: 'Not recorded', tone: 'off', text: 'Not recorded: press Record to record.' };
    }
    return { label: 'Not recorded', tone: 'off', text: 'This call is not being recorded.' };
  }
  switch (r.state) {
    case 'recording':
      return { label: 'REC', tone: 'rec', text: 'Recording this call.' };
    case 'paused': {
      const t = clock(pausedSoFarMs(r, nowMs, skewMs));
      // The sentence stays the same while the time runs: a status region reads it once.
      return { label: `Paused ${t}`, tone: 'paused', text: 'Recording paused.' };
    }
    case 'stopped':
      return { label: 'Recorded', tone: 'off', text: 'Recording stopped: the call was recorded.' };
    case 'pending':
      return { label: 'Recorded', tone: 'off', text: 'Recorded: waiting to be stored.' };
    case 'stored':
      return { label: 'Recorded', tone: 'off', text: 'Recorded and stored.' };
    case 'failed':
      return {
        label: 'Recording failed',
        tone: 'problem',
        text: 'Recording failed: the phone system produced no file. Supervisors have been told.',
      };
    case 'mismatch':
      return {
        label: 'Recording incomplete',
        tone: 'problem',
        text: "Recording incomplete: its length does not match the call's. Supervisors have been told.",
      };
    case 'purged':
      return { label: 'Recording deleted', tone: 'off', text: 'The recording was deleted.' };
  }
}
