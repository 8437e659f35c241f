import type pg from 'pg';
import { CallId, CampaignId } from '@ringside/protocol';
import { inTransaction } from '../postgres/transaction.js';

/** One step of the retention purge (services/recordings/store/ports.ts, PurgeStep). */
type PurgeStep =
  | { kind: 'purged'; recording: { id: string; callId: CallId; campaignId: CampaignId } }
  | { kind: 'held'; id: string }
  | { kind: 'failed'; id: string; callId: CallId; error: string }
  | null;

/**
 * The recordings rows as the recording store changes them (services/recordings/store/ports.ts:
 * RecordingMoveRows, RecordingRetentionRows, LegalHoldRows; 0130_recordings.sql). Claims skip
 * locked rows and are fenced by `attempts`, so two scheduler processes never move or purge the
 * same recording twice.
 */

interface ClaimRow {
  id: string;
  call_id: string;
  campaign_id: string;
  server_id: string;
  ended_ms: string | null;
  started_ms: string;
  bridged_ms: number | null;
  attempts: number;
  last_error: string | null;
  retention_days: number | null;
}

interface SegmentRow {
  seq: number;
  asterisk_name: string;
  offset_ms: number;
  duration_ms: number | null;
  state: 'recording' | 'finished' | 'failed' | 'moved';
}

/** The retention days when the campaign is gone (the column's default). */
const DEFAULT_RETENTION_DAYS = 365;

/** Fenced update: this claim's attempt is still the row's, and it is still pending. */
const FENCE = "id = $1 AND state = 'pending' AND attempts = $2";

export class PgRecordingRows {
  constructor(private readonly pool: pg.Pool) {}

  async claimDue(nowMs: number, leaseMs: number) {
    const now = new Date(nowMs);
    const r = await this.pool.query<ClaimRow>(
      `UPDATE recordings r SET attempts = r.attempts + 1, next_attempt_at = $2
       FROM (SELECT id FROM recordings
             WHERE state = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= $1)
             ORDER BY next_attempt_at NULLS FIRST, id
             LIMIT 1 FOR UPDATE SKIP LOCKED) due
       WHERE r.id = due.id
       RETURNING r.id::text AS id, r.call_id, r.campaign_id::text AS campaign_id, r.server_id,
         (extract(epoch FROM r.ended_at) * 1000)::bigint::text AS ended_ms,
         (extract(epoch FROM r.started_at) * 1000)::bigint::text AS started_ms,
         r.bridged_ms, r.attempts, r.last_error,
         (SELECT c.recording_retention_days FROM campaigns c WHERE c.id = r.campaign_id) AS retention_days`,
      [now, new Date(nowMs + leaseMs)],
    );
    const row = r.rows[0];
    if (!row) return null;
    const segs = await this.pool.query<SegmentRow>(
      `SELECT seq, asterisk_name, offset_ms, duration_ms, state FROM recording_segments
       WHERE recording_id = $1 ORDER BY seq`,
      [row.id],
    );
    return {
      id: row.id,
      callId: CallId.parse(row.call_id),
      campaignId: CampaignId.parse(row.campaign_id),
      serverId: row.server_id,
      // A pending row without an end (the call flow did not say): its start stands in.
      endedAtMs: Number(row.ended_ms ?? row.started_ms),
      bridgedMs: row.bridged_ms,
      attempt: row.attempts,
      lastError: row.last_error,
      retentionDays: row.retention_days ?? DEFAULT_RETENTION_DAYS,
      segments: segs.rows.map((s) => ({
        seq: s.seq,
        asteriskName: s.asterisk_name,
        offsetMs: s.offset_ms,
        durationMs: s.duration_ms,
        state: s.state,
      })),
    };
  }

  async finish(
    r: { id: string; attempt: number },
    state: 'stored' | 'mismatch',
    file: {
      storageUrl: string;
      sizeBytes: number;
      durationMs: number;
      keyId: string;
      purgeAfterMs: number;
    },
    error: string | null,
  ): Promise<boolean> {
    const u = await this.pool.query(
      `UPDATE recordings SET state = $3, storage_url = $4, format = 'wav', size_bytes = $5,
         duration_ms = $6, key_id = $7, purge_after = $8, last_error = $9, next_attempt_at = NULL
       WHERE ${FENCE}`,
      [
        r.id,
        r.attempt,
        state,
        file.storageUrl,
        file.sizeBytes,
        file.durationMs,
        file.keyId,
        new Date(file.purgeAfterMs),
        error,
      ],
    );
    return u.rowCount === 1;
  }

  async fail(r: { id: string; attempt: number }, reason: string): Promise<boolean> {
    const u = await this.pool.query(
      `UPDATE recordings SET state = 'failed', last_error = $3, next_attempt_at = NULL WHERE ${FENCE}`,
      [r.id, r.attempt, reason],
    );
    return u.rowCount === 1;
  }

  async retryLater(
    r: { id: string; attempt: number },
    error: string,
    nextAttemptAtMs: number,
  ): Promise<void> {
    await this.pool.query(
      `UPDATE recordings SET last_error = $3, next_attempt_at = $4 WHERE ${FENCE}`,
      [r.id, r.attempt, error, new Date(nextAttemptAtMs)],
    );
  }

  async segmentMoved(recordingId: string, seq: number): Promise<void> {
    await this.pool.query(
      `UPDATE recording_segments SET state = 'moved' WHERE recording_id = $1 AND seq = $2`,
      [recordingId, seq],
    );
  }

