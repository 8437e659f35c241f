import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import type {
  CallId,
  CampaignId,
  LeadId,
  VoicemailMessage,
  VoicemailOutcome,
  VoicemailSettings,
  VoicemailSettingsPatch,
} from '@ringside/protocol';
import { NotFoundError, ValidationError } from '../../errors.js';
import type {
  NewVmMessage,
  StoredDropPlan,
  VoicemailApi,
  VoicemailStore,
} from '../../ports/voicemail.js';

/**
 * Voicemail messages, the campaigns' drop settings, call_log.vm_outcome and the AMD review's
 * recordings rows in PostgreSQL (0145_voicemail.sql, 0130_recordings.sql), in plain SQL
 * (docs/recording.md, "Voicemail drop").
 */

/** The media URI Asterisk plays for a message: fetched over HTTP by res_http_media_cache. */
export function vmMediaUri(baseUrl: string, token: string): string {
  return `sound:${baseUrl.replace(/\/+$/, '')}/media/vm/${token}.wav`;
}

interface SettingsRow {
  vm_message_id: string | null;
  vm_drop_wait: 'none' | 'greeting_end';
  vm_drop_max_wait_s: number;
  vm_no_beep_action: 'leave' | 'hangup';
  amd_review_pct: number;
}

interface MessageRow {
  id: string;
  campaign_id: string;
  name: string;
  source_format: 'wav' | 'mp3';
  duration_ms: number;
  size_bytes: number;
  created_at: Date;
}

const MESSAGE_COLUMNS =
  'id::text AS id, campaign_id::text AS campaign_id, name, source_format, duration_ms, size_bytes, created_at';

function toMessage(r: MessageRow): VoicemailMessage {
  return {
    id: r.id,
    campaignId: r.campaign_id as CampaignId,
    name: r.name,
    sourceFormat: r.source_format,
    durationMs: r.duration_ms,
    sizeBytes: r.size_bytes,
    createdAtMs: r.created_at.getTime(),
  };
}

function toSettings(r: SettingsRow): VoicemailSettings {
  return {
    messageId: r.vm_message_id,
    wait: r.vm_drop_wait,
    maxWaitS: r.vm_drop_max_wait_s,
    noBeepAction: r.vm_no_beep_action,
    amdReviewPct: r.amd_review_pct,
  };
}

export class PgVoicemailStore implements VoicemailStore, VoicemailApi {
  constructor(
    private readonly pool: pg.Pool,
    /** Where Asterisk fetches messages from: the api's base URL as Asterisk reaches it. */
    private readonly mediaBaseUrl: string,
  ) {}

  // ----- the dialer's side -----

  /**
   * What a campaign's drops use: its settings, and its uploaded message (else the campaign's
   * machine_message_audio URI). Null when the campaign has no message at all.
   */
  async plan(campaignId: CampaignId): Promise<StoredDropPlan> {
    const r = await this.pool.query<
      SettingsRow & {
        machine_message_audio: string | null;
        media_token: string | null;
        duration_ms: number | null;
      }
    >(
      `SELECT c.vm_message_id::text AS vm_message_id, c.vm_drop_wait, c.vm_drop_max_wait_s,
              c.vm_no_beep_action, c.amd_review_pct, c.machine_message_audio,
              m.media_token, m.duration_ms
         FROM campaigns c LEFT JOIN vm_messages m ON m.id = c.vm_message_id
        WHERE c.id = $1`,
      [campaignId],
    );
    const row = r.rows[0];
    const media = row?.media_token
      ? vmMediaUri(this.mediaBaseUrl, row.media_token)
      : (row?.machine_message_audio ?? null);
    return {
      wait: row?.vm_drop_wait ?? 'greeting_end',
      maxWaitMs: (row?.vm_drop_max_wait_s ?? 30) * 1000,
      noBeepAction: row?.vm_no_beep_action ?? 'leave',
      media,
      messageId: row?.media_token ? row.vm_message_id : null,
      messageMs: row?.media_token ? row.duration_ms : null,
      amdReviewPct: row?.amd_review_pct ?? 0,
    };
  }

  async recordOutcome(callId: CallId, outcome: VoicemailOutcome): Promise<void> {
    await this.pool.query(`UPDATE call_log SET vm_outcome = $2 WHERE id = $1`, [callId, outcome]);
  }

  // ----- the AMD review's recordings -----

