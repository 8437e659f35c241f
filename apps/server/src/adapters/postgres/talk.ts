import type pg from 'pg';
import type { AgentId, CampaignId, Role, TalkMessage, TalkRecipient } from '@ringside/protocol';
import type { NewTalkMessage, TalkStore } from '../../ports/messages.js';
import { storedTalkMessage } from '../../ports/talk-stored.js';

interface Row {
  id: string;
  sender_id: string;
  sender_name: string | null;
  sender_role: Role;
  to_kind: TalkRecipient['kind'];
  to_agent_id: string | null;
  to_team_id: string | null;
  to_campaign_id: string | null;
  thread_agent_id: string | null;
  body: string;
  sent_ms: string;
  read_ms: string | null;
}

/** The columns of a message as TalkMessage needs them (`m` = talk_messages, `u` = its sender). */
const COLUMNS = `m.id::text AS id, m.sender_id::text AS sender_id, u.display_name AS sender_name,
  m.sender_role, m.to_kind, m.to_agent_id::text AS to_agent_id, m.to_team_id::text AS to_team_id,
  m.to_campaign_id::text AS to_campaign_id, m.thread_agent_id::text AS thread_agent_id, m.body,
  (extract(epoch FROM m.sent_at) * 1000)::bigint::text AS sent_ms`;

/** talk_messages and talk_recipients (migration 0120), plain SQL on the pool. */
export class PgTalkStore implements TalkStore {
  constructor(private readonly pool: pg.Pool) {}

  async insert(m: NewTalkMessage): Promise<TalkMessage> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const r = await client.query<{ id: string; name: string | null }>(
        `INSERT INTO talk_messages (sender_id, sender_role, to_kind, to_agent_id, to_team_id,
           to_campaign_id, thread_agent_id, body, sent_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, to_timestamp($9::double precision / 1000))
         RETURNING id::text AS id, (SELECT display_name FROM users WHERE id = $1) AS name`,
        [
          m.senderId,
          m.senderRole,
          m.to.kind,
          m.to.kind === 'agent' ? m.to.agentId : null,
          m.to.kind === 'team' ? m.to.teamId : null,
          m.to.kind === 'campaign' ? m.to.campaignId : null,
          m.threadAgentId,
          m.text,
          m.sentAtMs,
        ],
      );
      const row = r.rows[0];
      if (!row) throw new Error('talk message not inserted');
      if (m.recipients.length > 0) {
        // The writer's own copy is read when written.
        await client.query(
          `INSERT INTO talk_recipients (agent_id, message_id, read_at)
           SELECT a, $2, CASE WHEN a = $3::bigint THEN to_timestamp($4::double precision / 1000) END
           FROM unnest($1::bigint[]) AS a ON CONFLICT DO NOTHING`,
          [m.recipients, row.id, m.senderId, m.sentAtMs],
        );
      }
      await client.query('COMMIT');
      return storedTalkMessage(m, row.id, row.name ?? '');
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async recentForAgent(agentId: AgentId, sinceMs: number, limit: number): Promise<TalkMessage[]> {
    const r = await this.pool.query<Row>(
      `SELECT * FROM (
         SELECT ${COLUMNS},
           (extract(epoch FROM CASE WHEN m.sender_id = $1 THEN m.read_at ELSE r.read_at END)
             * 1000)::bigint::text AS read_ms
         FROM talk_recipients r
         JOIN talk_messages m ON m.id = r.message_id
         LEFT JOIN users u ON u.id = m.sender_id
         WHERE r.agent_id = $1 AND m.sent_at >= to_timestamp($2::double precision / 1000)
         ORDER BY m.id DESC LIMIT $3) t
       ORDER BY t.id::bigint`,
      [agentId, sinceMs, limit],
    );
    return r.rows.map(toMessage);
  }

