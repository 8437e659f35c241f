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
 * drops and the human answers (HUMAN and DROPPED outcomes) of the rolling window.
 */
export async function ledgerFromCallLog(
  pool: pg.Pool,
  campaignId: CampaignId,
  nowMs: number,
  windowDays = DEFAULT_WINDOW_DAYS,
): Promise<LedgerDay[]> {
  const since = new Date((ledgerDay(nowMs) - windowDays + 1) * 86_400_000);
  const r = await pool.query<{ day: number; drops: number; humans: number }>(
    `SELECT floor(extract(epoch FROM ended_at) / 86400)::int AS day,
            count(*) FILTER (WHERE outcome = 'DROPPED')::int AS drops,
            count(*)::int AS humans
       FROM call_log
      WHERE campaign_id = $1 AND answered_at >= $2 AND outcome IN ('HUMAN', 'DROPPED')
        AND ended_at IS NOT NULL
      GROUP BY 1`,
    [campaignId, since],
  );
  return r.rows.map((x) => ({
    day: Number(x.day),
    drops: Number(x.drops),
    humans: Number(x.humans),
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
