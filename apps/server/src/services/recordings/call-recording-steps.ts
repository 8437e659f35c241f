import type { AgentId, CallId, RecordingActor, RecordingChanged } from '@ringside/protocol';
import { segmentName } from '../../domain/recording/policy.js';
import type { Logger } from '../../logger.js';
import type { Clock } from '../../ports/clock.js';
import type { EventBus } from '../../ports/event-bus.js';
import type {
  LiveRecording,
  LiveRecordingStore,
  RecordingAri,
  RecordingCallsRepo,
} from '../../ports/recording-calls.js';

/**
 * The steps of a call's recording that both the ari-worker (services/recordings/call-recorder.ts:
 * bridge events) and the api (call-recording-control.ts: Record, Pause, Resume) take: open a
 * segment (an ARI bridge recording), close it, pause and resume it (mute), each written to
 * PostgreSQL, to the live recording in Redis, and published once as `recording.changed`.
 */

/** Longest segment Asterisk records before stopping by itself, s (a safety net: 4 hours). */
export const MAX_SEGMENT_S = 4 * 3600;

export interface RecordingStepsDeps {
  repo: RecordingCallsRepo;
  live: LiveRecordingStore;
  bus: Pick<EventBus, 'publish'>;
  clock: Clock;
  logger: Logger;
}

/** Who did it: the actor kind and, for a person, their user id. */
export interface Actor {
  source: RecordingActor;
  userId: string | null;
}

export const SYSTEM: Actor = { source: 'system', userId: null };

export class RecordingSteps {
  constructor(private readonly d: RecordingStepsDeps) {}

  get repo(): RecordingCallsRepo {
    return this.d.repo;
  }

  get live(): LiveRecordingStore {
    return this.d.live;
  }

  now(): number {
    return this.d.clock.nowMs();
  }

  /** Where `atMs` falls in the joined file: the open segment's offset plus its age. */
  offsetAt(rec: LiveRecording, atMs: number): number {
    if (rec.segmentStartedAtMs === null) return rec.offsetMs;
    return rec.offsetMs + Math.max(0, atMs - rec.segmentStartedAtMs);
  }

  /**
   * Opens the next segment in `bridgeId`: the segment row (unless `written` says it is in
   * already), then the ARI bridge recording
   * rec-<callId>-<seq>; a transfer (another agent than the last segment's) gets its mark.
   * Asterisk refusing leaves the segment failed, the live recording stopped and a `failed`
   * change naming the cause: never a silent gap.
   */
  async openSegment(
    ari: RecordingAri,
    rec: LiveRecording,
    bridgeId: string,
    agentId: AgentId | null,
    by: Actor,
    written?: { atMs: number },
  ): Promise<LiveRecording> {
    const seq = rec.seq + 1;
    const name = segmentName(rec.callId, seq);
    // `written`: the segment's row went in with the recording's (createWithFirstSegment) at atMs.
    const atMs = written?.atMs ?? this.now();
    const at = new Date(atMs);
    if (!written) {
      await this.d.repo.openSegment(rec.recordingId, {
        seq,
        agentId,
        bridgeId,
        asteriskName: name,
        startedAt: at,
        offsetMs: rec.offsetMs,
      });
    }
    if (seq > 1 && rec.agentId !== null && agentId !== rec.agentId) {
      await this.d.repo.addMark(rec.recordingId, {
        kind: 'transfer',
        at,
        offsetMs: rec.offsetMs,
        userId: null,
        source: 'system',
      });
    }
    try {
      await ari.recordBridge(bridgeId, {
        name,
        format: 'wav',
        ifExists: 'fail',
        beep: false,
        maxDurationSeconds: MAX_SEGMENT_S,
        terminateOn: 'none',
      });
    } catch (err) {
      await this.d.repo.closeSegment(rec.recordingId, seq, at, 0, 'failed');
      const failed: LiveRecording = {
        ...rec,
        state: 'stopped',
        seq,
        name: null,
        bridgeId,
        agentId,
        segmentStartedAtMs: null,
        pausedAtMs: null,
        pausedBy: null,
        consentPlaybackId: null,
      };
      await this.d.live.put(failed);
      this.d.logger.error(
        { err, callId: rec.callId, recordingId: rec.recordingId, seq, bridgeId },
        'bridge recording refused by the phone server',
      );
      await this.publish(failed, 'failed', by, seq, 'record_refused');
      return failed;
    }
    const next: LiveRecording = {
      ...rec,
      state: 'recording',
      seq,
      name,
      bridgeId,
      agentId,
      segmentStartedAtMs: atMs,
      pausedAtMs: null,
      pausedBy: null,
      consentPlaybackId: null,
    };
    await this.d.live.put(next);
    await this.publish(next, 'recording', by, seq, null);
    return next;
  }

