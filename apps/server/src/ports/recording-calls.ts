import type { AgentId, CallId, CampaignId, LeadId, RecordingActor } from '@ringside/protocol';

/**
 * Ports of the recording call flow (services/recordings/call-recorder.ts and
 * call-recording-control.ts; docs/recording.md "Recording the call"): the recordings, segments
 * and marks rows of the call flow, the live recording's state beside the live call, and the part
 * of ARI recording uses. Adapters: adapters/postgres/recording-calls.ts,
 * adapters/redis/live-recordings.ts, adapters/asterisk/ari-client.ts.
 */

export type RecordingRowReason = 'policy' | 'sampled' | 'on_demand';
export type RecordingMarkKindName =
  'pause' | 'resume' | 'transfer' | 'barge_start' | 'barge_end' | 'consent';

/** A recordings row as the call flow reads it. */
export interface RecordingRow {
  /** recordings.id (decimal string). */
  id: string;
  callId: CallId;
  campaignId: CampaignId;
  state: 'recording' | 'pending' | 'stored' | 'failed' | 'mismatch' | 'purged';
  reason: string;
  startedAt: Date;
  endedAt: Date | null;
  bridgedMs: number | null;
  pausedMs: number;
}

export interface SegmentRow {
  seq: number;
  agentId: AgentId | null;
  bridgeId: string;
  asteriskName: string;
  startedAt: Date;
  endedAt: Date | null;
  offsetMs: number;
  durationMs: number | null;
  state: 'recording' | 'finished' | 'failed' | 'moved';
}

export interface MarkRow {
  kind: RecordingMarkKindName;
  at: Date;
  offsetMs: number;
  userId: string | null;
  source: RecordingActor;
}

export interface NewRecording {
  callId: CallId;
  campaignId: CampaignId;
  leadId: LeadId | null;
  serverId: string;
  reason: RecordingRowReason;
  startedAt: Date;
}

export interface RecordingCallsRepo {
  /**
   * Inserts the call's recording (state recording); when the call has one already (one per
   * call), returns that one with created false.
   */
  create(r: NewRecording): Promise<{ row: RecordingRow; created: boolean }>;
  /**
   * create, and when it inserted the row, segment 1 with it in the same statement: the
   * recorder's start costs one round trip and one commit instead of two (bench:handoff --record).
   * When the call has a recording already, no segment is written and created is false.
   */
  createWithFirstSegment(
    r: NewRecording,
    first: Omit<SegmentRow, 'seq' | 'endedAt' | 'durationMs' | 'state'>,
  ): Promise<{ row: RecordingRow; created: boolean }>;
  byCall(callId: CallId): Promise<RecordingRow | null>;
  segments(recordingId: string): Promise<SegmentRow[]>;
  marks(recordingId: string): Promise<MarkRow[]>;
  openSegment(
    recordingId: string,
    s: Omit<SegmentRow, 'endedAt' | 'durationMs' | 'state'>,
  ): Promise<void>;
  /** Closes an open segment (finished, or failed when Asterisk refused or lost it). */
  closeSegment(
    recordingId: string,
    seq: number,
    endedAt: Date,
    durationMs: number,
    state: 'finished' | 'failed',
  ): Promise<void>;
  addMark(recordingId: string, m: MarkRow): Promise<void>;
  /** Adds a pause's length to paused_ms, ms. */
  addPausedMs(recordingId: string, ms: number): Promise<void>;
  /**
   * The call ended: ended_at, bridged_ms (the segments' sum), duration_ms, purge_after, and
   * state pending for the mover (failed when no segment produced audio). Only from state
   * recording; returns false when the row was finished already.
   */
  finish(
    recordingId: string,
    f: {
      endedAt: Date;
      bridgedMs: number;
      state: 'pending' | 'failed';
      lastError: string | null;
      retentionDays: number;
    },
  ): Promise<boolean>;
  /**
   * finish, with what the segments say, in one statement: bridged_ms their sum (failed ones
   * aside), state pending when one finished with audio, else failed with last_error no_audio.
   * Returns the state written, or null when the row was finished already.
   */
  finishFromSegments(
    recordingId: string,
    f: { endedAt: Date; retentionDays: number },
  ): Promise<'pending' | 'failed' | null>;
}

/**
 * Where a call's recording is right now, kept beside the live call in Redis so that any api
 * process can pause (mute) it and the worker can stop it.
 */
export interface LiveRecording {
  recordingId: string;
  callId: CallId;
  campaignId: CampaignId;
  serverId: string;
  /**
   * consent: the notice is playing to the customer, the segment starts after it; recording /
   * paused: segment `seq` is being written (paused = muted); stopped: the customer is out of the
   * agents' bridges (on hold, being transferred), no segment open.
   */
  state: 'consent' | 'recording' | 'paused' | 'stopped';
  /** The open (or last) segment's number; 0 before the first. */
  seq: number;
  /** The open segment's live recording name on Asterisk (rec-<callId>-<seq>), null when none. */
  name: string | null;
  bridgeId: string | null;
  agentId: AgentId | null;
  /** When the open segment started, epoch ms. */
  segmentStartedAtMs: number | null;
  /** Where the open (or next) segment starts in the joined file, ms. */
  offsetMs: number;
  /** Since when it is paused, epoch ms (null: not paused). */
  pausedAtMs: number | null;
  pausedBy: { userId: string | null; source: RecordingActor } | null;
  /** The consent notice's playback id while it plays. */
  consentPlaybackId: string | null;
}

export interface LiveRecordingStore {
  get(callId: CallId): Promise<LiveRecording | null>;
  /** Writes it; it expires `ttlMs` after the last write (a call never lasts that long). */
  put(rec: LiveRecording): Promise<void>;
  delete(callId: CallId): Promise<void>;
}

/** The ARI operations recording uses (AriRestClient has them all). */
export interface RecordingAri {
  recordBridge(
    bridgeId: string,
    o: {
      name: string;
      format?: 'wav';
      ifExists?: 'fail' | 'overwrite' | 'append';
      beep?: boolean;
      maxDurationSeconds?: number;
      terminateOn?: 'none' | 'any' | '*' | '#';
    },
  ): Promise<unknown>;
  stopRecording(name: string): Promise<void>;
  muteRecording(name: string): Promise<void>;
  unmuteRecording(name: string): Promise<void>;
  playOnChannel(channelId: string, media: string | string[], playbackId?: string): Promise<unknown>;
}
