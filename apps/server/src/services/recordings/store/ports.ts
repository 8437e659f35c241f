import type { CallId, CampaignId } from '@ringside/protocol';

/**
 * What the recording store (the mover and the retention purge) needs from outside, besides the
 * vault (ports/recording-vault.ts) and the event bus. Implemented on PostgreSQL in
 * adapters/storage/recording-rows.ts, on ARI in roles/scheduler.ts.
 */

/** One agent's part of a pending recording: a stored recording on one Asterisk. */
export interface PendingSegment {
  seq: number;
  /** The stored recording's name on Asterisk (recording_segments.asterisk_name). */
  asteriskName: string;
  /** Where it starts in the call's file, ms. */
  offsetMs: number;
  durationMs: number | null;
  /** 'failed': Asterisk reported RecordingFailed for it. */
  state: 'recording' | 'finished' | 'failed' | 'moved';
}

/** A recording claimed for one move attempt. */
export interface ClaimedRecording {
  /** recordings.id (decimal string). */
  id: string;
  callId: CallId;
  campaignId: CampaignId;
  /** The Asterisk server the segments were made on (config id host:port). */
  serverId: string;
  endedAtMs: number;
  /** The customer's time bridged to agents, ms; null when the call flow did not say. */
  bridgedMs: number | null;
  /** This attempt's number (1 = first): also the claim's fencing token. */
  attempt: number;
  /** The error the previous attempt left, if any. */
  lastError: string | null;
  /** The campaign's recording_retention_days. */
  retentionDays: number;
  segments: PendingSegment[];
}

/** Where a recording's file went. */
export interface StoredFile {
  storageUrl: string;
  sizeBytes: number;
  durationMs: number;
  keyId: string;
  purgeAfterMs: number;
}

/** The recordings table as the mover changes it; every write is fenced by the claim. */
export interface RecordingMoveRows {
  /**
   * Claims one pending recording whose next attempt is due (next_attempt_at null or <= now):
   * attempts+1 and next_attempt_at = now + leaseMs in one statement that skips rows another
   * process holds, so two movers never take the same recording; a mover that dies loses its
   * claim when the lease runs out.
   */
  claimDue(nowMs: number, leaseMs: number): Promise<ClaimedRecording | null>;
  /** stored or mismatch, with the file; false when the claim was lost (another attempt). */
  finish(
    r: ClaimedRecording,
    state: 'stored' | 'mismatch',
    file: StoredFile,
    error: string | null,
  ): Promise<boolean>;
  /** failed, with the reason; false when the claim was lost. */
  fail(r: ClaimedRecording, reason: string): Promise<boolean>;
  /** Stays pending: last_error and the next attempt's time. */
  retryLater(r: ClaimedRecording, error: string, nextAttemptAtMs: number): Promise<void>;
  /** A segment's file is gone from Asterisk (state 'moved'). */
  segmentMoved(recordingId: string, seq: number): Promise<void>;
  /** Segments of stored/mismatch recordings still on Asterisk (a delete that failed earlier). */
  leftOnAsterisk(
    limit: number,
  ): Promise<Array<{ recordingId: string; seq: number; serverId: string; asteriskName: string }>>;
  /** Recordings waiting to be moved, and the end time of the oldest. */
  backlog(): Promise<{ pending: number; oldestEndedAtMs: number | null }>;
}

/** A recording the purge removed. */
export interface PurgedRecording {
  id: string;
  callId: CallId;
  campaignId: CampaignId;
}

/**
 * One step of the retention purge: a recording purged; one passed over (its lead put on hold
 * since it was chosen, or its file refused to go: `error` says why, the row is untouched); or
 * nothing left to do (null).
 */
export type PurgeStep =
  | { kind: 'purged'; recording: PurgedRecording }
  | { kind: 'held'; id: string }
  | { kind: 'failed'; id: string; callId: CallId; error: string }
  | null;

/** The recordings table as the retention purge changes it. */
export interface RecordingRetentionRows {
  /**
   * Purges the next recording past purge_after whose recording and lead are not on legal hold,
   * leaving out the ids in `skip` (those this pass already passed over): inside one transaction
   * it locks the row (skipping rows another process holds) and the lead's, calls `deleteFile`
   * with its storage url, marks it purged (purged_at = now) and writes its audit_log row.
   * `deleteFile` throwing leaves the row untouched (kind `failed`, for the next pass).
   */
  purgeNext(
    nowMs: number,
    deleteFile: (url: string) => Promise<void>,
    skip: readonly string[],
  ): Promise<PurgeStep>;
}

/** Legal holds (admin, audited by the route). */
export interface LegalHoldRows {
  /** False when there is no such lead. */
  setLeadHold(leadId: string, hold: boolean): Promise<boolean>;
  /** False when there is no such recording. */
  setRecordingHold(recordingId: string, hold: boolean): Promise<boolean>;
}

/** The segments' files on the Asterisk servers (ARI stored recordings). */
export interface StoredSegments {
  /** The file; rejects with a TelephonyError (kind notFound when Asterisk has none). */
  fetch(serverId: string, name: string): Promise<Buffer>;
  /** Deletes it; a missing one is not an error. */
  delete(serverId: string, name: string): Promise<void>;
}
