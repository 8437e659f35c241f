import type { AmdResult, CallEndReason, CallOutcome } from '@ringside/protocol';
import type pg from 'pg';
import { inTransaction } from './transaction.js';
import type {
  CallHandOver,
  CallHandOvers,
  CallLogStart,
  CallLogStep,
  CallLogWriter,
} from '../../ports/call-log.js';

// The port's types, still importable from here by the adapter's own users.
export type { CallHandOver, CallLogStart, CallLogStep, CallLogWriter };

const ts = (ms: number) => new Date(ms);
/** Agent ids are bigint in PostgreSQL; anything else (a bot name) is not stored. */
const agentBigint = (id: string | null) => (id !== null && /^\d{1,18}$/.test(id) ? id : null);

/** call_log: one row per attempt (id = CallId), written by the ARI worker and the originator. */
export class CallLogRepository implements CallLogWriter, CallHandOvers {
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
          // A drop is recorded when its safe-harbor message starts (PlaybackStarted), so that is
          // the message's instant too, even if the customer hangs up before it finishes.
          `UPDATE call_log SET dropped = true, drop_wait_ms = COALESCE(drop_wait_ms, $2),
                  safe_harbor_at = COALESCE(safe_harbor_at, $3) WHERE id = $1`,
          [callId, step.waitMs, ts(step.atMs)],
        );
        return;
      case 'safe_harbor':
        await this.pool.query(
          'UPDATE call_log SET safe_harbor_at = COALESCE(safe_harbor_at, $2) WHERE id = $1',
          [callId, ts(step.atMs)],
        );
        return;
      case 'amd_estimate':
        await this.pool.query(
          'UPDATE call_log SET est_abandoned = $2, est_answers = $3 WHERE id = $1',
          [callId, step.abandoned, step.answers],
        );
        return;
      case 'ended':
        await this.pool.query(
          `UPDATE call_log SET ended_at = COALESCE(ended_at, $2), outcome = COALESCE(outcome, $3),
                  hangup_cause = COALESCE(hangup_cause, $4), end_reason = COALESCE(end_reason, $5)
            WHERE id = $1`,
          [callId, ts(step.atMs), step.outcome, step.hangupCause, step.endReason ?? null],
        );
        return;
    }
  }

  /**
   * A transfer handed the customer from one agent to another (services/telephony/agent-telephony.ts): the
   * handing agent's part goes to call_handoffs (its disposition is owed there), call_log.agent_id
   * and agent_since_at name the new agent, and lead_log gets a `transferred` entry. One
   * transaction, the call_log row locked, so a disposition cannot interleave. A second hand-over
   * by the same agent of the same call keeps its first part (its disposition covers both).
   */
  async handOver(h: CallHandOver): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      const r = await client.query<{
        agent_id: string | null;
        lead_id: string;
        since: Date | null;
      }>(
        `SELECT agent_id::text AS agent_id, lead_id::text AS lead_id,
                coalesce(agent_since_at, agent_connected_at) AS since
           FROM call_log WHERE id = $1 FOR UPDATE`,
        [h.callId],
      );
      const row = r.rows[0];
      // Nothing written yet: the COMMIT just ends the transaction.
      if (!row) return;
      const from = row.agent_id ?? agentBigint(h.fromAgentId);
      const to = agentBigint(h.toAgentId);
      const at = ts(h.atMs);
      if (from !== null && from !== to) {
        await client.query(
          `INSERT INTO call_handoffs (call_id, agent_id, to_agent_id, campaign_id, lead_id,
                                      originated_at, connected_at, handed_at)
           SELECT id, $2, $3, campaign_id, lead_id, originated_at, $4, $5 FROM call_log WHERE id = $1
           ON CONFLICT (call_id, agent_id) DO NOTHING`,
          [h.callId, from, to, row.since ?? ts(h.fromConnectedAtMs ?? h.atMs), at],
        );
      }
      await client.query(
        `UPDATE call_log SET agent_id = $2, agent_since_at = $3,
                agent_connected_at = COALESCE(agent_connected_at, $4) WHERE id = $1`,
        [h.callId, to, at, ts(h.fromConnectedAtMs ?? h.atMs)],
      );
      await client.query(
        `INSERT INTO lead_log (lead_id, at, kind, call_id, agent_id, detail)
         VALUES ($1, $2, 'transferred', $3, $4, $5)`,
        [row.lead_id, at, h.callId, from, JSON.stringify({ toAgentId: to })],
      );
    });
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
      endReason: (row.end_reason as CallEndReason | null) ?? null,
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
  /** Why Ringside ended the call as a failure (bridge integrity), else null. */
  endReason: CallEndReason | null;
}