  async mayRecord(leadId: LeadId, campaignId: CampaignId): Promise<boolean> {
    const r = await this.pool.query<{ dnc: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM leads l JOIN dnc d ON d.phone = l.phone
                       WHERE l.id = $1 AND (d.campaign_id IS NULL OR d.campaign_id = $2)) AS dnc`,
      [leadId, campaignId],
    );
    return r.rows[0]?.dnc === false;
  }

  async started(x: {
    callId: CallId;
    campaignId: CampaignId;
    leadId: LeadId;
    serverId: string;
    name: string;
    atMs: number;
  }): Promise<string> {
    const at = new Date(x.atMs);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const r = await client.query<{ id: string }>(
        `INSERT INTO recordings (call_id, campaign_id, lead_id, server_id, state, reason, started_at)
         VALUES ($1, $2, $3, $4, 'recording', 'amd_review', $5) RETURNING id::text AS id`,
        [x.callId, x.campaignId, x.leadId, x.serverId, at],
      );
      const id = r.rows[0]!.id;
      // No bridge: the customer's channel itself is recorded.
      await client.query(
        `INSERT INTO recording_segments (recording_id, seq, bridge_id, asterisk_name, started_at)
         VALUES ($1, 1, $2, $3, $4)`,
        [id, `channel:${x.callId}`, x.name, at],
      );
      await client.query('COMMIT');
      return id;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async ended(recordingId: string, atMs: number, recordedMs: number | null): Promise<void> {
    const at = new Date(atMs);
    await this.pool.query(
      `WITH seg AS (
         UPDATE recording_segments
            SET ended_at = $2, state = 'finished',
                duration_ms = COALESCE($3::int,
                  GREATEST(0, (EXTRACT(EPOCH FROM ($2::timestamptz - started_at)) * 1000)::int))
          WHERE recording_id = $1 AND seq = 1 RETURNING duration_ms)
       UPDATE recordings
          SET state = 'pending', ended_at = $2, next_attempt_at = $2,
              bridged_ms = (SELECT duration_ms FROM seg),
              purge_after = $2::timestamptz + make_interval(days =>
                (SELECT recording_retention_days FROM campaigns WHERE id = recordings.campaign_id))
        WHERE id = $1 AND state = 'recording'`,
      [recordingId, at, recordedMs],
    );
  }

  // ----- the admin's side -----

  async view(campaignId: CampaignId): Promise<{
    settings: VoicemailSettings;
    messages: VoicemailMessage[];
  }> {
    const s = await this.pool.query<SettingsRow>(
      `SELECT vm_message_id::text AS vm_message_id, vm_drop_wait, vm_drop_max_wait_s,
              vm_no_beep_action, amd_review_pct FROM campaigns WHERE id = $1`,
      [campaignId],
    );
    const row = s.rows[0];
    if (!row) throw new NotFoundError(`campaign ${campaignId} does not exist`);
    const m = await this.pool.query<MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM vm_messages WHERE campaign_id = $1 ORDER BY id DESC`,
      [campaignId],
    );
    return { settings: toSettings(row), messages: m.rows.map(toMessage) };
  }

  async addMessage(m: NewVmMessage): Promise<VoicemailMessage> {
    const r = await this.pool.query<MessageRow>(
      `INSERT INTO vm_messages (campaign_id, name, source_format, duration_ms, size_bytes, audio,
                                media_token, created_by)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8 WHERE EXISTS (SELECT 1 FROM campaigns WHERE id = $1)
       RETURNING ${MESSAGE_COLUMNS}`,
      [
        m.campaignId,
        m.name,
        m.sourceFormat,
        m.durationMs,
        m.audio.length,
        m.audio,
        randomBytes(16).toString('hex'),
        m.createdBy,
      ],
    );
    const row = r.rows[0];
    if (!row) throw new NotFoundError(`campaign ${m.campaignId} does not exist`);
    return toMessage(row);
  }

  /**
   * Applies a settings change. Choosing a message also points the campaign's
   * machine_message_audio at its media URI, so every reader of the campaign's message plays it.
   * Returns the names of the campaign fields that changed.
   */
  async update(campaignId: CampaignId, p: VoicemailSettingsPatch): Promise<string[]> {
    const sets: string[] = [];
    const values: unknown[] = [campaignId];
    const fields: string[] = [];
    const set = (column: string, value: unknown, field: string) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
      fields.push(field);
    };
    if (p.messageId !== undefined) {
      if (p.messageId === null) {
        set('vm_message_id', null, 'vmMessageId');
      } else {
        const m = await this.pool.query<{ media_token: string }>(
          `SELECT media_token FROM vm_messages WHERE id = $1 AND campaign_id = $2`,
          [p.messageId, campaignId],
        );
        const token = m.rows[0]?.media_token;
        if (!token)
          throw new ValidationError(`messageId: no message ${p.messageId} in this campaign`, [
            { path: 'messageId', message: 'not a message of this campaign' },
          ]);
        set('vm_message_id', p.messageId, 'vmMessageId');
        set('machine_message_audio', vmMediaUri(this.mediaBaseUrl, token), 'machineMessageAudio');
      }
    }
    if (p.wait !== undefined) set('vm_drop_wait', p.wait, 'vmDropWait');
    if (p.maxWaitS !== undefined) set('vm_drop_max_wait_s', p.maxWaitS, 'vmDropMaxWaitS');
    if (p.noBeepAction !== undefined) set('vm_no_beep_action', p.noBeepAction, 'vmNoBeepAction');
    if (p.amdReviewPct !== undefined) set('amd_review_pct', p.amdReviewPct, 'amdReviewPct');
    if (sets.length === 0) return [];
    const r = await this.pool.query(
      `UPDATE campaigns SET ${sets.join(', ')}, updated_at = now() WHERE id = $1`,
      values,
    );
    if (r.rowCount === 0) throw new NotFoundError(`campaign ${campaignId} does not exist`);
    return fields;
  }

  /** A message's converted audio, by its id in a campaign (the admin's preview). */
  async audio(campaignId: CampaignId, messageId: string): Promise<Buffer | null> {
    const r = await this.pool.query<{ audio: Buffer }>(
      `SELECT audio FROM vm_messages WHERE id = $1 AND campaign_id = $2`,
      [messageId, campaignId],
    );
    return r.rows[0]?.audio ?? null;
  }

  /** A message's converted audio, by its media token (Asterisk's fetch). */
  async audioByToken(token: string): Promise<Buffer | null> {
    const r = await this.pool.query<{ audio: Buffer }>(
      `SELECT audio FROM vm_messages WHERE media_token = $1`,
      [token],
    );
    return r.rows[0]?.audio ?? null;
  }
}
