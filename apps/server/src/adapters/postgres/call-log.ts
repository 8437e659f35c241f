import type { AmdResult, CallOutcome } from '@ringside/protocol';
import type pg from 'pg';

/** The first row of an attempt, written when the call is originated. */
export interface CallLogStart {
  callId: string;
  campaignId: string;
  listId: string;
  leadId: string;
  phone: string;
  attempt: number;
  manual: boolean;
  serverId: string;
  channelId: string;
  agentId: string | null;
  originatedAtMs: number;
}

/**
 * A step in the call's life. Every update only fills columns still NULL (COALESCE), so a
 * replayed or reordered event never moves an instant that was already recorded.
 */
export type CallLogStep =
  | { kind: 'ringing'; atMs: number }
  | { kind: 'answered'; atMs: number }
  | { kind: 'amd'; atMs: number; result: AmdResult; cause: string }
  | { kind: 'bridged'; atMs: number; agentId: string | null }
  | { kind: 'dropped'; atMs: number; waitMs: number }
  | { kind: 'safe_harbor'; atMs: number }
  | { kind: 'ended'; atMs: number; outcome: CallOutcome; hangupCause: number | null };

const ts = (ms: number) => new Date(ms);
/** Agent ids are bigint in PostgreSQL; anything else (a bot name) is not stored. */
const agentBigint = (id: string | null) => (id !== null && /^\d{1,18}$/.test(id) ? id : null);

/** call_log: one row per attempt (id = CallId), written by the ARI worker and the originator. */
export class CallLogRepository {
  constructor(private readonly pool: pg.Pool) {}

  async start(s: CallLogStart): Promise<void> {
    await this.pool.query(
      `INSERT INTO call_log (id, campaign_id, list_id, lead_id, phone, attempt, manual, server_id,
                             channel_id, agent_id, originated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
       ON CONFLICT (id) DO NOTHING`,
      [
        s.callId,
        s.campaignId,
        s.listId,
        s.leadId,
        s.phone,
        s.attempt,
        s.manual,
        s.serverId,
        s.channelId,
        agentBigint(s.agentId),
        ts(s.originatedAtMs),
      ],
    );
  }

  async step(callId: string, step: CallLogStep): Promise<void> {
    switch (step.kind) {
      case 'ringing':
        await this.pool.query(
          'UPDATE call_log SET ringing_at = COALESCE(ringing_at, $2) WHERE id = $1',
          [callId, ts(step.atMs)],
        );
        return;
      case 'answered':
        await this.pool.query(
          'UPDATE call_log SET answered_at = COALESCE(answered_at, $2) WHERE id = $1',
          [callId, ts(step.atMs)],
        );
        return;
      case 'amd':
        await this.pool.query(
          `UPDATE call_log SET amd_at = COALESCE(amd_at, $2), amd_result = COALESCE(amd_result, $3),
                  amd_cause = COALESCE(amd_cause, $4) WHERE id = $1`,
          [callId, ts(step.atMs), step.result, step.cause],
        );
        return;
      case 'bridged':
        await this.pool.query(
          `UPDATE call_log SET agent_connected_at = COALESCE(agent_connected_at, $2),
                  agent_id = COALESCE(agent_id, $3) WHERE id = $1`,
          [callId, ts(step.atMs), agentBigint(step.agentId)],
        );
        return;
      case 'dropped':
        await this.pool.query(
          `UPDATE call_log SET dropped = true, drop_wait_ms = COALESCE(drop_wait_ms, $2) WHERE id = $1`,
          [callId, step.waitMs],
        );
        return;
      case 'safe_harbor':
        await this.pool.query(
          'UPDATE call_log SET safe_harbor_at = COALESCE(safe_harbor_at, $2) WHERE id = $1',
          [callId, ts(step.atMs)],
        );
        return;
      case 'ended':
        await this.pool.query(
          `UPDATE call_log SET ended_at = COALESCE(ended_at, $2), outcome = COALESCE(outcome, $3),
                  hangup_cause = COALESCE(hangup_cause, $4) WHERE id = $1`,
          [callId, ts(step.atMs), step.outcome, step.hangupCause],
        );
        return;
    }
  }

  /** The row as stored (tests and reconciliation); instants as epoch ms. */
  async get(callId: string): Promise<CallLogRow | null> {
    const r = await this.pool.query<Record<string, unknown>>(
      'SELECT * FROM call_log WHERE id = $1',
      [callId],
    );
    const row = r.rows[0];
    if (!row) return null;
    const ms = (v: unknown) => (v instanceof Date ? v.getTime() : null);
    return {
      callId: String(row.id),
      serverId: String(row.server_id),
      originatedAtMs: ms(row.originated_at) ?? 0,
      ringingAtMs: ms(row.ringing_at),
      answeredAtMs: ms(row.answered_at),
      amdAtMs: ms(row.amd_at),
      amdResult: (row.amd_result as AmdResult | null) ?? null,
      amdCause: (row.amd_cause as string | null) ?? null,
      agentConnectedAtMs: ms(row.agent_connected_at),
      dropped: row.dropped === true,
      dropWaitMs: (row.drop_wait_ms as number | null) ?? null,
      safeHarborAtMs: ms(row.safe_harbor_at),
      endedAtMs: ms(row.ended_at),
      outcome: (row.outcome as CallOutcome | null) ?? null,
      hangupCause: (row.hangup_cause as number | null) ?? null,
    };
  }
}

export interface CallLogRow {
  callId: string;
  serverId: string;
  originatedAtMs: number;
  ringingAtMs: number | null;
  answeredAtMs: number | null;
  amdAtMs: number | null;
  amdResult: AmdResult | null;
  amdCause: string | null;
  agentConnectedAtMs: number | null;
  dropped: boolean;
  dropWaitMs: number | null;
  safeHarborAtMs: number | null;
  endedAtMs: number | null;
  outcome: CallOutcome | null;
  hangupCause: number | null;
}

/** What the worker needs from call_log (a fake in unit tests, the repository in production). */
export interface CallLogWriter {
  start(s: CallLogStart): Promise<void>;
  step(callId: string, step: CallLogStep): Promise<void>;
}
