import type { CampaignId } from '@ringside/protocol';
import { dropBudgetAt, ledgerDay, type DropBudget } from '../../domain/compliance.js';
import {
  dropBudget,
  dropRatePct,
  humansToRecover,
  ledgerWithEstimates,
  type LedgerDay,
} from '../../domain/pacing/ledger.js';
import { NotFoundError } from '../../errors.js';
import type { Clock } from '../../ports/clock.js';
import type { DropLedgerSource, DropLedgerStore } from '../../ports/dialer.js';

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
  /** The campaign's cap and its ledger from call_log (adapters/postgres/drop-ledger.ts). */
  source: DropLedgerSource;
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
      const capPct = await d.source.capPct(campaignId);
      if (capPct === null) throw new NotFoundError(`campaign ${campaignId} does not exist`);
      const now = d.clock.nowMs();
      const days = (await d.ledger.exists(campaignId))
        ? await d.ledger.days(campaignId)
        : await d.source.fromCallLog(campaignId, now);
      return dropBudgetWithEstimates(days, now, capPct);
    },
  };
}