  async recentAll(sinceMs: number, limit: number): Promise<TalkMessage[]> {
    const r = await this.pool.query<Row>(
      `SELECT * FROM (
         SELECT ${COLUMNS}, (extract(epoch FROM m.read_at) * 1000)::bigint::text AS read_ms
         FROM talk_messages m
         LEFT JOIN users u ON u.id = m.sender_id
         WHERE m.sent_at >= to_timestamp($1::double precision / 1000)
         ORDER BY m.id DESC LIMIT $2) t
       ORDER BY t.id::bigint`,
      [sinceMs, limit],
    );
    return r.rows.map(toMessage);
  }

  async markReadByAgent(agentId: AgentId, upToId: string, atMs: number): Promise<number> {
    const r = await this.pool.query<{ n: string }>(
      `WITH done AS (
         UPDATE talk_recipients SET read_at = to_timestamp($3::double precision / 1000)
         WHERE agent_id = $1 AND message_id <= $2 AND read_at IS NULL
         RETURNING message_id),
       one AS (
         UPDATE talk_messages SET read_at = to_timestamp($3::double precision / 1000), read_by = $1
         WHERE id IN (SELECT message_id FROM done) AND to_kind = 'agent' AND read_at IS NULL)
       SELECT count(*)::text AS n FROM done`,
      [agentId, upToId, atMs],
    );
    return Number(r.rows[0]?.n ?? 0);
  }

  async markReadBySupervisor(
    agentId: AgentId,
    upToId: string,
    readerId: string,
    atMs: number,
  ): Promise<number> {
    if (!/^\d{1,18}$/.test(agentId) || !/^\d{1,18}$/.test(readerId)) return 0;
    const r = await this.pool.query(
      `UPDATE talk_messages SET read_at = to_timestamp($4::double precision / 1000), read_by = $3
       WHERE thread_agent_id = $1 AND to_kind = 'supervisors' AND id <= $2 AND read_at IS NULL`,
      [agentId, upToId, readerId, atMs],
    );
    return r.rowCount ?? 0;
  }

  async teamAgents(teamId: string): Promise<AgentId[] | null> {
    const r = await this.pool.query<{ team: string | null; id: string | null }>(
      `SELECT t.id::text AS team, u.id::text AS id FROM teams t
       LEFT JOIN users u ON u.team_id = t.id AND u.role = 'agent' AND u.active
       WHERE t.id = $1 ORDER BY u.id`,
      [teamId],
    );
    if (r.rows.length === 0) return null;
    return r.rows.flatMap((x) => (x.id ? [x.id as AgentId] : []));
  }

  async isAgent(agentId: AgentId): Promise<boolean> {
    if (!/^\d{1,18}$/.test(agentId)) return false;
    const r = await this.pool.query(
      `SELECT 1 FROM users WHERE id = $1 AND role = 'agent' AND active`,
      [agentId],
    );
    return (r.rowCount ?? 0) > 0;
  }

  async campaignExists(campaignId: CampaignId): Promise<boolean> {
    if (!/^\d{1,18}$/.test(campaignId)) return false;
    const r = await this.pool.query('SELECT 1 FROM campaigns WHERE id = $1', [campaignId]);
    return (r.rowCount ?? 0) > 0;
  }
}

function toMessage(x: Row): TalkMessage {
  const to: TalkRecipient =
    x.to_kind === 'agent'
      ? { kind: 'agent', agentId: (x.to_agent_id ?? '') as AgentId }
      : x.to_kind === 'team'
        ? { kind: 'team', teamId: x.to_team_id ?? '0' }
        : x.to_kind === 'campaign'
          ? { kind: 'campaign', campaignId: (x.to_campaign_id ?? '') as CampaignId }
          : { kind: 'supervisors' };
  return {
    id: x.id,
    fromUserId: x.sender_id,
    fromName: x.sender_name ?? '',
    fromRole: x.sender_role,
    to,
    agentId: x.thread_agent_id as AgentId | null,
    text: x.body,
    sentAtMs: Number(x.sent_ms),
    readAtMs: x.read_ms === null ? null : Number(x.read_ms),
  };
}
