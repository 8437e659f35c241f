import { CampaignId } from '@ringside/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '../../src/adapters/redis/keys.js';
import { startHopperScheduler, type HopperScheduler } from '../../src/roles/scheduler.js';
import type { FillReport } from '../../src/services/hopper/hopper-filler.js';
import { TEST_REDIS_URL } from '../helpers/redis.js';
import { redisTestContext, type RedisTestContext } from './redis-harness.js';

/** A filler that records when and where it ran, and takes `ms` to run. */
function recordingFiller(name: string, log: Array<[string, string, number, number]>, ms: number) {
  const run = async (what: string) => {
    const start = Date.now();
    await new Promise((r) => setTimeout(r, ms));
    log.push([name, what, start, Date.now()]);
  };
  return {
    async fillAll(): Promise<FillReport[]> {
      await run('all');
      return [];
    },
    async fillById(id: CampaignId): Promise<FillReport | null> {
      await run(`refill:${id}`);
      return null;
    },
  };
}

let rc: RedisTestContext;
beforeAll(async () => {
  rc = await redisTestContext('sched');
});
afterAll(async () => {
  await rc.cleanup();
});

describe('hopper scheduler (BullMQ)', () => {
  it('runs each periodic fill in exactly one of several scheduler instances, never two at once', async () => {
    const log: Array<[string, string, number, number]> = [];
    const prefix = new RedisKeys(rc.prefix).bullPrefix;
    const schedulers: HopperScheduler[] = [];
    // Jobs take longer than the interval and refills for other campaigns pile up: without the
    // queue's global concurrency of 1, the three workers would run jobs side by side.
    for (const name of ['s1', 's2', 's3']) {
      schedulers.push(
        await startHopperScheduler({
          redisUrl: TEST_REDIS_URL,
          prefix,
          everyMs: 150,
          filler: recordingFiller(name, log, 200),
        }),
      );
    }
    await Promise.all(
      ['1', '2', '3', '4'].map((c, i) => schedulers[i % 3]?.request(CampaignId.parse(c))),
    );
    await new Promise((r) => setTimeout(r, 2_500));
    await Promise.all(schedulers.map((s) => s.close()));
    const runs = [...log].sort((a, b) => a[2] - b[2]);
    expect(runs.filter(([, what]) => what.startsWith('refill:'))).toHaveLength(4);
    const fills = runs.filter(([, what]) => what === 'all');
    expect(fills.length).toBeGreaterThanOrEqual(3);
    // Far fewer than one per 150 ms per instance: each iteration ran once, one at a time.
    expect(fills.length).toBeLessThanOrEqual(13);
    for (let i = 1; i < runs.length; i++) {
      const prevEnd = runs[i - 1]?.[3] ?? 0;
      expect(runs[i]?.[2] ?? 0).toBeGreaterThanOrEqual(prevEnd - 5);
    }
  });

  it('deduplicates refill requests for a campaign while one is pending', async () => {
    const log: Array<[string, string, number, number]> = [];
    const prefix = `${new RedisKeys(rc.prefix).bullPrefix}2`;
    const s = await startHopperScheduler({
      redisUrl: TEST_REDIS_URL,
      prefix,
      everyMs: 60_000,
      filler: recordingFiller('s', log, 300),
    });
    // Let the first periodic fill (it runs at once) finish, so refills are not queued behind it.
    await new Promise((r) => setTimeout(r, 600));
    await Promise.all(
      Array.from({ length: 20 }, () => s.request(CampaignId.parse('7'))).concat(
        s.request(CampaignId.parse('8')),
      ),
    );
    await new Promise((r) => setTimeout(r, 1_200));
    await s.close();
    const refills = log.map(([, what]) => what).filter((w) => w.startsWith('refill'));
    expect(refills.filter((w) => w === 'refill:7')).toHaveLength(1);
    expect(refills.filter((w) => w === 'refill:8')).toHaveLength(1);
  });
});
