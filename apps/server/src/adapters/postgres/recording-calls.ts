import type { AgentId, CallId, CampaignId } from '@ringside/protocol';
import { sql, type Selectable } from 'kysely';
import type {
  MarkRow,
  RecordingCallsRepo,
  RecordingRow,
  SegmentRow,
} from '../../ports/recording-calls.js';
import type { Db, RecordingsTable } from './database.js';

/**
 * The recording call flow's rows (0130_recordings.sql): one recording per call, its segments
 * and its marks, as the ari-worker and the api's pause/resume write them.
 */

function toRow(r: Selectable<RecordingsTable>): RecordingRow {
  return {
    id: String(r.id),
    callId: r.call_id as CallId,
    campaignId: String(r.campaign_id) as CampaignId,
    state: r.state,
    reason: r.reason,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    bridgedMs: r.bridged_ms,
    pausedMs: r.paused_ms,
  };
}

export function createRecordingCallsRepo(db: Db): RecordingCallsRepo {
  const byCall = async (callId: CallId): Promise<RecordingRow | null> => {
    const row = await db
      .selectFrom('recordings')
      .selectAll()
      .where('call_id', '=', callId)
      .executeTakeFirst();
    return row ? toRow(row) : null;
  };

  return {
    async create(r) {
      const row = await db
        .insertInto('recordings')
        .values({
          call_id: r.callId,
          campaign_id: r.campaignId,
          lead_id: r.leadId,
          server_id: r.serverId,
          reason: r.reason,
          started_at: r.startedAt,
          format: 'wav',
        })
        .onConflict((oc) => oc.column('call_id').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row) return { row: toRow(row), created: true };
      const existing = await byCall(r.callId);
      if (!existing) throw new Error(`recording of call ${r.callId} neither inserted nor found`);
      return { row: existing, created: false };
    },

    async createWithFirstSegment(r, first) {
      // One statement: the segment row only when the recording row was inserted here.
      const agentId =
        first.agentId !== null && /^[0-9]+$/.test(first.agentId) ? first.agentId : null;
      const res = await sql<Selectable<RecordingsTable>>`
        WITH r AS (
          INSERT INTO recordings (call_id, campaign_id, lead_id, server_id, reason, started_at, format)
          VALUES (${r.callId}, ${r.campaignId}, ${r.leadId}, ${r.serverId}, ${r.reason},
                  ${r.startedAt}, 'wav')
          ON CONFLICT (call_id) DO NOTHING
          RETURNING *
        ), s AS (
          INSERT INTO recording_segments
            (recording_id, seq, agent_id, bridge_id, asterisk_name, started_at, offset_ms)
          SELECT r.id, 1, ${agentId}::bigint, ${first.bridgeId}::text, ${first.asteriskName}::text,
                 ${first.startedAt}::timestamptz, ${first.offsetMs}::integer
            FROM r
        )
        SELECT * FROM r`.execute(db);
      const row = res.rows[0];
      if (row) return { row: toRow(row), created: true };
      const existing = await byCall(r.callId);
      if (!existing) throw new Error(`recording of call ${r.callId} neither inserted nor found`);
      return { row: existing, created: false };
    },

    byCall,

    async segments(recordingId) {
      const rows = await db
        .selectFrom('recording_segments')
        .selectAll()
        .where('recording_id', '=', recordingId)
        .orderBy('seq')
        .execute();
      return rows.map((s): SegmentRow => ({
        seq: s.seq,
        agentId: s.agent_id === null ? null : (String(s.agent_id) as AgentId),
        bridgeId: s.bridge_id,
        asteriskName: s.asterisk_name,
        startedAt: s.started_at,
        endedAt: s.ended_at,
        offsetMs: s.offset_ms,
        durationMs: s.duration_ms,
        state: s.state,
      }));
    },

    async marks(recordingId) {
      const rows = await db
        .selectFrom('recording_marks')
        .selectAll()
        .where('recording_id', '=', recordingId)
        .orderBy('offset_ms')
        .orderBy('id')
        .execute();
      return rows.map((m): MarkRow => ({
        kind: m.kind,
        at: m.at,
        offsetMs: m.offset_ms,
        userId: m.user_id === null ? null : String(m.user_id),
        source: m.source,
      }));
    },

    async openSegment(recordingId, s) {
      await db
        .insertInto('recording_segments')
        .values({
          recording_id: recordingId,
          seq: s.seq,
          agent_id: s.agentId !== null && /^[0-9]+$/.test(s.agentId) ? s.agentId : null,
          bridge_id: s.bridgeId,
          asterisk_name: s.asteriskName,
          started_at: s.startedAt,
          offset_ms: s.offsetMs,
        })
        .execute();
    },

    async closeSegment(recordingId, seq, endedAt, durationMs, state) {
      await db
        .updateTable('recording_segments')
        .set({ ended_at: endedAt, duration_ms: Math.max(0, Math.round(durationMs)), state })
        .where('recording_id', '=', recordingId)
        .where('seq', '=', seq)
        .where('state', '=', 'recording')
        .execute();
    },

    async addMark(recordingId, m) {
      await db
        .insertInto('recording_marks')
        .values({
          recording_id: recordingId,
          kind: m.kind,
          at: m.at,
          offset_ms: Math.max(0, Math.round(m.offsetMs)),
          user_id: m.userId,
          source: m.source,
        })
        .execute();
    },

    async addPausedMs(recordingId, ms) {
      await db
        .updateTable('recordings')
        .set({ paused_ms: sql<number>`paused_ms + ${Math.max(0, Math.round(ms))}` })
        .where('id', '=', recordingId)
        .execute();
    },

    async finish(recordingId, f) {
      const r = await db
        .updateTable('recordings')
        .set({
          ended_at: f.endedAt,
          bridged_ms: Math.round(f.bridgedMs),
          state: f.state,
          last_error: f.lastError,
          next_attempt_at: f.endedAt,
          purge_after: new Date(f.endedAt.getTime() + f.retentionDays * 86_400_000),
        })
        .where('id', '=', recordingId)
        .where('state', '=', 'recording')
        .executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },

    async finishFromSegments(recordingId, f) {
      const purgeAfter = new Date(f.endedAt.getTime() + f.retentionDays * 86_400_000);
      const res = await sql<{ state: 'pending' | 'failed' }>`
        WITH s AS (
          SELECT coalesce(sum(greatest(duration_ms, 0)) FILTER (WHERE state <> 'failed'), 0)::integer
                   AS bridged,
                 bool_or(state = 'finished' AND coalesce(duration_ms, 0) > 0) AS audio
            FROM recording_segments WHERE recording_id = ${recordingId}
        )
        UPDATE recordings
           SET ended_at = ${f.endedAt}, bridged_ms = s.bridged,
               state = CASE WHEN s.audio THEN 'pending' ELSE 'failed' END,
               last_error = CASE WHEN s.audio THEN NULL ELSE 'no_audio' END,
               next_attempt_at = ${f.endedAt}, purge_after = ${purgeAfter}
          FROM s
         WHERE recordings.id = ${recordingId} AND recordings.state = 'recording'
        RETURNING recordings.state`.execute(db);
      return res.rows[0]?.state ?? null;
    },
  };
}