export interface BatchedCallLogOptions {
  /** Longest a write waits for companions, ms (default 10). */
  flushMs?: number;
  /** A batch this large is written at once (default 500). */
  maxBatch?: number;
  /** Failed batch writes (the real-time path never waits for history). */
  onError?(err: unknown, what: 'start' | 'step'): void;
}

interface PendingStart {
  s: CallLogStart;
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * call_log writes gathered into one statement per kind every few milliseconds: a burst of 500
 * originations is a handful of INSERTs instead of 500, and the ARI worker's updates likewise.
 * start() resolves once its row is committed (the originator waits for it before asking
 * Asterisk, so no update can precede its row); step() resolves when written. Within a flush,
 * inserts go before updates.
 */
export class BatchedCallLog implements CallLogWriter {
  private starts: PendingStart[] = [];
  private steps: Array<{
    callId: string;
    step: CallLogStep;
    resolve(): void;
    reject(e: unknown): void;
  }> = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> = Promise.resolve();
  private readonly flushMs: number;
  private readonly maxBatch: number;

  constructor(
    private readonly pool: pg.Pool,
    private readonly opts: BatchedCallLogOptions = {},
  ) {
    this.flushMs = opts.flushMs ?? 10;
    this.maxBatch = opts.maxBatch ?? 500;
  }

