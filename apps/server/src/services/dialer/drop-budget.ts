import type pg from 'pg';
import type { CampaignId } from '@ringside/protocol';
import { dropBudgetAt, ledgerDay, type DropBudget } from '../../domain/compliance.js';
import {
  DEFAULT_WINDOW_DAYS,
  dropBudget,
  dropRatePct,
  humansToRecover,
  ledgerWithEstimates,
  type LedgerDay,
} from '../../domain/pacing/ledger.js';
import { NotFoundError } from '../../errors.js';
import type { Clock } from '../../ports/clock.js';
import type { DropLedgerStore } from '../../ports/dialer.js';

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

/**
 * The budget with the estimated AMD drops (docs/pacing.md, AMD errors): `drops` and
 * `humanAnswers` stay the counted ones; the rate, the remaining drops and the progressive switch
 * count the estimated drops too (over the human answers plus the estimated people), as pacing does.
 */
export interface DropBudgetWithEstimates extends DropBudget {
  estimatedDrops: number;
}

export function dropBudgetWithEstimates(
  days: readonly LedgerDay[],
  atMs: number,
  capPct: number,
): DropBudgetWithEstimates {
  const counted = dropBudgetAt(days, atMs, capPct);
  const t = ledgerWithEstimates(days, ledgerDay(atMs));
  const remaining = dropBudget(t, capPct);
  return {
    ...counted,
    ratePct: dropRatePct(t),
    remainingDrops: remaining,
    humansToRecover: humansToRecover(t, capPct),
    forcesProgressive: remaining < 1,
    estimatedDrops: t.estimated,
  };
}

export interface DropBudgetReaderDeps {
  pool: pg.Pool;
  ledger: DropLedgerStore;
  clock: Clock;
}

/**
 * `getDropBudget(campaignId)` for the API: the remaining drop budget over the rolling 30 days, as
 * the dialer driving the campaign spends it (Redis), or from call_log when no dialer has written
 * the campaign's ledger yet. NotFoundError for an unknown campaign.
 */
export function createDropBudgetReader(d: DropBudgetReaderDeps): {
  getDropBudget(campaignId: CampaignId): Promise<DropBudgetWithEstimates>;
} {
  return {
    async getDropBudget(campaignId) {
      if (!/^\d{1,18}$/.test(campaignId))
        throw new NotFoundError(`campaign ${campaignId} does not exist`);
      const r = await d.pool.query<{ drop_rate_cap_pct: string }>(
        'SELECT drop_rate_cap_pct FROM campaigns WHERE id = $1',
        [campaignId],
      );
      const row = r.rows[0];
      if (!row) throw new NotFoundError(`campaign ${campaignId} does not exist`);
      const now = d.clock.nowMs();
      const days = (await d.ledger.exists(campaignId))
        ? await d.ledger.days(campaignId)
        : await ledgerFromCallLog(d.pool, campaignId, now);
      return dropBudgetWithEstimates(days, now, Number(row.drop_rate_cap_pct));
    },
  };
}
