import type pg from 'pg';
import type { CampaignId } from '@ringside/protocol';
import { ledgerDay } from '../../domain/compliance.js';
import { DEFAULT_WINDOW_DAYS, type LedgerDay } from '../../domain/pacing/ledger.js';
import type { DropLedgerSource } from '../../ports/dialer.js';

/**
 * The drop ledger's days from call_log, the durable record: per UTC day of the call's end, the
 * drops and the human answers (HUMAN and DROPPED outcomes) of the rolling window, and the AMD
 * error estimates the dialer wrote per call (est_abandoned, est_answers: 0102). A call that
 * carries an estimate for its person (a MACHINE verdict an agent got) counts by its estimate
 * only, as the dialer's own ledger counts it.
 */
export async function ledgerFromCallLog(
  pool: pg.Pool,
  campaignId: CampaignId,
  nowMs: number,
  windowDays = DEFAULT_WINDOW_DAYS,
): Promise<LedgerDay[]> {
  const since = new Date((ledgerDay(nowMs) - windowDays + 1) * 86_400_000);
  const r = await pool.query<{
    day: number;
    drops: number;
    humans: number;
    estimated: number;
    estimated_answers: number;
  }>(
    `SELECT floor(extract(epoch FROM ended_at) / 86400)::int AS day,
            count(*) FILTER (WHERE counted AND outcome = 'DROPPED')::int AS drops,
            count(*) FILTER (WHERE counted AND outcome IN ('HUMAN', 'DROPPED'))::int AS humans,
            coalesce(sum(est_abandoned), 0)::float8 AS estimated,
            coalesce(sum(est_answers), 0)::float8 AS estimated_answers
       FROM (SELECT ended_at, outcome, est_abandoned, est_answers,
                    est_answers = 0 AND NOT (outcome = 'DROPPED' AND est_abandoned > 0) AS counted
               FROM call_log
              WHERE campaign_id = $1 AND answered_at >= $2 AND ended_at IS NOT NULL
                AND (outcome IN ('HUMAN', 'DROPPED') OR est_abandoned > 0 OR est_answers > 0)) c
      GROUP BY 1`,
    [campaignId, since],
  );
  return r.rows.map((x) => ({
    day: Number(x.day),
    drops: Number(x.drops),
    humans: Number(x.humans),
    ...(Number(x.estimated) > 0 ? { estimated: Number(x.estimated) } : {}),
    ...(Number(x.estimated_answers) > 0 ? { estimatedAnswers: Number(x.estimated_answers) } : {}),
  }));
}

/** The drop budget's durable side: the campaign's cap and its ledger from call_log. */
export class PgDropLedgerSource implements DropLedgerSource {
  constructor(private readonly pool: pg.Pool) {}

  async capPct(campaignId: CampaignId): Promise<number | null> {
    const r = await this.pool.query<{ drop_rate_cap_pct: string }>(
      'SELECT drop_rate_cap_pct FROM campaigns WHERE id = $1',
      [campaignId],
    );
    const row = r.rows[0];
    return row ? Number(row.drop_rate_cap_pct) : null;
  }

  fromCallLog(campaignId: CampaignId, nowMs: number): Promise<LedgerDay[]> {
    return ledgerFromCallLog(this.pool, campaignId, nowMs);
  }
}
