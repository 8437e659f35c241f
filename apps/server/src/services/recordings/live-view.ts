import type { RecordingChanged } from '@ringside/protocol';
import type { LiveRecording } from '../../ports/recording-calls.js';

/**
 * A live call's recording as the `recording.changed` that put it where it is would say: what a
 * WebSocket snapshot carries (ws/gateway.ts), so a panel or a wall opened mid-call shows REC or
 * Paused at once instead of waiting for the next change. Pure.
 *
 * The instant is when the present state began: the pause for paused (the panel counts the paused
 * time from it), the open segment's start for recording, `nowMs` when neither is known.
 */
export function liveRecordingChanged(rec: LiveRecording, nowMs: number): RecordingChanged {
  const state = rec.state === 'consent' ? 'recording' : rec.state;
  const consent = rec.state === 'consent';
  const atMs =
    rec.state === 'paused' && rec.pausedAtMs !== null
      ? rec.pausedAtMs
      : (rec.segmentStartedAtMs ?? nowMs);
  return {
    type: 'recording.changed',
    callId: rec.callId,
    recordingId: rec.recordingId,
    campaignId: rec.campaignId,
    agentId: rec.agentId,
    state,
    segment: consent || rec.seq < 1 ? null : rec.seq,
    by: rec.state === 'paused' ? (rec.pausedBy?.source ?? 'system') : 'system',
    error: null,
    ...(consent ? { consentPlaying: true } : {}),
    atMs,
  };
}