  async leftOnAsterisk(limit: number) {
    const r = await this.pool.query<{
      recording_id: string;
      seq: number;
      server_id: string;
      asterisk_name: string;
    }>(
      `SELECT s.recording_id::text AS recording_id, s.seq, r.server_id, s.asterisk_name
       FROM recording_segments s JOIN recordings r ON r.id = s.recording_id
       WHERE r.state IN ('stored', 'mismatch', 'purged') AND s.state <> 'moved'
       ORDER BY s.recording_id, s.seq LIMIT $1`,
      [limit],
    );
    return r.rows.map((x) => ({
      recordingId: x.recording_id,
      seq: x.seq,
      serverId: x.server_id,
      asteriskName: x.asterisk_name,
    }));
  }

  async backlog(): Promise<{ pending: number; oldestEndedAtMs: number | null }> {
    const r = await this.pool.query<{ n: number; oldest: string | null }>(
      `SELECT count(*)::int AS n,
         (extract(epoch FROM min(coalesce(ended_at, started_at))) * 1000)::bigint::text AS oldest
       FROM recordings WHERE state = 'pending'`,
    );
    const row = r.rows[0];
    return { pending: row?.n ?? 0, oldestEndedAtMs: row?.oldest ? Number(row.oldest) : null };
  }

  async purgeNext(
    nowMs: number,
    deleteFile: (url: string) => Promise<void>,
    skip: readonly string[],
  ): Promise<PurgeStep> {
    return inTransaction(this.pool, async (c): Promise<PurgeStep> => {
      const r = await c.query<{
        id: string;
        call_id: string;
        campaign_id: string;
        lead_id: string | null;
        storage_url: string | null;
        purge_after: Date;
      }>(
        `SELECT r.id::text AS id, r.call_id, r.campaign_id::text AS campaign_id,
           r.lead_id::text AS lead_id, r.storage_url, r.purge_after
         FROM recordings r
         WHERE r.state IN ('stored', 'mismatch') AND NOT r.legal_hold AND r.purge_after <= $1
           AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.id = r.lead_id AND l.legal_hold)
           AND r.id::text <> ALL($2::text[])
         ORDER BY r.purge_after LIMIT 1 FOR UPDATE OF r SKIP LOCKED`,
        [new Date(nowMs), [...skip]],
      );
      const row = r.rows[0];
      if (!row) return null;
      if (row.lead_id !== null) {
        // A hold set on the lead since the SELECT: the lead's row lock makes the two serial.
        const l = await c.query<{ legal_hold: boolean }>(
          'SELECT legal_hold FROM leads WHERE id = $1 FOR SHARE',
          [row.lead_id],
        );
        if (l.rows[0]?.legal_hold) return { kind: 'held', id: row.id };
      }
      if (row.storage_url) {
        try {
          await deleteFile(row.storage_url);
        } catch (e) {
          // Nothing written yet: the row stays as it was for the next pass.
          const error = e instanceof Error ? e.message : String(e);
          return { kind: 'failed', id: row.id, callId: CallId.parse(row.call_id), error };
        }
      }
      await c.query(`UPDATE recordings SET state = 'purged', purged_at = $2 WHERE id = $1`, [
        row.id,
        new Date(nowMs),
      ]);
      await c.query(
        'INSERT INTO audit_log (user_id, action, target, detail) VALUES (NULL, $1, $2, $3)',
        [
          'recording.purge',
          `recording:${row.id}`,
          JSON.stringify({
            callId: row.call_id,
            campaignId: row.campaign_id,
            leadId: row.lead_id,
            purgeAfter: row.purge_after.toISOString(),
          }),
        ],
      );
      return {
        kind: 'purged',
        recording: {
          id: row.id,
          callId: CallId.parse(row.call_id),
          campaignId: CampaignId.parse(row.campaign_id),
        },
      };
    });
  }

  async setLeadHold(leadId: string, hold: boolean): Promise<boolean> {
    const u = await this.pool.query('UPDATE leads SET legal_hold = $2 WHERE id = $1', [
      leadId,
      hold,
    ]);
    return u.rowCount === 1;
  }

  async setRecordingHold(recordingId: string, hold: boolean): Promise<boolean> {
    const u = await this.pool.query('UPDATE recordings SET legal_hold = $2 WHERE id = $1', [
      recordingId,
      hold,
    ]);
    return u.rowCount === 1;
  }

  /** Stored recordings not encrypted with `keyId` (re-encryption after a key rotation). */
  async encryptedWithOther(keyId: string, afterId: string, limit: number) {
    const r = await this.pool.query<{ id: string; storage_url: string; ended_ms: string }>(
      `SELECT id::text AS id, storage_url,
         (extract(epoch FROM coalesce(ended_at, started_at)) * 1000)::bigint::text AS ended_ms
       FROM recordings
       WHERE state IN ('stored', 'mismatch') AND storage_url IS NOT NULL AND key_id IS DISTINCT FROM $1
         AND id > $2::bigint
       ORDER BY id LIMIT $3`,
      [keyId, afterId, limit],
    );
    return r.rows.map((x) => ({
      id: x.id,
      storageUrl: x.storage_url,
      endedAtMs: Number(x.ended_ms),
    }));
  }

  /** After re-encryption: the key and the stored size. */
  async setKey(recordingId: string, keyId: string, sizeBytes: number): Promise<void> {
    await this.pool.query('UPDATE recordings SET key_id = $2, size_bytes = $3 WHERE id = $1', [
      recordingId,
      keyId,
      sizeBytes,
    ]);
  }
}
