import type { CampaignId } from '@ringside/protocol';
import { describe, expect, it } from 'vitest';
import { NO_METRICS, type Metrics } from '../../ports/metrics.js';
import { countEstimatedDrops, reportDialerMetrics } from './dialer-metrics.js';

describe('reportDialerMetrics', () => {
  it('reads hopper depth and the 30-day rate of the driven campaigns at scrape, forgetting the others', async () => {
    const hooks: Array<() => void | Promise<void>> = [];
    const seen: string[] = [];
    const metrics: Metrics = {
      ...NO_METRICS,
      onScrape: (h) => {
        hooks.push(h);
        return () => hooks.splice(hooks.indexOf(h), 1);
      },
      hopperDepth: (c, n) => seen.push(`hopper ${c}=${n}`),
      dropRate30d: (c, p) => seen.push(`rate ${c}=${p}`),
      forgetCampaign: (c) => seen.push(`forget ${c}`),
    };
    let driven = ['1', '2'] as CampaignId[];
    const stop = reportDialerMetrics(metrics, {
      driven: () => driven,
      hopper: { size: async (id) => Number(id) * 10 },
      budget: {
        getDropBudget: async (id) => {
          if (id === '2') throw new Error('no campaign');
          return { ratePct: 1.5 };
        },
      },
    });
    await hooks[0]?.();
    expect(seen.sort()).toEqual(['hopper 1=10', 'hopper 2=20', 'rate 1=1.5']);
    seen.length = 0;
    driven = ['2'] as CampaignId[];
    await hooks[0]?.();
    expect(seen.sort()).toEqual(['forget 1', 'hopper 2=20']);
    stop();
    expect(hooks).toHaveLength(0);
  });
});

describe('countEstimatedDrops', () => {
  it('counts the estimated drops the ledger records and passes every call through', async () => {
    const estimated: Array<[string, number]> = [];
    const added: unknown[][] = [];
    const ledger = countEstimatedDrops(
      {
        add: async (...args: unknown[]) => {
          added.push(args);
        },
        days: async () => [{ day: 1, drops: 2, humans: 3 }],
      } as unknown as Parameters<typeof countEstimatedDrops>[0],
      { ...NO_METRICS, dropsEstimated: (c, n) => estimated.push([c, n]) },
    );
    const add = ledger.add as (...args: unknown[]) => Promise<void>;
    await add('5', 20_000, 1, 1);
    await add('5', 20_000, 0, 0, 0.03);
    await add('5', 20_000, 0, 1, 0);
    expect(estimated).toEqual([['5', 0.03]]);
    expect(added).toHaveLength(3);
    expect(await ledger.days('5' as CampaignId)).toEqual([{ day: 1, drops: 2, humans: 3 }]);
  });
});
