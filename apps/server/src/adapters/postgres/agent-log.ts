import type pg from 'pg';
import { inTransaction } from './transaction.js';
import type { AgentStateChanged } from '@ringside/protocol';
import { AgentId, CallId, CampaignId } from '@ringside/protocol';
import { keepsStateClock } from '../../domain/agent-state.js';
import { REBUILD_REASON, type AgentLogWriter, type PreviousState } from '../../ports/agents.js';
import type { AgentStatus } from '../../ports/state-store.js';

interface SessionRow {
  agent_id: string;
  state: AgentStatus['state'];
  since_at: Date;
  campaign_id: string | null;
  call_id: string | null;
  pause_code: string | null;
  bridge_id: string | null;
  leg_channel_id: string | null;
}

/**
 * agent_log (one row per finished state, with its duration) and agent_sessions (the current
 * state of each agent) in PostgreSQL. record() is idempotent: the same event recorded twice,
 * or out of order after a newer one, changes nothing.
 */
export class AgentLogRepository implements AgentLogWriter {
  constructor(private readonly pool: pg.Pool) {}

  /**
   * Records one agent.state_changed: the row of the state that ended (from `sinceMs` to `atMs`)
   * and the new current state, in one transaction. `prev` gives the ended state's pause code and
   * call; without it they come from agent_sessions when that still describes the ended state.
   * `next` gives the new state's phone leg (the event does not carry it).
   * replaceSameInstant (default true): a snapshot that began at the same ms is replaced; the
   * service writes in order and passes true, a late bus consumer passes false so it never
   * overwrites a newer state that happened in the same millisecond.
   */
  async record(
    e: AgentStateChanged,
    prev?: PreviousState,
    next?: Pick<AgentStatus, 'bridgeId' | 'legChannelId'>,
    opts: { replaceSameInstant?: boolean } = {},
  ): Promise<void> {
    const guard = (opts.replaceSameInstant ?? true) ? '<=' : '<';
    await inTransaction(this.pool, async (client) => {
      const cur = await client.query<SessionRow>(
        'SELECT * FROM agent_sessions WHERE agent_id = $1 FOR UPDATE',
        [e.agentId],
      );
      const row = cur.rows[0];
      const describesEnded =
        row !== undefined && row.state === e.from && row.since_at.getTime() === e.sinceMs;
      const ended: PreviousState =
        prev ??
        (describesEnded
          ? { pauseCode: row.pause_code, callId: row.call_id, campaignId: row.campaign_id }
          : { pauseCode: null, callId: null, campaignId: e.campaignId });
      const isChange = !keepsStateClock(e.reason) && e.reason !== REBUILD_REASON;
      if (isChange && e.from !== 'LOGGED_OUT' && e.atMs >= e.sinceMs) {
        await client.query(
          `INSERT INTO agent_log (agent_id, campaign_id, state, pause_code, call_id, reason,
                                  started_at, ended_at, duration_ms)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
           ON CONFLICT (agent_id, started_at, ended_at, state) DO NOTHING`,
          [
            e.agentId,
            ended.campaignId ?? e.campaignId,
            e.from,
            ended.pauseCode,
            ended.callId,
            e.reason,
            new Date(e.sinceMs),
            new Date(e.atMs),
            e.atMs - e.sinceMs,
          ],
        );
      }
      // The state that began at atMs (a leg change or a wrap-up extension keeps its start).
      const sinceMs = keepsStateClock(e.reason) ? e.sinceMs : e.atMs;
      const bridge = next ? next.bridgeId : (row?.bridge_id ?? null);
      const leg = next ? next.legChannelId : (row?.leg_channel_id ?? null);
      await client.query(
        `INSERT INTO agent_sessions (agent_id, state, since_at, campaign_id, call_id, pause_code,
                                     bridge_id, leg_channel_id, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
         ON CONFLICT (agent_id) DO UPDATE SET
           state = EXCLUDED.state, since_at = EXCLUDED.since_at, campaign_id = EXCLUDED.campaign_id,
           call_id = EXCLUDED.call_id, pause_code = EXCLUDED.pause_code,
           bridge_id = EXCLUDED.bridge_id, leg_channel_id = EXCLUDED.leg_channel_id,
           updated_at = now()
         WHERE agent_sessions.since_at ${guard} EXCLUDED.since_at`,
        [
          e.agentId,
          e.to,
          new Date(sinceMs),
          e.to === 'LOGGED_OUT' ? null : e.campaignId,
          e.to === 'LOGGED_OUT' ? null : e.callId,
          e.pauseCode,
          e.to === 'LOGGED_OUT' ? null : bridge,
          e.to === 'LOGGED_OUT' ? null : leg,
        ],
      );
    });
  }

  /** Every agent not LOGGED_OUT, as the state rebuild restores them into Redis. */
  async activeSessions(): Promise<AgentStatus[]> {
    const r = await this.pool.query<SessionRow>(
      `SELECT * FROM agent_sessions WHERE state <> 'LOGGED_OUT' ORDER BY agent_id`,
    );
    return r.rows.map((row) => ({
      agentId: AgentId.parse(String(row.agent_id)),
      state: row.state,
      sinceMs: row.since_at.getTime(),
      campaignId: row.campaign_id === null ? null : CampaignId.parse(String(row.campaign_id)),
      callId: row.call_id === null ? null : CallId.parse(row.call_id),
      pauseCode: row.pause_code,
      bridgeId: row.bridge_id,
      legChannelId: row.leg_channel_id,
    }));
  }
}