  /**
   * Closes the open segment (the customer left the agent's bridge, or the call ended): stops
   * the ARI recording, ends a pause still running (its time counted, a resume mark), writes the
   * segment's length and publishes `stopped`. A recording Asterisk already ended (the bridge
   * went away) is not an error.
   */
  async closeSegment(ari: RecordingAri, rec: LiveRecording, by: Actor): Promise<LiveRecording> {
    if ((rec.state !== 'recording' && rec.state !== 'paused') || rec.name === null) return rec;
    const atMs = this.now();
    await ari.stopRecording(rec.name).catch((err: unknown) => {
      this.d.logger.debug(
        { err, callId: rec.callId, name: rec.name },
        'live recording already gone at its stop',
      );
    });
    if (rec.state === 'paused' && rec.pausedAtMs !== null) {
      await this.endPause(rec, atMs, SYSTEM);
    }
    const durationMs = Math.max(0, atMs - (rec.segmentStartedAtMs ?? atMs));
    await this.d.repo.closeSegment(
      rec.recordingId,
      rec.seq,
      new Date(atMs),
      durationMs,
      'finished',
    );
    const next: LiveRecording = {
      ...rec,
      state: 'stopped',
      name: null,
      offsetMs: rec.offsetMs + durationMs,
      segmentStartedAtMs: null,
      pausedAtMs: null,
      pausedBy: null,
    };
    await this.d.live.put(next);
    await this.publish(next, 'stopped', by, rec.seq, null);
    return next;
  }

  /** Mutes the open segment: silence in the file from now; a pause mark. */
  async pause(ari: RecordingAri, rec: LiveRecording, by: Actor): Promise<LiveRecording> {
    if (rec.name === null) return rec;
    await ari.muteRecording(rec.name);
    const atMs = this.now();
    await this.d.repo.addMark(rec.recordingId, {
      kind: 'pause',
      at: new Date(atMs),
      offsetMs: this.offsetAt(rec, atMs),
      userId: by.userId,
      source: by.source,
    });
    const next: LiveRecording = { ...rec, state: 'paused', pausedAtMs: atMs, pausedBy: by };
    await this.d.live.put(next);
    await this.publish(next, 'paused', by, rec.seq, null);
    return next;
  }

  /** Unmutes the open segment; the pause's length goes to paused_ms; a resume mark. */
  async resume(ari: RecordingAri, rec: LiveRecording, by: Actor): Promise<LiveRecording> {
    if (rec.name === null) return rec;
    await ari.unmuteRecording(rec.name);
    const atMs = this.now();
    await this.endPause(rec, atMs, by);
    const next: LiveRecording = { ...rec, state: 'recording', pausedAtMs: null, pausedBy: null };
    await this.d.live.put(next);
    await this.publish(next, 'recording', by, rec.seq, null);
    return next;
  }

  /** Milliseconds the pause that ends now lasted (0 when none). */
  pausedFor(rec: LiveRecording, atMs: number): number {
    return rec.pausedAtMs === null ? 0 : Math.max(0, atMs - rec.pausedAtMs);
  }

  private async endPause(rec: LiveRecording, atMs: number, by: Actor): Promise<void> {
    await this.d.repo.addMark(rec.recordingId, {
      kind: 'resume',
      at: new Date(atMs),
      offsetMs: this.offsetAt(rec, atMs),
      userId: by.userId,
      source: by.source,
    });
    await this.d.repo.addPausedMs(rec.recordingId, this.pausedFor(rec, atMs));
  }

  /** Publishes one `recording.changed` and logs it once. */
  async publish(
    rec: Pick<LiveRecording, 'callId' | 'recordingId' | 'campaignId' | 'agentId'>,
    state: RecordingChanged['state'],
    by: Actor,
    segment: number | null,
    error: string | null,
    consentPlaying?: boolean,
  ): Promise<void> {
    const event: RecordingChanged = {
      type: 'recording.changed',
      callId: rec.callId as CallId,
      recordingId: rec.recordingId,
      campaignId: rec.campaignId,
      agentId: rec.agentId,
      state,
      segment,
      by: by.source,
      error,
      ...(consentPlaying !== undefined ? { consentPlaying } : {}),
      atMs: this.now(),
    };
    this.d.logger.info(
      {
        callId: rec.callId,
        recordingId: rec.recordingId,
        state,
        segment,
        by: by.source,
        ...(error ? { error } : {}),
        ...(consentPlaying ? { consentPlaying } : {}),
      },
      'recording changed',
    );
    try {
      await this.d.bus.publish(event);
    } catch (err) {
      this.d.logger.warn({ err, callId: rec.callId }, 'recording.changed not published');
    }
  }
}
