import type { CampaignId } from '@ringside/protocol';
import type { DropBudget } from '../../domain/compliance.js';
import type { Hopper } from '../../ports/hopper.js';
import type { Metrics } from '../../ports/metrics.js';
import type { DriverDeps } from './campaign-driver.js';

export interface DialerMetricsSources {
  /** Campaigns this dialer drives now (DialerService.driven). */
  driven(): CampaignId[];
  hopper: Pick<Hopper, 'size'>;
  budget: { getDropBudget(campaignId: CampaignId): Promise<Pick<DropBudget, 'ratePct'>> };
}

/**
 * The dialer's gauges, read at scrape time for the campaigns it drives: hopper depth and the
 * rolling 30-day drop rate as the pacing spends it. A campaign it no longer drives is forgotten
 * (its new holder reports it). Returns the function that stops reporting.
 */
export function reportDialerMetrics(metrics: Metrics, s: DialerMetricsSources): () => void {
  let reported = new Set<string>();
  return metrics.onScrape(async () => {
    const ids = s.driven();
    const now = new Set<string>(ids);
    for (const id of reported) if (!now.has(id)) metrics.forgetCampaign(id);
    reported = now;
    await Promise.all(
      ids.map(async (id) => {
        const [leads, budget] = await Promise.all([
          s.hopper.size(id),
          s.budget.getDropBudget(id).catch(() => null),
        ]);
        metrics.hopperDepth(id, leads);
        if (budget) metrics.dropRate30d(id, budget.ratePct);
      }),
    );
  });
}

type LedgerPort = DriverDeps['ledger'];

/**
 * The dialer's drop ledger, counting the estimated drops it records (the expected people among
 * AMD machine hang-ups, `add`'s fifth argument) in ringside_drops_estimated_total.
 */
export function countEstimatedDrops(ledger: LedgerPort, metrics: Metrics): LedgerPort {
  return {
    add: (...args: Parameters<LedgerPort['add']>) => {
      const estimated = (args as unknown[])[4];
      if (typeof estimated === 'number' && estimated > 0)
        metrics.dropsEstimated(args[0], estimated);
      return ledger.add(...args);
    },
    days: (campaignId) => ledger.days(campaignId),
  };
}
