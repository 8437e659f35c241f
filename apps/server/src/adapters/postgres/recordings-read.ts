import type pg from 'pg';
import type {
  RecordingMarkView,
  RecordingReason,
  RecordingRowState,
  RecordingSegmentView,
  RecordingView,
} from '@ringside/protocol';
import type {
  RecordingAccess,
  RecordingFilter,
  RecordingForPlay,
  RecordingsReadRepo,
} from '../../ports/recording-play.js';

/**
 * The player's reads of recordings, recording_segments and recording_marks (0130) and the
 * waveform cache recording_peaks (0140). Who may hear what is a WHERE clause here, so a list never
 * holds a row the caller may not hear and a refused recording reads exactly like a missing one.
 */

interface RecordingRow {
  id: string;
  call_id: string;
  campaign_id: string;
  lead_id: string | null;
  state: RecordingRowState;
  reason: RecordingReason;
  started_at: Date;
  ended_at: Date | null;
  duration_ms: number | null;
  paused_ms: number;
  size_bytes: string | null;
  legal_hold: boolean;
  last_error: string | null;
  storage_url: string | null;
}

const COLUMNS = `r.id::text AS id, r.call_id, r.campaign_id::text AS campaign_id,
  r.lead_id::text AS lead_id, r.state, r.reason, r.started_at, r.ended_at, r.duration_ms,
  r.paused_ms, r.size_bytes::text AS size_bytes, r.legal_hold, r.last_error, r.storage_url`;