  start(s: CallLogStart): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.starts.push({ s, resolve, reject });
      this.schedule();
    });
  }

  step(callId: string, step: CallLogStep): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.steps.push({ callId, step, resolve, reject });
      this.schedule();
    });
  }

  /** Writes everything queued (shutdown, tests). */
  async flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const starts = this.starts;
    const steps = this.steps;
    this.starts = [];
    this.steps = [];
    const run = this.flushing.then(() => this.write(starts, steps));
    this.flushing = run.catch(() => undefined);
    await run;
  }

  private schedule(): void {
    if (this.starts.length + this.steps.length >= this.maxBatch) {
      void this.flush().catch(() => undefined);
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = null;
        void this.flush().catch(() => undefined);
      }, this.flushMs);
    }
  }

  private async write(
    starts: PendingStart[],
    steps: Array<{ callId: string; step: CallLogStep; resolve(): void; reject(e: unknown): void }>,
  ): Promise<void> {
    if (starts.length > 0) {
      try {
        await this.insertMany(starts.map((p) => p.s));
        for (const p of starts) p.resolve();
      } catch (err) {
        this.opts.onError?.(err, 'start');
        for (const p of starts) p.reject(err);
      }
    }
    if (steps.length > 0) {
      try {
        await this.updateMany(steps);
        for (const p of steps) p.resolve();
      } catch (err) {
        this.opts.onError?.(err, 'step');
        for (const p of steps) p.reject(err);
      }
    }
  }

  private async insertMany(rows: CallLogStart[]): Promise<void> {
    const col = <T>(f: (r: CallLogStart) => T) => rows.map(f);
    await this.pool.query(
      `INSERT INTO call_log (id, campaign_id, list_id, lead_id, phone, attempt, manual, server_id,
                             channel_id, agent_id, originated_at)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::text[],
                            $6::int[], $7::boolean[], $8::text[], $9::text[], $10::bigint[],
                            $11::timestamptz[])
       ON CONFLICT (id) DO NOTHING`,
      [
        col((r) => r.callId),
        col((r) => r.campaignId),
        col((r) => r.listId),
        col((r) => r.leadId),
        col((r) => r.phone),
        col((r) => r.attempt),
        col((r) => r.manual),
        col((r) => r.serverId),
        col((r) => r.channelId),
        col((r) => agentBigint(r.agentId)),
        col((r) => ts(r.originatedAtMs)),
      ],
    );
  }

  /** One statement per step kind; the first step of a kind per call wins, as COALESCE would. */
  private async updateMany(items: Array<{ callId: string; step: CallLogStep }>): Promise<void> {
    const byKind = new Map<CallLogStep['kind'], Map<string, CallLogStep>>();
    for (const { callId, step } of items) {
      let m = byKind.get(step.kind);
      if (!m) byKind.set(step.kind, (m = new Map()));
      if (!m.has(callId)) m.set(callId, step);
    }
    for (const [kind, m] of byKind) {
      const ids = [...m.keys()];
      const steps = [...m.values()];
      const at = steps.map((s) => ts(s.atMs));
      switch (kind) {
        case 'ringing':
        case 'answered':
        case 'safe_harbor': {
          const column =
            kind === 'ringing'
              ? 'ringing_at'
              : kind === 'answered'
                ? 'answered_at'
                : 'safe_harbor_at';
          await this.pool.query(
            `UPDATE call_log c SET ${column} = COALESCE(c.${column}, v.at)
             FROM unnest($1::text[], $2::timestamptz[]) AS v(id, at) WHERE c.id = v.id`,
            [ids, at],
          );
          break;
        }
        case 'amd':
          await this.pool.query(
            `UPDATE call_log c SET amd_at = COALESCE(c.amd_at, v.at),
                    amd_result = COALESCE(c.amd_result, v.result), amd_cause = COALESCE(c.amd_cause, v.cause)
             FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::text[]) AS v(id, at, result, cause)
             WHERE c.id = v.id`,
            [
              ids,
              at,
              steps.map((s) => (s.kind === 'amd' ? s.result : null)),
              steps.map((s) => (s.kind === 'amd' ? s.cause : null)),
            ],
          );
          break;
        case 'bridged':
          await this.pool.query(
            `UPDATE call_log c SET agent_connected_at = COALESCE(c.agent_connected_at, v.at),
                    agent_id = COALESCE(c.agent_id, v.agent)
             FROM unnest($1::text[], $2::timestamptz[], $3::bigint[]) AS v(id, at, agent) WHERE c.id = v.id`,
            [ids, at, steps.map((s) => (s.kind === 'bridged' ? agentBigint(s.agentId) : null))],
          );
          break;
        case 'dropped':
          await this.pool.query(
            `UPDATE call_log c SET dropped = true, drop_wait_ms = COALESCE(c.drop_wait_ms, v.wait),
                    safe_harbor_at = COALESCE(c.safe_harbor_at, v.at)
             FROM unnest($1::text[], $2::int[], $3::timestamptz[]) AS v(id, wait, at)
             WHERE c.id = v.id`,
            [ids, steps.map((s) => (s.kind === 'dropped' ? s.waitMs : null)), at],
          );
          break;
        case 'amd_estimate':
          await this.pool.query(
            `UPDATE call_log c SET est_abandoned = v.abandoned, est_answers = v.answers
             FROM unnest($1::text[], $2::numeric[], $3::numeric[]) AS v(id, abandoned, answers)
             WHERE c.id = v.id`,
            [
              ids,
              steps.map((s) => (s.kind === 'amd_estimate' ? s.abandoned : 0)),
              steps.map((s) => (s.kind === 'amd_estimate' ? s.answers : 0)),
            ],
          );
          break;
        case 'ended':
          await this.pool.query(
            `UPDATE call_log c SET ended_at = COALESCE(c.ended_at, v.at), outcome = COALESCE(c.outcome, v.outcome),
                    hangup_cause = COALESCE(c.hangup_cause, v.cause),
                    end_reason = COALESCE(c.end_reason, v.reason)
             FROM unnest($1::text[], $2::timestamptz[], $3::text[], $4::int[], $5::text[])
                  AS v(id, at, outcome, cause, reason)
             WHERE c.id = v.id`,
            [
              ids,
              at,
              steps.map((s) => (s.kind === 'ended' ? s.outcome : null)),
              steps.map((s) => (s.kind === 'ended' ? s.hangupCause : null)),
              steps.map((s) => (s.kind === 'ended' ? (s.endReason ?? null) : null)),
            ],
          );
          break;
      }
    }
  }
}