/** Builds `AND ...` clauses with numbered parameters. */
class Where {
  readonly parts: string[] = [];
  readonly params: unknown[] = [];
  add(sql: (p: string) => string, value: unknown): void {
    this.params.push(value);
    this.parts.push(sql(`$${this.params.length}`));
  }
  get sql(): string {
    return this.parts.length ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}

function accessClause(w: Where, access: RecordingAccess): void {
  if (access.kind === 'all') return;
  w.add(
    (p) => `c.agents_hear_own_recordings AND EXISTS (SELECT 1 FROM recording_segments s
      WHERE s.recording_id = r.id AND s.agent_id = ${p}::bigint)`,
    access.agentId,
  );
}

function filterClause(w: Where, f: RecordingFilter): void {
  if (f.kind === 'call') return w.add((p) => `r.call_id = ${p}`, f.callId);
  if (f.kind === 'lead') return w.add((p) => `r.lead_id = ${p}::bigint`, f.leadId);
  if (f.kind === 'ids') return w.add((p) => `r.id = ANY(${p}::bigint[])`, f.ids);
  const q = f.query;
  if (q.campaignId) w.add((p) => `r.campaign_id = ${p}::bigint`, q.campaignId);
  if (q.agentId)
    w.add(
      (p) => `EXISTS (SELECT 1 FROM recording_segments sa
        WHERE sa.recording_id = r.id AND sa.agent_id = ${p}::bigint)`,
      q.agentId,
    );
  if (q.from !== undefined) w.add((p) => `r.started_at >= ${p}`, new Date(q.from));
  if (q.to !== undefined) w.add((p) => `r.started_at < ${p}`, new Date(q.to));
  if (q.state) w.add((p) => `r.state = ${p}`, q.state);
  if (q.reason) w.add((p) => `r.reason = ${p}`, q.reason);
}

export function createRecordingsReadRepo(pool: pg.Pool): RecordingsReadRepo {
  async function withTimeline(rows: RecordingRow[]): Promise<RecordingView[]> {
    if (rows.length === 0) return [];
    const ids = rows.map((r) => r.id);
    const [segs, marks] = await Promise.all([
      pool.query<{
        recording_id: string;
        seq: number;
        agent_id: string | null;
        offset_ms: number;
        duration_ms: number | null;
        started_at: Date;
      }>(
        `SELECT recording_id::text AS recording_id, seq, agent_id::text AS agent_id, offset_ms,
                duration_ms, started_at
           FROM recording_segments WHERE recording_id = ANY($1::bigint[]) ORDER BY seq`,
        [ids],
      ),
      pool.query<{
        recording_id: string;
        kind: RecordingMarkView['kind'];
        offset_ms: number;
        at: Date;
        source: RecordingMarkView['source'];
      }>(
        `SELECT recording_id::text AS recording_id, kind, offset_ms, at, source
           FROM recording_marks WHERE recording_id = ANY($1::bigint[]) ORDER BY offset_ms, id`,
        [ids],
      ),
    ]);
    const segments = new Map<string, RecordingSegmentView[]>();
    for (const s of segs.rows) {
      const list = segments.get(s.recording_id) ?? [];
      list.push({
        seq: s.seq,
        agentId: s.agent_id,
        offsetMs: Math.max(0, s.offset_ms),
        durationMs: s.duration_ms === null ? null : Math.max(0, s.duration_ms),
        startedAtMs: s.started_at.getTime(),
      });
      segments.set(s.recording_id, list);
    }
    const timeline = new Map<string, RecordingMarkView[]>();
    for (const m of marks.rows) {
      const list = timeline.get(m.recording_id) ?? [];
      list.push({
        kind: m.kind,
        offsetMs: Math.max(0, m.offset_ms),
        atMs: m.at.getTime(),
        source: m.source,
      });
      timeline.set(m.recording_id, list);
    }
    return rows.map((r) => ({
      id: r.id,
      callId: r.call_id,
      campaignId: r.campaign_id,
      leadId: r.lead_id,
      state: r.state,
      reason: r.reason,
      startedAtMs: r.started_at.getTime(),
      endedAtMs: r.ended_at?.getTime() ?? null,
      durationMs: r.duration_ms,
      pausedMs: r.paused_ms,
      sizeBytes: r.size_bytes === null ? null : Number(r.size_bytes),
      legalHold: r.legal_hold,
      lastError: r.last_error,
      playable: (r.state === 'stored' || r.state === 'mismatch') && r.storage_url !== null,
      segments: segments.get(r.id) ?? [],
      marks: timeline.get(r.id) ?? [],
    }));
  }

  return {
    async get(id, access): Promise<RecordingForPlay | null> {
      const w = new Where();
      w.add((p) => `r.id = ${p}::bigint`, id);
      accessClause(w, access);
      const r = await pool.query<RecordingRow>(
        `SELECT ${COLUMNS} FROM recordings r JOIN campaigns c ON c.id = r.campaign_id ${w.sql}`,
        w.params,
      );
      const row = r.rows[0];
      if (!row) return null;
      const [view] = await withTimeline([row]);
      return view ? { view, storageUrl: row.storage_url } : null;
    },

    async list(filter, access, page) {
      const w = new Where();
      filterClause(w, filter);
      accessClause(w, access);
      const limit = page.pageSize + 1;
      const offset = (page.page - 1) * page.pageSize;
      const r = await pool.query<RecordingRow>(
        `SELECT ${COLUMNS} FROM recordings r JOIN campaigns c ON c.id = r.campaign_id ${w.sql}
          ORDER BY r.started_at DESC, r.id DESC LIMIT ${limit} OFFSET ${offset}`,
        w.params,
      );
      const hasMore = r.rows.length > page.pageSize;
      return {
        recordings: await withTimeline(r.rows.slice(0, page.pageSize)),
        hasMore,
      };
    },

    async cachedPeaks(id, storageUrl) {
      const r = await pool.query<{ buckets: number; duration_ms: number; peaks: Buffer }>(
        `SELECT buckets, duration_ms, peaks FROM recording_peaks
          WHERE recording_id = $1::bigint AND storage_url = $2`,
        [id, storageUrl],
      );
      const row = r.rows[0];
      if (!row) return null;
      const peaks = new Int8Array(row.peaks.buffer, row.peaks.byteOffset, row.peaks.length);
      return { buckets: row.buckets, durationMs: row.duration_ms, peaks: Int8Array.from(peaks) };
    },

    async savePeaks(id, storageUrl, p) {
      await pool.query(
        `INSERT INTO recording_peaks (recording_id, storage_url, buckets, duration_ms, peaks)
         VALUES ($1::bigint, $2, $3, $4, $5)
         ON CONFLICT (recording_id) DO UPDATE SET storage_url = EXCLUDED.storage_url,
           buckets = EXCLUDED.buckets, duration_ms = EXCLUDED.duration_ms,
           peaks = EXCLUDED.peaks, computed_at = now()`,
        [
          id,
          storageUrl,
          p.buckets,
          p.durationMs,
          Buffer.from(p.peaks.buffer, p.peaks.byteOffset, p.peaks.byteLength),
        ],
      );
    },
  };
}
